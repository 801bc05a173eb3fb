import { z } from 'zod';
import { CONFIG_KEYS, readConfig, readConfigKey, writeConfig } from '../../lib/domain/clinic-config';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { defineV1Group } from './surface';

/*
 * v1 /config: the clinic's settings as typed keys (lib/domain/clinic-config.ts). GET all, PUT several
 * at once (atomic), GET|PUT one (`{"clave","valor"}` out, `{"valor"}` in). Writes: clinic admins.
 */
const P = '/api/v1/config';
const keys = Object.keys(CONFIG_KEYS);
const Config = z.record(z.string(), z.unknown()).meta({ id: 'Configuracion', description: `Claves: ${keys.join(', ')}` });
const Entry = z.object({ clave: z.string(), valor: z.unknown() }).meta({ id: 'ConfiguracionClave' });
const keyParams = z.object({ key: z.string().max(60) });
const unknownKey = { 404: { description: 'Clave desconocida' } };

export const group = defineV1Group({
  name: 'v1-config',
  prefixes: [P],
  tag: 'v1 · Configuración',
  tenantScoped: true,
  routes: [
    route({ method: 'GET', path: P, access: 'user', summary: 'Toda la configuración de la clínica', response: Config, handler: ({ db, actor }) => readConfig(db, actor) }),
    route({
      method: 'PUT',
      path: P,
      access: 'admin',
      summary: 'Cambiar varias claves a la vez (todo o nada): objeto clave → valor',
      body: z.record(z.string(), z.unknown()),
      response: Config,
      handler: ({ db, actor, body }) => writeConfig(db, actor, body),
    }),
    route({
      method: 'GET',
      path: `${P}/{key}`,
      access: 'user',
      summary: 'Una clave de configuración',
      params: keyParams,
      response: Entry,
      responses: unknownKey,
      handler: async ({ db, actor, params }) => ({ clave: params.key, valor: await readConfigKey(db, actor, params.key) }),
    }),
    route({
      method: 'PUT',
      path: `${P}/{key}`,
      access: 'admin',
      summary: 'Cambiar una clave: {"valor": …}',
      params: keyParams,
      body: z.object({ valor: z.unknown() }).refine((b) => 'valor' in b, { message: 'Field required', path: ['valor'] }),
      response: Entry,
      responses: unknownKey,
      handler: async ({ db, actor, params, body }) => {
        await readConfigKey(db, actor, params.key);
        const all = await writeConfig(db, actor, { [params.key]: body.valor }, () => ['body', 'valor']);
        return { clave: params.key, valor: all[params.key] };
      },
    }),
  ],
});

export const handler = createHandler(group);

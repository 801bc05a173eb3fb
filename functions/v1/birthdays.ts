import { z } from 'zod';
import { listBirthdays, MAX_UPCOMING_DAYS, sendBirthdayGreeting, type BirthdayRecord } from '../../lib/domain/birthdays';
import { createHandler } from '../../lib/http/app';
import { pageNumber } from '../../lib/http/pagination';
import { route } from '../../lib/http/route';
import { apellidosOf } from './shapes';
import { defineV1Group, listRoute } from './surface';

/* v1 birthdays: today, this month, the next N days (clinic's calendar), and the greeting e-mail. */
const P = '/api/v1/birthdays';

const Cumpleanos = z
  .object({
    id: z.number().int(),
    nombres: z.string(),
    apellidos: z.string(),
    email: z.string().nullable(),
    telefono: z.string().nullable(),
    fecha_nacimiento: z.string(),
    fecha_cumpleanos: z.string(),
    dias_para_cumpleanos: z.number().int(),
    edad_cumple: z.number().int(),
  })
  .meta({ id: 'Cumpleanos' });

const toCumpleanos = (b: BirthdayRecord) => ({
  id: b.id,
  nombres: b.name,
  apellidos: apellidosOf(b.paternal_lastname, b.maternal_lastname),
  email: b.email,
  telefono: b.phone1,
  fecha_nacimiento: b.birth_date,
  fecha_cumpleanos: b.next_birthday,
  dias_para_cumpleanos: Number(b.days_until),
  edad_cumple: b.turns,
});

const list = (path: string, summary: string, window: (q: Record<string, unknown>) => Parameters<typeof listBirthdays>[2], query?: z.ZodRawShape) =>
  listRoute({
    path,
    summary,
    item: Cumpleanos,
    query,
    load: ({ db, actor, query: q }) => listBirthdays(db, actor, window(q), q.page, q.size),
    present: toCumpleanos,
  });

export const group = defineV1Group({
  name: 'v1-birthdays',
  prefixes: [P],
  tag: 'v1 · Cumpleaños',
  tenantScoped: true,
  routes: [
    list(`${P}/today`, 'Pacientes que cumplen años hoy (calendario de la clínica; 29/02 cae el 28/02 en años no bisiestos)', () => ({ kind: 'today' })),
    list(`${P}/this-month`, 'Pacientes que cumplen años este mes', () => ({ kind: 'month' })),
    list(`${P}/upcoming`, `Cumpleaños de hoy a ?days= días (por defecto 7, máximo ${MAX_UPCOMING_DAYS})`, (q) => ({ kind: 'upcoming', days: q.days as number }), { days: pageNumber(7, MAX_UPCOMING_DAYS) }),
    route({
      method: 'POST',
      path: `${P}/{patient_id}/greeting`,
      access: 'user',
      summary: 'Enviar el saludo de cumpleaños por e-mail (422 si el paciente no tiene e-mail)',
      params: z.object({ patient_id: z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number) }),
      entity: 'patients',
      body: z.object({ mensaje: z.string().trim().max(2000).nullable().optional() }),
      response: z.object({ enviado: z.boolean(), patient_id: z.number().int(), email: z.string(), asunto: z.string() }),
      handler: async ({ db, actor, params, body }) => {
        const sent = await sendBirthdayGreeting(db, actor, params.patient_id, body.mensaje);
        return { enviado: true, patient_id: sent.patientId, email: sent.email, asunto: sent.subject };
      },
    }),
  ],
});

export const handler = createHandler(group);

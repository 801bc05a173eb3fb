import { z } from 'zod';
import { createHandler } from '../../lib/http/app';
import { binary, defineGroup, reply, route } from '../../lib/http/route';
import { call, type Handler } from '../helpers/http';

/*
 * The check every call() makes against the OpenAPI document (tests/helpers/contract.ts) must catch
 * each way a response can break the contract; a hook that never fails would prove nothing.
 */
const liar = createHandler(
  defineGroup({
    name: 'liar',
    prefixes: ['/api/liar'],
    tag: 'test',
    routes: [
      route({
        method: 'GET',
        path: '/api/liar/{case}/',
        access: 'public',
        summary: 'answers something its declaration does not say',
        db: false,
        params: z.object({ case: z.enum(['ok', 'wrong-type', 'extra-field', 'teapot', 'pdf', 'text', 'empty-declared']) }),
        response: z.object({ name: z.string() }),
        responses: { 201: { description: 'no body' }, 202: { description: 'a PDF', contentTypes: ['application/pdf'] } },
        handler: async ({ params }) => {
          switch (params.case) {
            case 'ok':
              return { name: 'Ana' };
            case 'wrong-type':
              return { name: 42 };
            case 'extra-field':
              return { name: 'Ana', password_hash: 'x' };
            case 'teapot':
              return reply(418, { detail: 'no' });
            case 'pdf':
              return { ...binary(Buffer.from('%PDF-1.7'), 'text/plain'), status: 202 };
            case 'text':
              return reply(200, 'name=Ana', { 'Content-Type': 'text/plain' });
            case 'empty-declared':
              return reply(201, { name: 'Ana' });
          }
        },
      }),
    ],
  }),
) as unknown as Handler;

describe('OpenAPI contract check in call()', () => {
  it('passes a response that matches its declaration', async () => {
    expect((await call(liar, { path: '/api/liar/ok/' })).body).toEqual({ name: 'Ana' });
  });

  it.each([
    ['wrong-type', /GET \/api\/liar\/\{case\}\/ .*answered 200.*body does not match the declared schema: \/name must be string/],
    ['extra-field', /must NOT have additional properties.*password_hash/],
    ['teapot', /answered 418.*status 418 is not declared \(declared: 200, 201, 202, 404\)/],
    ['pdf', /content type "text\/plain" is not declared \(declared: application\/pdf\)/],
    ['text', /content type "text\/plain" is not declared \(declared: application\/json\)/],
    ['empty-declared', /status 201 is declared without a body/],
  ])('fails %s with the operation, status and body', async (name, message) => {
    await expect(call(liar, { path: `/api/liar/${name}/` })).rejects.toThrow(message);
  });

  it('lets a path no route declares answer only the router 404/405', async () => {
    expect((await call(liar, { path: '/api/liar/' })).status).toBe(404);
    expect((await call(liar, { method: 'POST', path: '/api/liar/ok/' })).status).toBe(405);
  });

  it('skips the check only when a test asks for it', async () => {
    // Deliberately outside the contract: this is the escape hatch's own test.
    expect((await call(liar, { path: '/api/liar/teapot/', unchecked: true })).status).toBe(418);
  });
});

import { groups } from '../../functions/registry';
import type { RouteGroup } from '../../lib/http/route';
import { declaredFunctions, nonHttpFunctions } from '../helpers/functions';

/* serverless.yml and the route tables must describe the same API: this fails until both agree. */
const functions = declaredFunctions();
const expectedEvents = (g: RouteGroup) => [...g.prefixes.flatMap((p) => [`ANY ${p}`, `ANY ${p}/{proxy+}`]), ...(g.catchAll ? ['*'] : [])].sort();

/*
 * Functions that no route reaches. Each is named here on purpose (a function that merely forgot its
 * httpApi events must fail this file), with what may start it: nothing but an operator's invoke, or a
 * schedule.
 */
const NON_HTTP: Record<string, { events: 'none' | 'schedule' }> = {
  migrate: { events: 'none' },
  'jobs-outbox': { events: 'schedule' },
  'jobs-automations': { events: 'schedule' },
};

describe('serverless.yml ↔ route tables', () => {
  it('declares exactly one function per route group, with the same name', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(groups.map((g) => g.name).sort());
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: the handler module exports its group and the events match its prefixes', (name, f) => {
    expect(f.group).toBe(groups.find((g) => g.name === name));
    expect(typeof f.handler).toBe('function');
    expect(f.events.sort()).toEqual(expectedEvents(f.group));
  });

  it('every function without an httpApi event is a listed non-HTTP function, started only as listed', () => {
    const found = nonHttpFunctions();
    expect(found.map((f) => f.name).sort()).toEqual(Object.keys(NON_HTTP).sort());
    for (const f of found) {
      const allowed = NON_HTTP[f.name].events === 'schedule' ? ['schedule'] : [];
      expect({ name: f.name, events: f.eventKinds.filter((k) => !allowed.includes(k)) }).toEqual({ name: f.name, events: [] });
      if (NON_HTTP[f.name].events === 'schedule') expect(f.eventKinds.length).toBeGreaterThan(0);
    }
  });

  it('a non-HTTP function is no route group: its module exports a handler and no group', () => {
    for (const f of nonHttpFunctions()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(`../../${f.file}`);
      expect(typeof mod.handler).toBe('function');
      expect(mod.group).toBeUndefined();
      expect(groups.some((g) => g.name === f.name)).toBe(false);
    }
  });

  it('every route lives under a prefix of its group, and no prefix belongs to two groups', () => {
    const owners = new Map<string, string>();
    for (const g of groups) {
      for (const p of g.prefixes) {
        expect(owners.get(p)).toBeUndefined();
        owners.set(p, g.name);
      }
      for (const r of g.routes) expect(g.prefixes.some((p) => r.path === p || r.path.startsWith(`${p}/`))).toBe(true);
    }
    expect(groups.filter((g) => g.catchAll)).toHaveLength(1);
  });

  it('no two routes share a method and path', () => {
    const keys = groups.flatMap((g) => g.routes.map((r) => `${r.method} ${r.path.replace(/\/$/, '')}`));
    expect(keys.length).toBe(new Set(keys).size);
  });
});

import { groups } from '../../functions/registry';
import type { RouteGroup } from '../../lib/http/route';
import { declaredFunctions } from '../helpers/functions';

/* serverless.yml and the route tables must describe the same API: this fails until both agree. */
const functions = declaredFunctions();
const expectedEvents = (g: RouteGroup) => [...g.prefixes.flatMap((p) => [`ANY ${p}`, `ANY ${p}/{proxy+}`]), ...(g.catchAll ? ['*'] : [])].sort();

describe('serverless.yml ↔ route tables', () => {
  it('declares exactly one function per route group, with the same name', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(groups.map((g) => g.name).sort());
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: the handler module exports its group and the events match its prefixes', (name, f) => {
    expect(f.group).toBe(groups.find((g) => g.name === name));
    expect(typeof f.handler).toBe('function');
    expect(f.events.sort()).toEqual(expectedEvents(f.group));
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

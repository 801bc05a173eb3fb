import type { AnyRoute, Method } from './route';

export interface Match {
  route: AnyRoute;
  params: Record<string, string>;
}

export type RouteResult = { kind: 'match'; match: Match } | { kind: 'method'; allow: Method[] } | { kind: 'none' };

interface Compiled {
  route: AnyRoute;
  regex: RegExp;
  names: string[];
  /** Static routes are tried before parameterised ones: `search/` must win over `{id}/`. */
  specificity: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(route: AnyRoute): Compiled {
  const names: string[] = [];
  const trimmed = route.path.replace(/\/+$/, '');
  const source = trimmed
    .split(/(\{[a-zA-Z_][a-zA-Z0-9_]*\+?\})/)
    .map((part) => {
      const m = /^\{(.+?)(\+?)\}$/.exec(part);
      if (!m) return escape(part);
      names.push(m[1]);
      return m[2] ? '(.+)' : '([^/]+)'; // `{key+}` spans segments
    })
    .join('');
  // Django-style clients send the trailing slash, others do not: both reach the same route.
  return { route, regex: new RegExp(`^${source}/?$`), names, specificity: names.length };
}

/** Method + path matching with optional trailing slash; 405 (with Allow) when only the method is wrong. */
export function createRouter(routes: AnyRoute[]) {
  const compiled = routes.map(compile).sort((a, b) => a.specificity - b.specificity);
  return (method: string, path: string): RouteResult => {
    const allow = new Set<Method>();
    for (const c of compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method === method) {
        const params: Record<string, string> = {};
        try {
          c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
        } catch {
          return { kind: 'none' }; // undecodable escape in the path: no such resource
        }
        return { kind: 'match', match: { route: c.route, params } };
      }
      allow.add(c.route.method);
    }
    if (allow.size && method !== 'OPTIONS') return { kind: 'method', allow: [...allow] };
    return { kind: 'none' };
  };
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from './auth/actor';

/*
 * Who is asking, from where: available to domain code (the audit log) without threading it through
 * every call. The database transaction still carries the tenant for row-level security.
 */
export interface RequestContext {
  requestId: string;
  sourceIp: string;
  userAgent: string;
  actor: Actor | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const runWithContext = <T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> => storage.run(ctx, fn);
export const requestContext = (): RequestContext | undefined => storage.getStore();

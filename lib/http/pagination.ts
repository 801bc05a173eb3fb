import { z } from 'zod';
import type { Page } from '../queries/paginate';

/*
 * Page-number pagination parameters and the DRF page shape (lib/queries/paginate.ts runs the query).
 * Each surface shapes a page its own way (DRF {count,next,previous,results}; patients
 * {count,num_pages,current_page,results}; v1 bare array + X-Total-Count/Link headers).
 */
export const MAX_PAGE_SIZE = 100;

const pageDigits = (max?: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'Debe ser un número entero positivo.')
    .transform(Number)
    .pipe(max ? z.number().int().min(1).max(max) : z.number().int().min(1));

/** A page number or size from the query string: digits only, 1..max, `fallback` when absent. */
export const pageNumber = (fallback: number, max?: number) =>
  // prefault (not default): the fallback goes through the transform, so it arrives as a number too.
  pageDigits(max).prefault(String(fallback) as never);

/**
 * The other spelling of a page size, undefined when absent: the spec has lists paged by `page_size` and
 * lists paged by `per_page`, and a frontend sends the one it learned first; the route takes either.
 */
export const pageSizeAlias = (max: number) => pageDigits(max).optional();

/** `?page=&page_size=` (DRF). */
export const drfPageQuery = { page: pageNumber(1), page_size: pageNumber(20, MAX_PAGE_SIZE) };

/** Absolute next/previous links as DRF renders them: the request URL with `page` changed. */
export function pageLink(baseUrl: string, path: string, query: Record<string, unknown>, page: number | null): string | null {
  if (page === null) return null;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && k !== 'page') params.set(k, String(v));
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return `${baseUrl}${path}${qs ? `?${qs}` : ''}`;
}

export function drfPage<T>(p: Page<T>, baseUrl: string, path: string, query: Record<string, unknown>) {
  const last = Math.max(1, Math.ceil(p.count / p.size));
  return {
    count: p.count,
    next: pageLink(baseUrl, path, query, p.page < last ? p.page + 1 : null),
    previous: pageLink(baseUrl, path, query, p.page > 1 ? Math.min(p.page - 1, last) : null),
    results: p.rows,
  };
}

export const drfPageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.number().int(), next: z.string().nullable(), previous: z.string().nullable(), results: z.array(item) });

/* ---- v1 (FastAPI clients): a bare JSON array, the totals in headers ------------------------------- */

/** `?page=&size=`: 1-based page, 50 per page by default, at most 200. */
export const V1_MAX_PAGE_SIZE = 200;
export const v1PageQuery = { page: pageNumber(1), size: pageNumber(50, V1_MAX_PAGE_SIZE) };

/**
 * The headers every v1 list carries: `X-Total-Count`, and an RFC 8288 `Link` with first, prev, next
 * and last (absolute URLs with the request's other query parameters kept).
 */
export function v1ListHeaders(total: number, page: number, size: number, baseUrl: string, path: string, query: Record<string, unknown>): Record<string, string> {
  const last = Math.max(1, Math.ceil(total / size));
  const url = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && k !== 'page' && k !== 'size') params.set(k, String(v));
    params.set('page', String(p));
    params.set('size', String(size));
    return `<${baseUrl}${path}?${params}>`;
  };
  const links = [`${url(1)}; rel="first"`];
  if (page > 1) links.push(`${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`);
  links.push(`${url(last)}; rel="last"`);
  return { 'X-Total-Count': String(total), Link: links.join(', ') };
}

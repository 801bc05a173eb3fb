import { sql, type RawBuilder } from 'kysely';

/*
 * Search folding: lowercase and accents removed, so "maria" finds "María". Must stay identical to
 * the expression behind the trigram indexes of migration 0005_clinical (translate() is immutable,
 * unaccent() is not, so it can back a generated column).
 */
const FOLD_FROM = 'áéíóúäëïöüàèìòùâêîôûñç';
const FOLD_TO = 'aeiouaeiouaeiouaeiounc';
// Literals, not parameters: an expression index only matches an identical expression.
const FROM = sql.raw(`'${FOLD_FROM}'`);
const TO = sql.raw(`'${FOLD_TO}'`);

/** Escapes LIKE wildcards so a user's `%` or `_` is matched literally. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `%term%`, folded, for a LIKE against a folded column. */
export const foldedContains = (term: string): RawBuilder<string> => sql<string>`translate(lower(${`%${likeEscape(term)}%`}), ${FROM}, ${TO})`;

/** Folds an SQL expression the same way the indexes do. */
export const foldExpr = (expr: RawBuilder<unknown>): RawBuilder<string> => sql<string>`translate(lower(${expr}), ${FROM}, ${TO})`;

/** Search terms: whitespace-separated words, each of which must match. */
export const searchTerms = (q: string): string[] => q.trim().split(/\s+/).filter(Boolean).slice(0, 8);

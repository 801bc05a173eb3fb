import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/*
 * RESULTS.md is written by several scripts (the benchmark, the soak run): each owns a section between
 * `<!-- section:name -->` markers and replaces only that, so one script's run keeps the others' figures.
 */
const markers = (name: string) => [`<!-- section:${name} -->`, `<!-- /section:${name} -->`] as const;

export function readSections(file: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/<!-- section:([\w-]+) -->\n([\s\S]*?)<!-- \/section:\1 -->/g)) out.set(m[1], m[2]);
  return out;
}

export const renderSection = (name: string, body: string) => {
  const [open, close] = markers(name);
  return `${open}\n${body.replace(/\n*$/, '\n')}${close}\n`;
};

/** Replaces (or appends) one section of the file. */
export function writeSection(file: string, name: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const [open, close] = markers(name);
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  const next = start >= 0 && end > start ? text.slice(0, start) + renderSection(name, body) + text.slice(end + close.length + 1) : `${text.replace(/\n*$/, '\n\n')}${renderSection(name, body)}`;
  writeFileSync(file, next);
}

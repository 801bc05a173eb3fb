/*
 * Wall-clock time in a clinic's time zone. Appointments are stored as the clinic's date + hour (what
 * the Reflexo agenda shows); instants (`fecha_hora` on v1, payments) are UTC. These convert between
 * the two with the platform's IANA data (Intl), so a zone with daylight saving time converts right.
 */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM:SS */
  time: string;
}

/** The clinic's calendar date and clock time at `instant`. */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

const asUtcMs = (w: WallTime) => Date.parse(`${w.date}T${w.time.length === 5 ? `${w.time}:00` : w.time}Z`);

/** Offset of the zone from UTC at `instant`, in minutes (Lima: -300). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const w = toWallTime(instant, timeZone);
  return Math.round((asUtcMs(w) - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time names in `timeZone`. A time that does not exist (skipped by a
 * spring-forward change) gives null; one that happens twice (fall-back) gives the first.
 */
export function fromWallTime(w: WallTime, timeZone: string): Date | null {
  const naive = asUtcMs(w);
  const candidates = new Set<number>();
  // The offset at the naive instant and a day either side covers every transition.
  for (const probe of [naive - 86_400_000, naive, naive + 86_400_000]) candidates.add(naive - offsetMinutes(new Date(probe), timeZone) * 60_000);
  const matches = [...candidates].filter((t) => {
    const back = toWallTime(new Date(t), timeZone);
    return asUtcMs(back) === naive;
  });
  if (!matches.length) return null;
  return new Date(Math.min(...matches));
}

/** ISO-8601 UTC with `Z` and no milliseconds when there are none (`2024-01-15T10:00:00Z`). */
export const isoUtc = (d: Date): string => d.toISOString().replace(/\.000Z$/, 'Z');

/** Days from `from` to `to` inclusive (YYYY-MM-DD), in calendar order. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (date: string): number => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/** 'HH:MM' or 'HH:MM:SS' → minutes after midnight. */
export const minutesOf = (time: string): number => {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
};

/** Minutes after midnight → 'HH:MM:SS'. */
export const timeOf = (minutes: number): string => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00`;

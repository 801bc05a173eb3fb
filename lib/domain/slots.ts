import { daysBetween, fromWallTime, isoWeekday, minutesOf, timeOf, type WallTime } from '../time';

/*
 * Free appointment slots = a doctor's weekly schedule − breaks − date exceptions − live
 * appointments − the past, all in the clinic's wall-clock time (appointments are stored that way),
 * then placed on the UTC timeline with the clinic's zone. Pure: the caller loads the inputs.
 */
export interface ScheduleBlock {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  start: string;
  end: string;
  slotMinutes: number;
  breaks: { start: string; end: string }[];
}

/** A day off (start and end null) or hours off on one date. */
export interface ScheduleException {
  date: string;
  start: string | null;
  end: string | null;
}

/** A live appointment: its wall-clock start and length. */
export interface Busy {
  date: string;
  start: string;
  durationMinutes: number;
}

export interface Slot {
  date: string;
  start: string;
  end: string;
  startsAt: Date;
  endsAt: Date;
}

const DAY = 24 * 60;
const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 < a1;

export function freeSlots(opts: { from: string; to: string; blocks: ScheduleBlock[]; exceptions: ScheduleException[]; busy: Busy[]; now: WallTime; timeZone: string }): Slot[] {
  const days = daysBetween(opts.from, opts.to);
  if (!days.length) return [];
  // Busy time on one line of minutes from the first day's midnight, so an appointment that runs past
  // midnight still blocks the next morning.
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const origin = Date.parse(`${opts.from}T00:00:00Z`);
  const lineOf = (date: string, time: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - origin) / 60_000) + minutesOf(time);
  const busy = opts.busy.map((b) => {
    const s = lineOf(b.date, b.start);
    return [s, s + b.durationMinutes] as const;
  });
  const nowLine = lineOf(opts.now.date, opts.now.time);
  const slots: Slot[] = [];
  for (const date of days) {
    const base = dayIndex.get(date)! * DAY;
    const off = opts.exceptions.filter((e) => e.date === date);
    if (off.some((e) => e.start === null || e.end === null)) continue;
    const offRanges = off.map((e) => [base + minutesOf(e.start!), base + minutesOf(e.end!)] as const);
    const weekday = isoWeekday(date);
    for (const block of opts.blocks.filter((b) => b.weekday === weekday)) {
      const breaks = block.breaks.map((b) => [base + minutesOf(b.start), base + minutesOf(b.end)] as const);
      const end = base + minutesOf(block.end);
      for (let s = base + minutesOf(block.start); s + block.slotMinutes <= end; s += block.slotMinutes) {
        const e = s + block.slotMinutes;
        if (s < nowLine) continue;
        if ([...breaks, ...offRanges, ...busy].some(([b0, b1]) => overlaps(s, e, b0, b1))) continue;
        const start = timeOf(s - base);
        const startsAt = fromWallTime({ date, time: start }, opts.timeZone);
        // A time a daylight-saving change skips does not exist in the clinic: no slot there.
        if (!startsAt) continue;
        slots.push({ date, start, end: timeOf(e - base), startsAt, endsAt: new Date(startsAt.getTime() + block.slotMinutes * 60_000) });
      }
    }
  }
  return slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

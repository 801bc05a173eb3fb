import { freeSlots, type ScheduleBlock } from '../../lib/domain/slots';
import { fromWallTime, isoUtc, isoWeekday, offsetMinutes, toWallTime } from '../../lib/time';

/* Slot computation (pure): schedule − breaks − exceptions − appointments − the past, in the clinic's zone. */
const monday = '2026-12-07';
const block = (over: Partial<ScheduleBlock> = {}): ScheduleBlock => ({ weekday: 1, start: '09:00', end: '12:00', slotMinutes: 30, breaks: [], ...over });
const earlier = { date: '2026-12-01', time: '08:00:00' };
const starts = (s: { start: string }[]) => s.map((x) => x.start.slice(0, 5));

describe('time zones', () => {
  it('Lima has no daylight saving: always UTC−5', () => {
    expect(offsetMinutes(new Date('2026-01-15T12:00:00Z'), 'America/Lima')).toBe(-300);
    expect(offsetMinutes(new Date('2026-07-15T12:00:00Z'), 'America/Lima')).toBe(-300);
    expect(isoUtc(fromWallTime({ date: monday, time: '09:00:00' }, 'America/Lima')!)).toBe('2026-12-07T14:00:00Z');
    expect(toWallTime(new Date('2026-12-08T04:45:00Z'), 'America/Lima')).toEqual({ date: '2026-12-07', time: '23:45:00' });
  });

  it('a DST zone: a skipped hour does not exist, a repeated one means its first occurrence', () => {
    expect(fromWallTime({ date: '2026-03-08', time: '02:30:00' }, 'America/New_York')).toBeNull();
    expect(isoUtc(fromWallTime({ date: '2026-03-07', time: '09:00:00' }, 'America/New_York')!)).toBe('2026-03-07T14:00:00Z');
    expect(isoUtc(fromWallTime({ date: '2026-03-09', time: '09:00:00' }, 'America/New_York')!)).toBe('2026-03-09T13:00:00Z');
    expect(isoUtc(fromWallTime({ date: '2026-11-01', time: '01:30:00' }, 'America/New_York')!)).toBe('2026-11-01T05:30:00Z');
  });

  it('ISO weekdays: Monday is 1, Sunday is 7', () => {
    expect(isoWeekday(monday)).toBe(1);
    expect(isoWeekday('2026-12-13')).toBe(7);
  });
});

describe('free slots', () => {
  const base = { from: monday, to: monday, exceptions: [], busy: [], now: earlier, timeZone: 'America/Lima' };

  it('cuts a block into slots of its length, each placed in UTC', () => {
    const slots = freeSlots({ ...base, blocks: [block()] });
    expect(starts(slots)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']);
    expect(isoUtc(slots[0].startsAt)).toBe('2026-12-07T14:00:00Z');
    expect(isoUtc(slots[0].endsAt)).toBe('2026-12-07T14:30:00Z');
    expect(slots[5].end).toBe('12:00:00');
  });

  it('a slot that would run past the block is not offered', () => {
    expect(starts(freeSlots({ ...base, blocks: [block({ end: '10:45', slotMinutes: 30 })] }))).toEqual(['09:00', '09:30', '10:00']);
  });

  it('removes breaks, booked appointments (also one starting mid-slot), and hours off', () => {
    const slots = freeSlots({
      ...base,
      blocks: [block({ breaks: [{ start: '10:00', end: '10:30' }] })],
      busy: [{ date: monday, start: '09:15:00', durationMinutes: 10 }],
      exceptions: [{ date: monday, start: '11:30', end: '12:00' }],
    });
    expect(starts(slots)).toEqual(['09:30', '10:30', '11:00']);
  });

  it('a day off removes the whole day; other days keep their slots', () => {
    const slots = freeSlots({ ...base, to: '2026-12-14', blocks: [block()], exceptions: [{ date: monday, start: null, end: null }] });
    expect(new Set(slots.map((s) => s.date))).toEqual(new Set(['2026-12-14']));
  });

  it('an appointment that runs past midnight blocks the next morning', () => {
    const slots = freeSlots({ ...base, from: '2026-12-06', to: monday, blocks: [block({ start: '00:00', end: '02:00', slotMinutes: 60 })], busy: [{ date: '2026-12-06', start: '23:30:00', durationMinutes: 60 }] });
    expect(slots.map((s) => `${s.date} ${s.start}`)).toEqual(['2026-12-07 01:00:00']);
  });

  it('never offers the past: today only from now on', () => {
    expect(starts(freeSlots({ ...base, blocks: [block()], now: { date: monday, time: '10:10:00' } }))).toEqual(['10:30', '11:00', '11:30']);
    expect(freeSlots({ ...base, blocks: [block()], now: { date: '2026-12-08', time: '00:00:00' } })).toEqual([]);
  });

  it('in a DST zone the skipped hour has no slot and the offset changes with the date', () => {
    const sunday = '2026-03-08';
    const slots = freeSlots({ ...base, from: sunday, to: '2026-03-09', timeZone: 'America/New_York', blocks: [block({ weekday: 7, start: '01:00', end: '04:00', slotMinutes: 60 }), block({ weekday: 1, start: '09:00', end: '10:00', slotMinutes: 60 })], now: { date: '2026-03-01', time: '00:00:00' } });
    expect(slots.map((s) => `${s.date} ${s.start} ${isoUtc(s.startsAt)}`)).toEqual([
      '2026-03-08 01:00:00 2026-03-08T06:00:00Z',
      '2026-03-08 03:00:00 2026-03-08T07:00:00Z',
      '2026-03-09 09:00:00 2026-03-09T13:00:00Z',
    ]);
  });
});

/**
 * The clinic's wall clock. A schedule is kept in the clinic's time zone (a Moscow clinic's
 * 9:30 is 9:30 whatever zone the desk's machine is set to), so every "today", "tomorrow",
 * grid column, calling window and read-back is computed here from an instant and the zone.
 * Pure: Intl only, no Date-local arithmetic.
 */

/** The zone a fresh desk assumes for its clinic. */
export const DEFAULT_CLINIC_TIME_ZONE = 'Europe/Moscow';

const partsCache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone (`Europe/Moscow`, `Asia/Yekaterinburg`). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  const parts = formatter(timeZone).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The clinic-local calendar date of an instant (`YYYY-MM-DD`). */
export function clinicDate(instant: number | string, timeZone: string): string {
  const w = wallClock(toMs(instant), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** Minutes since clinic-local midnight of an instant (9:30 → 570). */
export function clinicMinutes(instant: number | string, timeZone: string): number {
  const w = wallClock(toMs(instant), timeZone);
  return w.hour * 60 + w.minute;
}

/** `HH:MM` of an instant on the clinic's clock. */
export function clinicTimeOfDay(instant: number | string, timeZone: string): string {
  const w = wallClock(toMs(instant), timeZone);
  return `${w.hour}:${pad(w.minute)}`;
}

/** The zone's offset from UTC at an instant, in minutes (Moscow: +180). */
export function zoneOffsetMinutes(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The instant of a clinic-local wall time (`date` `YYYY-MM-DD`, `minutes` since midnight).
 * Two passes settle the offset across a DST change; a wall time that does not exist (a
 * spring-forward gap) lands just after it.
 */
export function clinicInstant(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  let guess = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  guess = wall - zoneOffsetMinutes(guess, timeZone) * 60_000;
  return guess;
}

/** ISO 8601 with the clinic's offset (`2026-12-07T09:30:00+03:00`) for a clinic-local wall time. */
export function clinicIso(date: string, minutes: number, timeZone: string): string {
  const instant = clinicInstant(date, minutes, timeZone);
  const offset = zoneOffsetMinutes(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = Math.floor(minutes / 60) % 24;
  const w = wallClock(instant, timeZone);
  return `${date}T${pad(h)}:${pad(w.minute)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Day of the week of a calendar date: 0 Sunday … 6 Saturday. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  const ms = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((ms(to) - ms(from)) / 86_400_000);
}

const RU_WEEKDAY_ACCUSATIVE = ['воскресенье', 'понедельник', 'вторник', 'среду', 'четверг', 'пятницу', 'субботу'];
const RU_MONTH_GENITIVE = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'];
const EN_WEEKDAY = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const EN_MONTH = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * A visit's date and time as an operator says it to the patient, on the clinic's clock:
 * `завтра, в пятницу, 11 декабря, в 9:30` (Russian: «в» + weekday in the accusative, day and
 * month in the genitive, hours without a leading zero); `today` / `tomorrow` are named when
 * they apply. English: `tomorrow, Friday 11 December, at 9:30`.
 */
export function spokenVisitTime(startsAt: string, now: number, timeZone: string, language: 'ru' | 'en' = 'ru'): string {
  const date = clinicDate(startsAt, timeZone);
  const today = clinicDate(now, timeZone);
  const [, month, day] = date.split('-').map(Number) as [number, number, number];
  const time = clinicTimeOfDay(startsAt, timeZone);
  const offset = daysBetween(today, date);
  const dow = weekday(date);
  if (language === 'en') {
    const rel = offset === 0 ? 'today, ' : offset === 1 ? 'tomorrow, ' : '';
    return `${rel}${EN_WEEKDAY[dow]} ${day} ${EN_MONTH[month - 1]}, at ${time}`;
  }
  const rel = offset === 0 ? 'сегодня, ' : offset === 1 ? 'завтра, ' : offset === 2 ? 'послезавтра, ' : '';
  const preposition = dow === 2 ? 'во' : 'в';
  return `${rel}${preposition} ${RU_WEEKDAY_ACCUSATIVE[dow]}, ${day} ${RU_MONTH_GENITIVE[month - 1]}, в ${time}`;
}

/** Whether an instant falls inside a clinic-local window `[from, to)` given as `HH:MM`. */
export function withinWindow(instant: number, window: { from: string; to: string }, timeZone: string): boolean {
  const minutes = clinicMinutes(instant, timeZone);
  return minutes >= hhmmToMinutes(window.from) && minutes < hhmmToMinutes(window.to);
}

/** `HH:MM` (00:00 … 24:00) → minutes since midnight. */
export function hhmmToMinutes(value: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (!match) throw new RangeError(`not a time of day: ${value}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function toMs(instant: number | string): number {
  return typeof instant === 'number' ? instant : Date.parse(instant);
}

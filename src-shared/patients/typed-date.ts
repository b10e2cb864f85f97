import { isRealDate } from './patient-card';

/**
 * The one rule for a date someone types (the search box, the new-patient draft): `d.m.yyyy` or
 * `d/m/yyyy` — day and month of one or two digits, day first as Russian and Kazakh dates are
 * written — or ISO `yyyy-mm-dd`. Surrounding spaces are ignored.
 *
 * Returns `YYYY-MM-DD` for a day that exists in the Gregorian calendar, `null` for something
 * date-shaped that does not (`31.02.1985`, month 13, year 0000), and `undefined` for text that
 * is not date-shaped at all (so a search can read it as something else). Which years make sense
 * is the caller's rule (the search: 1880–2100; the draft: not in the future, at most 130 years ago).
 */
export function parseTypedDate(text: string): string | null | undefined {
  const trimmed = text.trim();
  const dmy = DAY_MONTH_YEAR.exec(trimmed);
  const ymd = dmy ? null : ISO_DATE.exec(trimmed);
  const parts = dmy ? [dmy[3], dmy[2], dmy[1]] : ymd ? [ymd[1], ymd[2], ymd[3]] : null;
  if (!parts) return undefined;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  if (!isRealDate(year, month, day)) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const DAY_MONTH_YEAR = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

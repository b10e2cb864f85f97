import type { PatientCard, PatientPhone } from '../../../src-shared/patients/patient-card';
import type { PatientSearchQuery } from '../../../src-shared/patients/search-query';
import { formatClockTime } from '../../ui/format-time';
import { numberFormat } from '../../ui/intl-formats';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';

/**
 * Display helpers for the Patients pane. Pure functions, no i18n: they format numbers and
 * dates the way Russian clinic paperwork writes them, whatever the UI language.
 */

const pad2 = (value: number) => String(value).padStart(2, '0');

/** `1985-03-12` → `12.03.1985`; anything unreadable is returned as it came. */
export function formatIsoDate(iso: string | null): string {
  if (!iso) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : iso;
}

/** An instant as `dd.mm.yyyy HH:MM` in the desk's local time (the clinic's wall clock). */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${formatLocalDate(date)} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** `dd.mm.yyyy` of a local date. */
export function formatLocalDate(date: Date): string {
  return `${pad2(date.getDate())}.${pad2(date.getMonth() + 1)}.${date.getFullYear()}`;
}

/** Full years between a `YYYY-MM-DD` birth date and `today` (local), or null when unreadable. */
export function ageOn(birthDate: string, today: Date): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  let age = today.getFullYear() - year;
  const beforeBirthday = today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day);
  if (beforeBirthday) age -= 1;
  return age >= 0 && age < 200 ? age : null;
}

/** "39 лет" / "39 years" without plural tables: Intl knows the unit's grammar. */
export function formatAge(age: number, language: string): string {
  return numberFormat(language, { style: 'unit', unit: 'year', unitDisplay: 'long' }).format(age);
}

/** `+79161234567` → `+7 (916) 123-45-67`: the desk's one rule for numbers on screen (src-shared). */
export function formatPhone(e164: string): string {
  return formatPhoneNumber(e164);
}

/** СНИЛС `11223344595` → `112-233-445 95`. */
export function formatSnils(snils: string): string {
  const match = /^(\d{3})(\d{3})(\d{3})(\d{2})$/.exec(snils);
  return match ? `${match[1]}-${match[2]}-${match[3]} ${match[4]}` : snils;
}

/** ОМС policy `7700123456789012` → `7700 1234 5678 9012` (easier to read aloud). */
export function formatOms(policy: string): string {
  return /^\d{16}$/.test(policy) ? policy.replace(/(\d{4})(?=\d)/g, '$1 ') : policy;
}

/** Count as `12 340` in the UI language. */
export function formatCount(value: number, language: string): string {
  return numberFormat(language).format(value);
}

/**
 * "2 мин" / "30 с" (short units): seconds under 45 s, else minutes rounded up (never 0). Up,
 * not to the nearest: 89 s left is "2 мин", so the bar never promises less than it takes.
 */
export function formatEta(seconds: number, language: string): string {
  if (seconds < 45) {
    return numberFormat(language, { style: 'unit', unit: 'second', unitDisplay: 'short' }).format(Math.max(1, Math.ceil(seconds)));
  }
  return numberFormat(language, { style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(Math.max(1, Math.ceil(seconds / 60)));
}

/** Surname, given name and patronymic as one line. */
export function fullName(card: Pick<PatientCard, 'surname' | 'givenName' | 'patronymic'>): string {
  return [card.surname, card.givenName, card.patronymic].filter((part) => part).join(' ');
}

/**
 * The phone a result row shows: the one the query matched (full number or its last digits),
 * else the first mobile, else the first phone.
 */
export function phoneToShow(phones: readonly PatientPhone[], queryDigits: string | null): PatientPhone | null {
  if (queryDigits) {
    const hit = phones.find((phone) => phone.e164.slice(1).endsWith(queryDigits) || phone.national10.endsWith(queryDigits));
    if (hit) return hit;
  }
  return phones.find((phone) => phone.kind === 'mobile') ?? phones[0] ?? null;
}

/** The digits of the query that can match a phone, if any. */
export function queryPhoneDigits(parsed: PatientSearchQuery): string | null {
  if (parsed.kind === 'identifier') return parsed.asPhone ? parsed.digits : null;
  if (parsed.kind === 'criteria') return parsed.phoneDigits;
  return null;
}

/**
 * What the box understood, as i18n keys under `patients.understood.*`, joined by the UI:
 * `['name', 'birthYear']` → "by name and birth year".
 */
export function understoodParts(parsed: PatientSearchQuery): string[] {
  if (parsed.kind === 'identifier') {
    const parts: string[] = [];
    if (parsed.asPhone) parts.push('phone');
    if (parsed.asOmsPolicy) parts.push('oms');
    if (parsed.asSnils) parts.push('snils');
    return parts;
  }
  if (parsed.kind !== 'criteria') return [];
  const parts: string[] = [];
  if (parsed.words.length > 0) parts.push('name');
  if (parsed.birthDate) parts.push('birthDate');
  if (parsed.birthYear !== null) parts.push('birthYear');
  if (parsed.phoneDigits) parts.push('phone');
  return parts;
}

/** True when `iso` falls on the same local day as `now`. */
export function isSameLocalDay(iso: string, now: Date): boolean {
  const date = new Date(iso);
  return (
    !Number.isNaN(date.getTime()) &&
    date.getFullYear() === now.getFullYear() &&
    date.getMonth() === now.getMonth() &&
    date.getDate() === now.getDate()
  );
}

/** A moment as "HH:MM" when it is today, else "dd.mm.yyyy HH:MM" (the cache's age, a notice's "when"). */
export function formatMoment(iso: string, now: Date, language: string): string {
  const time = formatClockTime(iso, language);
  if (isSameLocalDay(iso, now)) return time;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? time : `${formatLocalDate(date)} ${time}`;
}

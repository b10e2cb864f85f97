import { isRealIsoDate } from '../../../../src-shared/patients/patient-card';
import { clinicIso } from '../../../../src-shared/schedule/clinic-time';
import { normalizePhone } from '../../patients/phone-normalisation';

/**
 * How 1C:Enterprise writes values in JSON (`ЗаписатьJSON` / `СериализаторXDTO`, and the OData
 * interface): dates `YYYY-MM-DDTHH:MM:SS` without an offset, the empty date
 * `0001-01-01T00:00:00` for "not filled", booleans `true`/`false` (or the text «Да»/«Нет» a
 * programmer's `Строка(Булево)` gives), references as GUID strings with the empty reference
 * `00000000-0000-0000-0000-000000000000`, enums by their value name (`Мужской`). One reading of
 * each here, for both modes.
 */

/** The empty reference of 1C (`ПустаяСсылка()`), as OData and `XMLСтрока` write it. */
export const EMPTY_REF = '00000000-0000-0000-0000-000000000000';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `YYYY-MM-DD` optionally followed by `THH:MM[:SS[.fff]]` and an offset. */
const ONEC_DATE = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** True when `value` is a GUID (any case). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** A 1C reference: a GUID in lower case, or null for the empty reference, a blank or anything that is not a GUID. */
export function onecRef(value: unknown): string | null {
  if (!isGuid(value)) return null;
  const ref = value.toLowerCase();
  return ref === EMPTY_REF ? null : ref;
}

/** An id that may be a 1C reference or any other key: a GUID as {@link onecRef} (the empty one is none), other text trimmed. */
export function onecId(value: unknown): string | null {
  return isGuid(value) ? onecRef(value) : onecText(value);
}

/** Text: trimmed, null when blank or not a string (1C writes an empty string for "not filled"). */
export function onecText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** A date as `YYYY-MM-DD`, null for the empty date `0001-01-01…`, a blank, or anything that is not a real date. */
export function onecDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = ONEC_DATE.exec(value.trim());
  if (!match) return null;
  const date = match[1]!;
  if (date.startsWith('0001-01-01') || !isRealIsoDate(date)) return null;
  return date;
}

/**
 * A date-time as ISO 8601 with an offset: 1C's offset-less wall time is read on the 1C
 * server's clock (`timeZone`); one that carries an offset is kept. Null for the empty date.
 */
export function onecDateTime(value: unknown, timeZone: string): string | null {
  if (typeof value !== 'string') return null;
  const match = ONEC_DATE.exec(value.trim());
  if (!match) return null;
  const date = onecDate(match[1]);
  if (date === null) return null;
  const [hours, minutes, seconds] = [Number(match[2] ?? 0), Number(match[3] ?? 0), Number(match[4] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  if (match[5]) return `${date}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}${match[5] === 'Z' ? 'Z' : match[5]}`;
  const iso = clinicIso(date, hours * 60 + minutes, timeZone);
  return seconds === 0 ? iso : iso.replace(/:00([+-])/, `:${pad(seconds)}$1`);
}

/** A boolean: `true`/`false`, or the text 1C gives for one (`Да`/`Нет`, `true`/`false`, `1`/`0`); anything else is `fallback`. */
export function onecBoolean(value: unknown, fallback = false): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return fallback;
  const text = value.trim().toLowerCase();
  if (text === 'да' || text === 'true' || text === 'истина' || text === '1') return true;
  if (text === 'нет' || text === 'false' || text === 'ложь' || text === '0') return false;
  return fallback;
}

/** Sex from 1C's `ПолФизическогоЛица` enum (`Мужской` / `Женский`, or the letter); anything else `unknown`. */
export function onecSex(value: unknown): 'male' | 'female' | 'unknown' {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === 'мужской' || text === 'м' || text === 'male') return 'male';
  if (text === 'женский' || text === 'ж' || text === 'female') return 'female';
  return 'unknown';
}

const PHONE_KINDS: Record<string, 'mobile' | 'home' | 'work' | 'relative'> = {
  мобильный: 'mobile',
  сотовый: 'mobile',
  домашний: 'home',
  рабочий: 'work',
  родственник: 'relative',
  родственника: 'relative',
  mobile: 'mobile',
  home: 'home',
  work: 'work',
  relative: 'relative',
};

/** A phone kind from 1C's words (`Мобильный`, `Домашний`, `Рабочий`, `Родственник`); unknown or blank → mobile. */
export function onecPhoneKind(value: unknown): 'mobile' | 'home' | 'work' | 'relative' {
  return (typeof value === 'string' && PHONE_KINDS[value.trim().toLowerCase()]) || 'mobile';
}

/** A phone as the card carries it, or null when the text is not a valid number (1C keeps what staff typed). */
export function onecPhone(raw: unknown, kind: unknown): { e164: string; national10: string; kind: 'mobile' | 'home' | 'work' | 'relative' } | null {
  if (typeof raw !== 'string') return null;
  const phone = normalizePhone(raw);
  return phone ? { e164: phone.e164, national10: phone.national10, kind: onecPhoneKind(kind) } : null;
}

/** Digits only (a СНИЛС `112-233-445 95`, a policy with spaces); null when none or not exactly `length` digits. */
export function onecDigits(value: unknown, length: number): string | null {
  const text = onecText(value);
  if (text === null) return null;
  const digits = text.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${length}}$`).test(digits) ? digits : null;
}

/**
 * A version the cache can compare: a non-negative safe integer as number or digits; null for
 * anything else (OData's `DataVersion` is an opaque base64 text, tracked by the connector).
 */
export function onecVersion(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/**
 * The forms a number is stored in by staff typing into 1C, for the lookups that can only
 * compare whole strings (OData `eq`): E.164, with a trunk 8, bare, national ten digits, and
 * the two usual punctuations. For +7 numbers only; others are tried as E.164.
 */
export function storedPhoneForms(e164: string): string[] {
  if (!e164.startsWith('+7') || e164.length !== 12) return [e164];
  const n = e164.slice(2);
  const grouped = `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`;
  return [e164, `7${n}`, `8${n}`, n, `+7 ${grouped}`, `8 ${grouped}`, `+7${grouped.replace(/ /g, '')}`, `8${grouped.replace(/ /g, '')}`, `+7 ${n.slice(0, 3)} ${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`];
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

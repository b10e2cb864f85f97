import { createHash } from 'node:crypto';
import { isRealDate } from '../../../../src-shared/patients/patient-card';
import { normalizePhone } from '../../patients/phone-normalisation';
import { SPREADSHEET_FIELDS, type SpreadsheetConfig, type SpreadsheetField, type SpreadsheetMapping } from './spreadsheet-config';
import { cellText, type SheetCell, type SheetRow } from './spreadsheet-file';

/**
 * From a row of the export to a raw patient card (`src-shared/patients/patient-card.ts`): the
 * column mapping (configured, else guessed from Russian or English headers), dates, phones,
 * names split from one «ФИО» column, and the card's id. A value that cannot be read is kept as
 * it is, so the core's `PatientCardSchema` refuses the card naming the field and the row is
 * quarantined — the connector never drops a row silently.
 */

/** Header synonyms per field, in the folded form of {@link headerKey}. */
const HEADER_SYNONYMS: Record<SpreadsheetField, readonly string[]> = {
  id: ['код', 'код пациента', 'id', 'ид', 'номер карты', 'карта', 'номер медкарты', 'медкарта', 'номер амбулаторной карты', 'patient id', 'card'],
  surname: ['фамилия', 'surname', 'last name', 'lastname', 'family name'],
  givenName: ['имя', 'given name', 'first name', 'firstname'],
  patronymic: ['отчество', 'patronymic', 'middle name'],
  fullName: ['фио', 'ф и о', 'пациент', 'фио пациента', 'full name', 'fullname', 'name', 'patient'],
  birthDate: ['дата рождения', 'др', 'д р', 'рожд', 'дата рожд', 'birth date', 'birthdate', 'date of birth', 'dob'],
  sex: ['пол', 'sex', 'gender'],
  phone: ['телефон', 'мобильный', 'мобильный телефон', 'моб телефон', 'моб', 'тел', 'телефоны', 'контактный телефон', 'phone', 'mobile', 'phones'],
  phone2: ['телефон 2', 'телефон2', 'тел 2', 'доп телефон', 'дополнительный телефон', 'домашний телефон', 'рабочий телефон', 'phone 2', 'phone2'],
  email: ['email', 'e mail', 'эл почта', 'электронная почта', 'почта'],
  address: ['адрес', 'адрес проживания', 'адрес регистрации', 'address'],
  omsPolicy: ['полис омс', 'омс', 'полис', 'номер полиса', 'номер полиса омс', 'oms', 'oms policy'],
  snils: ['снилс', 'snils'],
  allergies: ['аллергии', 'аллергия', 'аллергоанамнез', 'allergies', 'allergy'],
};

/** A header folded for matching: lower case, `ё`→`е`, punctuation and runs of spaces to one space (`Эл. почта` → `эл почта`). */
export function headerKey(header: string): string {
  return header.toLowerCase().replaceAll('ё', 'е').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** The columns in use: card field → column index, and the same as field → header text (the preview's mapping). */
export interface ResolvedMapping {
  columns: Partial<Record<SpreadsheetField, number>>;
  mapping: Record<string, string>;
  /** Configured columns the header does not have (`surname → «Фамилия пациента»`). */
  notFound: { field: SpreadsheetField; column: string }[];
}

/**
 * The mapping for a header: a configured column wins for its field; every other field is
 * guessed from the header's synonyms (each column used once; a second phone-like column
 * becomes `phone2`).
 */
export function resolveMapping(header: readonly string[], configured: SpreadsheetMapping = {}): ResolvedMapping {
  const keys = header.map(headerKey);
  const used = new Set<number>();
  const columns: Partial<Record<SpreadsheetField, number>> = {};
  const notFound: ResolvedMapping['notFound'] = [];
  for (const field of SPREADSHEET_FIELDS) {
    const wanted = configured[field]?.trim();
    if (!wanted) continue;
    const index = keys.indexOf(headerKey(wanted));
    if (index < 0) notFound.push({ field, column: wanted });
    else {
      columns[field] = index;
      used.add(index);
    }
  }
  for (const field of SPREADSHEET_FIELDS) {
    if (columns[field] !== undefined || configured[field]?.trim()) continue;
    const index = keys.findIndex((key, i) => !used.has(i) && HEADER_SYNONYMS[field].includes(key));
    if (index >= 0) {
      columns[field] = index;
      used.add(index);
    }
  }
  if (columns.phone !== undefined && columns.phone2 === undefined && !configured.phone2?.trim()) {
    const index = keys.findIndex((key, i) => !used.has(i) && HEADER_SYNONYMS.phone.includes(key));
    if (index >= 0) columns.phone2 = index;
  }
  const mapping: Record<string, string> = {};
  for (const field of SPREADSHEET_FIELDS) {
    const index = columns[field];
    if (index !== undefined) mapping[field] = header[index] ?? '';
  }
  return { columns, mapping, notFound };
}

/** The card fields a usable export must have columns for (the name, however split, and the date of birth). */
export function missingRequiredFields(columns: ResolvedMapping['columns']): string[] {
  const missing: string[] = [];
  if (columns.fullName === undefined) {
    if (columns.surname === undefined) missing.push('surname');
    if (columns.givenName === undefined) missing.push('givenName');
  }
  if (columns.birthDate === undefined) missing.push('birthDate');
  return missing;
}

/**
 * A date of birth as `YYYY-MM-DD`: an XLSX date cell (or, from XLSX, an Excel serial day
 * number), `12.03.1985` / `12/03/1985` / `1985-03-12` (a time after it ignored) as the format
 * allows. Anything else — a two-digit year (`12.03.85`: 1885, 1985 or 2085?), 31.02.1990 — is
 * returned as the text it was, so the card is refused with the reason and the row quarantined.
 */
export function parseBirthDate(cell: SheetCell, format: SpreadsheetConfig['dateFormat'], fromXlsx: boolean): string {
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  const text = (cell ?? '').trim();
  if (fromXlsx && /^\d{1,6}(\.0+)?$/.test(text)) {
    const serial = Number(text);
    // Excel's 1900 date system (with its fictitious 29.02.1900): day 60 onwards is one day ahead.
    if (serial >= 61 && serial < 2_958_466) return new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000).toISOString().slice(0, 10);
  }
  const date = text.replace(/[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$/, '');
  if (format !== 'yyyy-mm-dd') {
    const dmy = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(date);
    if (dmy) return isoIfReal(Number(dmy[3]), Number(dmy[2]), Number(dmy[1])) ?? text;
  }
  if (format !== 'dd.mm.yyyy') {
    const ymd = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date);
    if (ymd) return isoIfReal(Number(ymd[1]), Number(ymd[2]), Number(ymd[3])) ?? text;
  }
  return text;
}

function isoIfReal(year: number, month: number, day: number): string | null {
  if (year < 1850 || !isRealDate(year, month, day)) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `М`, `муж`, `мужской`, `M`, `male` → male; `Ж`, `жен`, `F`, `female` → female; anything else unknown. */
export function parseSex(text: string): 'male' | 'female' | 'unknown' {
  const key = headerKey(text);
  if (['м', 'муж', 'мужской', 'm', 'male', 'man'].includes(key)) return 'male';
  if (['ж', 'жен', 'женский', 'f', 'female', 'woman', 'w'].includes(key)) return 'female';
  return 'unknown';
}

type RawPhone = { e164: string; national10: string; kind: 'mobile' | 'home' };

/**
 * The phones of a cell: several separated by `,` or `;`, each normalised by `normalizePhone`
 * (`8 (916) 123-45-67`, `+7…`); a number with words around it (`8 916 123-45-67 дочь`) is read
 * from its digits. A Russian mobile (+7 9…) is `mobile`, any other `home`. A part that is no
 * number at all is kept raw, so the card is refused naming `phones` rather than losing it.
 */
export function parsePhones(text: string): RawPhone[] {
  const phones: RawPhone[] = [];
  for (const part of text.split(/[,;]/)) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const normalized = normalizePhone(trimmed) ?? normalizePhone(/\+?\d[\d\s()-]{8,}\d/.exec(trimmed)?.[0] ?? '');
    if (normalized) {
      if (!phones.some((phone) => phone.e164 === normalized.e164)) {
        phones.push({ ...normalized, kind: normalized.e164.startsWith('+79') ? 'mobile' : 'home' });
      }
    } else {
      phones.push({ e164: trimmed.slice(0, 40), national10: '', kind: 'home' });
    }
  }
  return phones;
}

/** `Иванова Анна Петровна` → surname, given name, patronymic (the rest: `Гусейн оглы`). */
export function splitFullName(text: string): { surname: string; givenName: string; patronymic: string | null } {
  const [surname = '', givenName = '', ...rest] = text.trim().split(/\s+/);
  return { surname, givenName, patronymic: rest.length > 0 ? rest.join(' ') : null };
}

const PRINTABLE_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * The card id from the export's id column: as it is when printable ASCII (`12345`,
 * `A-17/2`), percent-encoded when it has other letters (`А-123` → `%D0%90-123`), a hash when
 * even that is longer than 64; blank stays blank (the card is refused).
 */
export function misIdFromColumn(text: string): string {
  const id = text.trim();
  if (id === '' || PRINTABLE_ID.test(id)) return id;
  const encoded = encodeURIComponent(id);
  return PRINTABLE_ID.test(encoded) ? encoded : `h-${shortHash(id)}`;
}

/**
 * A stable id for an export without an id column: a hash of the folded surname, given name,
 * patronymic and date of birth (`p-` and 20 base64url characters). Consequence: a corrected
 * name or date of birth is a new card (and the old one is deleted).
 */
export function derivedMisId(surname: string, givenName: string, patronymic: string | null, birthDate: string): string {
  const fold = (value: string) => value.toLowerCase().replaceAll('ё', 'е').replace(/\s+/g, ' ').trim();
  return `p-${shortHash([fold(surname), fold(givenName), fold(patronymic ?? ''), birthDate.trim()].join('|'))}`;
}

/** 20 base64url characters of SHA-256 (120 bits). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 20);
}

/** A card as the row says it, without `version` (the snapshot gives that). */
export type RowCard = Record<string, unknown> & { misId: string };

/**
 * Builds the raw card of one row. Empty optional cells become null; the name comes from the
 * separate columns when mapped, else from «ФИО».
 */
export function cardFromRow(row: SheetRow, columns: ResolvedMapping['columns'], options: { dateFormat: SpreadsheetConfig['dateFormat']; fromXlsx: boolean }): RowCard {
  const cell = (field: SpreadsheetField): SheetCell => {
    const index = columns[field];
    return index === undefined ? null : (row.cells[index] ?? null);
  };
  const textOf = (field: SpreadsheetField) => cellText(cell(field)).replace(/\s+/g, ' ').trim();
  const orNull = (value: string) => (value === '' ? null : value);
  const name =
    columns.surname !== undefined || columns.fullName === undefined
      ? { surname: textOf('surname'), givenName: textOf('givenName'), patronymic: orNull(textOf('patronymic')) }
      : splitFullName(textOf('fullName'));
  const birthDate = parseBirthDate(cell('birthDate'), options.dateFormat, options.fromXlsx);
  const misId = columns.id !== undefined ? misIdFromColumn(textOf('id')) : derivedMisId(name.surname, name.givenName, name.patronymic, birthDate);
  const phones = [...parsePhones(textOf('phone')), ...parsePhones(textOf('phone2'))].filter((phone, i, all) => phone.national10 === '' || all.findIndex((p) => p.e164 === phone.e164) === i);
  return {
    misId,
    surname: name.surname,
    givenName: name.givenName,
    patronymic: name.patronymic,
    birthDate,
    sex: parseSex(textOf('sex')),
    phones,
    email: orNull(textOf('email')),
    address: orNull(textOf('address')),
    omsPolicy: orNull(textOf('omsPolicy').replace(/[\s-]/g, '')),
    dms: null,
    snils: orNull(textOf('snils').replace(/[\s-]/g, '')),
    flags: { allergies: orNull(textOf('allergies')), vip: false, preferredChannel: null, consentSms: false, consentCalls: true },
    lastVisit: null,
    appointments: [],
  };
}

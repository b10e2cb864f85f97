import { isRealIsoDate } from '../../../../src-shared/patients/patient-card';
import { normalizePhone } from '../../patients/phone-normalisation';

/**
 * How the desk's lookups become FHIR searches. FHIR token search matches a phone exactly as
 * stored, so a number is asked in every canonical form at once (a comma is OR in FHIR search),
 * and — when none of those is stored — in the punctuated forms registrars type. A free-text
 * query is read as a birth date, an ОМС policy, a СНИЛС, or name words.
 */

/**
 * The canonical forms of a number a MIS stores: `+79161234567`, `79161234567`,
 * `89161234567`, `9161234567` (for +7; for another country the E.164 form, and it without
 * `+`). Empty when the number does not parse.
 */
export function phoneForms(raw: string): string[] {
  const phone = normalizePhone(raw);
  if (phone === null) return [];
  if (!phone.e164.startsWith('+7') || phone.e164.length !== 12) return [phone.e164, phone.e164.slice(1)];
  const n = phone.national10;
  return [`+7${n}`, `7${n}`, `8${n}`, n];
}

/**
 * The forms registrars type a Russian number in, with punctuation (`+7 (916) 123-45-67`,
 * `8 (916) 123-45-67`, `8-916-123-45-67` …): asked only when the canonical forms found nobody.
 */
export function punctuatedPhoneForms(raw: string): string[] {
  const phone = normalizePhone(raw);
  if (phone === null || !phone.e164.startsWith('+7') || phone.e164.length !== 12) return [];
  const n = phone.national10;
  const [a, b, c, d] = [n.slice(0, 3), n.slice(3, 6), n.slice(6, 8), n.slice(8)];
  const forms = [
    `+7 (${a}) ${b}-${c}-${d}`,
    `8 (${a}) ${b}-${c}-${d}`,
    `+7(${a})${b}-${c}-${d}`,
    `8(${a})${b}-${c}-${d}`,
    `+7 ${a} ${b}-${c}-${d}`,
    `+7 ${a} ${b} ${c} ${d}`,
    `8 ${a} ${b} ${c} ${d}`,
    `+7-${a}-${b}-${c}-${d}`,
    `8-${a}-${b}-${c}-${d}`,
    `(${a}) ${b}-${c}-${d}`,
  ];
  return [...new Set(forms)];
}

/**
 * A value for a FHIR token or string parameter: `\`, `,`, `$` and `|` escaped (FHIR search
 * §3.1.1.1.7), so a value is never read as an OR list or a `system|code` pair.
 */
export function escapeSearchValue(value: string): string {
  return value.replace(/[\\,$|]/g, (ch) => `\\${ch}`);
}

/** `system|value` for a token parameter, both escaped. */
export function tokenParam(system: string, value: string): string {
  return `${escapeSearchValue(system)}|${escapeSearchValue(value)}`;
}

/** What a free-text search asks the FHIR server. */
export interface PatientQuery {
  /** Name words (each an AND `name` parameter; each with its ё→е folded form OR-ed in). */
  names: string[];
  /** `YYYY-MM-DD` for `birthdate`. */
  birthDate: string | null;
  /** An ОМС policy (16 digits) or a СНИЛС (11 digits), for `identifier`. */
  identifier: { kind: 'oms' | 'snils'; digits: string } | null;
}

const DATE_DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const SNILS_PRINTED = /^\d{3}-\d{3}-\d{3}[\s-]\d{2}$/;

/**
 * Reads a search box query: `12.03.1985` / `1985-03-12` a birth date (with name words around
 * it: `Иванова 12.03.1985`); 16 digits (spaces allowed) an ОМС policy; 11 digits or
 * `112-233-445 95` a СНИЛС; anything else name words (at most 4). Null when nothing usable.
 */
export function parsePatientQuery(query: string): PatientQuery | null {
  const text = query.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (text === '' || text.length > 200) return null;
  if (SNILS_PRINTED.test(text)) return { names: [], birthDate: null, identifier: { kind: 'snils', digits: text.replace(/\D/g, '') } };
  const compact = text.replace(/[\s-]/g, '');
  if (/^\d+$/.test(compact) && isoDate(text) === null) {
    if (compact.length === 16) return { names: [], birthDate: null, identifier: { kind: 'oms', digits: compact } };
    if (compact.length === 11) return { names: [], birthDate: null, identifier: { kind: 'snils', digits: compact } };
    return null;
  }
  let birthDate: string | null = null;
  const names: string[] = [];
  for (const word of text.split(' ')) {
    const date = isoDate(word);
    if (date !== null && birthDate === null) {
      birthDate = date;
      continue;
    }
    const clean = word.replace(/[^\p{L}\p{M}'’-]/gu, '');
    if (clean.length > 0 && names.length < 4) names.push(clean);
  }
  if (names.length === 0 && birthDate === null) return null;
  return { names, birthDate, identifier: null };
}

function isoDate(word: string): string | null {
  const dotted = DATE_DOTTED.exec(word);
  const iso = dotted ? `${dotted[3]}-${dotted[2]!.padStart(2, '0')}-${dotted[1]!.padStart(2, '0')}` : DATE_ISO.test(word) ? word : null;
  return iso !== null && isRealIsoDate(iso) ? iso : null;
}

/** A name word and its ё→е form, as one OR-ed `name` value (a server that does not fold ё still finds `Семенова`). */
export function nameParam(word: string): string {
  const forms = [word, word.replaceAll('ё', 'е').replaceAll('Ё', 'Е')];
  return [...new Set(forms)].map(escapeSearchValue).join(',');
}

/** The СНИЛС as stored with or without punctuation (`11223344595`, `112-233-445 95`). */
export function snilsForms(digits: string): string[] {
  return [digits, `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9)}`];
}

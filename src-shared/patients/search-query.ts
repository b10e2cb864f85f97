import { daysInMonth } from './patient-card';
import { nameTokens } from './name-folding';

/**
 * The search box grammar (one box for everything a cashier or operator types):
 *
 * - digits only (phone punctuation `+ ( ) - .` and spaces allowed): a phone, full or its last
 *   N ≥ 4 digits; 16 digits are an ОМС policy (and are tried as a phone too).
 * - `dd.mm.yyyy` (or `yyyy-mm-dd`): a birth date.
 * - words: each must be a prefix of some part of the name (surname, given name, patronymic,
 *   either half of a hyphenated surname), in any order; case and ё/е are folded.
 * - combinations: `Иванова 1985` (a four-digit year beside words is a birth year),
 *   `Иванова 12.03.1985`, `Иванова 4567` (words plus a phone suffix).
 */
export type PatientSearchQuery =
  | { kind: 'empty' }
  | { kind: 'invalid'; problem: SearchQueryProblem; message: string }
  | IdentifierQuery
  | CriteriaQuery;

/** A query made of digits only. */
export interface IdentifierQuery {
  kind: 'identifier';
  digits: string;
  asPhone: boolean;
  asOmsPolicy: boolean;
}

/** Name words and/or a birth date or year and/or phone digits; every criterion must hold. */
export interface CriteriaQuery {
  kind: 'criteria';
  /** Folded name tokens, in the order typed (the first one ranks surname matches first). */
  words: string[];
  /** `YYYY-MM-DD`. */
  birthDate: string | null;
  birthYear: number | null;
  /** At least four digits: a full number or its last digits. */
  phoneDigits: string | null;
}

export type SearchQueryProblem = 'too-long' | 'too-few-digits' | 'too-many-digits' | 'bad-date' | 'conflicting-criteria' | 'too-many-words';

/** Longest query accepted; anything longer is not something a person typed. */
export const MAX_QUERY_LENGTH = 200;
/** More words than a full name with a double surname never narrows anything. */
export const MAX_QUERY_WORDS = 6;
/** Fewer digits match a large share of all phones. */
export const MIN_PHONE_DIGITS = 4;
/** Longest digit run accepted: an ОМС policy. */
export const MAX_IDENTIFIER_DIGITS = 16;
/** Birth years outside this range are treated as phone digits, not years. */
export const BIRTH_YEAR_RANGE = { min: 1880, max: 2100 } as const;

const PHONE_LIKE = /^[\d\s()+\-.]+$/;
const DMY = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/;
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const DIGITS_TOKEN = /^[\d()+\-.]+$/;

/** Parses what was typed into the search box. Pure, never throws. */
export function parseSearchQuery(input: string): PatientSearchQuery {
  if (input.length > MAX_QUERY_LENGTH * 4) return invalid('too-long', `The query is longer than ${MAX_QUERY_LENGTH} characters.`);
  // eslint-disable-next-line no-control-regex -- control characters become separators
  const text = input.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (text.length === 0) return { kind: 'empty' };
  if (text.length > MAX_QUERY_LENGTH) return invalid('too-long', `The query is longer than ${MAX_QUERY_LENGTH} characters.`);

  const wholeDate = parseDateToken(text);
  if (wholeDate === undefined && PHONE_LIKE.test(text)) return parseIdentifier(text.replace(/\D/g, ''));

  const words: string[] = [];
  let birthDate: string | null = null;
  let birthYear: number | null = null;
  let phoneDigits: string | null = null;

  for (const token of text.split(/[\s,;]+/)) {
    if (token.length === 0) continue;
    const date = parseDateToken(token);
    if (date === null) return invalid('bad-date', `"${token}" is not a real date; type it as dd.mm.yyyy.`);
    if (date !== undefined) {
      if (birthDate !== null && birthDate !== date) return invalid('conflicting-criteria', 'The query has two different birth dates.');
      birthDate = date;
      continue;
    }
    if (DIGITS_TOKEN.test(token)) {
      const digits = token.replace(/\D/g, '');
      if (digits.length === 0) continue;
      const year = Number(digits);
      if (digits.length === 4 && year >= BIRTH_YEAR_RANGE.min && year <= BIRTH_YEAR_RANGE.max && phoneDigits === null && birthYear === null) {
        birthYear = year;
        continue;
      }
      if (digits.length < MIN_PHONE_DIGITS) return invalid('too-few-digits', `Type at least ${MIN_PHONE_DIGITS} digits of a phone number.`);
      if (digits.length > MAX_IDENTIFIER_DIGITS) return invalid('too-many-digits', 'That is too many digits for a phone or a policy number.');
      if (phoneDigits !== null) return invalid('conflicting-criteria', 'The query has two different phone numbers.');
      phoneDigits = digits;
      continue;
    }
    words.push(...nameTokens(token));
  }

  if (birthDate !== null && birthYear !== null && Number(birthDate.slice(0, 4)) !== birthYear) {
    return invalid('conflicting-criteria', 'The birth year does not match the birth date.');
  }
  if (birthDate !== null) birthYear = null;
  const uniqueWords = [...new Set(words)];
  if (uniqueWords.length > MAX_QUERY_WORDS) return invalid('too-many-words', `Type at most ${MAX_QUERY_WORDS} words of the name.`);
  if (uniqueWords.length === 0 && birthDate === null && birthYear === null && phoneDigits === null) return { kind: 'empty' };
  if (uniqueWords.length === 0 && birthDate === null && phoneDigits === null && birthYear !== null) {
    // A lone year is not selective enough to list; read it as the last digits of a phone.
    return parseIdentifier(String(birthYear));
  }
  return { kind: 'criteria', words: uniqueWords, birthDate, birthYear, phoneDigits };
}

function parseIdentifier(digits: string): PatientSearchQuery {
  if (digits.length < MIN_PHONE_DIGITS) return invalid('too-few-digits', `Type at least ${MIN_PHONE_DIGITS} digits of a phone number.`);
  if (digits.length > MAX_IDENTIFIER_DIGITS) return invalid('too-many-digits', 'That is too many digits for a phone or a policy number.');
  return {
    kind: 'identifier',
    digits,
    asPhone: true,
    asOmsPolicy: digits.length === 16,
  };
}

/** `YYYY-MM-DD` for a real date, `null` for something date-shaped but impossible, `undefined` when not date-shaped. */
function parseDateToken(token: string): string | null | undefined {
  let day: number;
  let month: number;
  let year: number;
  const dmy = DMY.exec(token);
  const ymd = dmy ? null : YMD.exec(token);
  if (dmy) {
    day = Number(dmy[1]);
    month = Number(dmy[2]);
    year = Number(dmy[3]);
  } else if (ymd) {
    year = Number(ymd[1]);
    month = Number(ymd[2]);
    day = Number(ymd[3]);
  } else {
    return undefined;
  }
  if (year < BIRTH_YEAR_RANGE.min || year > BIRTH_YEAR_RANGE.max || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function invalid(problem: SearchQueryProblem, message: string): PatientSearchQuery {
  return { kind: 'invalid', problem, message };
}

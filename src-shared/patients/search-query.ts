import { blankUnsafeCharacters } from '../text/unsafe-characters';
import { nameTokens } from './name-folding';
import { isValidSnils, SNILS_LENGTH } from './snils';
import { parseTypedDate } from './typed-date';

/**
 * The search box grammar (one box for everything a cashier or operator types):
 *
 * - digits only (phone punctuation `+ ( ) - .` and spaces allowed): a phone, full or its last
 *   N ≥ 4 digits; 16 digits are an ОМС policy (and are tried as a phone too); 11 digits may be
 *   a СНИЛС (see {@link IdentifierQuery.asSnils} for how that is decided).
 * - `dd.mm.yyyy` (or `yyyy-mm-dd`): a birth date.
 * - words: each must be a prefix of some part of the name (surname, given name, patronymic,
 *   either half of a hyphenated surname), in any order; case and ё/е are folded.
 * - combinations: `Иванова 1985` (a four-digit year beside words is a birth year),
 *   `Иванова 12.03.1985`, `Иванова 4567` (words plus a phone suffix).
 *
 * Characters no query form uses (quotes, `*`, `%`, `^`, `:`, emoji …) are never passed on:
 * they separate words like a space and are listed in `ignored`, so the UI can say they were
 * not used; a query made of nothing else is `invalid` with problem `unsupported-characters`.
 * Name words reach the index only as the letter/digit tokens of {@link nameTokens}, so no
 * text typed here can become FTS5 syntax (`OR`, `NEAR`, `^`, column filters are plain words).
 */
export type PatientSearchQuery =
  | { kind: 'empty' }
  | InvalidQuery
  | IdentifierQuery
  | CriteriaQuery;

/** Text that is not a usable query, with the reason. */
export interface InvalidQuery {
  kind: 'invalid';
  problem: SearchQueryProblem;
  /** English, for API callers and tests; the UI words the problem itself. */
  message: string;
  /** For `unsupported-characters`: the distinct characters typed (at most {@link MAX_LISTED_CHARACTERS}). */
  characters?: string[];
}

/** A query made of digits only. */
export interface IdentifierQuery {
  kind: 'identifier';
  digits: string;
  /** Look the digits up as a phone: the full number and as its last digits. */
  asPhone: boolean;
  asOmsPolicy: boolean;
  /**
   * Look the digits up as a СНИЛС (11 digits). Typed in the СНИЛС layout (`123-456-789 01`,
   * or with spaces) they are a СНИЛС only, whatever the control number (the MIS may hold a
   * mistyped one). Typed with `+` or parentheses they are a phone only. Otherwise they are a
   * СНИЛС when the control number is right, and a phone when they start with 7 or 8 (a full
   * Russian or Kazakh number) or the control number is wrong (then they can only be the last
   * digits of a phone); both when both hold (about 1 number in 101), and the results merge.
   */
  asSnils: boolean;
  /** Characters that were not used (see the grammar above); empty for most queries. */
  ignored: string[];
}

/** Name words and/or a birth date or year and/or phone digits; every criterion must hold. */
export interface CriteriaQuery {
  kind: 'criteria';
  /** Folded name tokens, in the order typed (ranking does not depend on the order). */
  words: string[];
  /** `YYYY-MM-DD`. */
  birthDate: string | null;
  birthYear: number | null;
  /** At least four digits: a full number or its last digits. */
  phoneDigits: string | null;
  /** Characters that were not used (see the grammar above); empty for most queries. */
  ignored: string[];
}

export type SearchQueryProblem =
  | 'too-long'
  | 'too-few-digits'
  | 'too-many-digits'
  | 'bad-date'
  | 'conflicting-criteria'
  | 'too-many-words'
  | 'unsupported-characters';

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

/** Most distinct characters an `unsupported-characters` problem or an `ignored` list names. */
export const MAX_LISTED_CHARACTERS = 8;

const PHONE_LIKE = /^[\d\s()+\-.]+$/;
const DIGITS_TOKEN = /^[\d()+\-.]+$/;
/** `123-456-789 01`, `123 456 789 01`, `123-456-789-01`: how a СНИЛС is printed. */
const SNILS_LAYOUT = /^\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}$/;
// What people write between the parts of names, dates and numbers: separates words, never reported.
const SILENT_PUNCTUATION = /[\s,;.\-\u2010\u2011\u2013\u2014'\u2019\u02bc/]/u;
// Phone punctuation: part of a number, reported as unused anywhere else.
const PHONE_PUNCTUATION = /[+()]/g;
// Text with none of the characters the grammar ignores (the usual case: no segmentation needed).
const ONLY_USED_CHARACTERS = /^[\p{L}\p{M}\p{N}\s,;.\-\u2010\u2011\u2013\u2014'\u2019\u02bc/+()]*$/u;
const STARTS_WITH_LETTER_OR_DIGIT = /^[\p{L}\p{N}]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

let graphemes: Intl.Segmenter | undefined;

/** Parses what was typed into the search box. Pure, never throws. */
export function parseSearchQuery(input: string): PatientSearchQuery {
  if (input.length > MAX_QUERY_LENGTH * 4) return invalid('too-long', `The query is longer than ${MAX_QUERY_LENGTH} characters.`);
  // Control, bidi and invisible characters separate words like a space; they are not "unused characters" to list.
  const text = blankUnsafeCharacters(input.normalize('NFC')).trim();
  if (text.length === 0) return { kind: 'empty' };
  if (text.length > MAX_QUERY_LENGTH) return invalid('too-long', `The query is longer than ${MAX_QUERY_LENGTH} characters.`);

  const { cleaned, ignored } = dropUnusedCharacters(text);
  const wholeDate = parseDateToken(cleaned.trim());
  if (wholeDate === undefined && PHONE_LIKE.test(cleaned) && /\d/.test(cleaned)) {
    return parseIdentifier(cleaned.replace(/\D/g, ''), identifierLayout(cleaned), ignored);
  }

  const words: string[] = [];
  let birthDate: string | null = null;
  let birthYear: number | null = null;
  let phoneDigits: string | null = null;

  for (const token of cleaned.split(/[\s,;]+/)) {
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
      if (digits.length === 0) {
        for (const mark of token.match(PHONE_PUNCTUATION) ?? []) ignored.add(mark);
        continue;
      }
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
    for (const mark of token.match(PHONE_PUNCTUATION) ?? []) ignored.add(mark);
    // A token of marks alone (the variation selector of an emoji) cannot match a name.
    words.push(...nameTokens(token).filter((word) => LETTER_OR_DIGIT.test(word)));
  }

  if (birthDate !== null && birthYear !== null && Number(birthDate.slice(0, 4)) !== birthYear) {
    return invalid('conflicting-criteria', 'The birth year does not match the birth date.');
  }
  if (birthDate !== null) birthYear = null;
  const uniqueWords = [...new Set(words)];
  if (uniqueWords.length > MAX_QUERY_WORDS) return invalid('too-many-words', `Type at most ${MAX_QUERY_WORDS} words of the name.`);
  if (uniqueWords.length === 0 && birthDate === null && birthYear === null && phoneDigits === null) {
    // Something was typed, and none of it is a name, a number or a date: say so instead of
    // listing nothing.
    const characters = listed(new Set(segment(text).filter((part) => part.trim() !== '')));
    return {
      kind: 'invalid',
      problem: 'unsupported-characters',
      message: `These characters are not used in the search: ${characters.join(' ')}. Search by surname, phone, policy, СНИЛС or birth date.`,
      characters,
    };
  }
  if (uniqueWords.length === 0 && birthDate === null && phoneDigits === null && birthYear !== null) {
    // A lone year is not selective enough to list; read it as the last digits of a phone.
    return parseIdentifier(String(birthYear), 'plain', ignored);
  }
  return { kind: 'criteria', words: uniqueWords, birthDate, birthYear, phoneDigits, ignored: listed(ignored) };
}

/**
 * Cuts what was pasted or typed to {@link MAX_QUERY_LENGTH} (never inside a surrogate pair)
 * and says whether anything was cut, so the box can tell the user instead of dropping it silently.
 */
export function clipQuery(text: string): { text: string; truncated: boolean } {
  if (text.length <= MAX_QUERY_LENGTH) return { text, truncated: false };
  let end = MAX_QUERY_LENGTH;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: text.slice(0, end), truncated: true };
}

/**
 * Replaces every character no query form uses by a space and collects it. Works on graphemes,
 * so an emoji with its modifiers is one character, reported as it looks.
 */
function dropUnusedCharacters(text: string): { cleaned: string; ignored: Set<string> } {
  const ignored = new Set<string>();
  if (ONLY_USED_CHARACTERS.test(text)) return { cleaned: text, ignored };
  let cleaned = '';
  for (const part of segment(text)) {
    if (STARTS_WITH_LETTER_OR_DIGIT.test(part) || SILENT_PUNCTUATION.test(part) || /^[+()]$/.test(part)) {
      cleaned += part;
    } else {
      ignored.add(part);
      cleaned += ' ';
    }
  }
  return { cleaned, ignored };
}

function segment(text: string): string[] {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(graphemes.segment(text), (part) => part.segment);
}

function listed(characters: Set<string>): string[] {
  return [...characters].slice(0, MAX_LISTED_CHARACTERS);
}

/** How digits were written: in the СНИЛС layout, with phone marks (`+`, parentheses), or plainly. */
function identifierLayout(text: string): 'snils' | 'phone' | 'plain' {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (SNILS_LAYOUT.test(trimmed)) return 'snils';
  return /[+()]/.test(trimmed) ? 'phone' : 'plain';
}

function parseIdentifier(digits: string, layout: 'snils' | 'phone' | 'plain', ignored: Set<string>): PatientSearchQuery {
  if (digits.length < MIN_PHONE_DIGITS) return invalid('too-few-digits', `Type at least ${MIN_PHONE_DIGITS} digits of a phone number.`);
  if (digits.length > MAX_IDENTIFIER_DIGITS) return invalid('too-many-digits', 'That is too many digits for a phone or a policy number.');
  let asPhone = true;
  let asSnils = false;
  if (digits.length === SNILS_LENGTH) {
    if (layout === 'snils') {
      asPhone = false;
      asSnils = true;
    } else if (layout === 'plain') {
      asSnils = isValidSnils(digits);
      asPhone = !asSnils || digits.startsWith('7') || digits.startsWith('8');
    }
  }
  return {
    kind: 'identifier',
    digits,
    asPhone,
    asOmsPolicy: digits.length === 16,
    asSnils,
    ignored: listed(ignored),
  };
}

/**
 * A birth date ({@link parseTypedDate}) in {@link BIRTH_YEAR_RANGE}: `YYYY-MM-DD`, `null` for
 * something date-shaped but impossible, `undefined` when not date-shaped.
 */
function parseDateToken(token: string): string | null | undefined {
  const date = parseTypedDate(token);
  if (!date) return date;
  const year = Number(date.slice(0, 4));
  return year >= BIRTH_YEAR_RANGE.min && year <= BIRTH_YEAR_RANGE.max ? date : null;
}

function invalid(problem: SearchQueryProblem, message: string): PatientSearchQuery {
  return { kind: 'invalid', problem, message };
}

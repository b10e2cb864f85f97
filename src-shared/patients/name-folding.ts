/**
 * Folding of person names for search keys. The FTS5 `unicode61` tokenizer folds case and
 * Latin diacritics but treats Cyrillic `ё` and `е` as different letters (tried: `ёлкина` does not match `елкина`), so
 * the desk folds `ё`→`е` itself, identically when indexing and when querying.
 */

/**
 * Folds a name (or a query) to its search form: Unicode NFC, lower case, `ё`→`е`,
 * trimmed, runs of whitespace collapsed to one space. Hyphens are kept in the string; they
 * separate words only when the folded form is split by {@link nameTokens}.
 *
 * `foldName('  Римская-Корсакова  Алёна ')` → `'римская-корсакова алена'`.
 */
export function foldName(value: string): string {
  // Fast path for the bulk load (a million names): skip normalisation for text that cannot
  // contain combining sequences (Latin-1, Latin Extended, Cyrillic), and the whitespace pass
  // for already-clean text. The result is identical either way.
  let folded = MAY_NEED_NFC.test(value) ? value.normalize('NFC').toLowerCase() : value.toLowerCase();
  if (folded.includes('ё')) folded = folded.replaceAll('ё', 'е');
  return UNTIDY_WHITESPACE.test(folded) ? folded.replace(/\s+/g, ' ').trim() : folded;
}

// Anything outside Basic Latin…Latin Extended-B and Cyrillic may combine or decompose.
// eslint-disable-next-line no-control-regex -- a range that happens to start at U+0000
const MAY_NEED_NFC = /[^\u0000-\u02ff\u0400-\u04ff]/;
const UNTIDY_WHITESPACE = /^\s|\s$|\s\s|[^\S ]/;

// Latin letters with diacritics (À–ɏ): the tokenizer's `remove_diacritics 2` folds these, so
// the in-memory matcher must too. Cyrillic й/ё are deliberately outside this range: the
// tokenizer keeps й, and ё is already folded by foldName.
const LATIN_WITH_DIACRITICS = /[\u00c0-\u024f]/g;
const COMBINING_MARKS = /[\u0300-\u036f]/g;
// What the unicode61 tokenizer treats as a separator: anything but letters, digits and marks.
const TOKEN_SEPARATORS = /[^\p{L}\p{N}\p{M}]+/u;

/**
 * Splits a name into the tokens the search index holds: folded by {@link foldName}, Latin
 * diacritics removed, split at spaces, hyphens, apostrophes and any other non-letter, so
 * `Римская-Корсакова` yields `['римская', 'корсакова']` and `O'Neil` yields `['o', 'neil']`.
 */
export function nameTokens(value: string): string[] {
  const folded = foldName(value).replace(LATIN_WITH_DIACRITICS, (ch) => ch.normalize('NFD').replace(COMBINING_MARKS, ''));
  return folded.split(TOKEN_SEPARATORS).filter((token) => token.length > 0);
}

/** The three name parts of a card, in the order the desk sorts by. */
export interface PersonName {
  surname: string;
  givenName: string;
  patronymic: string | null;
}

/** Separates the parts inside a {@link nameSortKey}; sorts before every letter, so `Иван|…` < `Иванов|…`. */
export const NAME_KEY_SEPARATOR = '|';

/**
 * One folded key per person, `surname|given|patronymic`, used both as the alphabetical sort
 * key and as the text the name index is built from (the tokenizer splits at `|`, spaces and
 * hyphens). Cyrillic letters are contiguous in code-point order, so plain string comparison of
 * folded keys is alphabetical without a locale.
 */
export function nameSortKey(name: PersonName): string {
  return [foldName(name.surname), foldName(name.givenName), foldName(name.patronymic ?? '')].join(NAME_KEY_SEPARATOR);
}

/**
 * True when every query word is a prefix of some token of the name (order-free), which is
 * the rule the search index applies: `['ерж', 'каир']` matches `Каиров Ержан`.
 * Words must already be tokens (from {@link nameTokens}).
 */
export function nameMatchesWords(nameKey: string, words: readonly string[]): boolean {
  return nameMatchRank(nameKey, words) !== null;
}

/** Radix of {@link nameMatchRank}'s word counts (far above the grammar's 6 words). */
const RANK_WORDS = 16;

/**
 * How well a name matches the query words, as a sort key (lower ranks first), or `null`
 * when some word is not a prefix of any token of the name ({@link nameMatchesWords}).
 * Word order does not matter. Compared in this order:
 *
 * 1. the surname: words equal to the whole surname (both halves of a hyphenated one), then a
 *    word equal to one half of a hyphenated surname, then a word that starts a surname token
 *    (either half), then names whose surname no word matches;
 * 2. more words equal to a whole name token (`Петров Александр` before `Петров Александрович`);
 * 3. more of the other words (those not matching the surname) that match the given name,
 *    before patronymic-only matches;
 * 4. a surname that starts with a word before one matched only by its second half.
 *
 * `Александр Петров` thus ranks `Петров Александр …` first, then other `Петров …` with an
 * `Александр…` patronymic, then a hyphenated `Петров-… …`, then `Петрова …`, then names
 * where neither word is the surname. Words must already be tokens (from {@link nameTokens}).
 */
export function nameMatchRank(nameKey: string, words: readonly string[]): number | null {
  if (words.length === 0) return 0;
  const [surnamePart = '', givenPart = '', patronymicPart = ''] = nameKey.split(NAME_KEY_SEPARATOR);
  const surname = nameTokens(surnamePart);
  const given = nameTokens(givenPart);
  const patronymic = nameTokens(patronymicPart);
  let surnameTier = 3;
  let exactWords = 0;
  let givenWords = 0;
  let startsSurname = false;
  for (const word of words) {
    const inSurname = surname.some((token) => token.startsWith(word));
    const inGiven = given.some((token) => token.startsWith(word));
    if (!inSurname && !inGiven && !patronymic.some((token) => token.startsWith(word))) return null;
    if (inSurname) {
      surnameTier = Math.min(surnameTier, surname.includes(word) ? 1 : 2);
      if (surname[0]!.startsWith(word)) startsSurname = true;
    }
    if (surname.includes(word) || given.includes(word) || patronymic.includes(word)) exactWords += 1;
    if (inGiven && !inSurname) givenWords += 1;
  }
  if (surnameTier === 1 && surname.every((token) => words.includes(token))) surnameTier = 0;
  // One number, most significant first; each count is at most RANK_WORDS - 1 words.
  const fewer = (count: number) => RANK_WORDS - 1 - Math.min(count, RANK_WORDS - 1);
  return ((surnameTier * RANK_WORDS + fewer(exactWords)) * RANK_WORDS + fewer(givenWords)) * 2 + (startsSurname ? 0 : 1);
}

import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { NAME_KEY_SEPARATOR, nameMatchRank } from '../../../src-shared/patients/name-folding';
import { parseSearchQuery, type CriteriaQuery, type IdentifierQuery, type PatientSearchQuery } from '../../../src-shared/patients/search-query';
import { normalizePhone, reversedDigits } from '../patients/phone-normalisation';
import { readCard } from './card-codec';
import type { Db } from './open-database';

/** Paging of {@link PatientSearch.run}. */
export interface PatientSearchOptions {
  /** Items per page, 1–{@link MAX_SEARCH_LIMIT}; default {@link DEFAULT_SEARCH_LIMIT}. */
  limit?: number;
  offset?: number;
}

/** One page of search results. */
export interface PatientSearchResult {
  /** How the text was understood (the UI can say "searched by phone" or show the problem). */
  query: PatientSearchQuery;
  items: PatientCard[];
  /** Matches among the examined candidates. */
  total: number;
  /**
   * False when there were more candidates than {@link SEARCH_CANDIDATE_LIMIT}: the list is a
   * correctly ordered page of the first candidates, and the UI should ask to narrow the query.
   */
  complete: boolean;
  /**
   * True when more cards than `total` are known to match: the candidates came from a source
   * whose every row matches the query (name words, a phone, a date) and the bound cut it, so
   * the UI can say "more than {total}". False when the examined candidates were filtered
   * (`Иванова 4567`: phones ending in 4567, then the name): then more may match, or not.
   */
  moreThanTotal: boolean;
}

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 200;
/**
 * At most this many matching rows are read and ranked per query, whatever the query: a
 * common prefix (`и`, `Иванов`) must never make us rank all of its tens of thousands of
 * matches (measured here at ~500 ms for a common prefix at a million cards).
 */
export const SEARCH_CANDIDATE_LIMIT = 300;
/** A word of 4+ letters is expanded into at most this many exact terms (lazy OR in FTS5). */
export const MAX_PREFIX_EXPANSION = 48;
/** Prefixes up to this many letters are served by the FTS5 prefix index (`prefix='1 2 3'`). */
const PREFIX_INDEX_MAX_LENGTH = 3;

interface CandidateRow {
  id: number;
  name_key: string;
  birth_date: string;
}

interface Candidates {
  /** Distinct patient ids in discovery order. */
  ids: number[];
  /** Ids matched by a whole identifier (full phone, policy, СНИЛС) rather than a suffix. */
  exact: Set<number>;
  /** False when a source had more rows than the candidate limit. */
  complete: boolean;
  /** True when every id the source yields matches the whole query (no filtering after it). */
  allMatch: boolean;
}

/**
 * Executes the search grammar of `src-shared/patients/search-query.ts` against cache.db with
 * bounded work: every source (phone index, suffix index, policy/СНИЛС/birth-date index, FTS)
 * yields at most {@link SEARCH_CANDIDATE_LIMIT} + 1 ids, which are then read, filtered and
 * ranked in memory: exact identifier matches first, then by how well the name matches
 * (`nameMatchRank`: an exact surname word, a surname prefix, whole words, the given name),
 * then alphabetically by folded surname, given name, patronymic, then birth date.
 *
 * Name words: when the prefix query (`александр*` AND `петров*`) has more matches than the
 * bound, half the bound is first given to whole-word matches (`"александр" AND "петров"`),
 * the rest to the prefix matches, so the exact names are among the ranked candidates however
 * common the prefixes are.
 */
export class PatientSearch {
  private readonly phoneExact;
  private readonly phoneSuffix;
  private readonly byOms;
  private readonly bySnils;
  private readonly byBirthDate;
  private readonly ftsMatchInYears;
  private readonly termRange;
  private readonly ftsMatch;
  private readonly row;
  private readonly card;

  constructor(
    db: Db,
    private readonly candidateLimit = SEARCH_CANDIDATE_LIMIT,
  ) {
    this.phoneExact = db.prepare<[string, number], number>('SELECT patient_id FROM patient_phones WHERE reversed_digits = ? LIMIT ?').pluck();
    this.phoneSuffix = db
      .prepare<[string, string, number], number>('SELECT patient_id FROM patient_phones WHERE reversed_digits >= ? AND reversed_digits < ? LIMIT ?')
      .pluck();
    this.byOms = db.prepare<[string, number], number>('SELECT id FROM patients WHERE oms_policy = ? LIMIT ?').pluck();
    this.bySnils = db.prepare<[string, number], number>('SELECT id FROM patients WHERE snils = ? LIMIT ?').pluck();
    this.byBirthDate = db.prepare<[string, number], number>('SELECT id FROM patients WHERE birth_date = ? LIMIT ?').pluck();
    this.termRange = db.prepare<[string, string, number], string>('SELECT term FROM name_terms WHERE term >= ? AND term < ? LIMIT ?').pluck();
    this.ftsMatch = db.prepare<[string, number], number>('SELECT rowid FROM patients_fts WHERE patients_fts MATCH ? LIMIT ?').pluck();
    // `+rowid` keeps the IN list away from FTS5 (which would seek its doclist once per id,
    // ~170 ms at a million cards); SQLite builds the year's ids into an in-memory index once
    // and checks each FTS match against it (~6 ms).
    this.ftsMatchInYears = db
      .prepare<[string, string, string, number], number>(
        'SELECT rowid FROM patients_fts WHERE patients_fts MATCH ? AND +rowid IN (SELECT id FROM patients WHERE birth_date >= ? AND birth_date <= ?) LIMIT ?',
      )
      .pluck();
    this.row = db.prepare<[number], CandidateRow>('SELECT id, name_key, birth_date FROM patients WHERE id = ?');
    this.card = db.prepare<[number], string>('SELECT card FROM patient_cards WHERE patient_id = ?').pluck();
  }

  /** Parses `text` and returns one page of matching cards. */
  run(text: string, options: PatientSearchOptions = {}): PatientSearchResult {
    const query = parseSearchQuery(text);
    const limit = Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.trunc(options.limit ?? DEFAULT_SEARCH_LIMIT)));
    const offset = Math.max(0, Math.trunc(options.offset ?? 0));
    if (query.kind === 'empty' || query.kind === 'invalid') return { query, items: [], total: 0, complete: true, moreThanTotal: false };

    const candidates = query.kind === 'identifier' ? this.identifierCandidates(query) : this.criteriaCandidates(query);
    const ranked: { row: CandidateRow; tier: number; nameRank: number; sortKey: string }[] = [];
    for (const row of this.readRows(candidates.ids)) {
      let nameRank = 0;
      if (query.kind === 'criteria') {
        if (!matchesBirth(row, query)) continue;
        const rank = nameMatchRank(row.name_key, query.words);
        if (rank === null) continue;
        nameRank = rank;
      }
      // The part separator sorts before a hyphen too, so `Петров` comes before `Петров-Николаев`.
      ranked.push({ row, tier: candidates.exact.has(row.id) ? 0 : 1, nameRank, sortKey: row.name_key.replaceAll(NAME_KEY_SEPARATOR, '\u0001') });
    }
    ranked.sort(
      (a, b) =>
        a.tier - b.tier ||
        a.nameRank - b.nameRank ||
        compare(a.sortKey, b.sortKey) ||
        compare(a.row.birth_date, b.row.birth_date) ||
        a.row.id - b.row.id,
    );
    // Cards are read for the shown page only; ranking used the narrow key rows.
    const items: PatientCard[] = [];
    for (const { row } of ranked.slice(offset, offset + limit)) {
      const json = this.card.get(row.id);
      if (json !== undefined) items.push(readCard(json));
    }
    return { query, items, total: ranked.length, complete: candidates.complete, moreThanTotal: !candidates.complete && candidates.allMatch };
  }

  private identifierCandidates(query: IdentifierQuery): Candidates {
    const found: Candidates = query.asPhone ? this.phoneCandidates(query.digits) : { ids: [], exact: new Set(), complete: true, allMatch: true };
    const seen = new Set(found.ids);
    const add = (ids: number[]) => {
      if (ids.length > this.candidateLimit) found.complete = false;
      for (const id of ids.slice(0, this.candidateLimit)) {
        found.exact.add(id);
        if (!seen.has(id)) found.ids.push(id);
        seen.add(id);
      }
    };
    if (query.asOmsPolicy) add(this.byOms.all(query.digits, this.candidateLimit + 1));
    if (query.asSnils) add(this.bySnils.all(query.digits, this.candidateLimit + 1));
    return this.capped(found);
  }

  /** Full number (normalised, its reversed digits exactly) and last-digits suffix (a range of them): one index. */
  private phoneCandidates(digits: string): Candidates {
    const found: Candidates = { ids: [], exact: new Set(), complete: true, allMatch: true };
    const seen = new Set<number>();
    const cap = this.candidateLimit + 1;
    const phone = digits.length >= 10 ? normalizePhone(digits) : null;
    if (phone) {
      const exact = this.phoneExact.all(reversedDigits(phone.e164), cap);
      if (exact.length >= cap) found.complete = false;
      for (const id of exact) {
        found.exact.add(id);
        if (!seen.has(id)) found.ids.push(id);
        seen.add(id);
      }
    }
    if (digits.length <= 15) {
      const reversed = reversedDigits(digits);
      // ':' is the character after '9': the range is every key starting with `reversed`.
      const suffix = this.phoneSuffix.all(reversed, `${reversed}:`, cap);
      if (suffix.length >= cap) found.complete = false;
      for (const id of suffix) {
        if (!seen.has(id)) found.ids.push(id);
        seen.add(id);
      }
    }
    return found;
  }

  private criteriaCandidates(query: CriteriaQuery): Candidates {
    const cap = this.candidateLimit + 1;
    // Only a source that is the whole query yields nothing but matches.
    const onlyName = query.birthDate === null && query.phoneDigits === null;
    if (query.phoneDigits !== null) {
      const found = this.phoneCandidates(query.phoneDigits);
      return this.capped({ ...found, allMatch: query.words.length === 0 && query.birthDate === null && query.birthYear === null });
    }
    if (query.birthDate !== null) {
      const ids = this.byBirthDate.all(query.birthDate, cap);
      return this.capped({ ids, exact: new Set(), complete: ids.length < cap, allMatch: query.words.length === 0 });
    }
    const expressions = this.ftsExpressions(query.words);
    if (expressions === null) return { ids: [], exact: new Set(), complete: true, allMatch: onlyName };
    const match = (expression: string, limit: number) =>
      query.birthYear === null
        ? this.ftsMatch.all(expression, limit)
        : this.ftsMatchInYears.all(expression, `${query.birthYear}-01-01`, `${query.birthYear}-12-31`, limit);
    const prefix = match(expressions.prefix, cap);
    if (expressions.whole === null || prefix.length < cap) {
      // The prefix query is a superset of the whole-word one: when it fits, it is everything.
      return this.capped({ ids: prefix, exact: new Set(), complete: prefix.length < cap, allMatch: onlyName });
    }
    // Too many prefix matches to examine: half the bound goes to whole-word matches first,
    // so neither a common prefix nor a common given name crowds the best names out.
    const whole = match(expressions.whole, Math.ceil(this.candidateLimit / 2));
    return this.capped({ ids: [...new Set([...whole, ...prefix])], exact: new Set(), complete: false, allMatch: onlyName });
  }

  /**
   * The FTS5 queries for the words: all must match (AND). `prefix` takes every word as a
   * prefix: short words use the prefix index; a longer word is rewritten to the OR of the
   * exact terms it prefixes (from `name_terms`), because FTS5 walks an OR of terms lazily but
   * merges a long prefix's whole doclist first (measured at a million cards: `серге*` 12 ms,
   * the expanded OR 0.1 ms). `whole` takes each word that is itself an indexed term as that
   * term alone (`петров`, not `петрова`/`петрович`): the best matches, looked up first; `null`
   * when it would be the same query as `prefix`.
   *
   * Only tokens of `nameTokens` (letters, digits, marks) reach these strings, each inside
   * double quotes, so nothing typed can become FTS5 syntax.
   *
   * @returns `null` when some word prefixes no indexed term, so nothing can match.
   */
  ftsExpressions(words: readonly string[]): { prefix: string; whole: string | null } | null {
    const prefix: string[] = [];
    const whole: string[] = [];
    for (const word of words) {
      const short = [...word].length <= PREFIX_INDEX_MAX_LENGTH;
      // The term range is ordered: its first term is the word itself when the word is a term.
      const terms = this.termRange.all(word, `${word}\u{10ffff}`, short ? 1 : MAX_PREFIX_EXPANSION + 1);
      if (terms.length === 0) return null;
      let part: string;
      if (short || terms.length > MAX_PREFIX_EXPANSION) part = `${ftsString(word)}*`;
      else part = terms.length === 1 ? ftsString(terms[0]!) : `(${terms.map(ftsString).join(' OR ')})`;
      prefix.push(part);
      whole.push(terms[0] === word ? ftsString(word) : part);
    }
    if (prefix.length === 0) return null;
    const prefixQuery = prefix.join(' AND ');
    const wholeQuery = whole.join(' AND ');
    return { prefix: prefixQuery, whole: wholeQuery === prefixQuery ? null : wholeQuery };
  }

  private capped(found: Candidates): Candidates {
    if (found.ids.length <= this.candidateLimit) return found;
    return { ...found, ids: found.ids.slice(0, this.candidateLimit), complete: false };
  }

  private readRows(ids: readonly number[]): CandidateRow[] {
    const rows: CandidateRow[] = [];
    for (const id of ids) {
      const row = this.row.get(id);
      if (row) rows.push(row);
    }
    return rows;
  }
}

function matchesBirth(row: CandidateRow, query: CriteriaQuery): boolean {
  if (query.birthDate !== null && row.birth_date !== query.birthDate) return false;
  return query.birthYear === null || row.birth_date.startsWith(`${query.birthYear}-`);
}

/** An FTS5 string: double quotes around, any inner quote doubled (tokens never hold one). */
function ftsString(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { nameTokens, type PersonName } from '../../../../src-shared/patients/name-folding';
import { syntheticPatientName } from '../../demo/synthetic-patients';

/** Marks a patient whose name part is not in the column's 16-bit vocabulary: checked from its generated name. */
const IRREGULAR = 0xffff;
/** More query words than a mask holds: the index cannot answer, the caller scans. */
export const NAME_INDEX_MAX_WORDS = 30;

/** One name part (surname, given name or patronymic) of every indexed patient, as an id into its vocabulary. */
class PartColumn {
  readonly ids: Uint16Array;
  private readonly vocabulary = new Map<string, number>();
  private readonly values: string[] = [];

  constructor(patients: number) {
    this.ids = new Uint16Array(patients);
  }

  set(index: number, value: string): void {
    let id = this.vocabulary.get(value);
    if (id === undefined) {
      if (this.values.length >= IRREGULAR) {
        this.ids[index] = IRREGULAR;
        return;
      }
      id = this.values.length;
      this.values.push(value);
      this.vocabulary.set(value, id);
    }
    this.ids[index] = id;
  }

  /** Per vocabulary entry, the bits of the words that start one of its tokens (word `w` is bit `w`). */
  masks(words: readonly string[]): Uint32Array {
    const masks = new Uint32Array(this.values.length + 1);
    this.values.forEach((value, id) => (masks[id] = wordMask(nameTokens(value), words)));
    return masks;
  }
}

/** Bits of the `words` that are a prefix of some token (the search's rule, per name part). */
function wordMask(tokens: readonly string[], words: readonly string[]): number {
  let mask = 0;
  words.forEach((word, bit) => {
    if (tokens.some((token) => token.startsWith(word))) mask |= 1 << bit;
  });
  return mask;
}

/**
 * The demo MIS's name index (a real MIS has one; this demo lives in the desk's own process, where
 * a scan of a million generated cards per search took seconds and held the CPU the first sync
 * needs): each base patient's surname, given name and patronymic as 16-bit ids into per-part
 * vocabularies (≈ 6 MB at a million patients), built a run at a time. A search computes, per
 * vocabulary entry, which query words start one of its tokens, then keeps the patients whose three
 * parts cover every word — the rule of `nameMatchesWords`, applied per part, in one pass over
 * typed arrays.
 */
export class DemoNameIndex {
  private readonly columns: [PartColumn, PartColumn, PartColumn];
  private indexed = 0;

  constructor(
    private readonly patients: number,
    private readonly seed: number,
  ) {
    this.columns = [new PartColumn(patients), new PartColumn(patients), new PartColumn(patients)];
  }

  /** Patients `[0, indexedUpTo)` are in the index. */
  get indexedUpTo(): number {
    return this.indexed;
  }

  get complete(): boolean {
    return this.indexed >= this.patients;
  }

  /** Indexes the next `count` patients of the base population. */
  indexRun(count: number): void {
    const to = Math.min(this.patients, this.indexed + count);
    const [surnames, givenNames, patronymics] = this.columns;
    for (let index = this.indexed; index < to; index++) {
      const name = syntheticPatientName(index, this.seed);
      surnames.set(index, name.surname);
      givenNames.set(index, name.givenName);
      patronymics.set(index, name.patronymic ?? '');
    }
    this.indexed = to;
  }

  /**
   * The indexed patients (ascending) whose generated name has every word start one of its
   * tokens; `words` are tokens (from `nameTokens`), at most {@link NAME_INDEX_MAX_WORDS}.
   */
  *matching(words: readonly string[]): Generator<number> {
    if (words.length === 0 || words.length > NAME_INDEX_MAX_WORDS) throw new Error(`the name index answers 1–${NAME_INDEX_MAX_WORDS} words`);
    const all = (1 << words.length) - 1;
    const [surnames, givenNames, patronymics] = this.columns;
    const [s, g, p] = [surnames.ids, givenNames.ids, patronymics.ids];
    const [ms, mg, mp] = [surnames.masks(words), givenNames.masks(words), patronymics.masks(words)];
    for (let index = 0; index < this.indexed; index++) {
      const si = s[index]!;
      const gi = g[index]!;
      const pi = p[index]!;
      if (si === IRREGULAR || gi === IRREGULAR || pi === IRREGULAR) {
        if (this.irregularMatches(index, words, all)) yield index;
        continue;
      }
      if ((ms[si]! | mg[gi]! | mp[pi]!) === all) yield index;
    }
  }

  private irregularMatches(index: number, words: readonly string[], all: number): boolean {
    const name: PersonName = syntheticPatientName(index, this.seed);
    return (wordMask(nameTokens(name.surname), words) | wordMask(nameTokens(name.givenName), words) | wordMask(nameTokens(name.patronymic ?? ''), words)) === all;
  }
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../../src-shared/patients/patient-card';
import { nameMatchesWords, nameSortKey, nameTokens } from '../../../../src-shared/patients/name-folding';
import { syntheticPatient, syntheticPatientName } from '../../demo/synthetic-patients';
import { DemoMis } from './demo-mis';
import { DemoNameIndex } from './demo-name-index';

// The demo MIS's name index must answer exactly what its scan answered: every card (as it is
// now) whose name has every query word start one of its tokens, by MIS id, at most 50.
// fast-check prints its seed on a failure; FC_SEED=<seed> replays it.

const PATIENTS = 3_000;
const SEED = 5;

/** A query: 1–3 prefixes (1–6 letters) of name parts of random patients, or a word nobody has. */
const queryOf = fc.array(
  fc.record({ index: fc.nat(PATIENTS - 1), part: fc.constantFrom('surname', 'givenName', 'patronymic'), length: fc.integer({ min: 1, max: 6 }), nobody: fc.boolean() }),
  { minLength: 1, maxLength: 3 },
).map((words) =>
  words
    .map(({ index, part, length, nobody }) => {
      if (nobody && length > 4) return 'щщщ';
      const name = syntheticPatientName(index, SEED);
      return (name[part as 'surname' | 'givenName' | 'patronymic'] ?? name.surname).slice(0, length);
    })
    .join(' '),
);

describe('DemoNameIndex', () => {
  it('gives the generated name of every card, and finds exactly the patients whose name matches, whole or half built', () => {
    for (const index of [0, 17, 2_999]) {
      const card = syntheticPatient(index, SEED);
      expect(syntheticPatientName(index, SEED)).toEqual({ surname: card.surname, givenName: card.givenName, patronymic: card.patronymic, female: expect.any(Boolean), kazakh: expect.any(Boolean) });
    }
    const full = new DemoNameIndex(PATIENTS, SEED);
    full.indexRun(PATIENTS);
    const half = new DemoNameIndex(PATIENTS, SEED);
    half.indexRun(1_234);
    fc.assert(
      fc.property(queryOf, (query) => {
        const words = nameTokens(query);
        const expected = Array.from({ length: PATIENTS }, (_, i) => i).filter((i) => nameMatchesWords(nameSortKey(syntheticPatientName(i, SEED)), words));
        expect([...full.matching(words)]).toEqual(expected);
        expect([...half.matching(words)]).toEqual(expected.filter((i) => i < 1_234));
      }),
      { numRuns: 150 },
    );
  });
});

describe('DemoMis search through the name index', () => {
  /** The scan's answer, through the MIS's public card lookup: every id in order, the card as it is now. */
  async function reference(mis: DemoMis, query: string, lastIndex: number): Promise<string[]> {
    const words = nameTokens(query);
    const found: string[] = [];
    for (let index = 0; index <= lastIndex && found.length < 50; index++) {
      const card = mis.peek(String(1_000_000 + index));
      if (card && nameMatchesWords(nameSortKey(card), words)) found.push(card.misId);
    }
    return found;
  }

  it('answers what the scan answered while the clinic changes (renamed, new, merged, deleted patients), before, during and after the index is built', async () => {
    const mis = new DemoMis({ patients: PATIENTS, seed: SEED });
    try {
      mis.evolve(400);
      // A renamed patient is found by the new name only.
      const renamed = mis.editPatient('1000010', { surname: 'Щукина-Ясенева' });
      const lastIndex = PATIENTS + 400;
      const ids = async (query: string) => ((await mis.search(query)) as PatientCard[]).map((card) => card.misId);
      expect(await ids('щукина')).toEqual([renamed.misId]);
      const check = async () =>
        fc.assert(
          fc.asyncProperty(queryOf, async (query) => {
            expect(await ids(query)).toEqual(await reference(mis, query, lastIndex));
          }),
          { numRuns: 25 },
        );
      await check(); // nothing indexed: the scan of the base
      (mis as unknown as { nameIndex: DemoNameIndex }).nameIndex.indexRun(1_000);
      await check(); // part indexed, the rest scanned
      await mis.prepareNameIndex();
      await check(); // all indexed
      expect(await ids('щукина')).toEqual([renamed.misId]);
      expect(await ids(syntheticPatient(10, SEED).surname)).not.toContain('1000010');
    } finally {
      mis.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { PatientCardSchema } from '../../../src-shared/patients/patient-card';
import { isValidSnils } from '../../../src-shared/patients/snils';
import { syntheticMobile, syntheticPatient, syntheticPatients } from './synthetic-patients';

describe('synthetic patients', () => {
  const cards = [...syntheticPatients({ count: 2_000, seed: 7 })];

  it('produces cards the schema accepts', () => {
    for (const card of cards) {
      const parsed = PatientCardSchema.safeParse(card);
      if (!parsed.success) throw new Error(`card ${card.misId}: ${parsed.error.message}`);
    }
  });

  it('is a pure function of (seed, index)', () => {
    expect(syntheticPatient(1234, 7)).toEqual(cards[1234]);
    expect(syntheticPatient(1234, 8)).not.toEqual(cards[1234]);
    expect([...syntheticPatients({ count: 3, seed: 7, startIndex: 10 })]).toEqual(cards.slice(10, 13));
  });

  it('has unique MIS ids, ОМС policies and СНИЛС', () => {
    const unique = (values: (string | null)[]) => {
      const present = values.filter((v): v is string => v !== null);
      return new Set(present).size === present.length;
    };
    expect(unique(cards.map((c) => c.misId))).toBe(true);
    expect(unique(cards.map((c) => c.omsPolicy))).toBe(true);
    expect(unique(cards.map((c) => c.snils))).toBe(true);
  });

  it('gives most cards a СНИЛС with a correct control number (the search checks it)', () => {
    const snils = cards.map((c) => c.snils).filter((s): s is string => s !== null);
    expect(snils.length).toBeGreaterThan(cards.length * 0.7);
    expect(snils.filter((s) => !isValidSnils(s))).toEqual([]);
  });

  it('covers what search must handle: ё, hyphenated surnames, Kazakh names and numbers, shared phones', () => {
    expect(cards.some((c) => /ё/i.test(c.surname + c.givenName + (c.patronymic ?? '')))).toBe(true);
    expect(cards.some((c) => c.surname.includes('-'))).toBe(true);
    expect(cards.some((c) => c.phones.some((p) => p.e164.startsWith('+77')))).toBe(true);
    expect(cards.some((c) => c.phones.some((p) => p.kind === 'relative' && p.national10 === syntheticMobile(Number(c.misId) - 1_000_001, 7)))).toBe(true);
    expect(cards.some((c) => c.patronymic === null)).toBe(true);
  });
});

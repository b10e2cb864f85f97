import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { syntheticPatients } from '../demo/synthetic-patients';
import { decodeCard, encodeCard } from './card-codec';

const text = (max: number) => fc.string({ minLength: 1, maxLength: max });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const date = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

const cardArbitrary: fc.Arbitrary<PatientCard> = fc.record({
  misId: fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
  version: fc.nat(),
  surname: text(40),
  givenName: text(40),
  patronymic: nullable(text(40)),
  birthDate: date,
  sex: fc.constantFrom('male', 'female', 'unknown'),
  phones: fc.array(
    fc.record({ digits: fc.stringMatching(/^[0-9]{11,15}$/), kind: fc.constantFrom('mobile', 'home', 'work', 'relative') }).map(({ digits: d, kind }) => ({
      e164: `+${d}`,
      national10: d.slice(-10),
      kind,
    })),
    { maxLength: 4 },
  ),
  email: nullable(fc.emailAddress()),
  address: nullable(text(80)),
  omsPolicy: nullable(digits(16)),
  dms: nullable(fc.record({ insurer: text(20), policy: text(20) })),
  snils: nullable(digits(11)),
  flags: fc.record({
    allergies: nullable(text(40)),
    vip: fc.boolean(),
    preferredChannel: fc.constantFrom('call', 'sms', 'email', null),
    consentSms: fc.boolean(),
    consentCalls: fc.boolean(),
  }),
  lastVisit: nullable(date),
  appointments: fc.array(
    fc.record({
      id: text(10),
      startsAt: fc.constant('2026-12-01T09:30:00+03:00'),
      doctor: text(30),
      specialty: text(20),
      service: text(30),
      branch: text(20),
      status: fc.constantFrom('booked', 'confirmed', 'cancelled', 'done'),
    }),
    { maxLength: 3 },
  ),
});

describe('card codec', () => {
  it('round-trips any card exactly', () => {
    fc.assert(
      fc.property(cardArbitrary, (card) => {
        expect(decodeCard(encodeCard(card))).toEqual(card);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips synthetic cards and is much smaller than the plain JSON', () => {
    let plain = 0;
    let compact = 0;
    for (const card of syntheticPatients({ count: 300, seed: 2 })) {
      const encoded = encodeCard(card);
      expect(decodeCard(encoded)).toEqual(card);
      plain += JSON.stringify(card).length;
      compact += encoded.length;
    }
    expect(compact).toBeLessThan(plain * 0.65);
  });

  it('refuses text that is not a card of this format', () => {
    expect(() => decodeCard('{"misId":"1"}')).toThrow(/unknown storage format/);
    expect(() => decodeCard('[2,"1"]')).toThrow(/version 2/);
  });
});

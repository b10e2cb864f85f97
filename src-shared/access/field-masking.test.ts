import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatientCardSchema, VisiblePatientCardSchema, type PatientCard } from '../patients/patient-card';
import { BoardNumberSchema } from '../supervisor/supervisor-model';
import { DEFAULT_HIDDEN_FIELDS, MASKABLE_FIELDS, type MaskableField } from './access-model';
import { fullCard } from './testing/full-card';
import { CARD_FIELD_GROUPS, FLAG_FIELD_GROUPS, hiddenFieldsFor, maskPhone, visibleCard } from './field-masking';


/** The card keys (and flag keys) each maskable field removes. */
function keysOf(field: MaskableField): { card: string[]; flags: string[] } {
  return {
    card: Object.entries(CARD_FIELD_GROUPS)
      .filter(([, group]) => group === field)
      .map(([key]) => key),
    flags: Object.entries(FLAG_FIELD_GROUPS)
      .filter(([, group]) => group === field)
      .map(([key]) => key),
  };
}

describe('the visible card schema and the field groups', () => {
  it('accepts a card without any key a maskable field covers, and the full schema refuses it', () => {
    for (const field of MASKABLE_FIELDS) {
      const { card: cardKeys, flags: flagKeys } = keysOf(field);
      const card = fullCard() as unknown as Record<string, unknown>;
      for (const key of cardKeys) delete card[key];
      const flags = card.flags as Record<string, unknown>;
      for (const key of flagKeys) delete flags[key];
      expect(VisiblePatientCardSchema.safeParse(card).success, field).toBe(true);
      if (cardKeys.length + flagKeys.length > 0) expect(PatientCardSchema.safeParse(card).success, field).toBe(false);
    }
  });

  it('refuses a card without a field that is always shown (name, birth date, sex, ids)', () => {
    for (const [key, group] of Object.entries(CARD_FIELD_GROUPS)) {
      if (group !== 'always') continue;
      const card = fullCard() as unknown as Record<string, unknown>;
      delete card[key];
      expect(VisiblePatientCardSchema.safeParse(card).success, key).toBe(false);
    }
  });

  it('covers every card key and every flag with exactly one group, and every maskable field but notes with a key', () => {
    expect(Object.keys(CARD_FIELD_GROUPS).sort()).toEqual(Object.keys(PatientCardSchema.shape).sort());
    expect(Object.keys(FLAG_FIELD_GROUPS).sort()).toEqual(Object.keys(fullCard().flags).sort());
    for (const field of MASKABLE_FIELDS) {
      const { card, flags } = keysOf(field);
      // `notes` are the wrap-up notes of a patient's history, not a card field.
      expect(card.length + flags.length > 0, field).toBe(field !== 'notes');
    }
  });
});

describe('visibleCard', () => {
  it('leaves out exactly the hidden fields, absent from the JSON (not null, not empty)', () => {
    for (const field of MASKABLE_FIELDS) {
      const card = fullCard();
      const seen = visibleCard(card, new Set([field]));
      const json = JSON.stringify(seen);
      const { card: cardKeys, flags: flagKeys } = keysOf(field);
      for (const key of [...cardKeys, ...flagKeys]) expect(json, `${field}: ${key}`).not.toContain(`"${key}"`);
      for (const key of Object.keys(card) as (keyof PatientCard)[]) {
        if (!cardKeys.includes(key) && key !== 'flags') expect(seen[key], `${field}: ${key}`).toEqual(card[key]);
      }
      expect(VisiblePatientCardSchema.parse(seen)).toEqual(seen);
      expect(card).toEqual(fullCard());
    }
  });

  it('for the default cashier: no allergy text, no visits, no last visit; phones, policies and СНИЛС stay', () => {
    const seen = visibleCard(fullCard(), hiddenFieldsFor('cashier', DEFAULT_HIDDEN_FIELDS));
    const json = JSON.stringify(seen);
    expect(json).not.toContain('латекс');
    expect(json).not.toContain('Эндокринолог');
    expect(json).not.toContain('2024-11-02');
    expect(seen.phones).toHaveLength(2);
    expect(seen.omsPolicy).toBe('7700998877665544');
    expect(seen.snils).toBe('11223344595');
    expect(seen.flags).toEqual({ vip: true, preferredChannel: 'sms', consentSms: true, consentCalls: false });
  });

  it('keeps a null (the MIS has none) apart from a hidden field (absent)', () => {
    const card = { ...fullCard(), email: null, snils: null };
    const seen = visibleCard(card, new Set<MaskableField>(['snils']));
    expect(seen.email).toBeNull();
    expect('snils' in seen).toBe(false);
  });

  it('drops a key it does not know rather than pass it on', () => {
    const card = { ...fullCard(), smuggled: 'секрет' } as unknown as PatientCard;
    expect(JSON.stringify(visibleCard(card, new Set()))).not.toContain('секрет');
  });

  it('property: any set of hidden fields gives a valid card without them; masking twice or in steps is the same', () => {
    const fields = fc.subarray([...MASKABLE_FIELDS]);
    const nulls = fc.record({ email: fc.boolean(), address: fc.boolean(), omsPolicy: fc.boolean(), dms: fc.boolean(), snils: fc.boolean(), allergies: fc.boolean(), lastVisit: fc.boolean() });
    fc.assert(
      fc.property(fields, fields, nulls, (first, second, nulled) => {
        const base = fullCard();
        const card: PatientCard = {
          ...base,
          email: nulled.email ? null : base.email,
          address: nulled.address ? null : base.address,
          omsPolicy: nulled.omsPolicy ? null : base.omsPolicy,
          dms: nulled.dms ? null : base.dms,
          snils: nulled.snils ? null : base.snils,
          lastVisit: nulled.lastVisit ? null : base.lastVisit,
          flags: { ...base.flags, allergies: nulled.allergies ? null : base.flags.allergies },
        };
        const both = new Set([...first, ...second]);
        const seen = visibleCard(card, both);
        expect(VisiblePatientCardSchema.safeParse(seen).success).toBe(true);
        for (const field of both) {
          const { card: cardKeys, flags: flagKeys } = keysOf(field);
          for (const key of cardKeys) expect(key in seen).toBe(false);
          for (const key of flagKeys) expect(key in seen.flags).toBe(false);
        }
        expect(visibleCard(seen, both)).toEqual(seen);
        expect(visibleCard(visibleCard(card, new Set(first)), new Set(second))).toEqual(seen);
      }),
    );
  });
});

describe('hiddenFieldsFor', () => {
  it('reads the role from the matrix; admin gets nothing at all', () => {
    expect([...hiddenFieldsFor('cashier', DEFAULT_HIDDEN_FIELDS)].sort()).toEqual(['allergies', 'appointments', 'lastVisit', 'notes']);
    expect(hiddenFieldsFor('operator', DEFAULT_HIDDEN_FIELDS).size).toBe(0);
    expect(hiddenFieldsFor('supervisor', { ...DEFAULT_HIDDEN_FIELDS, supervisor: ['phones'] })).toEqual(new Set(['phones']));
    expect(hiddenFieldsFor('admin', DEFAULT_HIDDEN_FIELDS)).toEqual(new Set(MASKABLE_FIELDS));
  });
});

describe('maskPhone', () => {
  it('keeps the country code, the operator code and the last two digits of a +7 number, in any usual form', () => {
    for (const raw of ['+79161234567', '89161234567', '79161234567', '9161234567', '8 (916) 123-45-67', ' +7 916 123-45-67 ']) {
      expect(maskPhone(raw), raw).toBe('+7 916 ***-**-67');
    }
    expect(maskPhone('+74957654321')).toBe('+7 495 ***-**-21');
  });

  it('keeps only the last two characters of any other number', () => {
    expect(maskPhone('+4930123456')).toBe('+********56');
    expect(maskPhone('1001')).toBe('**01');
    expect(maskPhone('anonymous')).toBe('*******us');
    expect(maskPhone('12')).toBe('12');
    expect(maskPhone('')).toBe('');
  });

  it('property: never throws, fits the board, and shows no more digits than it promises', () => {
    const digit = fc.constantFrom(...'0123456789');
    const russian = fc
      .tuple(fc.constantFrom('+7', '8', '7', ''), fc.constantFrom(...'3456789'), fc.array(digit, { minLength: 9, maxLength: 9 }), fc.constantFrom('', ' ', '-'))
      .map(([prefix, first, rest, sep]) => ({ raw: `${prefix}${sep}${first}${rest.slice(0, 2).join('')}${sep}${rest.slice(2).join('')}`, national: `${first}${rest.join('')}` }));
    fc.assert(
      fc.property(russian, ({ raw, national }) => {
        const masked = maskPhone(raw);
        expect(masked).toBe(`+7 ${national.slice(0, 3)} ***-**-${national.slice(8)}`);
        expect(BoardNumberSchema.safeParse(masked).success).toBe(true);
      }),
    );
    const anyNumber = fc.string({ unit: fc.constantFrom(...'0123456789+*#._-abcXYZ'), maxLength: 64 });
    fc.assert(
      fc.property(anyNumber, (raw) => {
        const masked = maskPhone(raw);
        expect(BoardNumberSchema.safeParse(masked).success).toBe(true);
        const shown = masked.replace(/\D/g, '');
        // A +7 number shows 7, its three-digit code and two digits; anything else two at most.
        expect(shown.length).toBeLessThanOrEqual(masked.startsWith('+7 ') ? 6 : 2);
      }),
    );
  });
});

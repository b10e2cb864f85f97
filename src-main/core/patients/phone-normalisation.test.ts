import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { normalizePhone, reversedDigits } from './phone-normalisation';

describe('normalizePhone', () => {
  it.each(['8 (916) 123-45-67', '+7 916 1234567', '79161234567', '9161234567', ' +7 (916) 123-45-67 ', '8-916-123-45-67'])(
    'reads the Russian mobile %j',
    (raw) => {
      expect(normalizePhone(raw)).toEqual({ e164: '+79161234567', national10: '9161234567' });
    },
  );

  it('reads Russian landlines and Kazakh numbers, which share +7', () => {
    expect(normalizePhone('+7 495 123-45-67')).toEqual({ e164: '+74951234567', national10: '4951234567' });
    expect(normalizePhone('+7 701 123 45 67')).toEqual({ e164: '+77011234567', national10: '7011234567' });
    expect(normalizePhone('8 701 123 45 67')).toEqual({ e164: '+77011234567', national10: '7011234567' });
    expect(normalizePhone('7011234567', 'KZ')).toEqual({ e164: '+77011234567', national10: '7011234567' });
  });

  it('reads foreign numbers, including dialled through the Russian 8-10 prefix', () => {
    expect(normalizePhone('+375 29 123 45 67')).toEqual({ e164: '+375291234567', national10: '5291234567' });
    expect(normalizePhone('8 10 375 29 123 45 67')).toEqual({ e164: '+375291234567', national10: '5291234567' });
  });

  it('keeps the number and drops an extension', () => {
    expect(normalizePhone('+7 916 123 45 67 доб. 12')).toEqual({ e164: '+79161234567', national10: '9161234567' });
  });

  it.each(['', '12345', '+7 916 123456', '+7 916 12345678', '+7 000 000 00 00', 'abc 9161234567', '++79161234567', 'позвоните мне', '+1-800-FLOWERS'])(
    'refuses %j',
    (raw) => {
      expect(normalizePhone(raw)).toBeNull();
    },
  );

  it('refuses hostile input quickly: 10 KB strings and control characters', () => {
    const started = performance.now();
    expect(normalizePhone('9'.repeat(10_240))).toBeNull();
    expect(normalizePhone(`+7 916 123\u0000 45 67`)).toBeNull();
    expect(normalizePhone(`+7 916 123 45 67\u001b[2J`)).toBeNull();
    expect(normalizePhone('\u0085+79161234567')).toBeNull();
    // Not a timing assertion on the machine, a guard against parsing 10 KB: generous bound.
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('never throws and only ever returns +11..15 digits with the last ten as national10', () => {
    const phoneish = fc.stringMatching(/^[+]?[0-9 ()\-.]{0,24}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80, unit: 'binary' }), phoneish), (raw) => {
        const result = normalizePhone(raw);
        if (result === null) return;
        expect(result.e164).toMatch(/^\+\d{11,15}$/);
        expect(result.e164.endsWith(result.national10)).toBe(true);
        expect(result.national10).toMatch(/^\d{10}$/);
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with libphonenumber wherever the Russian-mobile fast path answers', () => {
    const separator = fc.constantFrom('', ' ', '-', '(', ')', '.', '  ');
    const digits = fc.stringMatching(/^9[0-9]{9}$/);
    const prefix = fc.constantFrom('', '8', '7', '+7', '+ 7');
    const formatted = fc
      .tuple(prefix, digits, fc.array(separator, { minLength: 11, maxLength: 11 }))
      .map(([p, d, seps]) => p + [...d].map((ch, i) => (seps[i] ?? '') + ch).join('') + (seps[10] ?? ''));
    fc.assert(
      fc.property(formatted, (raw) => {
        const parsed = parsePhoneNumberFromString(raw.trim(), { defaultCountry: 'RU', extract: false });
        const expected = parsed && parsed.isValid() ? parsed.number : null;
        expect(normalizePhone(raw)?.e164 ?? null).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('reversedDigits', () => {
  it('reverses the digits and drops the plus', () => {
    expect(reversedDigits('+79161234567')).toBe('76543216197');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from './search-query';

describe('parseSearchQuery', () => {
  it('reads digits as a phone, full or as a suffix', () => {
    expect(parseSearchQuery('8 (916) 123-45-67')).toEqual({ kind: 'identifier', digits: '89161234567', asPhone: true, asOmsPolicy: false });
    expect(parseSearchQuery('4567')).toEqual({ kind: 'identifier', digits: '4567', asPhone: true, asOmsPolicy: false });
    expect(parseSearchQuery('+7 701 123 45 67')).toMatchObject({ kind: 'identifier', digits: '77011234567' });
  });

  it('reads 16 digits as an ОМС policy and still tries them as a phone', () => {
    expect(parseSearchQuery('7700 1234 5678 9012')).toEqual({ kind: 'identifier', digits: '7700123456789012', asPhone: true, asOmsPolicy: true });
  });

  it('refuses too few or too many digits with a reason', () => {
    expect(parseSearchQuery('123')).toMatchObject({ kind: 'invalid', problem: 'too-few-digits' });
    expect(parseSearchQuery('12345678901234567')).toMatchObject({ kind: 'invalid', problem: 'too-many-digits' });
  });

  it('reads dd.mm.yyyy and yyyy-mm-dd as a birth date', () => {
    expect(parseSearchQuery('12.03.1985')).toEqual({ kind: 'criteria', words: [], birthDate: '1985-03-12', birthYear: null, phoneDigits: null });
    expect(parseSearchQuery('1.3.1985')).toMatchObject({ birthDate: '1985-03-01' });
    expect(parseSearchQuery('1985-03-12')).toMatchObject({ birthDate: '1985-03-12' });
  });

  it('refuses a date that does not exist', () => {
    expect(parseSearchQuery('31.02.1985')).toMatchObject({ kind: 'invalid', problem: 'bad-date' });
    expect(parseSearchQuery('Иванова 29.02.1985')).toMatchObject({ kind: 'invalid', problem: 'bad-date' });
    expect(parseSearchQuery('29.02.1984')).toMatchObject({ birthDate: '1984-02-29' });
  });

  it('reads words as folded, order-free name prefixes', () => {
    expect(parseSearchQuery('Ерж Каир')).toMatchObject({ kind: 'criteria', words: ['ерж', 'каир'] });
    expect(parseSearchQuery('Иванов И')).toMatchObject({ words: ['иванов', 'и'] });
    expect(parseSearchQuery('алёна')).toMatchObject({ words: ['алена'] });
    expect(parseSearchQuery('АЛЕНА')).toMatchObject({ words: ['алена'] });
    expect(parseSearchQuery('Римская-Корсакова')).toMatchObject({ words: ['римская', 'корсакова'] });
  });

  it('combines words with a birth year, a birth date or phone digits', () => {
    expect(parseSearchQuery('Иванова 1985')).toEqual({ kind: 'criteria', words: ['иванова'], birthDate: null, birthYear: 1985, phoneDigits: null });
    expect(parseSearchQuery('Иванова 12.03.1985')).toEqual({ kind: 'criteria', words: ['иванова'], birthDate: '1985-03-12', birthYear: null, phoneDigits: null });
    expect(parseSearchQuery('Иванова 4567')).toMatchObject({ words: ['иванова'], phoneDigits: '4567', birthYear: null });
    expect(parseSearchQuery('Иванова 1985 4567')).toMatchObject({ birthYear: 1985, phoneDigits: '4567' });
  });

  it('reads a lone year as phone digits', () => {
    expect(parseSearchQuery('1985')).toMatchObject({ kind: 'identifier', digits: '1985' });
  });

  it('refuses contradictions', () => {
    expect(parseSearchQuery('Иванова 1990 12.03.1985')).toMatchObject({ kind: 'invalid', problem: 'conflicting-criteria' });
    expect(parseSearchQuery('Иванова 4567 5678')).toMatchObject({ kind: 'invalid', problem: 'conflicting-criteria' });
  });

  it('treats blank and punctuation-only input as empty', () => {
    expect(parseSearchQuery('   ')).toEqual({ kind: 'empty' });
    expect(parseSearchQuery(' - , ')).toEqual({ kind: 'empty' });
  });

  it('refuses absurdly long input and too many words', () => {
    expect(parseSearchQuery('а'.repeat(10_000))).toMatchObject({ kind: 'invalid', problem: 'too-long' });
    expect(parseSearchQuery('а б в г д е ж')).toMatchObject({ kind: 'invalid', problem: 'too-many-words' });
  });

  it('never throws and always returns a known kind', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (s) => {
        const parsed = parseSearchQuery(s);
        expect(['empty', 'invalid', 'identifier', 'criteria']).toContain(parsed.kind);
        if (parsed.kind === 'criteria') expect(parsed.words.every((w) => w.length > 0 && w === w.toLowerCase())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipQuery, MAX_QUERY_LENGTH, parseSearchQuery } from './search-query';

describe('parseSearchQuery', () => {
  it('reads digits as a phone, full or as a suffix', () => {
    expect(parseSearchQuery('8 (916) 123-45-67')).toEqual({ kind: 'identifier', digits: '89161234567', asPhone: true, asOmsPolicy: false, asSnils: false, ignored: [] });
    expect(parseSearchQuery('4567')).toEqual({ kind: 'identifier', digits: '4567', asPhone: true, asOmsPolicy: false, asSnils: false, ignored: [] });
    expect(parseSearchQuery('+7 701 123 45 67')).toMatchObject({ kind: 'identifier', digits: '77011234567' });
  });

  it('reads 16 digits as an ОМС policy and still tries them as a phone', () => {
    expect(parseSearchQuery('7700 1234 5678 9012')).toEqual({ kind: 'identifier', digits: '7700123456789012', asPhone: true, asOmsPolicy: true, asSnils: false, ignored: [] });
  });

  it('refuses too few or too many digits with a reason', () => {
    expect(parseSearchQuery('123')).toMatchObject({ kind: 'invalid', problem: 'too-few-digits' });
    expect(parseSearchQuery('12345678901234567')).toMatchObject({ kind: 'invalid', problem: 'too-many-digits' });
  });

  it('reads dd.mm.yyyy and yyyy-mm-dd as a birth date', () => {
    expect(parseSearchQuery('12.03.1985')).toEqual({ kind: 'criteria', words: [], birthDate: '1985-03-12', birthYear: null, phoneDigits: null, ignored: [] });
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
    expect(parseSearchQuery('Иванова 1985')).toEqual({ kind: 'criteria', words: ['иванова'], birthDate: null, birthYear: 1985, phoneDigits: null, ignored: [] });
    expect(parseSearchQuery('Иванова 12.03.1985')).toEqual({ kind: 'criteria', words: ['иванова'], birthDate: '1985-03-12', birthYear: null, phoneDigits: null, ignored: [] });
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

  it('treats blank input as empty, and says which characters cannot be searched when nothing else was typed', () => {
    expect(parseSearchQuery('   ')).toEqual({ kind: 'empty' });
    expect(parseSearchQuery('\t\n')).toEqual({ kind: 'empty' });
    expect(parseSearchQuery(' - , ')).toMatchObject({ kind: 'invalid', problem: 'unsupported-characters', characters: ['-', ','] });
  });

  describe('characters no query form uses', () => {
    it.each([
      ['"', ['"']],
      ['*', ['*']],
      ['"*"', ['"', '*']],
      ['(', ['(']],
      ['%', ['%']],
      ['^', ['^']],
      ['😀', ['😀']],
      ['👨‍👩‍👧 ❤️', ['👨‍👩‍👧', '❤️']],
      ['#$@!?', ['#', '$', '@', '!', '?']],
    ])('%s alone: invalid, naming them, never an empty list', (text, characters) => {
      const parsed = parseSearchQuery(text);
      expect(parsed).toMatchObject({ kind: 'invalid', problem: 'unsupported-characters', characters });
      if (parsed.kind === 'invalid') expect(parsed.message).toContain('surname, phone, policy, СНИЛС or birth date');
    });

    it.each([
      ['"Иванов"', ['иванов'], ['"']],
      ['Иван*', ['иван'], ['*']],
      ['Ив%ан', ['ив', 'ан'], ['%']],
      ['Иванов 😀', ['иванов'], ['😀']],
      ['Иванов (Петров)', ['иванов', 'петров'], ['(', ')']],
      ['Иванов +', ['иванов'], ['+']],
      ['Иванов ❤️', ['иванов'], ['❤️']],
    ])('%s: searches the rest and lists what was not used', (text, words, ignored) => {
      expect(parseSearchQuery(text)).toMatchObject({ kind: 'criteria', words, ignored });
    });

    it('keeps what people write between names, dates and numbers out of that list', () => {
      expect(parseSearchQuery("Римская-Корсакова О'Нил, И.И.; 12/03/1985")).toMatchObject({
        kind: 'criteria',
        words: ['римская', 'корсакова', 'о', 'нил', 'и'],
        birthDate: '1985-03-12',
        ignored: [],
      });
      expect(parseSearchQuery('Иванов 8(916)123-45-67')).toMatchObject({ kind: 'criteria', phoneDigits: '89161234567', ignored: [] });
      expect(parseSearchQuery('+7 (916) 123-45-67')).toMatchObject({ kind: 'identifier', ignored: [] });
      expect(parseSearchQuery('*4567')).toMatchObject({ kind: 'identifier', digits: '4567', ignored: ['*'] });
      expect(parseSearchQuery('12.03.1985*')).toMatchObject({ kind: 'criteria', birthDate: '1985-03-12', ignored: ['*'] });
    });

    it('never lets FTS5 syntax through: operators are plain words, columns and markers are dropped', () => {
      expect(parseSearchQuery('Петров OR Иванов')).toMatchObject({ kind: 'criteria', words: ['петров', 'or', 'иванов'], ignored: [] });
      expect(parseSearchQuery('NEAR(Петров Иван)')).toMatchObject({ kind: 'criteria', words: ['near', 'петров', 'иван'], ignored: ['(', ')'] });
      expect(parseSearchQuery('name_key:петров')).toMatchObject({ kind: 'criteria', words: ['name', 'key', 'петров'], ignored: ['_', ':'] });
      expect(parseSearchQuery('^петров -иван')).toMatchObject({ kind: 'criteria', words: ['петров', 'иван'], ignored: ['^'] });
      expect(parseSearchQuery('петров AND "')).toMatchObject({ kind: 'criteria', words: ['петров', 'and'], ignored: ['"'] });
    });
  });

  describe('СНИЛС (11 digits)', () => {
    // 001-005-242 43: the СНИЛС of the demo clinic's patient 4242 (its control number is right).
    it('in the СНИЛС layout is a СНИЛС only, even with a wrong control number', () => {
      expect(parseSearchQuery('001-005-242 43')).toMatchObject({ kind: 'identifier', digits: '00100524243', asSnils: true, asPhone: false });
      expect(parseSearchQuery('001 005 242 43')).toMatchObject({ asSnils: true, asPhone: false });
      expect(parseSearchQuery('001-005-242-43')).toMatchObject({ asSnils: true, asPhone: false });
      expect(parseSearchQuery('112-233-445 94')).toMatchObject({ asSnils: true, asPhone: false });
    });

    it('as bare digits is a СНИЛС when the control number is right and it cannot be a full phone', () => {
      expect(parseSearchQuery('00100524243')).toMatchObject({ asSnils: true, asPhone: false });
      expect(parseSearchQuery('11223344595')).toMatchObject({ asSnils: true, asPhone: false });
    });

    it('as bare digits is a phone when the control number is wrong (the last 11 digits of a longer number)', () => {
      expect(parseSearchQuery('11223344594')).toMatchObject({ asSnils: false, asPhone: true });
    });

    it('starting with 7 or 8 is a phone, and a СНИЛС too when its control number is right', () => {
      expect(parseSearchQuery('89161234567')).toMatchObject({ asPhone: true, asSnils: false }); // control number 67 is wrong
      expect(parseSearchQuery('79161234511')).toMatchObject({ asPhone: true, asSnils: true });
      expect(parseSearchQuery('+7 916 123-45-11')).toMatchObject({ asPhone: true, asSnils: false }); // written as a phone
      expect(parseSearchQuery('8 (916) 123-45-11')).toMatchObject({ asPhone: true, asSnils: false });
    });

    it('beside name words stays phone digits', () => {
      expect(parseSearchQuery('Иванова 00100524243')).toMatchObject({ kind: 'criteria', phoneDigits: '00100524243' });
    });
  });

  describe('clipQuery', () => {
    it('keeps a query within the limit as it is', () => {
      expect(clipQuery('Иванова')).toEqual({ text: 'Иванова', truncated: false });
      expect(clipQuery('я'.repeat(MAX_QUERY_LENGTH))).toEqual({ text: 'я'.repeat(MAX_QUERY_LENGTH), truncated: false });
    });

    it('cuts a longer paste to the limit and says so, never inside a surrogate pair', () => {
      expect(clipQuery('я'.repeat(MAX_QUERY_LENGTH + 1))).toEqual({ text: 'я'.repeat(MAX_QUERY_LENGTH), truncated: true });
      const emojiAtTheEdge = `${'я'.repeat(MAX_QUERY_LENGTH - 1)}😀`;
      expect(clipQuery(emojiAtTheEdge)).toEqual({ text: 'я'.repeat(MAX_QUERY_LENGTH - 1), truncated: true });
      expect(parseSearchQuery(clipQuery('Иванова '.repeat(100)).text)).toMatchObject({ kind: 'criteria', words: ['иванова'] });
    });
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
        // Only letters, marks and digits reach the FTS query: no quote, star, caret, colon or bracket.
        if (parsed.kind === 'criteria') expect(parsed.words.every((w) => /^[\p{L}\p{M}\p{N}]+$/u.test(w) && /[\p{L}\p{N}]/u.test(w))).toBe(true);
        if (parsed.kind === 'invalid' && parsed.problem === 'unsupported-characters') expect(parsed.characters?.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

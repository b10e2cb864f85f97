import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldName, nameMatchesWords, nameSortKey, nameTokens, surnameKeyStartsWith } from './name-folding';

describe('foldName', () => {
  it('lower-cases, folds ё/Ё to е, trims and collapses whitespace', () => {
    expect(foldName('  ФЁДОРОВА   Алёна\tСемёновна ')).toBe('федорова алена семеновна');
    expect(foldName('Ёлкин')).toBe('елкин');
  });

  it('keeps hyphens and й in the folded string', () => {
    expect(foldName('Римская-Корсакова')).toBe('римская-корсакова');
    expect(foldName('Сергей')).toBe('сергей');
  });

  it('treats composed and decomposed ё the same', () => {
    expect(foldName('Але\u0308на')).toBe('алена');
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => foldName(foldName(s)) === foldName(s)));
  });
});

describe('nameTokens', () => {
  it('splits hyphenated surnames so either half is searchable', () => {
    expect(nameTokens('Римская-Корсакова')).toEqual(['римская', 'корсакова']);
  });

  it('splits at apostrophes and spaces, folds Latin diacritics like the FTS tokenizer', () => {
    expect(nameTokens("O'Neil José")).toEqual(['o', 'neil', 'jose']);
  });

  it('returns nothing for punctuation only', () => {
    expect(nameTokens(' - \' ')).toEqual([]);
  });
});

describe('nameSortKey and matching', () => {
  const key = nameSortKey({ surname: 'Римская-Корсакова', givenName: 'Алёна', patronymic: 'Петровна' });

  it('builds surname|given|patronymic folded', () => {
    expect(key).toBe('римская-корсакова|алена|петровна');
    expect(nameSortKey({ surname: 'Ли', givenName: 'Анна', patronymic: null })).toBe('ли|анна|');
  });

  it('sorts a shorter surname before its extensions', () => {
    const a = nameSortKey({ surname: 'Иван', givenName: 'Яков', patronymic: null });
    const b = nameSortKey({ surname: 'Иванов', givenName: 'Андрей', patronymic: null });
    expect(a < b).toBe(true);
  });

  it('matches every word as a prefix of some name part, in any order', () => {
    expect(nameMatchesWords(key, ['корсакова'])).toBe(true);
    expect(nameMatchesWords(key, ['римская'])).toBe(true);
    expect(nameMatchesWords(key, ['ален', 'корс'])).toBe(true);
    expect(nameMatchesWords(key, ['петр', 'р'])).toBe(true);
    expect(nameMatchesWords(key, ['ивано'])).toBe(false);
    expect(nameMatchesWords(key, ['корсакова', 'ивано'])).toBe(false);
  });

  it('knows which words hit the surname', () => {
    expect(surnameKeyStartsWith(key, 'корс')).toBe(true);
    expect(surnameKeyStartsWith(key, 'ален')).toBe(false);
  });
});

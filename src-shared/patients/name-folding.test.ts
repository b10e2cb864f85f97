import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldName, nameMatchesWords, nameMatchRank, nameSortKey, nameTokens, type PersonName } from './name-folding';

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

});

describe('nameMatchRank', () => {
  const person = (full: string): PersonName => {
    const [surname = '', givenName = '', patronymic = null] = full.split(' ');
    return { surname, givenName, patronymic };
  };
  /** The names in the order the rank puts them (ties keep the given order). */
  const ranked = (query: string, names: string[]) => {
    const words = nameTokens(query);
    return names
      .map((name) => ({ name, rank: nameMatchRank(nameSortKey(person(name)), words) }))
      .filter((entry): entry is { name: string; rank: number } => entry.rank !== null)
      .sort((a, b) => a.rank - b.rank)
      .map((entry) => entry.name);
  };

  it('puts the surname first whatever the word order: "Александр Петров" finds Петров Александр first', () => {
    const names = [
      'Александрова Виктория Петровна',
      'Иванов Александр Петрович',
      'Петрова Александра Ивановна',
      'Петров-Овчинников Матвей Александрович',
      'Петров Николай Александрович',
      'Петров Александр Андреевич',
    ];
    const expected = [
      'Петров Александр Андреевич', // whole surname + both words whole
      'Петров Николай Александрович', // whole surname, patronymic by prefix
      'Петров-Овчинников Матвей Александрович', // one half of the surname
      'Петрова Александра Ивановна', // surname by prefix, given name by prefix
      'Александрова Виктория Петровна', // surname by prefix, patronymic by prefix
      'Иванов Александр Петрович', // no word is the surname
    ];
    expect(ranked('Александр Петров', names)).toEqual(expected);
    expect(ranked('петров александр', [...names].reverse())).toEqual(expected);
  });

  it('counts either half of a hyphenated surname as a surname word, after a whole surname', () => {
    const names = ['Иванова Корсакова Петровна', 'Корсакова-Белая Ольга Ивановна', 'Корсакова Алёна Петровна', 'Римская-Корсакова Алёна Петровна'];
    expect(ranked('Корсакова', names)).toEqual([
      'Корсакова Алёна Петровна', // the whole surname
      'Корсакова-Белая Ольга Ивановна', // a half, and the surname starts with it
      'Римская-Корсакова Алёна Петровна', // the second half
      'Иванова Корсакова Петровна', // not the surname
    ]);
    expect(ranked('Римская Корсакова', names)).toEqual(['Римская-Корсакова Алёна Петровна']);
    // A surname that starts with the word before one whose second half does.
    expect(ranked('Корс', ['Римская-Корсакова Алёна Петровна', 'Корсаковская Ольга Ивановна'])).toEqual([
      'Корсаковская Ольга Ивановна',
      'Римская-Корсакова Алёна Петровна',
    ]);
  });

  it('ranks a surname prefix before a whole given name, and a given name before a patronymic', () => {
    expect(ranked('Петр', ['Иванова Мария Петровна', 'Семёнов Пётр Ильич', 'Петров Иван Андреевич'])).toEqual([
      'Петров Иван Андреевич',
      'Семёнов Пётр Ильич',
      'Иванова Мария Петровна',
    ]);
    expect(ranked('Смирнова Ал', ['Смирнова Мария Алексеевна', 'Смирнова Алла Ивановна'])).toEqual(['Смирнова Алла Ивановна', 'Смирнова Мария Алексеевна']);
  });

  it('does not count a word that matched the surname again for the given name', () => {
    // "Ив" is the surname's start for both; it does not make Иван a better match than Александр.
    const rank = (full: string) => nameMatchRank(nameSortKey(person(full)), ['ив']);
    expect(rank('Иванов Иван Ильич')).toBe(rank('Иванов Александр Ильич'));
  });

  it('is null when a word matches no part of the name', () => {
    expect(nameMatchRank('петров|александр|', ['петров', 'иван'])).toBeNull();
    expect(nameMatchRank('петров|александр|', [])).toBe(0);
  });
});

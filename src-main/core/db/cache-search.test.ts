import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { syntheticPatients } from '../demo/synthetic-patients';
import { CacheRepository } from './cache-repository';
import { SEARCH_CANDIDATE_LIMIT } from './cache-search';
import { randomKey, tempDatabasePath, testCard } from './test-support';

// The search's ranking, СНИЛС, characters that cannot match and the capped count (issue 10,
// item 8). The grammar's own cases are in src-shared/patients/search-query.test.ts; the
// basic forms (phone, policy, date, prefixes) in cache-repository.test.ts.

const open: CacheRepository[] = [];
afterEach(() => {
  for (const repo of open.splice(0)) repo.close();
});

function repository(searchCandidateLimit?: number): CacheRepository {
  const repo = CacheRepository.open({ path: tempDatabasePath('cache.db'), key: randomKey(), cacheSizeMb: 8, ...(searchCandidateLimit ? { searchCandidateLimit } : {}) });
  open.push(repo);
  return repo;
}

let nextId = 1;
/** A card named `Surname Given Patronymic` (the patronymic may be left out). */
function card(name: string, patch: Partial<PatientCard> = {}): PatientCard {
  const id = nextId++;
  const [surname = '', givenName = '', patronymic = null] = name.split(' ');
  const national10 = `926${String(id).padStart(7, '0')}`;
  return testCard(id, {
    misId: `S-${id}`,
    surname,
    givenName,
    patronymic,
    birthDate: '1980-01-01',
    sex: 'unknown',
    phones: [{ e164: `+7${national10}`, national10, kind: 'mobile' }],
    ...patch,
  });
}

const fullName = (c: PatientCard) => [c.surname, c.givenName, c.patronymic].filter(Boolean).join(' ');
const names = (repo: CacheRepository, query: string, limit = 50) => repo.search(query, { limit }).items.map(fullName);

describe('ranking on the demo clinic (20,000 synthetic cards, seed 1)', () => {
  const demo: { repo?: CacheRepository; cards?: PatientCard[] } = {};
  beforeAll(() => {
    demo.cards = [...syntheticPatients({ count: 20_000, seed: 1 })];
    demo.repo = CacheRepository.open({ path: tempDatabasePath('cache.db'), key: randomKey(), cacheSizeMb: 32 });
    demo.repo.bulkLoad(demo.cards);
    return () => demo.repo?.close();
  });

  it('"Александр Петров" lists every Петров Александр first (it was 20th of 51), in either word order', () => {
    const petrovAlexanders = demo.cards!.filter((c) => c.surname === 'Петров' && c.givenName === 'Александр').length;
    expect(petrovAlexanders).toBeGreaterThan(5);
    for (const query of ['Александр Петров', 'петров александр', 'ПЕТРОВ АЛЕКСАНДР']) {
      const result = demo.repo!.search(query, { limit: 200 });
      expect(result).toMatchObject({ complete: true, moreThanTotal: false });
      const found = result.items.map(fullName);
      expect(found.slice(0, petrovAlexanders).every((name) => name.startsWith('Петров Александр '))).toBe(true);
      // Then the other Петров (an Александр… patronymic), before Петрова and names where Петров is no surname.
      const firstOther = found.findIndex((name) => !name.startsWith('Петров '));
      expect(found.slice(petrovAlexanders, firstOther).every((name) => / Александрович$/.test(name))).toBe(true);
      expect(found.findLastIndex((name) => name.startsWith('Петров '))).toBeLessThan(found.findIndex((name) => name.startsWith('Петрова ')));
    }
  });

  it('a common surname fills the capped list with that surname first and says there are more than it shows', () => {
    const result = demo.repo!.search('Петров', { limit: 100 });
    expect(result).toMatchObject({ total: SEARCH_CANDIDATE_LIMIT, complete: false, moreThanTotal: true });
    expect(result.items.map((c) => c.surname)).toEqual(Array(100).fill('Петров'));
  });

  it('finds a patient by СНИЛС typed in any common way', () => {
    const patient = demo.cards![4242]!;
    expect(patient.snils).toBe('00100524243');
    for (const query of ['001-005-242 43', '001 005 242 43', '00100524243', '001-005-242-43']) {
      const result = demo.repo!.search(query);
      expect(result.items.map((c) => c.misId), query).toEqual([patient.misId]);
      expect(result.query).toMatchObject({ kind: 'identifier', asSnils: true, asPhone: false });
    }
    expect(demo.repo!.search('001-005-242 44').items).toEqual([]);
  });
});

describe('ranking within the candidate bound', () => {
  it('ranks an exact surname, then a half of a hyphenated one, then surname prefixes, then other name parts', () => {
    const repo = repository();
    repo.applyCards(
      ['Корсаковская Алла', 'Римская-Корсакова Алёна Петровна', 'Иванова Корсакова', 'Корсакова Мария Ивановна', 'Корсакова-Белая Ольга'].map((name) => card(name)),
    );
    expect(names(repo, 'Корсакова')).toEqual(['Корсакова Мария Ивановна', 'Корсакова-Белая Ольга', 'Римская-Корсакова Алёна Петровна', 'Иванова Корсакова']);
    expect(names(repo, 'корсак')).toEqual([
      'Корсакова Мария Ивановна',
      'Корсакова-Белая Ольга',
      'Корсаковская Алла',
      'Римская-Корсакова Алёна Петровна',
      'Иванова Корсакова',
    ]);
    expect(names(repo, 'Алёна Корсакова')).toEqual(['Римская-Корсакова Алёна Петровна']);
  });

  it('keeps whole-word matches among the candidates when a common prefix has more matches than the bound', () => {
    const repo = repository(10);
    // Thirty earlier cards match the prefixes `петров*` and `александр*` but not the whole words.
    repo.applyCards(Array.from({ length: 30 }, (_, i) => card(`Петрова Александра ${['Ивановна', 'Петровна', 'Олеговна'][i % 3]}`)));
    repo.applyCards([card('Петров Александр Ильич'), card('Петров Александр Юрьевич')]);
    const result = repo.search('Александр Петров', { limit: 3 });
    expect(result).toMatchObject({ total: 10, complete: false, moreThanTotal: true });
    expect(result.items.map(fullName)).toEqual(['Петров Александр Ильич', 'Петров Александр Юрьевич', 'Петрова Александра Ивановна']);
  });

  it('does not claim "more than" when the capped candidates were filtered (name + phone digits)', () => {
    const repo = repository(5);
    const endingIn4567 = (i: number) => {
      const national10 = `9160${String(i).padStart(2, '0')}4567`;
      return { phones: [{ e164: `+7${national10}`, national10, kind: 'mobile' as const }] };
    };
    // Twelve numbers end in 4567; the bound examines five of them, of which one or two are Иванова.
    repo.applyCards(Array.from({ length: 12 }, (_, i) => card(i % 4 === 0 ? 'Иванова Анна' : 'Смирнова Анна', endingIn4567(i))));
    const result = repo.search('Иванова 4567');
    expect(result.complete).toBe(false);
    expect(result.moreThanTotal).toBe(false);
    expect(result.total).toBeLessThan(5);
  });
});

describe('СНИЛС', () => {
  it('is found with or without punctuation; an 11-digit number starting with 7 or 8 is tried as a phone too, exact matches first', () => {
    const repo = repository();
    const bySnils = card('Орлова Вера', { snils: '79161234511' });
    const byPhone = card('Зайцев Олег', { phones: [{ e164: '+79161234511', national10: '9161234511', kind: 'mobile' }] });
    const bySuffix = card('Белова Нина', { phones: [{ e164: '+375279161234511', national10: '9161234511', kind: 'mobile' }] });
    const other = card('Крылов Иван', { snils: '11223344595' });
    repo.applyCards([bySuffix, bySnils, byPhone, other]);
    // The full number and the СНИЛС are exact matches (alphabetical among themselves), then the phone ending in these digits.
    expect(repo.search('79161234511').items.map((c) => c.misId)).toEqual([byPhone.misId, bySnils.misId, bySuffix.misId]);
    expect(repo.search('+7 (916) 123-45-11').items.map((c) => c.misId)).not.toContain(bySnils.misId);
    expect(repo.search('791-612-345 11').items.map((c) => c.misId)).toEqual([bySnils.misId]);
    expect(repo.search('112-233-445 95').items.map((c) => c.misId)).toEqual([other.misId]);
    expect(repo.search('11223344595').items.map((c) => c.misId)).toEqual([other.misId]);
    expect(repo.search('11223344595').query).toMatchObject({ asSnils: true, asPhone: false });
  });
});

describe('characters that cannot match', () => {
  function seeded() {
    const repo = repository();
    repo.applyCards([card('Петров Иван Ильич'), card('Иванова Ольга'), card('Orlov Ivan')]);
    return repo;
  }

  it.each(['"', '*', '"*"', '(', '%', '😀', '^', ':', '-'])('%s alone says which characters are not used instead of an empty list', (text) => {
    const result = seeded().search(text);
    expect(result).toMatchObject({ items: [], total: 0, query: { kind: 'invalid', problem: 'unsupported-characters' } });
  });

  it('searches the rest of the query and lists what it did not use', () => {
    const repo = seeded();
    expect(names(repo, '"Петров"')).toEqual(['Петров Иван Ильич']);
    expect(names(repo, 'Петр*')).toEqual(['Петров Иван Ильич']);
    expect(repo.search('Петр*').query).toMatchObject({ kind: 'criteria', ignored: ['*'] });
    expect(names(repo, 'Иванова 😀')).toEqual(['Иванова Ольга']);
  });

  it('never runs typed FTS5 syntax: operators, column filters, NEAR and carets are words or dropped', () => {
    const repo = seeded();
    // Were these FTS5 syntax, they would match both cards, throw, or match a column.
    expect(names(repo, 'Петров OR Иванова')).toEqual([]);
    expect(names(repo, 'Петров NOT Иван')).toEqual([]);
    expect(names(repo, 'NEAR(Петров Иван)')).toEqual([]);
    expect(names(repo, 'name_key:петров')).toEqual([]);
    expect(names(repo, '^Петров')).toEqual(['Петров Иван Ильич']);
    expect(names(repo, 'петров" OR "иванова')).toEqual([]);
    expect(names(repo, '{name_key}: петров')).toEqual([]);
    // A Latin word that happens to be an FTS keyword prefix is a name prefix like any other.
    expect(names(repo, 'or')).toEqual(['Orlov Ivan']);
  });
});

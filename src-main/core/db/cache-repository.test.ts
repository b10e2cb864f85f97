import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { syntheticPatients } from '../demo/synthetic-patients';
import { CacheRepository, OPENED_RESOLUTION_MS, QUARANTINE_EXCERPT_LENGTH } from './cache-repository';
import { DatabaseError } from './database-error';
import { CACHE_PAGE_SIZE } from './cache-bulk-load';
import { decryptDatabaseFiles, randomKey, tempDatabasePath, testCard } from './test-support';

const open: CacheRepository[] = [];
afterEach(() => {
  for (const repo of open.splice(0)) repo.close();
});

function repository(path = tempDatabasePath('cache.db'), key = randomKey()): CacheRepository {
  const repo = CacheRepository.open({ path, key, cacheSizeMb: 8, now: () => 1_700_000_000_000 });
  open.push(repo);
  return repo;
}

let nextId = 1;
function card(patch: Partial<PatientCard> = {}): PatientCard {
  return testCard(nextId++, patch);
}

const mobile = (national10: string, kind: PatientCard['phones'][number]['kind'] = 'mobile') => ({ e164: `+7${national10}`, national10, kind });

describe('CacheRepository writes', () => {
  it('inserts, then updates only with a newer version (idempotent by misId + version)', () => {
    const repo = repository();
    const v1 = card({ misId: 'P-1', version: 1 });
    expect(repo.applyCards([v1])).toEqual({ inserted: 1, updated: 0, skipped: 0 });
    expect(repo.applyCards([v1])).toEqual({ inserted: 0, updated: 0, skipped: 1 });
    const v3 = { ...v1, version: 3, givenName: 'Марина' };
    expect(repo.applyCards([v3])).toEqual({ inserted: 0, updated: 1, skipped: 0 });
    expect(repo.applyCards([{ ...v1, version: 2, givenName: 'Старое' }])).toEqual({ inserted: 0, updated: 0, skipped: 1 });
    expect(repo.getCard('P-1')).toEqual(v3);
    expect(repo.count()).toBe(1);
  });

  it('replaces phones and name index entries on update', () => {
    const repo = repository();
    const before = card({ misId: 'P-2', surname: 'Смирнова', phones: [mobile('9160000001')] });
    repo.applyCards([before]);
    repo.applyCards([{ ...before, version: 2, surname: 'Кузнецова', phones: [mobile('9160000002')] }]);
    expect(repo.byPhone('+79160000001')).toEqual([]);
    expect(repo.byPhone('+79160000002').map((c) => c.surname)).toEqual(['Кузнецова']);
    expect(repo.search('Смирнова').items).toEqual([]);
    expect(repo.search('Кузнецова').items.map((c) => c.misId)).toEqual(['P-2']);
  });

  it('deletes cards with their phones and index entries', () => {
    const repo = repository();
    repo.applyCards([card({ misId: 'P-3', surname: 'Орлова', phones: [mobile('9160000003')] }), card({ misId: 'P-4' })]);
    expect(repo.deleteCards(['P-3', 'P-unknown'])).toBe(1);
    expect(repo.getCard('P-3')).toBeNull();
    expect(repo.byPhone('9160000003')).toEqual([]);
    expect(repo.search('Орлова').items).toEqual([]);
    expect(repo.count()).toBe(1);
  });

  it('applies a page and its cursor atomically: a failure leaves both untouched', () => {
    const repo = repository();
    repo.applyChanges({ upserts: [card({ misId: 'P-5' })], deletes: [], cursor: { stream: 'demo:patients', cursor: 'c1' } });
    expect(repo.getCursor('demo:patients')).toBe('c1');
    const broken = { ...card({ misId: 'P-6' }), birthDate: '12.03.1985' };
    expect(() => repo.applyChanges({ upserts: [card({ misId: 'P-7' }), broken], deletes: ['P-5'], cursor: { stream: 'demo:patients', cursor: 'c2' } })).toThrow(/CHECK/);
    expect(repo.getCursor('demo:patients')).toBe('c1');
    expect(repo.getCard('P-7')).toBeNull();
    expect(repo.getCard('P-5')).not.toBeNull();
  });

  it('says when the last page was committed ("data as of"); the pop warm-up reads a stored card and changes nothing', () => {
    let now = Date.UTC(2026, 10, 30, 9, 0);
    const repo = CacheRepository.open({ path: tempDatabasePath('cache.db'), key: randomKey(), cacheSizeMb: 8, now: () => now });
    open.push(repo);
    expect(repo.lastSyncedAt()).toBeNull();
    expect(repo.warmScreenPop()).toEqual([]);
    const caller = card({ misId: 'P-8' });
    repo.applyChanges({ upserts: [caller], deletes: [], cursor: { stream: 'demo:patients', cursor: 'c1' } });
    now += 60_000;
    repo.applyChanges({ upserts: [], deletes: [], cursor: { stream: 'demo:other', cursor: 'x' } });
    expect(repo.lastSyncedAt()).toBe(now);
    expect(repo.warmScreenPop().map((c) => c.misId)).toEqual(['P-8']);
    expect(repo.count()).toBe(1);
    expect(repo.byPhone(caller.phones[0]!.e164).map((c) => c.misId)).toEqual(['P-8']);
  });

  it('keeps only an excerpt of a quarantined payload', () => {
    const repo = repository();
    repo.quarantine({ stream: 'demo:patients', reason: 'phone is not a number', payload: 'x'.repeat(10_000) });
    const row = repo.connection.prepare<[], { stream: string; reason: string; n: number; at: number }>(
      'SELECT stream, reason, length(payload_excerpt) AS n, at FROM quarantine',
    ).get();
    expect(row).toEqual({ stream: 'demo:patients', reason: 'phone is not a number', n: QUARANTINE_EXCERPT_LENGTH, at: 1_700_000_000_000 });
  });
});

describe('CacheRepository.byPhone', () => {
  it('finds a card from any common way of writing the number', () => {
    const repo = repository();
    repo.applyCards([card({ misId: 'P-10', phones: [mobile('9161234567')] })]);
    for (const raw of ['8 (916) 123-45-67', '+7 916 1234567', '79161234567', '9161234567']) {
      expect(repo.byPhone(raw).map((c) => c.misId)).toEqual(['P-10']);
    }
    expect(repo.byPhone('garbage')).toEqual([]);
    expect(repo.byPhone('+79990000000')).toEqual([]);
  });

  it('lists every card sharing a number, own numbers before a relative’s, then by name', () => {
    const repo = repository();
    repo.applyCards([
      card({ misId: 'child', surname: 'Яковлева', givenName: 'Вера', phones: [mobile('9165550000', 'relative')] }),
      card({ misId: 'mother', surname: 'Яковлева', givenName: 'Анна', phones: [mobile('9165550000')] }),
      card({ misId: 'father', surname: 'Абрамов', givenName: 'Олег', phones: [mobile('9165550000', 'home')] }),
    ]);
    expect(repo.byPhone('8 916 555 00 00').map((c) => c.misId)).toEqual(['mother', 'father', 'child']);
  });

  it('finds Kazakh numbers, which share +7', () => {
    const repo = repository();
    repo.applyCards([card({ misId: 'kz', surname: 'Каиров', givenName: 'Ержан', phones: [mobile('7011234567')] })]);
    expect(repo.byPhone('+7 701 123 45 67').map((c) => c.misId)).toEqual(['kz']);
  });
});

describe('CacheRepository.search', () => {
  function seeded() {
    const repo = repository();
    repo.applyCards([
      card({ misId: 'ivanova-m', surname: 'Иванова', givenName: 'Мария', patronymic: 'Петровна', birthDate: '1985-03-12', phones: [mobile('9161110001')], omsPolicy: '7700123456789012', snils: '11223344595' }),
      card({ misId: 'ivanova-a', surname: 'Иванова', givenName: 'Алёна', patronymic: 'Сергеевна', birthDate: '1990-07-01', phones: [mobile('9161114567')] }),
      card({ misId: 'ivanov-i', surname: 'Иванов', givenName: 'Игорь', patronymic: 'Иванович', birthDate: '1985-11-30', phones: [mobile('9162224567')] }),
      card({ misId: 'rk', surname: 'Римская-Корсакова', givenName: 'Алена', patronymic: 'Петровна', birthDate: '1972-01-05', phones: [mobile('9163330000')] }),
      card({ misId: 'kz', surname: 'Каиров', givenName: 'Ержан', patronymic: 'Нурланович', birthDate: '1979-09-09', phones: [mobile('7011234567')] }),
      card({ misId: 'semenov', surname: 'Семёнов', givenName: 'Пётр', patronymic: null, birthDate: '2001-02-03', phones: [] }),
      card({ misId: 'petrov', surname: 'Петров', givenName: 'Иван', patronymic: 'Андреевич', birthDate: '1985-05-05', phones: [] }),
    ]);
    return repo;
  }
  const ids = (repo: CacheRepository, q: string) => repo.search(q).items.map((c) => c.misId);

  it('finds by full phone in any format and by the last digits', () => {
    const repo = seeded();
    expect(ids(repo, '8 (916) 111-00-01')).toEqual(['ivanova-m']);
    expect(ids(repo, '4567')).toEqual(['ivanov-i', 'ivanova-a', 'kz']);
    expect(ids(repo, '14567')).toEqual(['ivanova-a']);
  });

  it('finds by ОМС policy (16 digits)', () => {
    const repo = seeded();
    expect(ids(repo, '7700 1234 5678 9012')).toEqual(['ivanova-m']);
    expect(ids(repo, '7700 1234 5678 9013')).toEqual([]);
  });

  it('finds by birth date', () => {
    const repo = seeded();
    expect(ids(repo, '12.03.1985')).toEqual(['ivanova-m']);
    expect(ids(repo, '1985-11-30')).toEqual(['ivanov-i']);
  });

  it('matches name prefixes order-free, with ё/е and case folded', () => {
    const repo = seeded();
    expect(ids(repo, 'Ерж Каир')).toEqual(['kz']);
    expect(ids(repo, 'каир ерж')).toEqual(['kz']);
    expect(ids(repo, 'Иванов И')).toEqual(['ivanov-i', 'ivanova-a', 'ivanova-m']);
    expect(ids(repo, 'алена')).toEqual(['ivanova-a', 'rk']);
    expect(ids(repo, 'АЛЁНА')).toEqual(['ivanova-a', 'rk']);
    expect(ids(repo, 'семенов петр')).toEqual(['semenov']);
  });

  it('finds hyphenated surnames by either half', () => {
    const repo = seeded();
    expect(ids(repo, 'Корсакова')).toEqual(['rk']);
    expect(ids(repo, 'Римская')).toEqual(['rk']);
    expect(ids(repo, 'Римская-Корсакова Ал')).toEqual(['rk']);
  });

  it('ranks surname matches before other name parts, and a whole given name before a patronymic', () => {
    const repo = seeded();
    // "Иван" is the start of the surnames Иванов/Иванова, of the patronymic Иванович and the given name Иван.
    expect(ids(repo, 'Иван')).toEqual(['ivanov-i', 'ivanova-a', 'ivanova-m', 'petrov']);
    // "Петр": the surname Петров, then the given name Пётр, then the patronymics Петровна.
    expect(ids(repo, 'Петр')).toEqual(['petrov', 'semenov', 'ivanova-m', 'rk']);
  });

  it('combines name words with a birth year, a birth date or phone digits', () => {
    const repo = seeded();
    expect(ids(repo, 'Иванова 1985')).toEqual(['ivanova-m']);
    expect(ids(repo, 'Иван 1985')).toEqual(['ivanov-i', 'ivanova-m', 'petrov']);
    expect(ids(repo, 'Иванова 12.03.1985')).toEqual(['ivanova-m']);
    expect(ids(repo, 'Иванова 01.07.1990')).toEqual(['ivanova-a']);
    expect(ids(repo, 'Иванов 4567')).toEqual(['ivanov-i', 'ivanova-a']);
    expect(ids(repo, 'Каиров 1985')).toEqual([]);
  });

  it('explains empty and invalid queries instead of guessing', () => {
    const repo = seeded();
    expect(repo.search('  ')).toMatchObject({ query: { kind: 'empty' }, items: [], total: 0, complete: true });
    expect(repo.search('12')).toMatchObject({ query: { kind: 'invalid', problem: 'too-few-digits' }, items: [] });
    expect(ids(repo, 'Жжжжжж')).toEqual([]);
  });

  it('pages through results and flags a capped candidate set as incomplete', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const repo = CacheRepository.open({ path, key, cacheSizeMb: 8, searchCandidateLimit: 5 });
    open.push(repo);
    repo.applyCards(Array.from({ length: 12 }, (_, i) => card({ misId: `s-${i}`, surname: 'Смирнова', givenName: `Анна${'абвгдежзиклм'[i]}` })));
    const first = repo.search('Смирнова', { limit: 2 });
    expect(first).toMatchObject({ total: 5, complete: false });
    expect(first.items).toHaveLength(2);
    const second = repo.search('Смирнова', { limit: 2, offset: 2 });
    expect(second.items.map((c) => c.misId)).not.toEqual(first.items.map((c) => c.misId));
    expect(repo.search('Смирнова', { limit: 2, offset: 10 }).items).toEqual([]);
    expect(repo.search('Смирнова Аннаа').complete).toBe(true);
  });

  it('expands long prefixes into exact terms and keeps short ones on the prefix index', () => {
    const repo = seeded();
    type Expressions = { prefix: string; whole: string | null } | null;
    const search = (repo as unknown as { searcher: { ftsExpressions(words: string[]): Expressions } }).searcher;
    expect(search.ftsExpressions(['ив'])).toEqual({ prefix: '"ив"*', whole: null });
    // `иван` is a term itself (the given name Иван): the whole-word query looks up only it.
    expect(search.ftsExpressions(['иван'])).toEqual({ prefix: '("иван" OR "иванов" OR "иванова" OR "иванович")', whole: '"иван"' });
    expect(search.ftsExpressions(['корс', 'ал'])).toEqual({ prefix: '"корсакова" AND "ал"*', whole: null });
    expect(search.ftsExpressions(['петров', 'ал'])).toEqual({ prefix: '("петров" OR "петровна") AND "ал"*', whole: '"петров" AND "ал"*' });
    expect(search.ftsExpressions(['жжжж'])).toBeNull();
    expect(search.ftsExpressions(['жж'])).toBeNull();
  });
});

describe('CacheRepository.bulkLoad', () => {
  it('replaces the whole cache in one swap, with its cursor, and leaves no temporary files', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const repo = repository(path, key);
    repo.applyCards([card({ misId: 'old', surname: 'Старая' })]);
    const cards = [...syntheticPatients({ count: 500, seed: 3 })];
    const progress: number[] = [];
    const report = repo.bulkLoad(cards, { cursor: { stream: 'demo:patients', cursor: 'snap-1' }, onProgress: (n) => progress.push(n) });
    expect(report).toMatchObject({ cards: 500, duplicatesDropped: 0, rejectedCount: 0, rejected: [] });
    expect(progress.at(-1)).toBe(500);
    expect(repo.count()).toBe(500);
    expect(repo.getCard('old')).toBeNull();
    expect(repo.getCursor('demo:patients')).toBe('snap-1');
    const sample = cards[123]!;
    expect(repo.getCard(sample.misId)).toEqual(sample);
    if (sample.phones[0]) expect(repo.byPhone(sample.phones[0].e164).map((c) => c.misId)).toContain(sample.misId);
    expect(repo.search(`${sample.surname} ${sample.givenName}`).items.map((c) => c.misId)).toContain(sample.misId);
    expect(readdirSync(dirname(path)).sort()).toEqual(['cache.db', 'cache.db-shm', 'cache.db-wal']);
    expect(repo.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    // Reopened after the swap with what every cache connection has: deleted text is zeroed.
    expect(repo.connection.pragma('secure_delete', { simple: true })).toBe(1);
  });

  it('recreates exactly the indexes the migrations define', () => {
    const fresh = repository();
    const indexes = (r: CacheRepository) => r.connection.prepare<[], string>("SELECT name || ':' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1").pluck().all();
    const loaded = repository();
    loaded.bulkLoad(syntheticPatients({ count: 50, seed: 4 }));
    expect(indexes(loaded)).toEqual(indexes(fresh));
  });

  it('keeps the highest version when a page repeats a card', () => {
    const repo = repository();
    const a1 = card({ misId: 'dup', version: 1, givenName: 'Первая' });
    const a3 = { ...a1, version: 3, givenName: 'Третья', phones: [mobile('9169990003')] };
    const a2 = { ...a1, version: 2, givenName: 'Вторая', phones: [mobile('9169990002')] };
    const report = repo.bulkLoad([a1, a3, card({ misId: 'other' }), a2]);
    expect(report).toMatchObject({ cards: 2, duplicatesDropped: 2 });
    expect(repo.getCard('dup')?.givenName).toBe('Третья');
    expect(repo.byPhone('9169990002')).toEqual([]);
    expect(repo.byPhone('9169990003').map((c) => c.misId)).toEqual(['dup']);
  });

  it('skips and reports cards that break the shape rules instead of failing the whole load', () => {
    const repo = repository();
    const good = card({ misId: 'good' });
    const badDate = { ...card({ misId: 'bad-date' }), birthDate: '12.03.1985' };
    const badPhone = card({ misId: 'bad-phone', phones: [{ e164: '89161234567', national10: '9161234567', kind: 'mobile' }] });
    const badVersion = { ...card({ misId: 'bad-version' }), version: -1 };
    const report = repo.bulkLoad([good, badDate, badPhone, badVersion]);
    expect(report.cards).toBe(1);
    expect(report.rejectedCount).toBe(3);
    expect(report.rejected).toEqual([
      { misId: 'bad-date', reason: 'birthDate is not YYYY-MM-DD' },
      { misId: 'bad-phone', reason: 'a phone is not E.164' },
      { misId: 'bad-version', reason: 'version is not a non-negative integer' },
    ]);
    expect(repo.getCard('good')).toEqual(good);
    expect(repo.getCard('bad-date')).toBeNull();
  });

  it('leaves the live cache untouched when the load fails midway', () => {
    const path = tempDatabasePath('cache.db');
    const repo = repository(path, randomKey());
    repo.applyCards([card({ misId: 'kept' })]);
    function* failing() {
      yield* syntheticPatients({ count: 10, seed: 5 });
      throw new Error('MIS connection reset');
    }
    expect(() => repo.bulkLoad(failing())).toThrow('MIS connection reset');
    expect(repo.getCard('kept')).not.toBeNull();
    expect(repo.count()).toBe(1);
    expect(existsSync(`${path}.loading`)).toBe(false);
  });

  it('opens a loaded cache again with the same key, and not with another', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const repo = repository(path, key);
    repo.bulkLoad(syntheticPatients({ count: 20, seed: 6 }));
    repo.close();
    expect(repository(path, key).count()).toBe(20);
    expect(() => CacheRepository.open({ path, key: randomKey() })).toThrow(DatabaseError);
  });
});

describe('CacheRepository retention: last use, removal, scrub', () => {
  function clocked(start: number) {
    const clock = { t: start };
    const repo = CacheRepository.open({ path: tempDatabasePath('cache.db'), key: randomKey(), cacheSizeMb: 8, now: () => clock.t });
    open.push(repo);
    return { repo, clock };
  }
  const T0 = 1_700_000_000_000;

  it('counts a card as synced whenever the MIS delivers it — new, changed, or the same again — and as opened when the desk shows it', () => {
    const { repo, clock } = clocked(T0);
    const v1 = card({ misId: 'U-1' });
    repo.applyCards([v1]);
    expect(repo.cardUse('U-1')).toEqual({ syncedAt: T0, openedAt: null });
    clock.t = T0 + 1_000;
    repo.applyCards([v1]); // an unchanged re-delivery (a full pass): skipped, yet synced
    expect(repo.cardUse('U-1')).toEqual({ syncedAt: T0 + 1_000, openedAt: null });
    clock.t = T0 + 2_000;
    repo.applyCards([{ ...v1, version: 2 }]);
    expect(repo.cardUse('U-1')?.syncedAt).toBe(T0 + 2_000);

    repo.markOpened('U-1', T0 + 5_000);
    expect(repo.cardUse('U-1')?.openedAt).toBe(T0 + 5_000);
    // Reopened within the hour: not rewritten; an hour later it is.
    repo.markOpened('U-1', T0 + 5_000 + OPENED_RESOLUTION_MS - 1);
    expect(repo.cardUse('U-1')?.openedAt).toBe(T0 + 5_000);
    repo.markOpened('U-1', T0 + 5_000 + OPENED_RESOLUTION_MS + 1);
    expect(repo.cardUse('U-1')?.openedAt).toBe(T0 + 5_000 + OPENED_RESOLUTION_MS + 1);
    repo.markOpened('not-cached', T0);
    expect(repo.cardUse('not-cached')).toBeNull();
  });

  it('a bulk load counts every card as synced at the load', () => {
    const { repo } = clocked(T0);
    repo.bulkLoad(syntheticPatients({ count: 20, seed: 12 }));
    expect(repo.connection.prepare('SELECT DISTINCT synced_at FROM patients').pluck().all()).toEqual([T0]);
    expect(repo.connection.prepare('SELECT count(*) FROM patients WHERE opened_at IS NOT NULL').pluck().get()).toBe(0);
  });

  it('removes only cards neither synced nor opened since the cutoff, a bounded batch at a time', () => {
    const { repo, clock } = clocked(T0);
    repo.applyCards([card({ misId: 'old-1' }), card({ misId: 'old-2' }), card({ misId: 'old-3' }), card({ misId: 'opened' })]);
    clock.t = T0 + 10_000;
    repo.applyCards([card({ misId: 'synced' })]);
    repo.markOpened('opened', T0 + 10_000);
    const cutoff = T0 + 5_000;
    expect(repo.removeUnusedSince(cutoff, 2).sort()).toHaveLength(2);
    expect(repo.removeUnusedSince(cutoff, 2)).toHaveLength(1);
    expect(repo.removeUnusedSince(cutoff, 2)).toEqual([]);
    expect(['old-1', 'old-2', 'old-3'].map((id) => repo.getCard(id))).toEqual([null, null, null]);
    expect(repo.getCard('opened')).not.toBeNull();
    expect(repo.getCard('synced')).not.toBeNull();
  });

  it('takes the quarantine rows about a removed card with it, not those of other cards or the schedule; ages rows out by time', () => {
    const { repo, clock } = clocked(T0);
    repo.applyCards([card({ misId: 'Q-1' })]);
    repo.quarantine({ stream: 'patients', reason: 'card Q-1: birthDate: bad', payload: '{"surname":"Щукина"}', recordId: 'Q-1' });
    repo.quarantine({ stream: 'patients', reason: 'card Q-2: birthDate: bad', payload: '{}', recordId: 'Q-2' });
    repo.quarantine({ stream: 'schedule.slots', reason: 'slot Q-1: startsAt: bad', payload: '{}', recordId: 'Q-1' });
    expect(repo.deleteCards(['Q-1'])).toBe(1);
    expect(repo.quarantined(10).items.map((item) => item.reason)).toEqual(['slot Q-1: startsAt: bad', 'card Q-2: birthDate: bad']);
    // A deletion for a card that was only ever refused still takes its quarantine row.
    expect(repo.deleteCards(['Q-2'])).toBe(0);
    expect(repo.quarantined(10).total).toBe(1);
    clock.t = T0 + 10_000;
    repo.quarantine({ stream: 'patients', reason: 'card Q-3: birthDate: bad', payload: '{}' });
    expect(repo.ageOutQuarantine(T0 + 5_000, 100)).toBe(1);
    expect(repo.quarantined(10).items.map((item) => item.reason)).toEqual(['card Q-3: birthDate: bad']);
  });

  it('owes a scrub after a removal; the scrub drops the removed words from the FTS index and name_terms, keeps everyone else searchable', () => {
    const { repo } = clocked(T0);
    repo.bulkLoad(syntheticPatients({ count: 300, seed: 13 }));
    repo.applyCards([card({ misId: 'S-1', surname: 'Щюрцбергова' }), card({ misId: 'S-2', surname: 'Щюрцберг' })]);
    expect(repo.removalsPending()).toBe(0);
    repo.deleteCards(['S-1']);
    const owed = repo.removalsPending();
    expect(owed).toBeGreaterThan(0);
    const terms = () => repo.connection.prepare("SELECT term FROM name_terms WHERE term LIKE 'щюрц%' ORDER BY term").pluck().all();
    expect(terms()).toEqual(['щюрцберг', 'щюрцбергова']);

    let steps = 0;
    for (let start = true; repo.scrubIndexStep(start); start = false) steps += 1;
    expect(steps).toBeGreaterThan(0);
    let after: string | null = null;
    do after = repo.pruneNameTermsStep(after);
    while (after !== null);
    repo.clearRemovalsPending(owed);
    expect(repo.removalsPending()).toBe(0);
    expect(terms()).toEqual(['щюрцберг']);
    expect(repo.search('Щюрцберг').items.map((c) => c.misId)).toEqual(['S-2']);
    const vocabulary = repo.connection.prepare("SELECT term FROM temp.patients_fts_terms WHERE term LIKE 'щюрц%'").pluck().all();
    expect(vocabulary).toEqual(['щюрцберг']);
    repo.connection.exec("INSERT INTO patients_fts (patients_fts) VALUES ('integrity-check')");
    const sample = [...syntheticPatients({ count: 300, seed: 13 })][42]!;
    expect(repo.search(`${sample.surname} ${sample.givenName}`).items.map((c) => c.misId)).toContain(sample.misId);
    expect(repo.checkpointTruncate()).toBe(true);
  });

  it('each stage takes its share of a removed card out of the decrypted file: the row delete its card and keys, the scrub its indexed words', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const repo = repository(path, key);
    repo.bulkLoad(syntheticPatients({ count: 300, seed: 14 }));
    repo.applyCards([card({ misId: 'X-1', surname: 'Щюрцбергова', phones: [mobile('9031230000')] })]);
    expect(repo.checkpointTruncate()).toBe(true);
    const plain = () => {
      const { file, wal } = decryptDatabaseFiles({ path, key, pageSize: CACHE_PAGE_SIZE });
      return Buffer.concat([file, wal]);
    };
    const has = (text: string) => plain().includes(Buffer.from(text));
    expect([has('Щюрцбергова'), has('щюрцбергова|'), has('юрцбергова'), has('+79031230000')]).toEqual([true, true, true, true]);

    repo.deleteCards(['X-1']);
    expect(repo.checkpointTruncate()).toBe(true);
    // secure_delete zeroed the card, its key row and phones; the FTS index and name_terms still hold the word.
    expect([has('Щюрцбергова'), has('щюрцбергова|'), has('+79031230000')]).toEqual([false, false, false]);
    expect(has('юрцбергова')).toBe(true);

    for (let start = true; repo.scrubIndexStep(start); start = false);
    const vocabulary = repo.connection.prepare("SELECT count(*) FROM temp.patients_fts_terms WHERE term = 'щюрцбергова'").pluck();
    expect(vocabulary.get()).toBe(0);
    let after: string | null = null;
    do after = repo.pruneNameTermsStep(after);
    while (after !== null);
    expect(repo.checkpointTruncate()).toBe(true);
    expect(has('юрцбергова')).toBe(false);
  });

  it('a removal during a scrub is owed again: the scrub only clears the count it started from', () => {
    const { repo } = clocked(T0);
    repo.applyCards([card({ misId: 'R-1' }), card({ misId: 'R-2' })]);
    repo.deleteCards(['R-1']);
    const seen = repo.removalsPending();
    repo.deleteCards(['R-2']);
    repo.clearRemovalsPending(seen);
    expect(repo.removalsPending()).toBeGreaterThan(seen);
  });

  it('a checkpoint never waits for a reader: it says no, and succeeds once the reader is done', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const repo = repository(path, key);
    const reader = repository(path, key);
    repo.applyCards([card({ misId: 'W-1' })]);
    reader.connection.exec('BEGIN');
    reader.count(); // holds a read snapshot
    repo.applyCards([card({ misId: 'W-2' })]);
    const started = performance.now();
    expect(repo.checkpointTruncate()).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
    reader.connection.exec('COMMIT');
    expect(repo.checkpointTruncate()).toBe(true);
    expect(readFileSync(`${path}-wal`).length).toBe(0);
  });
});

describe('query plans (EXPLAIN QUERY PLAN)', () => {
  const plan = (repo: CacheRepository, sql: string, ...params: unknown[]) =>
    repo.connection
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((row) => row.detail)
      .join('\n');
  const statementSource = (repo: CacheRepository, owner: 'statements' | 'searcher', name: string) =>
    ((repo as unknown as Record<string, Record<string, { source: string }>>)[owner]![name]!).source;

  it('byPhone is an index search of patient_phones, never a scan', () => {
    const repo = repository();
    repo.bulkLoad(syntheticPatients({ count: 200, seed: 8 }));
    const detail = plan(repo, statementSource(repo, 'statements', 'byPhone'), '76543216197', 50);
    expect(detail).toMatch(/SEARCH ph USING INDEX patient_phones_reversed \(reversed_digits=\?\)/);
    expect(detail).toMatch(/SEARCH c USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(detail).not.toMatch(/SCAN/);
  });

  it("the search's exact number and its suffix both use the reversed-digits index", () => {
    const repo = repository();
    const exact = plan(repo, statementSource(repo, 'searcher', 'phoneExact'), '76543216197', 10);
    expect(exact).toMatch(/SEARCH patient_phones USING COVERING INDEX patient_phones_reversed \(reversed_digits=\?\)/);
    const detail = plan(repo, statementSource(repo, 'searcher', 'phoneSuffix'), '7654', '7654:', 10);
    expect(detail).toMatch(/SEARCH patient_phones USING COVERING INDEX patient_phones_reversed \(reversed_digits>\? AND reversed_digits<\?\)/);
    expect(detail).not.toMatch(/SCAN/);
  });

  it('name search reads the FTS index and patients by id, never scanning patients', () => {
    const repo = repository();
    const fts = plan(repo, statementSource(repo, 'searcher', 'ftsMatch'), '"ив"*', 10);
    expect(fts).toMatch(/SCAN patients_fts VIRTUAL TABLE INDEX/);
    const row = plan(repo, statementSource(repo, 'searcher', 'row'), 1);
    expect(row).toMatch(/SEARCH patients USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    const terms = plan(repo, statementSource(repo, 'searcher', 'termRange'), 'иван', 'иван\u{10ffff}', 10);
    expect(terms).toMatch(/SEARCH name_terms USING PRIMARY KEY \(term>\? AND term<\?\)/);
  });

  it('the retention purge finds unused cards through the "last used" index, never a scan', () => {
    const repo = repository();
    repo.bulkLoad(syntheticPatients({ count: 200, seed: 9 }));
    const detail = plan(repo, statementSource(repo, 'statements', 'unusedSince'), 1_700_000_000_000, 100);
    expect(detail).toMatch(/SEARCH patients USING INDEX patients_last_used \(<expr><\?\)/);
    expect(detail).not.toMatch(/SCAN/);
    expect(plan(repo, statementSource(repo, 'statements', 'deleteQuarantined'), '1000001')).toMatch(/SEARCH quarantine USING INDEX quarantine_record \(record_id=\?\)/);
    expect(plan(repo, statementSource(repo, 'statements', 'markOpened'), 1, '1000001', 0)).toMatch(/SEARCH patients USING INDEX patients_mis_id \(mis_id=\?\)/);
  });

  it('policy, СНИЛС and birth-date lookups use their indexes', () => {
    const repo = repository();
    expect(plan(repo, statementSource(repo, 'searcher', 'byOms'), '7700123456789012', 10)).toMatch(/SEARCH patients USING COVERING INDEX patients_oms_policy \(oms_policy=\?\)/);
    expect(plan(repo, statementSource(repo, 'searcher', 'bySnils'), '11223344595', 10)).toMatch(/SEARCH patients USING COVERING INDEX patients_snils \(snils=\?\)/);
    expect(plan(repo, statementSource(repo, 'searcher', 'byBirthDate'), '1985-03-12', 10)).toMatch(/SEARCH patients USING COVERING INDEX patients_birth_date \(birth_date=\?\)/);
    const year = plan(repo, statementSource(repo, 'searcher', 'ftsMatchInYears'), '"ив"*', '1985-01-01', '1985-12-31', 10);
    expect(year).toMatch(/SEARCH patients USING COVERING INDEX patients_birth_date \(birth_date>\? AND birth_date<\?\)/);
    expect(year).not.toMatch(/SCAN patients\b/);
  });
});

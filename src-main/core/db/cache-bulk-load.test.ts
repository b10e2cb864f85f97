import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { syntheticPatients } from '../demo/synthetic-patients';
import { scheduleCursorStream } from '../schedule/schedule-streams';
import { CacheSnapshotWriter, installCacheSnapshot, MAX_REPORTED_REJECTS, writeCacheSnapshot } from './cache-bulk-load';
import { QUARANTINE_EXCERPT_LENGTH } from './cache-quarantine';
import { CacheRepository } from './cache-repository';
import { DatabaseError } from './database-error';
import { randomKey, tempDatabasePath, testCard } from './test-support';

const NOW = 1_700_000_000_000;
const open: CacheRepository[] = [];
afterEach(() => {
  for (const repo of open.splice(0)) repo.close();
});

function openCache(path: string, key: Buffer): CacheRepository {
  const repo = CacheRepository.open({ path, key, cacheSizeMb: 8, now: () => NOW });
  open.push(repo);
  return repo;
}

/** The files in the folder of `path` that belong to it (the file and its companions). */
function filesOf(path: string): string[] {
  const name = basename(path);
  return readdirSync(dirname(path))
    .filter((file) => file.startsWith(name))
    .sort();
}

/** A page boundary the way a worker thread sees one: the next page arrives later. */
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('CacheSnapshotWriter', () => {
  it('writes cards arriving page by page, with quarantined records, the cursor and meta rows, into a cache the repository opens', async () => {
    const path = tempDatabasePath('cache.db.loading');
    const key = randomKey();
    const cards = [...syntheticPatients({ count: 700, seed: 21 })];
    const progress: number[] = [];
    const writer = CacheSnapshotWriter.open({ path, key, cacheSizeMb: 8, now: () => NOW, onProgress: (n) => progress.push(n) });
    for (let at = 0; at < cards.length; at += 250) {
      for (const card of cards.slice(at, at + 250)) expect(writer.add(card)).toBe(true);
      expect(writer.loaded).toBe(Math.min(cards.length, at + 250));
      await nextTick();
    }
    writer.quarantine({ stream: 'demo:patients', reason: 'card 1000042: birthDate: invalid', payload: '{"misId":"1000042"}', recordId: '1000042' });
    const fill = JSON.stringify({ state: 'complete', reason: 'new', startedAt: '2026-01-05T08:00:00.000Z', completedAt: '2026-01-05T08:01:00.000Z', setAside: null });
    const report = writer.finish({ cursor: { stream: 'demo:patients', cursor: 'full-1' }, meta: { fill, mis: 'demo demo://clinic' } });

    expect(report).toMatchObject({ cards: 700, duplicatesDropped: 0, rejectedCount: 0, rejected: [] });
    expect(progress).toEqual([700]);
    // Closed and complete: no journal or lock files beside it.
    expect(filesOf(path)).toEqual([basename(path)]);

    const repo = openCache(path, key);
    expect(repo.count()).toBe(700);
    const sample = cards[345]!;
    expect(repo.getCard(sample.misId)).toEqual(sample);
    expect(repo.byPhone(sample.phones[0]!.e164).map((card) => card.misId)).toContain(sample.misId);
    expect(repo.search(`${sample.surname} ${sample.givenName}`).items.map((card) => card.misId)).toContain(sample.misId);
    expect(repo.getCursor('demo:patients')).toBe('full-1');
    expect(repo.lastSyncedAt()).toBe(NOW);
    expect(repo.fill()).toEqual(JSON.parse(fill));
    expect(repo.misIdentity()).toBe('demo demo://clinic');
    expect(repo.quarantined(10)).toEqual({ total: 1, items: [{ stream: 'demo:patients', reason: 'card 1000042: birthDate: invalid', at: NOW }] });
    expect(repo.cardUse(sample.misId)).toEqual({ syncedAt: NOW, openedAt: null });
    // The quarantine row is about card 1000042: removing that card takes it along.
    repo.deleteCards(['1000042']);
    expect(repo.quarantined(10).total).toBe(0);
  });

  it('keeps a quarantined record exactly as CacheRepository.quarantine does', () => {
    const key = randomKey();
    const entries = [
      { stream: 'demo:patients', reason: 'r'.repeat(900), payload: 'x'.repeat(10_000), recordId: '1000007' },
      { stream: 'demo:patients', reason: 'card without a valid misId: …', payload: '{}', recordId: 'y'.repeat(200) },
      { stream: 'demo:patients', reason: 'no id', payload: '[]' },
    ];
    const rows = (repo: CacheRepository) => repo.connection.prepare('SELECT stream, reason, payload_excerpt, at, record_id FROM quarantine ORDER BY id').all();

    const livePath = tempDatabasePath('cache.db');
    const live = openCache(livePath, key);
    for (const entry of entries) live.quarantine(entry);

    const snapshotPath = tempDatabasePath('cache.db.loading');
    const writer = CacheSnapshotWriter.open({ path: snapshotPath, key, cacheSizeMb: 8, now: () => NOW });
    for (const entry of entries) writer.quarantine(entry);
    writer.finish();

    const loaded = rows(openCache(snapshotPath, key));
    expect(loaded).toEqual(rows(live));
    expect(loaded[0]).toMatchObject({ payload_excerpt: 'x'.repeat(QUARANTINE_EXCERPT_LENGTH), record_id: '1000007' });
    expect(loaded[1]).toMatchObject({ record_id: null });
  });

  it('skips a card that breaks the shape rules or cannot be stored, reports it, and keeps loading', () => {
    const path = tempDatabasePath('cache.db.loading');
    const key = randomKey();
    const writer = CacheSnapshotWriter.open({ path, key, cacheSizeMb: 8 });
    expect(writer.add(testCard(1))).toBe(true);
    expect(writer.add({ ...testCard(2), birthDate: '12.03.1985' })).toBe(false);
    expect(writer.add({ ...testCard(3), appointments: undefined } as unknown as PatientCard)).toBe(false);
    expect(writer.add(null as unknown as PatientCard)).toBe(false);
    expect(writer.add(testCard(4))).toBe(true);
    expect(writer.loaded).toBe(2);
    const report = writer.finish();
    expect(report.cards).toBe(2);
    expect(report.rejectedCount).toBe(3);
    expect(report.rejected).toEqual([
      { misId: testCard(2).misId, reason: 'birthDate is not YYYY-MM-DD' },
      { misId: testCard(3).misId, reason: 'the card cannot be stored' },
      { misId: 'undefined', reason: 'not a card' },
    ]);
    expect(openCache(path, key).count()).toBe(2);
  });

  it('lists at most MAX_REPORTED_REJECTS rejected cards but counts them all', () => {
    const writer = CacheSnapshotWriter.open({ path: tempDatabasePath('cache.db.loading'), key: randomKey(), cacheSizeMb: 8 });
    for (let i = 0; i < MAX_REPORTED_REJECTS + 5; i++) writer.add({ ...testCard(i), version: -1 });
    const report = writer.finish();
    expect(report.rejectedCount).toBe(MAX_REPORTED_REJECTS + 5);
    expect(report.rejected).toHaveLength(MAX_REPORTED_REJECTS);
  });

  it('replaces whatever was at its path, a stale journal included', () => {
    const path = tempDatabasePath('cache.db.loading');
    const key = randomKey();
    writeFileSync(path, 'left by a crashed load');
    writeFileSync(`${path}-journal`, 'stale');
    writeFileSync(`${path}-wal`, 'stale');
    const writer = CacheSnapshotWriter.open({ path, key, cacheSizeMb: 8 });
    writer.add(testCard(1));
    writer.finish();
    expect(filesOf(path)).toEqual([basename(path)]);
    expect(openCache(path, key).count()).toBe(1);
  });

  it('abort removes the partial file; it is idempotent, and the writer refuses further work', () => {
    const path = tempDatabasePath('cache.db.loading');
    const writer = CacheSnapshotWriter.open({ path, key: randomKey(), cacheSizeMb: 8 });
    for (const card of syntheticPatients({ count: 50, seed: 22 })) writer.add(card);
    writer.abort();
    writer.abort();
    expect(filesOf(path)).toEqual([]);
    expect(() => writer.add(testCard(1))).toThrow(/aborted/);
    expect(() => writer.finish()).toThrow(/aborted/);
  });

  it('abort after a successful finish leaves the finished file alone', () => {
    const path = tempDatabasePath('cache.db.loading');
    const key = randomKey();
    const writer = CacheSnapshotWriter.open({ path, key, cacheSizeMb: 8 });
    writer.add(testCard(1));
    writer.finish();
    writer.abort();
    expect(openCache(path, key).count()).toBe(1);
  });

  it('a finish that fails removes the partial file, and abort afterwards is harmless', () => {
    const path = tempDatabasePath('cache.db.loading');
    const writer = CacheSnapshotWriter.open({ path, key: randomKey(), cacheSizeMb: 8 });
    writer.add(testCard(1));
    // cache_meta refuses values over 4,000 characters: the checks are back on for the meta rows.
    expect(() => writer.finish({ meta: { fill: 'x'.repeat(5_000) } })).toThrow(/CHECK constraint/);
    expect(filesOf(path)).toEqual([]);
    writer.abort();
    expect(() => writer.add(testCard(2))).toThrow(/aborted/);
  });

  it('refuses a schedule cursor: the snapshot holds cards only', () => {
    const path = tempDatabasePath('cache.db.loading');
    const writer = CacheSnapshotWriter.open({ path, key: randomKey(), cacheSizeMb: 8 });
    expect(() => writer.finish({ cursor: { stream: scheduleCursorStream('slots'), cursor: '1:2' } })).toThrow(/cards only/);
    expect(filesOf(path)).toEqual([]);
  });

  it('a file that cannot be created fails at open with a DatabaseError and leaves nothing', () => {
    const path = `${tempDatabasePath('missing-dir')}/nested/cache.db.loading`;
    expect(() => CacheSnapshotWriter.open({ path, key: randomKey(), cacheSizeMb: 8 })).toThrow(DatabaseError);
    expect(existsSync(path)).toBe(false);
  });

  it('writeCacheSnapshot is the writer fed from an iterable: a failing source leaves no file', () => {
    const path = tempDatabasePath('cache.db.loading');
    function* failing() {
      yield* syntheticPatients({ count: 10, seed: 23 });
      throw new Error('MIS connection reset');
    }
    expect(() => writeCacheSnapshot({ path, key: randomKey(), cards: failing() })).toThrow('MIS connection reset');
    expect(filesOf(path)).toEqual([]);
  });

  it('a finished snapshot installs over a closed live cache', () => {
    const livePath = tempDatabasePath('cache.db');
    const key = randomKey();
    const old = CacheRepository.open({ path: livePath, key, cacheSizeMb: 8 });
    old.applyCards([testCard(1, { misId: 'old' })]);
    old.close();
    const writer = CacheSnapshotWriter.open({ path: `${livePath}.loading`, key, cacheSizeMb: 8 });
    writer.add(testCard(2, { misId: 'new' }));
    writer.finish({ cursor: { stream: 'demo:patients', cursor: 'c' } });
    installCacheSnapshot(`${livePath}.loading`, livePath);
    const repo = openCache(livePath, key);
    expect(repo.getCard('old')).toBeNull();
    expect(repo.getCard('new')?.misId).toBe('new');
    expect(repo.getCursor('demo:patients')).toBe('c');
  });
});

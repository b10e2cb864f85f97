import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nameSortKey } from '../../../src-shared/patients/name-folding';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { DemoMis } from '../connectors/demo/demo-mis';
import type { MisChangesPage, MisConnector } from '../connectors/mis/mis-connector';
import { syntheticPatients } from '../demo/synthetic-patients';
import { CACHE_PAGE_SIZE } from '../db/cache-bulk-load';
import { CacheRepository } from '../db/cache-repository';
import { decryptDatabaseFiles, testCard } from '../db/test-support';
import { createLogger, type LogRecord } from '../log/logger';
import { reversedDigits } from '../patients/phone-normalisation';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { PullSyncEngine, type PullTarget } from '../sync/pull-sync';
import { DAY_MS, PURGE_BATCH } from './cache-retention';
import { PatientCacheService, type PatientCacheOptions } from './patient-cache-service';

/**
 * Retention purge and MIS deletions, proven on the bytes of cache.db and its WAL: the file is
 * encrypted, so the copies are decrypted page by page (free pages and old WAL frames included)
 * and scanned for the removed patient's text in every form the cache stores it. Each proof has
 * its control: the same scan finds the text when `secure_delete` is off, or before the scrub.
 * Synthetic, distinctive names only.
 */

const T0 = Date.UTC(2026, 0, 12, 9, 0, 0);
const PURGE_AT = T0 + 40 * DAY_MS;

const phone = (national10: string): PatientCard['phones'][number] => ({ e164: `+7${national10}`, national10, kind: 'mobile' });

/** The patient who must leave the file. */
const gone: PatientCard = testCard(1, {
  misId: 'PURGE-7f3a91',
  surname: 'Щюрцбергова',
  givenName: 'Аглая',
  patronymic: 'Ипатьевна',
  phones: [phone('9031234987')],
  omsPolicy: '7712345698765432',
});
/** A patient who stays (opened yesterday): the control that the scan sees plaintext at all. */
const kept: PatientCard = testCard(2, {
  misId: 'KEEP-5c2e07',
  surname: 'Эльтерманова',
  givenName: 'Василиса',
  patronymic: 'Олеговна',
  phones: [phone('9035557711')],
});
/** Synced today (sent again unchanged), never opened: stays. */
const syncedToday: PatientCard = testCard(3, { misId: 'SYNC-0d4b11', surname: 'Бжезинская', phones: [phone('9037770022')] });
/** Never opened, never sent again, but of another kind of removal: a merge in the MIS. */
const mergedAway: PatientCard = testCard(4, { misId: 'MERGE-19c5e2', surname: 'Ъюдашкина', phones: [phone('9036660033')] });

/** Every form in which the cache stores a patient's identity: the card (JSON), the folded key and FTS words, the phone as E.164 and reversed, policy, MIS id. */
function forms(card: PatientCard): Record<string, string> {
  const folded = nameSortKey(card);
  const surnameWord = folded.split('|')[0]!;
  return {
    surname: card.surname,
    'folded name key': folded,
    // FTS5 stores a word after the prefix it shares with the word before it on the page: the
    // surname without its first letter is how a leaf can hold it.
    'indexed word tail': [...surnameWord].slice(1).join(''),
    e164: card.phones[0]!.e164,
    'reversed phone digits': reversedDigits(card.phones[0]!.e164),
    misId: card.misId,
    ...(card.omsPolicy ? { omsPolicy: card.omsPolicy } : {}),
  };
}

/** Which of `card`'s forms occur in `bytes`. */
function found(bytes: Buffer, card: PatientCard): string[] {
  return Object.entries(forms(card))
    .filter(([, text]) => bytes.includes(Buffer.from(text, 'utf8')))
    .map(([name]) => name);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(overrides: Partial<PatientCacheOptions> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-retention-'));
  const clock = { t: T0 };
  const records: LogRecord[] = [];
  const yields = { count: 0, onYield: (): void => undefined };
  const cache = new PatientCacheService({
    dataDir,
    secrets: new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([])),
    logger: createLogger([(record) => records.push(record)]),
    cacheSizeMb: 8,
    integrityCheck: null,
    now: () => clock.t,
    retentionDays: () => 30,
    purgeDelayMs: null,
    scrubDelayMs: 0,
    yieldBetweenSteps: async () => {
      yields.count += 1;
      yields.onYield();
    },
    ...overrides,
  });
  cache.start();
  cleanups.push(() => cache.stop());
  return { dataDir, clock, cache, records, yields, key: cache.databaseKey! };
}

/** Copies cache.db and its WAL while the desk has them open, as someone with the files would, and decrypts the copies. */
function copyAndDecrypt(dataDir: string, key: Buffer) {
  const copyDir = mkdtempSync(join(tmpdir(), 'rg-retention-copy-'));
  const copy = join(copyDir, 'cache.db');
  copyFileSync(join(dataDir, 'cache.db'), copy);
  if (existsSync(join(dataDir, 'cache.db-wal'))) copyFileSync(join(dataDir, 'cache.db-wal'), `${copy}-wal`);
  const raw = Buffer.concat([readFileSync(copy), existsSync(`${copy}-wal`) ? readFileSync(`${copy}-wal`) : Buffer.alloc(0)]);
  const { file, wal } = decryptDatabaseFiles({ path: copy, key, pageSize: CACHE_PAGE_SIZE });
  return { raw, plain: Buffer.concat([file, wal]), wal };
}

/**
 * A cache of 300 synthetic cards plus the three named ones, all synced at T0; then, before the
 * purge 40 days later: `kept` opened yesterday, `syncedToday` and the synthetic cards sent again
 * unchanged two hours ago, one new card an hour ago. Only `gone` is then unused for 30 days.
 */
function fillForPurge(cache: PatientCacheService, clock: { t: number }) {
  const synthetic = [...syntheticPatients({ count: 300, seed: 31 })];
  cache.require().bulkLoad(synthetic);
  cache.require().applyCards([gone, kept, syncedToday]);
  clock.t = PURGE_AT - DAY_MS;
  cache.markOpened(kept.misId, PURGE_AT - DAY_MS);
  clock.t = PURGE_AT - 2 * 60 * 60_000;
  cache.require().applyCards([syncedToday, ...synthetic]);
  clock.t = PURGE_AT - 60 * 60_000;
  cache.require().applyCards([testCard(5, { misId: 'NEW-1' })]);
  clock.t = PURGE_AT;
  return synthetic;
}

describe('retention purge (cards neither opened nor synced for N days)', () => {
  it('removes only the unused card: not findable by name, phone, policy or id; kept, opened-yesterday and synced-today cards untouched', async () => {
    const { cache, clock } = setup();
    const synthetic = fillForPurge(cache, clock);
    expect(cache.search('Щюрцбергова', 10, 0).items.map((c) => c.misId)).toEqual([gone.misId]);

    expect(await cache.purgeExpired(PURGE_AT)).toBe(1);

    expect(cache.search('Щюрцбергова', 10, 0).items).toEqual([]);
    expect(cache.search('щюрц', 10, 0).items).toEqual([]);
    expect(cache.search('9031234987', 10, 0).items).toEqual([]);
    expect(cache.search('4987', 10, 0).items.map((c) => c.misId)).not.toContain(gone.misId);
    expect(cache.search(gone.omsPolicy!, 10, 0).items).toEqual([]);
    expect(cache.byPhone('8 903 123-49-87')).toEqual([]);
    expect(cache.getCard(gone.misId)).toBeNull();

    expect(cache.getCard(kept.misId)).toEqual(kept);
    expect(cache.byPhone(kept.phones[0]!.e164).map((c) => c.misId)).toEqual([kept.misId]);
    expect(cache.getCard(syncedToday.misId)).toEqual(syncedToday);
    expect(cache.getCard('NEW-1')).not.toBeNull();
    const sample = synthetic[150]!;
    expect(cache.search(`${sample.surname} ${sample.givenName}`, 50, 0).items.map((c) => c.misId)).toContain(sample.misId);
    expect(cache.status()).toMatchObject({ cards: 300 + 3, lastPurge: { at: new Date(PURGE_AT).toISOString(), removed: 1 } });
    // A purge with nothing left to remove removes nothing.
    expect(await cache.purgeExpired(PURGE_AT)).toBe(0);
  });

  it('leaves no trace of the purged patient in the raw cache.db or its WAL, copied while the desk runs; with secure_delete off the same scan finds it (control)', async () => {
    const secure = setup();
    fillForPurge(secure.cache, secure.clock);
    await secure.cache.purgeExpired(PURGE_AT);
    const after = copyAndDecrypt(secure.dataDir, secure.key);
    expect(found(after.plain, gone)).toEqual([]);
    // The scan sees plaintext: the kept patient is there in every form (page and WAL decryption work).
    expect(found(after.plain, kept)).toEqual(Object.keys(forms(kept)));
    // And the files themselves are ciphertext: neither patient readable without the key.
    expect(found(after.raw, gone)).toEqual([]);
    expect(found(after.raw, kept)).toEqual([]);

    // Control: the same purge with secure_delete off leaves the deleted text in free space.
    const control = setup();
    fillForPurge(control.cache, control.clock);
    control.cache.require().connection.pragma('secure_delete = OFF');
    await control.cache.purgeExpired(PURGE_AT);
    expect(control.cache.getCard(gone.misId)).toBeNull();
    const leaked = found(copyAndDecrypt(control.dataDir, control.key).plain, gone);
    expect(leaked).toEqual(expect.arrayContaining(['surname', 'e164', 'misId']));
  });

  it('reads the retention setting at each purge', async () => {
    let days = 60;
    const { cache, clock } = setup({ retentionDays: () => days });
    fillForPurge(cache, clock);
    expect(await cache.purgeExpired(PURGE_AT)).toBe(0);
    days = 30;
    expect(await cache.purgeExpired(PURGE_AT)).toBe(1);
  });

  it('works in bounded batches, giving way to lookups between them, and logs counts only', async () => {
    const { cache, clock, records, yields } = setup();
    cache.require().bulkLoad(syntheticPatients({ count: 250, seed: 32 }));
    cache.require().applyCards([gone]);
    const removedHeard: string[] = [];
    cache.onCardsRemoved((ids) => removedHeard.push(...ids));
    const cardsAtYields: number[] = [];
    yields.onYield = () => {
      // A lookup between two batches runs at once and sees a consistent cache.
      cardsAtYields.push(cache.status().cards);
      cache.byPhone(gone.phones[0]!.e164);
    };
    clock.t = PURGE_AT;
    expect(await cache.purgeExpired(PURGE_AT)).toBe(251);
    const drops = cardsAtYields.slice(1).map((cards, i) => cardsAtYields[i]! - cards);
    expect(Math.max(...drops)).toBeLessThanOrEqual(PURGE_BATCH);
    expect(cardsAtYields.filter((cards, i) => i > 0 && cards < cardsAtYields[i - 1]!).length).toBeGreaterThanOrEqual(2);
    expect(removedHeard).toHaveLength(251);
    expect(removedHeard).toContain(gone.misId);

    const purge = records.find((record) => record.event === 'cache.purge');
    expect(purge?.context).toMatchObject({ removed: 251, retentionDays: 30, scrubbed: true, checkpointed: true });
    for (const value of Object.values(purge?.context ?? {})) expect(['number', 'boolean']).toContain(typeof value);
    const logged = JSON.stringify(records);
    for (const text of Object.values(forms(gone))) expect(logged).not.toContain(text);
  });

  it('runs at start, then on its interval', async () => {
    const { cache, clock } = setup({ purgeDelayMs: 0, purgeIntervalMs: 20 });
    await vi.waitFor(() => expect(cache.lastPurge).not.toBeNull());
    clock.t = T0 + 1;
    await vi.waitFor(() => expect(cache.lastPurge?.at).toBe(new Date(T0 + 1).toISOString()));
  });

  it('also removes set-aside cache files older than the retention period', async () => {
    const { cache, dataDir } = setup();
    const old = 'cache.db.damaged-2025-11-01T10-00-00-000Z';
    const recent = `cache.db.mis-changed-${new Date(PURGE_AT - DAY_MS).toISOString().replace(/[:.]/g, '-')}`;
    for (const name of [old, `${old}-wal`, recent]) writeFileSync(join(dataDir, name), 'x');
    await cache.purgeExpired(PURGE_AT);
    const left = readdirSync(dataDir);
    expect(left).not.toContain(old);
    expect(left).not.toContain(`${old}-wal`);
    expect(left).toContain(recent);
  });
});

/** A MIS serving scripted pages of changes (cursor = page number). */
function scriptedMis(pages: Omit<MisChangesPage, 'nextCursor' | 'hasMore'>[]): MisConnector {
  const demo = new DemoMis({ patients: 1, seed: 3 });
  cleanups.push(() => demo.close());
  return {
    manifest: demo.manifest,
    health: async () => ({ state: 'online', latencyMs: 0 }),
    changesSince: async (cursor) => {
      const index = cursor === null ? 0 : Number(cursor);
      const page = pages[index] ?? { cards: [], deletions: [], merges: [] };
      return { ...page, nextCursor: String(Math.min(index + 1, pages.length)), hasMore: index + 1 < pages.length };
    },
    getCard: async () => null,
    findByPhone: async () => [],
    search: async () => [],
    submit: async () => ({ status: 'applied', ref: 'x' }),
  };
}

describe('a deletion or merge from the MIS', () => {
  it('removes the card within the sync that brings it — not findable by search, phone or id — and the scrub that follows takes its text out of the file', async () => {
    const { cache, dataDir, key } = setup();
    const removedHeard: string[] = [];
    cache.onCardsRemoved((ids) => removedHeard.push(...ids));
    const pages: Omit<MisChangesPage, 'nextCursor' | 'hasMore'>[] = [
      { cards: [...syntheticPatients({ count: 200, seed: 33 }), gone, kept, mergedAway], deletions: [], merges: [] },
    ];
    const mis = scriptedMis(pages);
    // The sync writes through its own connection, as the MIS link does, and tells the cache what it removed.
    const syncConnection = CacheRepository.open({ path: cache.path, key, cacheSizeMb: 8 });
    cleanups.push(() => syncConnection.close());
    const target: PullTarget = {
      transaction: (fn) => syncConnection.transaction(fn),
      applyCards: (cards) => syncConnection.applyCards(cards),
      deleteCards: (ids) => {
        const deleted = syncConnection.deleteCards(ids);
        cache.cardsRemoved(ids);
        return deleted;
      },
      getCursor: (stream) => syncConnection.getCursor(stream),
      setCursor: (stream, cursor) => syncConnection.setCursor(stream, cursor),
      quarantine: (entry) => syncConnection.quarantine(entry),
    };
    const engine = new PullSyncEngine({ connector: mis, target, yieldBetweenPages: async () => {} });
    await engine.syncOnce();
    expect(cache.search('Щюрцбергова', 10, 0).items.map((c) => c.misId)).toEqual([gone.misId]);

    pages.push({ cards: [], deletions: [gone.misId], merges: [{ from: mergedAway.misId, into: kept.misId }] });
    const run = await engine.syncOnce();
    expect(run.deleted).toBe(2);
    // Within that sync: gone from every lookup.
    for (const card of [gone, mergedAway]) {
      expect(cache.getCard(card.misId)).toBeNull();
      expect(cache.byPhone(card.phones[0]!.e164)).toEqual([]);
      expect(cache.search(card.surname, 10, 0).items).toEqual([]);
    }
    expect(cache.getCard(kept.misId)).toEqual(kept);
    expect(removedHeard).toEqual([gone.misId, mergedAway.misId]);

    // Control: until the scrub, the removed text is still in the WAL's older frames and the FTS index's old segment.
    const before = copyAndDecrypt(dataDir, key);
    expect(found(before.plain, gone)).toContain('surname');

    await cache.scrubSoon();
    const after = copyAndDecrypt(dataDir, key);
    expect(found(after.plain, gone)).toEqual([]);
    expect(found(after.plain, mergedAway)).toEqual([]);
    expect(found(after.plain, kept)).toEqual(Object.keys(forms(kept)));
    expect(found(after.raw, gone)).toEqual([]);
    expect(found(after.raw, kept)).toEqual([]);

    // Both connections go on as before on the rewritten index.
    syncConnection.applyCards([testCard(9, { misId: 'AFTER-1', surname: 'Последова' })]);
    expect(cache.search('Последова', 10, 0).items.map((c) => c.misId)).toEqual(['AFTER-1']);
    cache.require().connection.exec("INSERT INTO patients_fts (patients_fts) VALUES ('integrity-check')");
  });
});

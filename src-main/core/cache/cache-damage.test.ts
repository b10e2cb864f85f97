import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PatientSearchResultView } from '../../../src-shared/patients/patients-contract';
import type { Core, CoreOptions } from '../core';
import { CACHE_PAGE_SIZE } from '../db/cache-bulk-load';
import { damagePagesOf } from '../db/test-support';
import { createLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { loadOrCreateDatabaseKey } from './database-key';
import { createWorkerIntegrityCheck } from './integrity-check';
import { SET_ASIDE_KEPT } from './patient-cache-service';
import { testCores } from '../testing/test-cores';

const PATIENTS = 300;
const context = { host: 'web' as const, client: 't' };
const cores = testCores();
afterEach(() => cores.stopAll());

/** A desk on a small demo clinic whose first sync is done, stopped: its cache.db is on disk, cold. */
async function syncedDataDir() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-damage-'));
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const first = await startCore(dataDir, secrets);
  await waitFor(() => first.core.cache.status().cards === PATIENTS && first.core.cache.fill?.state === 'complete');
  const sample = first.core.cache.getCard('1000007')!;
  await cores.stop(first.core);
  for (const suffix of ['-wal', '-shm']) rmSync(join(dataDir, 'cache.db' + suffix), { force: true });
  return { dataDir, secrets, sample, key: loadOrCreateDatabaseKey(secrets).key };
}

const startCore = (dataDir: string, secrets: KeyFileSecretStore, extra: Partial<CoreOptions> = {}) => cores.start(dataDir, { secrets, demo: { patients: PATIENTS }, ...extra });

async function search(core: Core, query: string): Promise<PatientSearchResultView> {
  const result = await core.dispatcher.dispatch('patients.search', { query }, context);
  if (!result.ok) throw new Error(`patients.search failed: ${result.error.code} ${result.error.message}`);
  return result.value as PatientSearchResultView;
}

describe('a cache.db damaged while the desk runs', () => {
  it('a search that reads a damaged page still answers (from the MIS), the file is set aside and rebuilt, and the next searches use the whole cache again', async () => {
    const { dataDir, secrets, sample, key } = await syncedDataDir();
    // The name index only: the desk opens and pops cards fine, until someone searches by name.
    const pages = damagePagesOf({ path: join(dataDir, 'cache.db'), key, pageSize: CACHE_PAGE_SIZE, names: ['patients_fts_data', 'patients_fts_idx'] });
    expect(pages.length).toBeGreaterThan(0);
    const { core, logs } = await startCore(dataDir, secrets);
    expect(core.cache.fill).toMatchObject({ state: 'complete', reason: 'new' });

    const prefix = sample.surname.slice(0, 4);
    const first = await search(core, prefix);
    expect(first.source).toBe('mis');
    expect(first.items.map((card) => card.misId)).toContain(sample.misId);

    const status = core.cache.status();
    expect(status.fill).toMatchObject({ state: 'filling', reason: 'damaged', setAside: expect.stringMatching(/cache\.db\.damaged-/) });
    expect(existsSync(status.fill!.setAside!)).toBe(true);
    // While the fresh file fills, every search asks the MIS and says so.
    expect((await search(core, prefix)).source).toBe('mis');

    await waitFor(() => core.cache.fill?.state === 'complete' && core.cache.status().cards === PATIENTS);
    const after = await search(core, prefix);
    expect(after.source).toBe('cache');
    expect(after.items.map((card) => card.misId)).toContain(sample.misId);
    expect(core.cache.fill).toMatchObject({ reason: 'damaged', completedAt: expect.any(String) });
    // The schedule streams follow the patients in the same run; once they are done the sync is idle, without "rebuilding".
    await waitFor(() => core.status.snapshot().sync.state === 'idle');
    expect(core.status.snapshot().sync).toMatchObject({ state: 'idle', detail: null });

    const events = logs.map((record) => record.event);
    expect(events).toEqual(expect.arrayContaining(['cache.damaged', 'cache.set-aside', 'cache.rebuilt']));
    // Codes and paths, never a name or a number.
    const logged = JSON.stringify(logs);
    expect(logged).not.toContain(sample.surname);
    expect(logged).not.toContain(sample.phones[0]!.e164);
  });

  it('with the MIS offline: searches say they cover only what the fresh cache holds, and the sync indicator says the rebuild waits for the MIS', async () => {
    const { dataDir, secrets, sample, key } = await syncedDataDir();
    damagePagesOf({ path: join(dataDir, 'cache.db'), key, pageSize: CACHE_PAGE_SIZE, names: ['patients_fts_data', 'patients_fts_idx'] });
    const { core } = await startCore(dataDir, secrets, { demo: { patients: PATIENTS, offline: true } });

    const first = await search(core, sample.surname.slice(0, 4));
    expect(first.source).toBe('cache-incomplete');
    expect(first.items).toEqual([]);
    expect(core.cache.fill).toMatchObject({ state: 'filling', reason: 'damaged' });
    await waitFor(() => core.status.snapshot().sync.detail === 'cacheRebuildingMisUnreachable');
    expect(core.status.snapshot().mis.state).toBe('offline');

    // The MIS comes back: the rebuild finishes by itself.
    core.demoClinic!.mis!.setOffline(false);
    await waitFor(() => core.cache.fill?.state === 'complete' && core.cache.status().cards === PATIENTS, 30_000);
    expect((await search(core, sample.surname.slice(0, 4))).source).toBe('cache');
  });

  it('the background check finds damage no query has touched, and the fresh cache is announced', async () => {
    const { dataDir, secrets, key } = await syncedDataDir();
    // The СНИЛС index: read only by a search for a СНИЛС, so only a full check notices. (Not a phone
    // index: since cache step 6 every ring's lookup reads the reversed-digits one.)
    damagePagesOf({ path: join(dataDir, 'cache.db'), key, pageSize: CACHE_PAGE_SIZE, names: ['patients_snils'] });
    const { core, logs } = await startCore(dataDir, secrets, { integrityCheck: createWorkerIntegrityCheck() });
    const announced: unknown[] = [];
    core.events.subscribe((name, payload) => {
      if (name === 'cache:changed') announced.push(payload);
    });
    expect(core.cache.fill).toMatchObject({ state: 'complete', reason: 'new' });

    const verdict = await core.cache.checkNow();
    expect(verdict).toMatchObject({ verdict: 'damaged' });
    expect(core.cache.fill).toMatchObject({ state: 'filling', reason: 'damaged' });
    expect(announced).toContainEqual(expect.objectContaining({ fill: expect.objectContaining({ reason: 'damaged', state: 'filling' }) }));
    expect(logs.find((record) => record.event === 'cache.damaged')?.context).toMatchObject({ by: 'check', code: 'CORRUPT' });

    await waitFor(() => core.cache.fill?.state === 'complete');
    expect(await core.cache.checkNow()).toMatchObject({ verdict: 'ok' });
  });

  it(`keeps the ${SET_ASIDE_KEPT} newest set-aside files for IT and removes older ones`, async () => {
    const { dataDir, secrets } = await syncedDataDir();
    const old = ['cache.db.damaged-2020-01-01T00-00-00-000Z', 'cache.db.unreadable-2020-01-02T00-00-00-000Z', 'cache.db.key-lost-2020-01-03T00-00-00-000Z'];
    for (const name of old) writeFileSync(join(dataDir, name), 'old');
    writeFileSync(join(dataDir, `${old[0]}-wal`), 'old');
    writeFileSync(join(dataDir, 'cache.db'), Buffer.alloc(16_384, 0x33));
    const { core } = await startCore(dataDir, secrets);
    const setAside = readdirSync(dataDir)
      .filter((name) => /^cache\.db\.(damaged|unreadable|key-lost)-[0-9TZ-]+$/.test(name))
      .sort();
    expect(setAside).toHaveLength(SET_ASIDE_KEPT);
    expect(setAside).toContain(old[2]);
    expect(setAside.some((name) => name.startsWith('cache.db.unreadable-202') && !name.includes('2020'))).toBe(true);
    expect(existsSync(join(dataDir, `${old[0]}-wal`))).toBe(false);
    expect(core.cache.fill).toMatchObject({ reason: 'unreadable' });
  });
});

/** Polls a condition the sync engine will make true (it runs on real timers here). */
async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

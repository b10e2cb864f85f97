import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../../../src-shared/cache/cache-contract';
import type { PatientSearchResultView } from '../../../../src-shared/patients/patients-contract';
import type { ScreenPopLookup } from '../../../../src-shared/screen-pop/screen-pop-contract';
import type { Core } from '../../core';
import { syntheticPatient } from '../../demo/synthetic-patients';
import { testCores } from '../../testing/test-cores';
import { workerThreadBulkLoader, type BulkLoadWorkerFactory } from './bulk-load-worker-entry';

// A new desk's first sync through the bulk path in a real core on the demo clinic: usable while
// the next file is written (the search and the pop ask the MIS and say so), swapped in whole with
// its cursor, deltas after it; cancelled, the sync pages instead.

const context = { host: 'web' as const, client: 't' };
const cores = testCores();
const dirs: string[] = [];
afterEach(async () => {
  await cores.stopAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function request<T>(core: Core, name: string, input: unknown): Promise<T> {
  const result = await core.dispatcher.dispatch(name as never, input as never, context);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

/** The real worker, with its `finish` held until the test lets it go (the index phase "takes a while"). */
function heldWorker(): { factory: BulkLoadWorkerFactory; release: () => void; holding: () => boolean } {
  let release: () => void = () => undefined;
  let holding = false;
  const factory: BulkLoadWorkerFactory = (data) => {
    const worker = workerThreadBulkLoader(data);
    return {
      ...worker,
      post: (message) => {
        if ((message as { type?: string }).type !== 'finish') return worker.post(message);
        holding = true;
        release = () => {
          holding = false;
          worker.post(message);
        };
      },
    };
  };
  return { factory, release: () => release(), holding: () => holding };
}

const PATIENTS = 3_000;

async function startDesk(worker: BulkLoadWorkerFactory) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-first-sync-'));
  dirs.push(dataDir);
  const started = await cores.start(dataDir, { demo: { patients: PATIENTS }, bulkFirstSyncMinCards: 0, bulkLoadWorker: worker });
  const progress: SyncProgress[] = [];
  started.core.events.subscribeInternal((name, payload) => {
    if (name === 'sync:progress') progress.push(payload as SyncProgress);
  });
  return { ...started, dataDir, progress };
}

describe('first sync through the bulk path (real core, demo clinic)', () => {
  it('answers searches and pops from the MIS while the next file is written, then swaps it in whole and continues with deltas', async () => {
    const held = heldWorker();
    const { core, logs, dataDir, progress } = await startDesk(held.factory);
    await expect.poll(held.holding, { timeout: 20_000 }).toBe(true);

    // Every card is in the worker's file, none in the live one: the cache says it is incomplete…
    expect(core.cache.status()).toMatchObject({ cards: 0, fill: { state: 'filling', reason: 'new' } });
    expect(existsSync(join(dataDir, 'cache.db.loading'))).toBe(true);
    const caller = syntheticPatient(1_234, 1);
    // …so the search asks the MIS and says so, and the pop says a miss is not yet a new patient.
    const search = await request<PatientSearchResultView>(core, 'patients.search', { query: caller.surname, limit: 20, offset: 0 });
    expect(search.source).toBe('mis');
    expect(search.items.map((card) => card.misId)).toContain(caller.misId);
    const pop = await request<ScreenPopLookup>(core, 'screenPop.lookup', { callId: 'c-1', number: caller.phones[0]!.e164, source: 'sip' });
    expect(pop).toMatchObject({ matches: [], cacheIncomplete: true });
    expect(progress.at(-1)).toMatchObject({ phase: 'first-sync', bulk: 'indexing', applied: PATIENTS, total: PATIENTS, done: false });

    held.release();
    await expect.poll(() => core.cache.fill?.state, { timeout: 20_000 }).toBe('complete');
    expect(core.cache.status().cards).toBe(PATIENTS);
    expect(existsSync(join(dataDir, 'cache.db.loading'))).toBe(false);
    expect(logs.find((record) => record.event === 'sync.first-sync-bulk')?.context).toMatchObject({ cards: PATIENTS, quarantined: 0 });
    // Then the heap the export grew is given back, once, with the figures in the log.
    const returned = logs.filter((record) => record.event === 'memory.heap-returned');
    expect(returned).toHaveLength(1);
    const figures = returned[0]!.context as { after: string; ms: number; heapTotalBeforeMb: number; heapTotalAfterMb: number };
    expect(figures.after).toBe('first-sync-bulk');
    expect(figures.heapTotalAfterMb).toBeLessThanOrEqual(figures.heapTotalBeforeMb);
    expect(progress.filter((event) => event.phase === 'first-sync').at(-1)).toMatchObject({ done: true, applied: PATIENTS });
    // From the cache now, without asking anyone.
    expect((await request<PatientSearchResultView>(core, 'patients.search', { query: caller.surname, limit: 20, offset: 0 })).source).toBe('cache');
    const cached = await request<ScreenPopLookup>(core, 'screenPop.lookup', { callId: 'c-2', number: caller.phones[0]!.e164, source: 'sip' });
    expect(cached.matches.map((card) => card.misId)).toContain(caller.misId);
    expect(cached.cacheIncomplete).toBeUndefined();

    // The deltas continue from the export's cursor through the ordinary engine.
    core.demoClinic!.mis!.editPatient(caller.misId, { surname: 'Послеэкспортова' });
    await expect.poll(() => core.cache.getCard(caller.misId)?.surname, { timeout: 20_000 }).toBe('Послеэкспортова');
  });

  it('cancelled by IT: the partial file is removed, the live cache is untouched, and the first sync pages instead', async () => {
    const held = heldWorker();
    const { core, logs, dataDir } = await startDesk(held.factory);
    await expect.poll(held.holding, { timeout: 20_000 }).toBe(true);
    expect(await request(core, 'cache.cancelFirstSync', {})).toEqual({ cancelled: true });
    expect(existsSync(join(dataDir, 'cache.db.loading'))).toBe(false);
    expect(logs.some((record) => record.event === 'sync.first-sync-cancelled')).toBe(true);
    await expect.poll(() => core.cache.fill?.state, { timeout: 30_000 }).toBe('complete');
    expect(core.cache.status().cards).toBe(PATIENTS);
    expect(logs.some((record) => record.event === 'sync.first-sync-bulk')).toBe(false);
    // Nothing left to cancel.
    expect(await request(core, 'cache.cancelFirstSync', {})).toEqual({ cancelled: false });
  });
});

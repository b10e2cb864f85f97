import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../../../src-shared/settings/settings-schema';
import type { PatientSearchResultView } from '../../../../src-shared/patients/patients-contract';
import type { ScreenPopLookup, ScreenPopRefresh } from '../../../../src-shared/screen-pop/screen-pop-contract';
import { createCore } from '../../core';
import { syntheticPatient } from '../../demo/synthetic-patients';
import { createLogger } from '../../log/logger';
import { KeyFileSecretStore } from '../../secrets/key-file-secret-store';
import { releaseFreedHeapPages } from '../../memory/heap-memory';
import { MemorySettingsStorage } from '../../settings/settings-storage';
import type { FirstSyncHostReport, FirstSyncHostRequest } from './first-sync-bench';
import { childProcessBulkLoader } from './bulk-load-worker-entry';

/**
 * The bench's desk process (`npm run bench`, `first-sync-bench.ts` spawns it, so its memory is
 * the desk's own): a core exactly as a host makes it (default page cache, the background check)
 * on a fresh data folder with the demo clinic of `cards` patients, timed from `start()` to the
 * first sync complete. While it runs, a caller rings every {@link PROBE_INTERVAL_MS} (the
 * screen pop's lookup, then its MIS refresh) and every other ring the cashier searches a name,
 * each timed through the dispatcher as a window's request is; the event loop's delay is sampled
 * throughout. (The demo MIS answers in this same process: its own search scans the clinic, in
 * chunks, like a slow MIS would on its server.)
 * Prints one `first-sync-host <json>` line.
 */
const PROBE_INTERVAL_MS = 1_000;
/** Rings (and a search every tenth) after the sync, before the desk's memory is read. */
const AFTER_RINGS = 2_000;

async function main(request: FirstSyncHostRequest): Promise<void> {
  // As the browser host does (its memory is the figure this process stands for).
  releaseFreedHeapPages();
  const settings = {
    ...structuredClone(DEFAULT_SETTINGS),
    connectors: { ...DEFAULT_SETTINGS.connectors, mis: { id: 'demo', config: { patients: request.cards, seed: request.seed, evolveIntervalMs: 0 } } },
  };
  const logger = createLogger([]);
  const core = createCore({
    host: 'web',
    version: 'bench',
    dataDir: request.dataDir,
    settingsStorage: new MemorySettingsStorage(settings),
    secrets: new KeyFileSecretStore(join(request.dataDir, 'secrets'), logger),
    logger,
    // As the browser host loads: in a process of its own.
    bulkLoadWorker: childProcessBulkLoader,
  });
  const context = { host: 'web' as const, client: 'bench' };
  const ask = async <T>(name: string, input: unknown): Promise<{ ms: number; value: T }> => {
    const started = performance.now();
    const result = await core.dispatcher.dispatch(name as never, input as never, context);
    if (!result.ok) throw new Error(`${name}: ${result.error.code}`);
    return { ms: performance.now() - started, value: result.value as T };
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const pops: number[] = [];
  const refreshes: number[] = [];
  const searches: number[] = [];
  const sources = new Set<string>();
  let probe = 0;
  let probing = false;
  const startedAt = performance.now();
  loop.enable();
  await core.start();
  const timer = setInterval(() => {
    if (probing || core.cache.fill?.state === 'complete') return;
    probing = true;
    probe += 1;
    const caller = syntheticPatient(Math.floor(((probe * 7919) % 1000) * (request.cards / 1000)), request.seed);
    void (async () => {
      try {
        const pop = await ask<ScreenPopLookup>('screenPop.lookup', { callId: `bench-${probe}`, number: caller.phones[0]!.e164, source: 'sip' });
        pops.push(pop.ms);
        if (pop.value.numberKey) refreshes.push((await ask<ScreenPopRefresh>('screenPop.refresh', { callId: `bench-${probe}`, numberKey: pop.value.numberKey })).ms);
        if (probe % 2 === 0) {
          const search = await ask<PatientSearchResultView>('patients.search', { query: `${caller.surname} ${caller.givenName}`, limit: 20, offset: 0 });
          searches.push(search.ms);
          sources.add(search.value.source);
        }
      } finally {
        probing = false;
      }
    })();
  }, PROBE_INTERVAL_MS);
  while (core.cache.fill?.state !== 'complete') {
    if (performance.now() - startedAt > request.timeoutMs) throw new Error(`the first sync did not complete within ${request.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const wallMs = performance.now() - startedAt;
  clearInterval(timer);
  loop.disable();
  while (probing) await new Promise((resolve) => setTimeout(resolve, 10));
  // The desk at work afterwards — callers from all over the clinic and the cashier's searches
  // (what fills the page cache) — then its memory once things settle.
  const after: number[] = [];
  for (let i = 0; i < AFTER_RINGS; i++) {
    const caller = syntheticPatient(Math.floor((i + 0.5) * (request.cards / AFTER_RINGS)), request.seed);
    after.push((await ask<ScreenPopLookup>('screenPop.lookup', { callId: `after-${i}`, number: caller.phones[0]!.e164, source: 'sip' })).ms);
    if (i % 10 === 0) await ask<PatientSearchResultView>('patients.search', { query: `${caller.surname} ${caller.givenName.slice(0, 2)}`, limit: 20, offset: 0 });
  }
  await new Promise((resolve) => setTimeout(resolve, request.settleMs));
  const memory = process.memoryUsage();
  const report: FirstSyncHostReport = {
    wallMs,
    cards: core.cache.status().cards,
    bulk: core.link.lastBulkFirstSync,
    heapReturned: core.link.heapReturnedAfterBulk,
    probes: { pops, refreshes, searches, searchSources: [...sources] },
    popsAfter: after,
    eventLoopDelay: { p50Ms: loop.percentile(50) / 1e6, p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 },
    rssBytes: memory.rss,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heap: { usedBytes: memory.heapUsed, totalBytes: memory.heapTotal, externalBytes: memory.external },
  };
  await core.stop();
  process.stdout.write(`first-sync-host ${JSON.stringify(report)}\n`);
}

const raw = process.argv[2];
if (raw === undefined) throw new Error('usage: first-sync-bench-host.mjs <json request>');
main(JSON.parse(raw) as FirstSyncHostRequest).catch((error: unknown) => {
  process.stderr.write(`first sync host failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

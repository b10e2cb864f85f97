import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PHONE_INDEX_FILE, DemoMis } from '../../connectors/demo/demo-mis';
import type { BulkFirstSyncResult } from './bulk-first-sync';
import type { HeapReturned } from '../../memory/heap-memory';

/** What the bench asks of its desk process (`first-sync-bench-host.ts`). */
export interface FirstSyncHostRequest {
  cards: number;
  seed: number;
  dataDir: string;
  /** Longest the first sync may take before the run fails. */
  timeoutMs: number;
  /** How long the desk idles after the sync (and 2,000 rings and 200 searches from the cache) before its RSS is read. */
  settleMs: number;
}

/** What the desk process measured. */
export interface FirstSyncHostReport {
  /** `core.start()` → the cache complete. */
  wallMs: number;
  cards: number;
  /** The bulk path's own figures; null when the sync paged. */
  bulk: BulkFirstSyncResult | null;
  /** The memory-reducing GC the desk ran after installing the bulk file; null when it did not. */
  heapReturned: HeapReturned | null;
  /** During the sync: the pop's lookup, its MIS refresh, and a search, each through the dispatcher (ms). */
  probes: { pops: number[]; refreshes: number[]; searches: number[]; searchSources: string[] };
  /** After it: 2,000 pops from the full cache (ms). */
  popsAfter: number[];
  /** The desk thread's event-loop delay during the sync. */
  eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  /** The desk process's RSS once settled after the sync, and its peak. */
  rssBytes: number;
  peakRssBytes: number;
  /** What V8 holds of that RSS (heap used and reserved, external incl. array buffers), bytes. */
  heap: { usedBytes: number; totalBytes: number; externalBytes: number };
}

/** The bench's `firstSync` figures and the desk's memory after it. */
export interface FirstSyncBench {
  cards: number;
  wallMs: number;
  cardsPerSec: number;
  /** The desk's RSS after the sync (settled), and its peak during it. */
  rssBytes: number;
  peakRssBytes: number;
  heap: FirstSyncHostReport['heap'];
  bulk: BulkFirstSyncResult | null;
  heapReturned: HeapReturned | null;
  /** The demo MIS's caller index built before the desk started (ms; the MIS is up before a new desk). */
  misPreparedMs: number;
  during: {
    rings: number;
    popP50Ms: number;
    popP95Ms: number;
    refreshP95Ms: number;
    searchP50Ms: number;
    searchP95Ms: number;
    searchSources: string[];
    eventLoopDelayP99Ms: number;
    eventLoopDelayMaxMs: number;
  };
  popAfterP95Ms: number;
}

/** The desk program's file beside the bench's bundle (`first-sync-host.mjs`), or beside this source file's folder one up. */
function hostProgram(): { file: string; execArgv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const folder of [here, dirname(here)]) {
    const file = join(folder, 'first-sync-host.mjs');
    if (existsSync(file)) return { file, execArgv: [] };
  }
  const source = join(here, 'first-sync-bench-host.ts');
  return { file: source, execArgv: ['--experimental-transform-types', '--no-warnings', '--import', join(here, '..', 'reliability', 'register-ts.mjs')] };
}

/**
 * A million-card first sync end to end through the demo connector (`npm run bench`'s
 * `firstSync`): a fresh desk process (a real core, as a host makes it) on the demo clinic of
 * `cards` patients, its start to a complete cache, with rings and searches during it, then the
 * process's RSS. The process is stopped by its PID if it overruns.
 */
export async function runFirstSyncBench(options: { cards: number; seed: number; log?: (line: string) => void; timeoutMs?: number; settleMs?: number }): Promise<FirstSyncBench> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-first-sync-bench-'));
  const timeoutMs = options.timeoutMs ?? 300_000;
  const request: FirstSyncHostRequest = { cards: options.cards, seed: options.seed, dataDir, timeoutMs, settleMs: options.settleMs ?? 3_000 };
  try {
    // The clinic's MIS is up before a new desk starts: the demo MIS's caller index (its own
    // server-side state, kept in its folder) is built here, outside the desk process and its clock.
    const misStarted = performance.now();
    const folder = join(dataDir, 'demo-mis');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const mis = new DemoMis({ patients: options.cards, seed: options.seed, phoneIndexPath: join(folder, DEMO_PHONE_INDEX_FILE) });
    try {
      mis.warmPhoneIndex();
    } finally {
      mis.close();
    }
    const misPreparedMs = Math.round(performance.now() - misStarted);
    const program = hostProgram();
    const report = await new Promise<FirstSyncHostReport>((resolve, reject) => {
      const child = spawn(process.execPath, [...program.execArgv, program.file, JSON.stringify(request)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const kill = setTimeout(() => {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, timeoutMs + 60_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(kill);
        const line = out.split('\n').find((text) => text.startsWith('first-sync-host '));
        if (code !== 0 || !line) return reject(new Error(`the first sync's desk process failed (exit ${code}): ${err.slice(0, 2000)}`));
        resolve(JSON.parse(line.slice('first-sync-host '.length)) as FirstSyncHostReport);
      });
    });
    const pct = (values: number[], q: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
    };
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      cards: report.cards,
      wallMs: Math.round(report.wallMs),
      cardsPerSec: Math.round((report.cards * 1000) / report.wallMs),
      rssBytes: report.rssBytes,
      peakRssBytes: report.peakRssBytes,
      heap: report.heap,
      bulk: report.bulk,
      heapReturned: report.heapReturned,
      misPreparedMs,
      during: {
        rings: report.probes.pops.length,
        popP50Ms: r3(pct(report.probes.pops, 0.5)),
        popP95Ms: r3(pct(report.probes.pops, 0.95)),
        refreshP95Ms: r3(pct(report.probes.refreshes, 0.95)),
        searchP50Ms: r3(pct(report.probes.searches, 0.5)),
        searchP95Ms: r3(pct(report.probes.searches, 0.95)),
        searchSources: report.probes.searchSources,
        eventLoopDelayP99Ms: r3(report.eventLoopDelay.p99Ms),
        eventLoopDelayMaxMs: r3(report.eventLoopDelay.maxMs),
      },
      popAfterP95Ms: r3(pct(report.popsAfter, 0.95)),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The bench table's lines for the first sync. */
export function formatFirstSyncBench(bench: FirstSyncBench): string {
  const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MiB`;
  const d = bench.during;
  return [
    `first sync (demo MIS → desk, end to end)  ${bench.cards.toLocaleString('en')} cards in ${(bench.wallMs / 1000).toFixed(1)} s = ${bench.cardsPerSec.toLocaleString('en')} cards/s (target ≤ 60 s)${bench.bulk ? `; bulk path: worker insert ${bench.bulk.insertMs} ms + indexes ${bench.bulk.indexMs} ms` : '; paged'}`,
    `  the demo MIS up before the desk (its caller index built beforehand in ${(bench.misPreparedMs / 1000).toFixed(1)} s, outside the desk's clock; its name index builds in the desk process meanwhile)`,
    ...(bench.heapReturned
      ? [`  then the desk gave the heap back (one memory-reducing GC, ${bench.heapReturned.ms} ms on the desk thread): RSS ${bench.heapReturned.rssBeforeMb} → ${bench.heapReturned.rssAfterMb} MiB, V8 heap reserved ${bench.heapReturned.heapTotalBeforeMb} → ${bench.heapReturned.heapTotalAfterMb} MiB`]
      : []),
    `  during it: ${d.rings} rings, pop lookup p50 ${d.popP50Ms} / p95 ${d.popP95Ms} ms (budget 50), its MIS refresh p95 ${d.refreshP95Ms} ms; search p50 ${d.searchP50Ms} / p95 ${d.searchP95Ms} ms (answered by: ${d.searchSources.join(', ')}); desk thread delay p99 ${d.eventLoopDelayP99Ms} ms, max ${d.eventLoopDelayMaxMs} ms`,
    `  after it: 2,000 rings (pop lookup p95 ${bench.popAfterP95Ms} ms from the cache) and 200 searches, then desk RSS ${mib(bench.rssBytes)} (target ≤ 400 MiB; V8 heap ${mib(bench.heap.usedBytes)} used of ${mib(bench.heap.totalBytes)}, external ${mib(bench.heap.externalBytes)}), peak ${mib(bench.peakRssBytes)} during the sync`,
  ].join('\n');
}

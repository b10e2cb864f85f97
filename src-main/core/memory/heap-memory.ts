import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * The V8 option a desk process runs with so that the JS heap's freed pages go back to the system
 * when the garbage collector frees them: `--no-concurrent-sweeping`.
 *
 * Measured by the shift soak (`src-main/core/soak/`) on Node 22 (V8 12.4), seed 803821: with
 * concurrent sweeping, freed 256 KB heap pages stay mapped and resident outside every heap space
 * (`v8.getHeapSpaceStatistics()` physical 79 → 92 MB while those mappings grew from 412 to 827,
 * +104 MB); only a memory-reducing GC returns them, and V8 starts one only after a context is
 * disposed or a GC that shrank the heap — which a busy desk rarely does. Desk RSS over 6,000
 * calls grew +56 to +72 % in five runs of six. With this option the pages follow the heap
 * (298 → 333) and desk RSS grew +10.5 % over 6,000 calls, +5.4 % over 3,000, at the same
 * request times (27.6 vs 30.9 ms per call). Sweeping then runs on the desk's thread, lazily as
 * it allocates: a heap of ~100 MB sweeps in milliseconds.
 */
export const HEAP_PAGE_FLAGS = '--no-concurrent-sweeping';

/**
 * Applies {@link HEAP_PAGE_FLAGS} to this process, before its core starts (the flag is read at
 * each GC, so pages freed from then on are released). The browser host, the shift soak and the
 * first-sync bench's desk process call it first thing; workers inherit the process's V8 flags.
 */
export function releaseFreedHeapPages(): void {
  setFlagsFromString(HEAP_PAGE_FLAGS);
}

/** What {@link returnHeapToSystem} did: how long the desk's thread was held, and the process's memory around it. */
export interface HeapReturned {
  ms: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  heapTotalBeforeMb: number;
  heapTotalAfterMb: number;
}

/** V8's `gc`: a full collection without options; `flavor: 'last-resort'` is the memory-reducing one. */
export type V8Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'regular' | 'last-resort' }) => void;
/** V8's collector, asked for once; null when this runtime does not hand it out. */
let collector: V8Gc | null | undefined;

/**
 * V8's `gc` without starting the process with `--expose-gc` (the soak's samples, its test, and
 * {@link returnHeapToSystem}): `global.gc` when there is one, else taken from a context made while
 * the flag is on for that moment only — no later context, and never the desk's own global, has it.
 */
export function v8Gc(): V8Gc | null {
  if (collector !== undefined) return collector;
  const existing = (globalThis as { gc?: V8Gc }).gc;
  if (typeof existing === 'function') return (collector = existing);
  try {
    setFlagsFromString('--expose-gc');
    const made: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    collector = typeof made === 'function' ? (made as V8Gc) : null;
  } catch {
    collector = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collector;
}

/**
 * Gives the JS heap's spare room back to the system with one memory-reducing collection (V8's
 * "last resort" GC, the one it runs itself under memory pressure): for after a one-off that grew
 * the heap far past what the desk keeps — the bulk first sync. Measured by `npm run bench`'s
 * first sync at a million cards: the desk process's RSS after it 390 → 223 MiB, its reserved
 * heap 114 → 29 MiB; V8 alone shrinks a heap only when it sees the process idle and the
 * allocation rate low, which a desk answering calls may never show it. Holds the desk's thread
 * for the collection (the figure is logged by the caller). Null when the runtime has no way to
 * ask for it (then nothing happened).
 */
export function returnHeapToSystem(): HeapReturned | null {
  const run = v8Gc();
  if (!run) return null;
  const before = process.memoryUsage();
  const started = performance.now();
  run({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const ms = Math.round(performance.now() - started);
  const after = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 1_048_576);
  return { ms, rssBeforeMb: mb(before.rss), rssAfterMb: mb(after.rss), heapTotalBeforeMb: mb(before.heapTotal), heapTotalAfterMb: mb(after.heapTotal) };
}

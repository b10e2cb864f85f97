import { setFlagsFromString } from 'node:v8';

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

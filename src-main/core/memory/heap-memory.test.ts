import { describe, expect, it } from 'vitest';
import { returnHeapToSystem } from './heap-memory';

describe('giving the heap back after a one-off', () => {
  it('compacts the heap a large job left scattered and returns its room, and says how long it held the thread', () => {
    // A job's worth of rows (as a bulk export's pages are), ~80 MB, of which one in a hundred is
    // kept (as the desk keeps a few things from a sync): every heap page keeps a live row, so
    // only a collection that compacts can give the pages back.
    const kept: { id: number; name: string }[] = [];
    let rows: { id: number; name: string }[][] = [];
    for (let page = 0; page < 400; page++) {
      const batch = Array.from({ length: 2_000 }, (_, i) => ({ id: page * 2_000 + i, name: `row ${page}-${i}` }));
      for (let i = 0; i < batch.length; i += 100) kept.push(batch[i]!);
      rows.push(batch);
    }
    rows = [];

    const returned = returnHeapToSystem();
    expect(returned).not.toBeNull();
    expect(returned!.heapTotalAfterMb).toBeLessThan(returned!.heapTotalBeforeMb / 2);
    expect(returned!.ms).toBeGreaterThanOrEqual(0);
    expect(kept.length + rows.length).toBe(8_000);
  });

  it('leaves no `gc` on the desk\'s own global', () => {
    returnHeapToSystem();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

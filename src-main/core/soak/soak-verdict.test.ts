import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { censusGrowth, takeCensus } from './soak-census';
import { countVerdict, median, memoryVerdict, RESOURCE_SLACK, slope, windowOf } from './soak-verdict';

describe('the soak verdict', () => {
  it('memory that rises in warm-up and then wobbles passes; one that keeps climbing 15 % fails', () => {
    const levelled = [100, 104, 101, 103, 102, 105, 103, 104, 102, 106, 104, 103];
    expect(memoryVerdict({ name: 'heap', values: levelled })).toMatchObject({ ok: true });
    // One odd sample at the end (a GC that came late) does not move a median.
    expect(memoryVerdict({ name: 'heap', values: [...levelled.slice(0, -1), 160] })).toMatchObject({ ok: true });
    const climbing = Array.from({ length: 12 }, (_, i) => 100 + i * 1.5);
    const verdict = memoryVerdict({ name: 'heap', values: climbing });
    expect(verdict.ok).toBe(false);
    expect(verdict.baseline).toBe(101.5);
    expect(verdict.end).toBe(115);
    expect(verdict.rule).toBe('median of last 3 ≤ median of first 3 × 1.10');
  });

  it('a listener count must not grow at all; handles and timers may wobble by a few, never climb', () => {
    expect(countVerdict({ name: 'listeners', values: [3, 3, 3, 3, 3, 3, 3, 3] }).ok).toBe(true);
    expect(countVerdict({ name: 'listeners', values: [3, 3, 3, 3, 3, 4, 4, 4] }).ok).toBe(false);
    const timers = [5, 7, 5, 6, 8, 5, 6, 7, 5, 9, 6, 7];
    expect(countVerdict({ name: 'timers', values: timers }, RESOURCE_SLACK).ok).toBe(true);
    const leaking = Array.from({ length: 12 }, (_, i) => 5 + i * 3);
    expect(countVerdict({ name: 'timers', values: leaking }, RESOURCE_SLACK)).toMatchObject({ ok: false, baseline: 11, end: 35 });
  });

  it('medians, windows and the per-call slope', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
    expect([windowOf(2), windowOf(8), windowOf(40)]).toEqual([1, 2, 5]);
    expect(slope([0, 100, 200, 300], [10, 110, 210, 310])).toBe(1);
    expect(slope([0, 100, 200], [7, 7, 7])).toBe(0);
  });
});

describe('the census of collections', () => {
  it('finds Maps, Sets, Arrays, emitter and abort listeners by path, and names the one that grew', () => {
    const emitter = new EventEmitter();
    emitter.on('data', () => undefined);
    const abort = new AbortController();
    abort.signal.addEventListener('abort', () => undefined);
    const service = { calls: new Map<string, { legs: string[] }>(), listeners: new Set<() => void>(), emitter, signal: abort.signal, bytes: new Uint8Array(10) };
    service.calls.set('a', { legs: ['x'] });
    const before = takeCensus({ core: { service } });
    expect(before.get('core.service.calls')).toEqual({ path: 'core.service.calls', kind: 'Map', size: 1 });
    expect(before.get('core.service.calls[*].legs')?.size).toBe(1);
    expect(before.get('core.service.emitter#listeners')?.size).toBe(1);
    expect(before.get('core.service.signal#abort')?.size).toBe(1);
    expect(before.has('core.service.bytes')).toBe(false);
    for (let i = 0; i < 100; i++) service.calls.set(`call-${i}`, { legs: [] });
    service.listeners.add(() => undefined);
    expect(censusGrowth(before, takeCensus({ core: { service } }))).toEqual([{ path: 'core.service.calls', kind: 'Map', before: 1, after: 101 }]);
  });

  it('reads data properties only: a getter is never run', () => {
    let ran = false;
    const object = {
      get expensive() {
        ran = true;
        return new Map([[1, 1]]);
      },
    };
    takeCensus({ object });
    expect(ran).toBe(false);
  });
});

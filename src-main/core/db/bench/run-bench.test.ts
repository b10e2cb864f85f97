import { describe, expect, it } from 'vitest';
import { formatReport, percentiles, runBench } from './run-bench';

// Timings are not asserted (shared machine); the real figures come from `npm run bench`. What is
// asserted is what the bench computes from them and what it counts.
describe('percentiles', () => {
  it('is the nearest rank: the smallest time at or above that share of the times, whatever their order', () => {
    const times = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(times)).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(percentiles([3, 1, 2])).toEqual({ p50: 2, p95: 3, p99: 3 });
    expect(percentiles([7])).toEqual({ p50: 7, p95: 7, p99: 7 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0 });
  });
});

describe('runBench', () => {
  it('times every query it sends once, in its form; the online screen pop includes the MIS latency; the JSON is finite numbers', async () => {
    const queries = 40;
    const report = await runBench({ cards: 300, queries, cipherCompareCards: 0, misLatencyMs: 2 });
    const r = report.result;
    expect(r.cards).toBe(300);

    // After the 100 warm-up queries, each timed search is counted once, under its query form.
    expect(report.searchByForm.reduce((sum, form) => sum + form.count, 0)).toBe(queries);
    expect(report.searchByForm.length).toBeGreaterThan(10);
    // Every caller id of the screen pop (warm-up included) is an own, a shared or an unknown number.
    const mix = report.screenPopMix;
    expect(mix.known + mix.shared + mix.unknown).toBe(queries + 100);
    expect(mix.remembered).toBeLessThanOrEqual(mix.shared);
    // The online side waits for the MIS on every lookup; the cache never does.
    expect(r.screenPopOnline.latencyMs).toBe(2);
    expect(r.screenPopOnline.p50Ms).toBeGreaterThanOrEqual(2);
    expect(r.screenPopRatio).toBeGreaterThan(1);

    const ordered: [number, number][] = [
      [r.byPhone.p50Ms, r.byPhone.p99Ms],
      [report.rawByPhoneP50Ms, r.rawByPhone.p99Ms],
      [r.search.p50Ms, r.search.p95Ms],
      [report.rawSearchP50Ms, r.rawSearch.p95Ms],
      [r.screenPop.p50Ms, r.screenPop.p95Ms],
      [r.screenPopOnline.p50Ms, r.screenPopOnline.p95Ms],
      ...report.searchByForm.map((form): [number, number] => [form.p50Ms, form.p95Ms]),
    ];
    for (const [p50, high] of ordered) expect(p50).toBeLessThanOrEqual(high);
    for (const measured of [r.ingestCardsPerSec, r.rawInsertRowsPerSec, r.dbBytes, r.rssBytes]) expect(measured).toBeGreaterThan(0);

    // What `--json` writes: numbers only, every one finite (JSON would turn NaN into null).
    const leaves = (value: unknown): unknown[] => (typeof value === 'object' && value !== null ? Object.values(value).flatMap(leaves) : [value]);
    expect(leaves(r).every((leaf) => typeof leaf === 'number' && Number.isFinite(leaf))).toBe(true);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);

    // The table prints what was measured.
    const table = formatReport(report);
    expect(table).toMatch(/ingest \(bulkLoad, net of generator\)/);
    expect(table).toMatch(/screen pop \(MIS online\)/);
    expect(table).toContain(`${mix.known} own / ${mix.shared} shared (${mix.remembered} remembered) / ${mix.unknown} unknown`);
    expect(table).toContain(`online / cached p50 = ${r.screenPopRatio}×`);
  });
});

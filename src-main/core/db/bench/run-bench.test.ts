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
    const report = await runBench({ cards: 300, queries, cipherCompareCards: 0, misLatencyMs: 2, scheduleDoctors: 24, scheduleDays: 3 });
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
      [r.slots.p50Ms, r.slots.p95Ms],
      [r.rawSlots.p50Ms, r.rawSlots.p95Ms],
      ...report.searchByForm.map((form): [number, number] => [form.p50Ms, form.p95Ms]),
    ];
    for (const [p50, high] of ordered) expect(p50).toBeLessThanOrEqual(high);
    for (const measured of [r.ingestCardsPerSec, r.rawInsertRowsPerSec, r.dbBytes, r.rssBytes]) expect(measured).toBeGreaterThan(0);
    // The ingest is measured three times, each run with its own raw reference; the figure is the lowest.
    expect(r.ingestRuns).toHaveLength(3);
    expect(r.ingestCardsPerSec).toBe(Math.min(...r.ingestRuns.map((run) => run.cardsPerSec)));
    expect(r.ingestRuns.at(-1)!.rawInsertRowsPerSec).toBe(r.rawInsertRowsPerSec);

    // What `--json` writes: numbers only, every one finite (JSON would turn NaN into null).
    const leaves = (value: unknown): unknown[] => (typeof value === 'object' && value !== null ? Object.values(value).flatMap(leaves) : [value]);
    expect(leaves(r).every((leaf) => typeof leaf === 'number' && Number.isFinite(leaf))).toBe(true);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);

    // The table prints what was measured.
    const table = formatReport(report);
    expect(table).toMatch(/ingest \(bulkLoad, lowest run\)/);
    expect(table).toContain(r.ingestRuns.map((run) => run.cardsPerSec.toLocaleString('en')).join(' / '));
    expect(table).toMatch(/screen pop \(MIS online\)/);
    expect(table).toContain(`${mix.known} own / ${mix.shared} shared (${mix.remembered} remembered) / ${mix.unknown} unknown`);
    expect(table).toContain(`online / cached p50 = ${r.screenPopRatio}×`);
    expect(table).toMatch(/slots p50 \/ p95 .* target p95 ≤ 20 ms; free slots of one specialty, 3 days/);
    expect(table).toMatch(/raw slots SQL p50 \/ p95/);
    expect(table).not.toMatch(/booking p95/);
    expect(r.booking).toBeUndefined();
  });

  it('searches free slots of a synthetic schedule in cache.db and in a plain file alike, and hands the loaded cache to a booking bench', async () => {
    let seen: { doctors: number; specialties: number; free: number } | null = null;
    const report = await runBench({
      cards: 50,
      queries: 30,
      cipherCompareCards: 0,
      misLatencyMs: 0,
      scheduleDoctors: 24,
      scheduleDays: 2,
      booking: ({ schedule, generated, today, timeZone }) => {
        expect([today, timeZone]).toEqual(['2026-12-07', 'Europe/Moscow']);
        const specialty = generated.doctors[0]!.specialty;
        const free = schedule.freeSlots({ specialty, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 100_000 }).slots.length;
        seen = { doctors: schedule.doctors().length, specialties: new Set(generated.doctors.map((d) => d.specialty)).size, free };
        return { p95Ms: 1.23456 };
      },
    });
    const r = report.result;
    // 24 doctors in their shifts on 6 days of 7, in 5-minute cells: every generated slot is searched.
    expect(r.scheduleSlots).toBeGreaterThan(24 * 80);
    expect(report.schedule).toMatchObject({ doctors: 24, days: 2, slots: r.scheduleSlots, specialties: 12, limit: 500 });
    expect(report.schedule.free).toBeGreaterThan(r.scheduleSlots * 0.25);
    expect(report.schedule.free).toBeLessThan(r.scheduleSlots * 0.45);
    expect(report.schedule.meanReturned).toBeGreaterThan(0);
    expect(report.schedule.meanReturned).toBeLessThanOrEqual(500);
    expect(report.schedule.bytes).toBeGreaterThan(0);
    expect(seen).toMatchObject({ doctors: 24, specialties: 12 });
    expect(seen!.free).toBeGreaterThan(0);
    expect(r.booking).toEqual({ p95Ms: 1.235 });
    expect(formatReport(report)).toMatch(/booking p95 +1\.235 ms/);
  });
});

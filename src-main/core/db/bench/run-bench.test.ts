import { describe, expect, it } from 'vitest';
import { formatReport, runBench } from './run-bench';

// Keeps the bench from rotting: a tiny run must produce the documented JSON shape.
// Timings are not asserted (shared machine); the real figures come from `npm run bench`.
describe('runBench', () => {
  it('reports exactly the documented JSON keys and a table', async () => {
    const report = await runBench({ cards: 300, queries: 40, cipherCompareCards: 0 });
    expect(Object.keys(report.result)).toEqual(['cards', 'ingestCardsPerSec', 'rawInsertRowsPerSec', 'byPhone', 'rawByPhone', 'search', 'rawSearch', 'screenPop', 'screenPopOnline', 'screenPopRatio', 'dbBytes', 'rssBytes']);
    expect(Object.keys(report.result.screenPop)).toEqual(['p50Ms', 'p95Ms']);
    expect(Object.keys(report.result.screenPopOnline)).toEqual(['p50Ms', 'p95Ms', 'latencyMs']);
    expect(typeof report.result.screenPopRatio).toBe('number');
    expect(Object.keys(report.result.byPhone)).toEqual(['p50Ms', 'p99Ms']);
    expect(Object.keys(report.result.rawByPhone)).toEqual(['p99Ms']);
    expect(Object.keys(report.result.search)).toEqual(['p50Ms', 'p95Ms']);
    expect(Object.keys(report.result.rawSearch)).toEqual(['p95Ms']);
    expect(report.result.cards).toBe(300);
    expect(report.result.dbBytes).toBeGreaterThan(0);
    expect(report.searchByForm.length).toBeGreaterThan(10);
    expect(formatReport(report)).toMatch(/ingest \(bulkLoad, net of generator\)/);
    expect(formatReport(report)).toMatch(/screen pop \(MIS online\)/);
  });
});

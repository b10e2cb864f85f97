import { describe, expect, it } from 'vitest';
import { v8Gc } from '../memory/heap-memory';
import { formatSoakReport, runShiftSoak } from './shift-soak';

describe('the shift soak on a real core', () => {
  // The short variant of `npm run soak` (2,000 calls): too short to judge memory, long enough for
  // a listener, handle or timer left behind per call, a ring that never ends, an outbox that stops
  // draining or a request that fails — each of which fails it.
  it('80 calls: listeners, handles and timers stay flat, every ring ends, the outbox drains, no request fails', async () => {
    const seed = Math.floor(Math.random() * 1_000_000);
    const started = performance.now();
    const report = await runShiftSoak({ calls: 80, warmUpCalls: 30, samples: 9, patients: 2_000, seed, gc: () => v8Gc()!() });
    const verdict = report.ok ? 'PASS' : `FAIL\n${formatSoakReport(report)}`;
    console.warn(`figure soak unit-suite variant: ${report.calls} calls in ${Math.round(performance.now() - started)} ms, seed ${seed}: ${verdict}`);
    expect(report.calls).toBe(80);
    expect(report.failures, `seed ${seed}`).toEqual([]);
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { formatQueueBench, runQueueBench } from './queue-bench';

describe('queue bench', () => {
  it('drives the board with the contact-centre load it promises (200 agents, 500 waiting, ≥ 50 events/s of PBX time) and reports what it measured', async () => {
    const result = await runQueueBench({ simulatedSec: 20, seed: 7 });
    expect(result.agents).toBeGreaterThanOrEqual(200);
    expect(result.waitingCallers).toBe(500);
    expect(result.offeredEventsPerSec).toBeGreaterThanOrEqual(50);
    expect(result.applyP95Ms).toBeGreaterThanOrEqual(result.applyP50Ms);
    expect(formatQueueBench(result)).toContain(`${result.agents} agents, 500 callers waiting`);
  }, 60_000);
});

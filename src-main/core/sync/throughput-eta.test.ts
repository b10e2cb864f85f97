import { describe, expect, it } from 'vitest';
import { ThroughputEta } from './throughput-eta';

describe('ThroughputEta', () => {
  it('says nothing during the warm-up, then follows the recent rate, not the average since the start', () => {
    const eta = new ThroughputEta({ windowMs: 20_000, warmUpMs: 3_000 });
    eta.start(0);
    // A burst: 10,000 records in the first 2 s (an empty cache inserts fast).
    expect(eta.estimate(2_000, 10_000, 200_000)).toBeNull();
    // Then 1,000 records/s, as the cache grows.
    let at = 2_000;
    let done = 10_000;
    let last: number | null = null;
    for (let second = 0; second < 30; second++) {
      at += 1_000;
      done += 1_000;
      last = eta.estimate(at, done, 200_000);
    }
    // 30 s in: 40,000 done, 160,000 left at 1,000/s = 160 s. The average since the start
    // (40,000 in 32 s = 1,250/s) would have said 128 s.
    expect(last).toBe(160_000);
  });

  it('is 0 when done and null without a total or without progress', () => {
    const eta = new ThroughputEta({ warmUpMs: 0 });
    eta.start(0);
    expect(eta.estimate(1_000, 0, 100)).toBeNull();
    expect(eta.estimate(2_000, 50, null)).toBeNull();
    expect(eta.estimate(3_000, 100, 100)).toBe(0);
  });

  it('a new run starts over', () => {
    const eta = new ThroughputEta({ warmUpMs: 0 });
    eta.start(0);
    expect(eta.estimate(10_000, 10, 20)).toBe(10_000);
    eta.start(100_000);
    expect(eta.estimate(101_000, 10, 20)).toBe(1_000);
  });
});

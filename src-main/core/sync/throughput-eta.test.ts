import { describe, expect, it } from 'vitest';
import { ThroughputEta } from './throughput-eta';

/**
 * A real first sync, measured on this class of machine (npm run start:web -- --demo-patients
 * 200000, sync:progress events): [ms since the bridge connected, cards applied]. It took 115 s,
 * and its pages got slower as the cache grew (0.32 → 0.73 ms a card).
 */
const MEASURED_200K: readonly (readonly [number, number])[] = [[100, 1250], [2100, 7500], [4200, 13750], [6200, 19500], [8300, 25250], [10300, 30500], [12400, 35500], [14400, 40250], [16400, 44750], [18500, 49250], [20600, 53500], [22700, 57750], [24700, 62000], [26800, 66000], [28900, 70250], [31000, 74250], [33100, 78000], [35300, 81750], [37400, 85250], [39500, 88750], [41600, 92250], [43700, 95750], [45900, 99250], [47900, 102500], [50000, 105750], [52100, 109250], [54300, 112750], [56500, 116250], [58700, 119750], [60700, 123000], [62900, 126250], [64900, 129500], [67100, 132750], [69200, 136000], [71400, 139250], [73500, 142250], [75500, 145250], [77500, 148250], [79600, 151250], [81600, 154250], [83700, 157250], [85800, 160250], [87900, 163250], [90000, 166250], [92100, 169250], [94100, 172000], [96300, 174750], [98500, 177750], [100600, 180750], [102700, 183750], [104900, 186750], [107000, 189750], [109300, 192750], [111500, 195750], [113700, 198750], [114600, 200005]];
const TOTAL = 200_000;

describe('ThroughputEta', () => {
  it('on a measured 200,000-card first sync: from 10 s on, within -5 % / +25 % of the time really left (the average since the start said 63 %)', () => {
    const eta = new ThroughputEta();
    eta.start(-1_500); // the sync started ~1.5 s before the first event was seen
    const end = MEASURED_200K.at(-1)![0];
    const ratios: number[] = [];
    for (const [at, done] of MEASURED_200K) {
      const left = eta.estimate(at, Math.min(done, TOTAL), TOTAL);
      if (at < 10_000 || done >= TOTAL) continue;
      expect(left, `estimate at ${at} ms`).not.toBeNull();
      ratios.push(left! / (end - at));
    }
    expect(Math.min(...ratios)).toBeGreaterThan(0.95);
    expect(Math.max(...ratios)).toBeLessThan(1.25);
    // What the desk used to say: the average rate since the start, at 10 s.
    const [at10, done10] = MEASURED_200K.find(([at]) => at >= 10_000)!;
    const averageSaid = ((at10 + 1_500) / done10) * (TOTAL - done10);
    expect(averageSaid / (end - at10)).toBeLessThan(0.7);
  });

  it('a constant cost per record gives the exact time left; nothing during the warm-up', () => {
    const eta = new ThroughputEta({ warmUpMs: 3_000 });
    eta.start(0);
    expect(eta.estimate(1_000, 500, 10_000)).toBeNull(); // first page: start-up, and too early
    expect(eta.estimate(2_000, 1_500, 10_000)).toBeNull();
    let last: number | null = null;
    for (let second = 3; second <= 6; second++) last = eta.estimate(second * 1_000, 1_500 + (second - 2) * 1_000, 10_000);
    expect(last).toBe(4_500);
  });

  it('is 0 when done and null without a total; a new run starts over', () => {
    const eta = new ThroughputEta({ warmUpMs: 0 });
    eta.start(0);
    eta.estimate(1_000, 10, 100);
    expect(eta.estimate(2_000, 50, null)).toBeNull();
    expect(eta.estimate(3_000, 100, 100)).toBe(0);
    eta.start(100_000);
    eta.estimate(101_000, 10, 40);
    expect(eta.estimate(102_000, 20, 40)).toBe(2_000);
  });
});

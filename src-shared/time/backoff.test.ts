import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from './backoff';

describe('backoffDelay', () => {
  const policy = { baseMs: 1_000, capMs: 300_000, jitter: 'full' as const };

  it('doubles the ceiling per attempt until the cap, so retries grow but never wait over 5 minutes', () => {
    const top = (attempt: number) => backoffDelay(policy, attempt, () => 0.999_999);
    expect([1, 2, 3, 4].map(top)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(top(30)).toBe(300_000);
    expect(top(1_000)).toBe(300_000);
  });

  it('spreads retries over [0, ceiling] with full jitter and [ceiling/2, ceiling] with equal jitter', () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(2_000);
    expect(backoffDelay({ ...policy, jitter: 'equal' }, 3, () => 0)).toBe(2_000);
  });

  it('without jitter is the ceiling itself: the softphone’s 1, 2, 4 … 30 s and the bridge’s 0.5, 1, 2, 3 s', () => {
    const registration = { baseMs: 1_000, capMs: 30_000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5, 6, 7, 51].map((attempt) => backoffDelay(registration, attempt))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    const bridge = { baseMs: 500, capMs: 3_000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(bridge, attempt))).toEqual([500, 1_000, 2_000, 3_000, 3_000, 3_000]);
  });

  const policies = fc.record<BackoffPolicy>({
    baseMs: fc.integer({ min: 1, max: 10_000 }),
    capMs: fc.integer({ min: 1, max: 600_000 }),
    jitter: fc.constantFrom('none', 'full', 'equal'),
  });
  const attempts = fc.integer({ min: -3, max: 2_000 });
  const randoms = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it('stays within its jitter band under the capped ceiling, whole milliseconds (property)', () => {
    fc.assert(
      fc.property(policies, attempts, randoms, (p, attempt, r) => {
        const delay = backoffDelay(p, attempt, () => r);
        const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
        const floor = p.jitter === 'none' ? ceiling : p.jitter === 'equal' ? ceiling / 2 : 0;
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(floor));
        expect(delay).toBeLessThanOrEqual(Math.min(ceiling, p.capMs));
      }),
      { numRuns: 2_000 },
    );
  });

  it('never waits less for a later retry or a larger draw (property)', () => {
    fc.assert(
      fc.property(policies, attempts, randoms, randoms, (p, attempt, r1, r2) => {
        const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(backoffDelay(p, attempt + 1, () => low)).toBeGreaterThanOrEqual(backoffDelay(p, attempt, () => low));
        expect(backoffDelay(p, attempt, () => high)).toBeGreaterThanOrEqual(backoffDelay(p, attempt, () => low));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps a random source that strays outside [0, 1) inside the band', () => {
    expect(backoffDelay(policy, 2, () => -1)).toBe(0);
    expect(backoffDelay(policy, 2, () => 7)).toBe(2_000);
  });
});

import { describe, expect, it } from 'vitest';
import { abortableSleep, backoffDelay } from './backoff';

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
});

describe('abortableSleep', () => {
  it('ends at once when aborted, so stopping the desk never waits out a 5-minute backoff', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(300_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });
});

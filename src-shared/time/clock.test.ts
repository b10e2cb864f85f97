import { describe, expect, it } from 'vitest';
import { every, sleep, systemClock } from './clock';
import { ManualClock } from './manual-clock';

describe('sleep', () => {
  it('ends when the clock has passed the delay, not before', async () => {
    const clock = new ManualClock();
    let done = false;
    const sleeping = sleep(clock, 1_000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('ends at once when aborted and leaves no timer behind, so stopping never waits out a 5-minute backoff', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = sleep(clock, 300_000, controller.signal);
    expect(clock.pending()).toEqual([300_000]);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
    expect(clock.pending()).toEqual([]);
    await expect(sleep(clock, 300_000, controller.signal)).resolves.toBeUndefined();
    expect(clock.pending()).toEqual([]);
  });

  it('on the real clock, an abort ends a long sleep at once too', async () => {
    const controller = new AbortController();
    const sleeping = sleep(systemClock, 300_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('copes with a clock that fires at once, inside setTimeout', async () => {
    const fired: number[] = [];
    await sleep({ ...systemClock, setTimeout: (fn, ms) => (fired.push(ms), fn(), 0) }, 250);
    expect(fired).toEqual([250]);
  });
});

describe('every', () => {
  it('calls back every interval until stopped, and a throwing callback keeps the cadence', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    const stop = every(clock, 1_000, () => {
      at.push(clock.now());
      if (at.length === 2) throw new Error('a bad tick');
    });
    clock.advance(1_000);
    expect(() => clock.advance(1_000)).toThrow('a bad tick');
    clock.advance(1_500);
    expect(at.map((t) => t - 1_000_000)).toEqual([1_000, 2_000, 3_000]);
    stop();
    clock.advance(10_000);
    expect(at).toHaveLength(3);
    expect(clock.pending()).toEqual([]);
  });
});

describe('ManualClock', () => {
  it('fires due timers in time order, including ones a timer schedules, and moves time with them', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    const never = clock.setTimeout(() => fired.push('cleared'), 12);
    clock.clearTimeout(never);
    expect(clock.pending()).toEqual([10, 20]);
    clock.advance(30);
    expect(fired).toEqual(['a@10', 'c@15', 'b@20']);
    expect(clock.now()).toBe(30);
  });

  it('runNext fires the soonest timer and says how long it waited', () => {
    const clock = new ManualClock(0);
    clock.setTimeout(() => undefined, 500);
    clock.setTimeout(() => undefined, 200);
    expect(clock.runNext()).toBe(200);
    expect(clock.runNext()).toBe(300);
    expect(() => clock.runNext()).toThrow('nothing scheduled');
  });
});

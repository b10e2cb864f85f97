import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock';
import { OffsetClock } from './offset-clock';

describe('OffsetClock', () => {
  it('runs with the underlying clock until advanced, then ahead of it', () => {
    const base = new ManualClock(1_000);
    const clock = new OffsetClock(base);
    expect(clock.now()).toBe(1_000);
    base.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.advance(60_000);
    expect(clock.now()).toBe(61_500);
    expect(base.now()).toBe(1_500);
    expect(clock.offsetMs).toBe(60_000);
    clock.advance(-5);
    expect(clock.offsetMs).toBe(60_000);
  });

  it('fires timers an advance passes, at once and in time order; the rest fire on the underlying clock for what is left', () => {
    const base = new ManualClock(0);
    const clock = new OffsetClock(base);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 2_000);
    clock.setTimeout(() => fired.push('a'), 1_000);
    const later = clock.setTimeout(() => fired.push('later'), 10_000);
    const cancelled = clock.setTimeout(() => fired.push('cancelled'), 500);
    clock.clearTimeout(cancelled);
    clock.advance(3_000);
    expect(fired).toEqual(['a', 'b']);
    base.advance(6_999);
    expect(fired).toEqual(['a', 'b']);
    base.advance(1);
    expect(fired).toEqual(['a', 'b', 'later']);
    clock.clearTimeout(later); // already fired: nothing happens
    expect(base.pending()).toEqual([]);
  });

  it('a timer set from a firing timer runs on the new time', () => {
    const base = new ManualClock(0);
    const clock = new OffsetClock(base);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 100);
    }, 1_000);
    clock.advance(5_000);
    expect(fired).toEqual([5_000]);
    base.advance(100);
    expect(fired).toEqual([5_000, 5_100]);
  });
});

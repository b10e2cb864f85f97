import type { Clock } from './clock';

/**
 * A {@link Clock} for tests (never used by the app): time stands still until {@link advance}
 * or {@link runNext} moves it, and timers fire then, in time order.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Pending timers' delays from now, soonest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Move time forward by `ms`, firing due timers in order (a timer may schedule another). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let due = this.soonest(end); due; due = this.soonest(end)) this.fire(due);
    this.time = end;
  }

  /** Move time to the soonest pending timer and fire it; returns how far time moved. Throws when none is pending. */
  runNext(): number {
    const due = this.soonest(Infinity);
    if (!due) throw new Error('ManualClock: nothing scheduled');
    const waited = due[1].at - this.time;
    this.fire(due);
    return waited;
  }

  private soonest(until: number): [number, { at: number; fn: () => void }] | undefined {
    let due: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of this.timers) if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
    return due;
  }

  private fire([id, timer]: [number, { at: number; fn: () => void }]): void {
    this.timers.delete(id);
    this.time = timer.at;
    timer.fn();
  }
}

import { systemClock, type Clock } from './clock';

/**
 * A {@link Clock} running ahead of another by an offset that only grows ({@link advance}): the
 * demo's `advance-clock` moves the outbound call lists' time forward (a retry delay passes at
 * once) without touching the rest of the desk. A timer set on it fires when its time comes on
 * this clock: at once when an advance passes it, else on the underlying clock's timer.
 */
export class OffsetClock implements Clock {
  private offset = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void; handle: unknown }>();

  constructor(private readonly base: Clock = systemClock) {}

  /** How far ahead of the underlying clock this one runs (ms). */
  get offsetMs(): number {
    return this.offset;
  }

  now(): number {
    return this.base.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    const delay = Math.max(0, ms);
    this.timers.set(id, { at: this.now() + delay, fn, handle: this.base.setTimeout(() => this.fire(id), delay) });
    return id;
  }

  clearTimeout(handle: unknown): void {
    const timer = this.timers.get(handle as number);
    if (!timer) return;
    this.base.clearTimeout(timer.handle);
    this.timers.delete(handle as number);
  }

  /** Moves this clock `ms` ahead: timers now due fire, in time order; the others are re-armed for what is left. */
  advance(ms: number): void {
    if (!(ms > 0)) return;
    this.offset += ms;
    const now = this.now();
    const due = [...this.timers].filter(([, timer]) => timer.at <= now).sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
    for (const [id, timer] of this.timers) {
      if (timer.at <= now) continue;
      this.base.clearTimeout(timer.handle);
      timer.handle = this.base.setTimeout(() => this.fire(id), timer.at - now);
    }
    for (const [id] of due) this.fire(id);
  }

  private fire(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return;
    this.base.clearTimeout(timer.handle);
    this.timers.delete(id);
    timer.fn();
  }
}

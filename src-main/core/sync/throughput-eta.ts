/**
 * Time left of a long run (the first sync), from its recent throughput rather than its
 * average since the start. A first sync slows down as the cache grows (bigger indexes, a
 * fuller FTS), and its first pages are the fastest: an average from the start promised
 * "≈ 1 min" for most of the first minute of a 139 s sync. The rate over the last
 * `windowMs` follows the run as it is now; before `warmUpMs` there is no estimate at all
 * (a guess from one or two pages is worse than none).
 */
export class ThroughputEta {
  private readonly windowMs: number;
  private readonly warmUpMs: number;
  private startedAt = 0;
  private samples: { at: number; done: number }[] = [];

  constructor(options: { windowMs?: number; warmUpMs?: number } = {}) {
    this.windowMs = options.windowMs ?? 20_000;
    this.warmUpMs = options.warmUpMs ?? 3_000;
  }

  /** A new run begins at `at` with nothing done. */
  start(at: number): void {
    this.startedAt = at;
    this.samples = [{ at, done: 0 }];
  }

  /**
   * Records that `done` of `total` records are done at `at`, and returns the milliseconds
   * left (0 when done), or null when it cannot be told yet (no total, too early, no progress).
   */
  estimate(at: number, done: number, total: number | null): number | null {
    this.samples.push({ at, done });
    // Keep one sample at or before the window's start, so the rate spans the whole window.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
    if (total === null) return null;
    if (done >= total) return 0;
    if (at - this.startedAt < this.warmUpMs) return null;
    const oldest = this.samples[0]!;
    const elapsed = at - oldest.at;
    const progressed = done - oldest.done;
    if (elapsed <= 0 || progressed <= 0) return null;
    return Math.round(((total - done) * elapsed) / progressed);
  }
}

/**
 * Time left of a long run (the first sync). A first sync slows down as the cache grows (bigger
 * indexes, a fuller FTS): at 200,000 cards its pages cost ~0.35 ms a card at the start and
 * ~0.7 ms at the end, so any rate measured so far — an average since the start, or the last
 * 20 s — promises too little ("≈ 1 min" for most of the first minute of a 115–139 s sync).
 *
 * So the cost of one record is modelled as growing with the records already applied,
 * `cost(n) = a + b·n`, fitted by least squares over every page of the run (running sums, O(1)
 * memory), and the time left is its integral up to the total:
 * `a·(N − n) + b·(N² − n²)/2`. When the fit says the cost is falling (`b < 0`, a MIS that got
 * faster), the cost is taken as constant at its current value. Before `warmUpMs` there is no
 * estimate at all: a guess from one or two pages is worse than none.
 */
export class ThroughputEta {
  private readonly warmUpMs: number;
  private startedAt = 0;
  private last: { at: number; done: number } = { at: 0, done: 0 };
  // Least-squares sums over pages: x = records done at the page's middle, y = ms per record.
  private count = 0;
  private sumX = 0;
  private sumY = 0;
  private sumXY = 0;
  private sumXX = 0;
  private sumWeight = 0;

  constructor(options: { warmUpMs?: number } = {}) {
    this.warmUpMs = options.warmUpMs ?? 3_000;
  }

  /** A new run begins at `at` with nothing done. */
  start(at: number): void {
    this.startedAt = at;
    this.last = { at, done: 0 };
    this.count = this.sumX = this.sumY = this.sumXY = this.sumXX = this.sumWeight = 0;
  }

  /**
   * Records that `done` of `total` records are done at `at`, and returns the milliseconds
   * left (0 when done), or null when it cannot be told yet (no total, too early, no progress).
   */
  estimate(at: number, done: number, total: number | null): number | null {
    const records = done - this.last.done;
    const elapsed = at - this.last.at;
    // The first page of a run also carries the start-up (a cold MIS, first statements): not a cost per record.
    if (records > 0 && elapsed > 0 && this.last.done === 0) {
      this.last = { at, done };
    } else if (records > 0 && elapsed > 0) {
      // Weighted by the records of the page, so a short last page does not swing the fit.
      const x = this.last.done + records / 2;
      const y = elapsed / records;
      this.count += 1;
      this.sumWeight += records;
      this.sumX += records * x;
      this.sumY += records * y;
      this.sumXY += records * x * y;
      this.sumXX += records * x * x;
      this.last = { at, done };
    }
    if (total === null) return null;
    if (done >= total) return 0;
    if (at - this.startedAt < this.warmUpMs || this.count === 0) return null;
    const { a, b } = this.fit();
    const left = total - done;
    const remaining = b > 0 ? a * left + (b * (total * total - done * done)) / 2 : Math.max(0, a + b * done) * left;
    return remaining > 0 ? Math.round(remaining) : null;
  }

  /** cost(n) = a + b·n in ms per record; with fewer than three pages, the average cost. */
  private fit(): { a: number; b: number } {
    const w = this.sumWeight;
    const meanX = this.sumX / w;
    const meanY = this.sumY / w;
    const varX = this.sumXX / w - meanX * meanX;
    if (this.count < 3 || varX <= 0) return { a: meanY, b: 0 };
    const b = (this.sumXY / w - meanX * meanY) / varX;
    return { a: meanY - b * meanX, b };
  }
}

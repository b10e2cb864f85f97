/**
 * The shift soak's rules (docs/architecture.md has none: this folder's README states them): what
 * "flat after warm-up" means for memory, and "no growth" for listeners, handles and timers.
 * Pure functions over the samples, so the rules are tested on their own (`soak-verdict.test.ts`).
 */

/** Memory after warm-up may grow at most this much, baseline to end (the issue's 10 %). */
export const MEMORY_GROWTH_LIMIT = 0.1;

/** Handles and timers in flight at a sample vary by a few; a leak adds one per call. */
export const RESOURCE_SLACK = 3;

/** One measured series: its name and one value per sample, oldest first. */
export interface SoakSeries {
  name: string;
  values: readonly number[];
}

/** What a rule found for one series. */
export interface SeriesVerdict {
  name: string;
  /** The statistic of the first `window` samples. */
  baseline: number;
  /** The statistic of the last `window` samples. */
  end: number;
  /** `end / baseline - 1` (0 when the baseline is 0 and the end too). */
  growth: number;
  ok: boolean;
  /** The rule in words, for the report (`median last 5 ≤ median first 5 × 1.10`). */
  rule: string;
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How many samples each end of a series is summarised by: a quarter of them, at least 1, at most 5. */
export function windowOf(samples: number): number {
  return Math.max(1, Math.min(5, Math.floor(samples / 4)));
}

function growthOf(baseline: number, end: number): number {
  if (baseline === 0) return end === 0 ? 0 : Infinity;
  return end / baseline - 1;
}

/**
 * Memory levels off: the median of the last `window` samples is at most
 * {@link MEMORY_GROWTH_LIMIT} above the median of the first `window` (a GC'd heap or RSS wobbles;
 * medians ignore one odd sample at either end, a leak moves the whole end).
 */
export function memoryVerdict(series: SoakSeries, limit = MEMORY_GROWTH_LIMIT): SeriesVerdict {
  const window = windowOf(series.values.length);
  const baseline = median(series.values.slice(0, window));
  const end = median(series.values.slice(-window));
  const growth = growthOf(baseline, end);
  return { name: series.name, baseline, end, growth, ok: growth <= limit, rule: `median of last ${window} ≤ median of first ${window} × ${(1 + limit).toFixed(2)}` };
}

/**
 * A count (listeners, handles, timers, undelivered writes) does not grow: the median of the last
 * `window` samples is no higher than the highest of the first `window`, plus `slack`. Listeners
 * get no slack; handles and timers get a little, because what is in flight when a sample is
 * taken varies (the outbox's idle wait, a MIS round trip, the journal summary's 2 s timer). A
 * count that climbs with the calls — one timer or listener per call — fails either way.
 */
export function countVerdict(series: SoakSeries, slack = 0): SeriesVerdict {
  const window = windowOf(series.values.length);
  const baseline = Math.max(...series.values.slice(0, window));
  const end = median(series.values.slice(-window));
  return {
    name: series.name,
    baseline,
    end,
    growth: growthOf(baseline, end),
    ok: end <= baseline + slack,
    rule: `median of last ${window} ≤ max of first ${window}${slack > 0 ? ` + ${slack}` : ''}`,
  };
}

/**
 * Growth per unit (per call) of a series between its first and last sample, by least squares
 * over every sample: what the report says of the tables that legitimately grow with the calls.
 */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2) return 0;
  const n = xs.length;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    covariance += (xs[i]! - meanX) * (ys[i]! - meanY);
    variance += (xs[i]! - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

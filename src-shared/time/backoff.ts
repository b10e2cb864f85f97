/**
 * The one retry schedule of the desk: capped exponential backoff, with jitter where many desks
 * retry against one server. Used by the pull engine and the outbox sender (against the MIS), the
 * softphone's registration (against the PBX) and the browser host's bridge (loopback). Pure: the
 * randomness is passed in.
 */
export interface BackoffPolicy {
  /** The first retry's ceiling. */
  baseMs: number;
  /** No ceiling grows beyond this. */
  capMs: number;
  /**
   * `none`: the ceiling itself (one desk against its own PBX or host); `full`: uniform in
   * [0, ceiling] (AWS "full jitter"); `equal`: uniform in [ceiling/2, ceiling]. Jitter spreads the
   * retries of many desks so a MIS coming back after an outage is not hit by all of them at once.
   */
  jitter: 'none' | 'full' | 'equal';
}

/**
 * The delay before retry number `attempt` (1 = the first retry): ceiling = min(cap, base · 2^(attempt−1)),
 * then jittered with `random()` ∈ [0, 1); whole milliseconds.
 */
export function backoffDelay(policy: BackoffPolicy & { jitter: 'none' }, attempt: number): number;
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number;
export function backoffDelay(policy: BackoffPolicy, attempt: number, random?: () => number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  if (policy.jitter === 'none' || !random) return Math.round(ceiling);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(policy.jitter === 'full' ? ceiling * r : ceiling / 2 + (ceiling / 2) * r);
}

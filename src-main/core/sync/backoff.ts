/**
 * Retry delays shared by the pull loop and the outbox sender (DESIGN §5: capped exponential
 * backoff with jitter). Jitter spreads the retries of many desks so a MIS coming back after an
 * outage is not hit by all of them in the same second.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** `full`: uniform in [0, ceiling] (AWS "full jitter"); `equal`: uniform in [ceiling/2, ceiling]. */
  jitter: 'full' | 'equal';
}

/**
 * The delay before retry number `attempt` (1 = first retry): ceiling = min(cap, base · 2^(attempt-1)),
 * then jittered with `random()` ∈ [0, 1).
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(policy.jitter === 'full' ? ceiling * r : ceiling / 2 + (ceiling / 2) * r);
}

/** Resolves after `ms`, or at once when `signal` aborts (so `stop()` never waits out a backoff). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

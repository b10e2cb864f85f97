/**
 * The one clock the desk's timed code runs on — the softphone's registration and call timers,
 * the browser host's bridge, the outbox sender, the pull engine, the demo MIS — injected so a
 * test decides when time passes ({@link ManualClock}) and never waits for it.
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /** Calls `fn` once after `ms`; the handle is only for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock: `Date.now` and the platform's timers (Node or the browser). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Resolves after `ms` on `clock`, or at once when `signal` aborts (so a stop never waits out a backoff). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    let settled = false;
    let timer: unknown = null;
    const settle = (aborted: boolean) => {
      if (settled) return;
      settled = true;
      if (aborted && timer !== null) clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => settle(true);
    signal?.addEventListener('abort', onAbort, { once: true });
    timer = clock.setTimeout(() => settle(false), ms);
  });
}

/**
 * Calls `fn` every `ms` on `clock`, the first time `ms` from now, until the returned function
 * is called. The next call is scheduled before `fn` runs, so a slow or throwing `fn` keeps the
 * cadence, as `setInterval` would.
 */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let timer: unknown = null;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    timer = clock.setTimeout(tick, ms);
    fn();
  };
  timer = clock.setTimeout(tick, ms);
  return () => {
    stopped = true;
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  };
}

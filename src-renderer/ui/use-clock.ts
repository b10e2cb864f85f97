import { useSyncExternalStore } from 'react';

/**
 * One shared 1 s clock for every live figure on screen (waits, times in state, SLA countdowns):
 * a single interval runs while anything listens, so hundreds of rows tick together and no row
 * keeps a timer of its own.
 */
const TICK_MS = 1000;

const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
let now = Date.now();

function tick(): void {
  now = Date.now();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(tick, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The clock as of the last tick; while nothing listens it is refreshed when read (and stable within a second). */
function read(): number {
  if (timer === null && Date.now() - now >= TICK_MS) now = Date.now();
  return now;
}

/** Clock time (ms), re-rendering the caller once a second, in step with every other live figure. */
export function useClock(): number {
  return useSyncExternalStore(subscribe, read);
}

/** Whether `at` (ms) has passed; re-renders the caller only when the answer flips, not every second. */
export function useIsPast(at: number): boolean {
  return useSyncExternalStore(subscribe, () => read() >= at);
}

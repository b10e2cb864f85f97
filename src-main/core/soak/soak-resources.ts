import { createHook } from 'node:async_hooks';

/** Live async resources by type, unref'd ones included (`process.getActiveResourcesInfo()` lists only what keeps the loop alive). */
export interface ResourceTracker {
  /** Resources created and not yet destroyed, by async_hooks type (`Timeout`, `TCPWRAP`, `FSREQCALLBACK` …); promises are not counted. */
  live(): Record<string, number>;
  stop(): void;
}

/**
 * Tracks every async resource from now on with `async_hooks` (init → destroy), so a timer a
 * service forgets — even an unref'd one, which `getActiveResourcesInfo` never shows — is counted
 * at every sample. Promises are left out: each call makes hundreds, and they carry no handle.
 */
export function trackResources(): ResourceTracker {
  const live = new Map<number, string>();
  const hook = createHook({
    init(asyncId, type) {
      if (type !== 'PROMISE') live.set(asyncId, type);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  hook.enable();
  return {
    live() {
      const counts: Record<string, number> = {};
      for (const type of live.values()) counts[type] = (counts[type] ?? 0) + 1;
      return counts;
    },
    stop() {
      hook.disable();
      live.clear();
    },
  };
}

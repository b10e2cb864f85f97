import type { DeskErrorPayload } from '../../src-shared/ipc/errors';
import type { EventName, EventPayload, RequestName, RequestOutput } from '../../src-shared/ipc/contract';
import type { DeskClient } from './desk-client-types';
import { toDeskError } from './desk-error';

/**
 * Keeps one piece of main's state current in a window: asks `request` once, then takes every
 * `event` (pushed by main, no polling), and asks again when the bridge is back after a drop
 * (events were missed) or `reload()` is called. An answer an event overtook is dropped: the
 * event is newer. Returns `reload` and `stop`.
 */
export function followRequest<N extends RequestName, E extends EventName>(
  desk: DeskClient,
  options: {
    request: N;
    event: E;
    onValue(value: RequestOutput<N> | EventPayload<E>): void;
    onError(error: DeskErrorPayload): void;
  },
): { reload(): void; stop(): void } {
  // Bumped by every event and every load: only the newest thing heard is applied.
  let generation = 0;
  let lost = false;
  let stopped = false;
  const load = () => {
    if (stopped) return;
    const mine = ++generation;
    desk.request(options.request, {} as never).then(
      (value) => {
        if (mine === generation && !stopped) options.onValue(value);
      },
      (error: unknown) => {
        if (mine === generation && !stopped) options.onError(toDeskError(error).toPayload());
      },
    );
  };
  const unsubscribe = [
    desk.on(options.event, (payload) => {
      generation++;
      if (!stopped) options.onValue(payload);
    }),
    desk.onBridgeState((state) => {
      if (state === 'reconnecting' || state === 'closed') lost = true;
      if (state === 'open' && lost) {
        lost = false;
        load();
      }
    }),
  ];
  load();
  return {
    reload: load,
    stop() {
      stopped = true;
      generation++;
      unsubscribe.forEach((off) => off());
    },
  };
}

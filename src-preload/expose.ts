import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, isEventName, isRequestName, type DeskApi, type EventName } from '../src-shared/ipc/contract';
import { encodeBridgedMessage } from '../src-shared/ipc/bridged-error';
import type { DeskErrorCode } from '../src-shared/ipc/errors';

/** The slice of ipcRenderer the desk needs; a fake in tests, the real one in the preload. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * What `request` rejects with. The code is both a property (kept when nothing is in between,
 * as in tests) and the `[CODE] ` start of the message, because contextBridge copies only the
 * message into the page; the renderer reads it back with `decodeBridgedError`.
 */
export class PreloadDeskError extends Error {
  constructor(
    readonly code: DeskErrorCode,
    readonly text: string,
  ) {
    super(encodeBridgedMessage(code, text));
    this.name = 'DeskError';
    // Main's stack would mean nothing to the page, and ours only names preload internals.
    this.stack = `${this.name}: ${this.message}`;
  }
}

type AnyListener = (payload: unknown) => void;

/**
 * Builds `window.desk` from the contract and nothing else: `request` for the names in
 * `requests`, `on` for the names in `events`. Unknown names are refused here, before IPC is
 * touched, so a compromised page cannot probe main with made-up channels. The IpcRendererEvent
 * never reaches the page (it carries `sender`, i.e. ipcRenderer itself).
 */
export function createDeskApi(ipc: PreloadIpc): DeskApi {
  const listeners = new Map<EventName, Set<AnyListener>>();
  let attached = false;

  // One IPC listener for all subscriptions: ipcRenderer warns past ten listeners per channel,
  // and a busy renderer subscribes many components to the same event.
  const onEvent = (_event: unknown, name: unknown, payload: unknown): void => {
    if (!isEventName(name)) return;
    const set = listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        // One faulty page listener must not starve the others of the event.
        console.error(`desk: a listener for ${name} threw`, error);
      }
    }
  };

  function detachIfIdle(): void {
    if (attached && listeners.size === 0) {
      ipc.removeListener(IPC_EVENT_CHANNEL, onEvent as (event: unknown, ...args: unknown[]) => void);
      attached = false;
    }
  }

  const api = {
    async request(name: unknown, input: unknown): Promise<unknown> {
      if (!isRequestName(name)) {
        throw new PreloadDeskError('UNKNOWN_REQUEST', `Unknown request "${String(name).slice(0, 64)}".`);
      }
      const result = await ipc.invoke(IPC_REQUEST_CHANNEL, name, input);
      return unwrap(result);
    },

    on(name: unknown, listener: unknown): () => void {
      if (!isEventName(name)) throw new PreloadDeskError('UNKNOWN_REQUEST', `Unknown event "${String(name).slice(0, 64)}".`);
      if (typeof listener !== 'function') throw new TypeError(`desk.on("${name}") needs a listener function.`);
      const typed = listener as AnyListener;
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(typed);
      if (!attached) {
        ipc.on(IPC_EVENT_CHANNEL, onEvent as (event: unknown, ...args: unknown[]) => void);
        attached = true;
      }
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        const current = listeners.get(name);
        current?.delete(typed);
        if (current && current.size === 0) listeners.delete(name);
        detachIfIdle();
      };
    },
  };
  return api as DeskApi;
}

/** Turns main's DeskResult into a value or a DeskError; anything malformed is INTERNAL. */
function unwrap(result: unknown): unknown {
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    const shaped = result as { ok: unknown; value?: unknown; error?: unknown };
    if (shaped.ok === true) return shaped.value;
    if (shaped.ok === false && typeof shaped.error === 'object' && shaped.error !== null) {
      const { code, message } = shaped.error as { code?: unknown; message?: unknown };
      if (typeof code === 'string' && typeof message === 'string') {
        throw new PreloadDeskError(code as DeskErrorCode, message);
      }
    }
  }
  throw new PreloadDeskError('INTERNAL', 'The desk answered with a malformed response.');
}

/** Exactly what `window.desk` must hold: the contract's two entry points. */
export const DESK_API_KEYS = ['request', 'on'] as const satisfies readonly (keyof DeskApi)[];

import { createContext, useContext, useEffect } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CallbackList, CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';

/**
 * The callback worklist as main last sent it, shared by the Callbacks pane and the navigation's
 * badge. One subscription per window (`useCallbacksSync`, run by the shell).
 */
export interface CallbacksState {
  /** The last `callbacks.list` answer or `callbacks:changed` event; null until the first. */
  list: CallbackList | null;
  /** Why the last load failed (a list already shown stays). */
  error: DeskErrorPayload | null;
  /** Bumped by `reload()`; the sync loads the list again. */
  reloads: number;
  setList(list: CallbackList): void;
  /** One task as a request answered it (claim, release, complete): replaced in place until the next list. */
  applyTask(task: CallbackTask): void;
  setError(error: DeskErrorPayload | null): void;
  reload(): void;
}

export type CallbacksStore = StoreApi<CallbacksState>;

export function createCallbacksStore(): CallbacksStore {
  return createStore<CallbacksState>()((set) => ({
    list: null,
    error: null,
    reloads: 0,
    setList(list) {
      set({ list, error: null });
    },
    applyTask(task) {
      set((state) =>
        state.list && state.list.tasks.some((candidate) => candidate.id === task.id)
          ? { list: { ...state.list, tasks: state.list.tasks.map((candidate) => (candidate.id === task.id ? task : candidate)) } }
          : state,
      );
    },
    setError(error) {
      set({ error });
    },
    reload() {
      set((state) => ({ reloads: state.reloads + 1 }));
    },
  }));
}

export const CallbacksStoreContext = createContext<CallbacksStore | null>(null);

export function useCallbacksStoreApi(): CallbacksStore {
  const store = useContext(CallbacksStoreContext);
  if (!store) throw new Error('CallbacksStoreContext is missing');
  return store;
}

export function useCallbacksStore<T>(selector: (state: CallbacksState) => T): T {
  return useStore(useCallbacksStoreApi(), selector);
}

/**
 * Keeps the worklist current: `callbacks.list` once, then every `callbacks:changed`, and the list
 * again when the bridge is back after a drop or `reload()` asks. An answer an event overtook is
 * dropped (the event is newer). Off for a role without the worklist (a cashier).
 */
export function useCallbacksSync(enabled: boolean): void {
  const desk = useDesk();
  const store = useCallbacksStoreApi();
  useEffect(() => {
    if (!enabled) return;
    let generation = 0;
    let lost = false;
    const load = () => {
      const mine = ++generation;
      desk.request('callbacks.list', {}).then(
        (list) => {
          if (mine === generation) store.getState().setList(list);
        },
        (error: unknown) => {
          if (mine === generation) store.getState().setError(toDeskError(error).toPayload());
        },
      );
    };
    const unsubscribe = [
      desk.on('callbacks:changed', (list) => {
        generation++;
        store.getState().setList(list);
      }),
      desk.onBridgeState((state) => {
        if (state === 'reconnecting' || state === 'closed') lost = true;
        if (state === 'open' && lost) {
          lost = false;
          load();
        }
      }),
      store.subscribe((state, previous) => {
        if (state.reloads !== previous.reloads) load();
      }),
    ];
    load();
    return () => {
      generation++;
      unsubscribe.forEach((off) => off());
    };
  }, [desk, store, enabled]);
}

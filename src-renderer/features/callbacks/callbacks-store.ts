import { createContext, useContext, useEffect } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CallbackList, CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { useDesk } from '../../app/desk-context';
import { followRequest } from '../../bridge/follow-request';

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
    const follow = followRequest(desk, {
      request: 'callbacks.list',
      event: 'callbacks:changed',
      onValue: (list) => store.getState().setList(list),
      onError: (error) => store.getState().setError(error),
    });
    const offReload = store.subscribe((state, previous) => {
      if (state.reloads !== previous.reloads) follow.reload();
    });
    return () => {
      offReload();
      follow.stop();
    };
  }, [desk, store, enabled]);
}

import { createContext, useContext, useEffect } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import type { QueueView } from '../../../src-shared/pbx/pbx-contract';
import type { QueueAgent } from '../../../src-shared/pbx/pbx-model';
import { useDesk } from '../../app/desk-context';
import { followRequest } from '../../bridge/follow-request';

/**
 * The queue board as main last sent it, shared by the Queue pane and the status bar's agent
 * status. One subscription per window (`useQueueSync`, run by the shell); every view replaces
 * the last one whole.
 */
export interface QueueState {
  /** The last `queue.view` answer or `queue:changed` event; null until the first. */
  view: QueueView | null;
  /** Why the last load failed (a view already shown stays). */
  error: DeskErrorPayload | null;
  /** Bumped by `reload()` (the pane's Retry); the sync loads the board again. */
  reloads: number;
  setView(view: QueueView): void;
  setError(error: DeskErrorPayload | null): void;
  reload(): void;
}

export type QueueStore = StoreApi<QueueState>;

export function createQueueStore(): QueueStore {
  return createStore<QueueState>()((set) => ({
    view: null,
    error: null,
    reloads: 0,
    reload() {
      set((state) => ({ error: null, reloads: state.reloads + 1 }));
    },
    setView(view) {
      set({ view, error: null });
    },
    setError(error) {
      set({ error });
    },
  }));
}

export const QueueStoreContext = createContext<QueueStore | null>(null);

export function useQueueStoreApi(): QueueStore {
  const store = useContext(QueueStoreContext);
  if (!store) throw new Error('QueueStoreContext is missing');
  return store;
}

export function useQueueStore<T>(selector: (state: QueueState) => T): T {
  return useStore(useQueueStoreApi(), selector);
}

/** This desk's own agent on the board (the one whose extension is `agentExtension`), or null. */
export function ownAgentOf(view: QueueView | null): QueueAgent | null {
  if (!view || view.agentExtension === null) return null;
  return view.board.agents.find((agent) => agent.extension === view.agentExtension) ?? null;
}

/**
 * Keeps the queue store current: `queue.view` once, then every `queue:changed` (event-driven,
 * no polling), and `queue.view` again when the bridge is back after a drop (events were missed).
 * An answer that an event overtook is dropped: the event is newer. Off (`enabled` false) for a
 * role without the queue (a cashier), so such a desk never asks.
 */
export function useQueueSync(enabled: boolean): void {
  const desk = useDesk();
  const store = useQueueStoreApi();
  useEffect(() => {
    if (!enabled) return;
    const follow = followRequest(desk, {
      request: 'queue.view',
      event: 'queue:changed',
      onValue: (view) => store.getState().setView(view),
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

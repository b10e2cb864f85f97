import { useEffect } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CallListCounters, CallListOverview, CallListTask } from '../../../src-shared/call-lists/call-lists-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import type { DeskClient } from '../../bridge/desk-client-types';
import { toDeskError } from '../../bridge/desk-error';

/**
 * The outbound call lists as main last answered: the overview (lists, counters, calling window)
 * and the tasks of the list picked. One store per desk client (so per window), kept while the
 * pane is closed: coming back from a patient's card finds the same list picked.
 */
export interface CallListsState {
  overview: CallListOverview | null;
  /** The list on screen (null until the first overview picks one). */
  selected: string | null;
  /** The picked list's tasks and counters, and which list they are of. */
  tasks: { listId: string; tasks: CallListTask[]; counters: CallListCounters } | null;
  /** Why the last load failed (what is shown stays). */
  error: DeskErrorPayload | null;
  /** Bumped by `reload()`: the sync loads everything again. */
  reloads: number;
  setOverview(overview: CallListOverview): void;
  setTasks(listId: string, answer: { tasks: CallListTask[]; counters: CallListCounters }): void;
  /** One task as a request answered it (next, call, release, complete): replaced in place until the next load. */
  applyTask(task: CallListTask): void;
  select(listId: string): void;
  setError(error: DeskErrorPayload | null): void;
  reload(): void;
}

export type CallListsStore = StoreApi<CallListsState>;

export function createCallListsStore(): CallListsStore {
  return createStore<CallListsState>()((set) => ({
    overview: null,
    selected: null,
    tasks: null,
    error: null,
    reloads: 0,
    setOverview(overview) {
      set((state) => {
        // Keep the operator's pick while it is still listed; else the first list with someone to call.
        const listed = overview.lists.some((list) => list.id === state.selected);
        const selected = listed ? state.selected : (overview.lists.find((list) => list.counters.open > 0) ?? overview.lists[0])?.id ?? null;
        return { overview, selected, error: null };
      });
    },
    setTasks(listId, answer) {
      set((state) => (state.selected === listId ? { tasks: { listId, ...answer }, error: null } : state));
    },
    applyTask(task) {
      set((state) =>
        state.tasks && state.tasks.listId === task.listId
          ? {
              tasks: {
                ...state.tasks,
                tasks: state.tasks.tasks.some((candidate) => candidate.id === task.id)
                  ? state.tasks.tasks.map((candidate) => (candidate.id === task.id ? task : candidate))
                  : [task, ...state.tasks.tasks],
              },
            }
          : state,
      );
    },
    select(listId) {
      set((state) => (state.selected === listId ? state : { selected: listId, tasks: null }));
    },
    setError(error) {
      set({ error });
    },
    reload() {
      set((state) => ({ reloads: state.reloads + 1 }));
    },
  }));
}

const stores = new WeakMap<DeskClient, CallListsStore>();

/** The call lists' store of this window's desk client. */
export function callListsStoreOf(desk: DeskClient): CallListsStore {
  let store = stores.get(desk);
  if (!store) stores.set(desk, (store = createCallListsStore()));
  return store;
}

export function useCallListsStore<T>(store: CallListsStore, selector: (state: CallListsState) => T): T {
  return useStore(store, selector);
}

/**
 * Keeps the lists current while the pane is open: the overview and the picked list's tasks once,
 * then again on every `callLists:changed` (only the overview when another list moved), when the
 * bridge is back after a drop, when another list is picked, or when `reload()` asks. An answer
 * that a newer load overtook is dropped.
 */
export function useCallListsSync(desk: DeskClient, store: CallListsStore): void {
  useEffect(() => {
    let overviewRun = 0;
    let tasksRun = 0;
    let stopped = false;
    const fail = (error: unknown) => {
      if (!stopped) store.getState().setError(toDeskError(error).toPayload());
    };
    const loadTasks = () => {
      const listId = store.getState().selected;
      if (listId === null) return;
      const mine = ++tasksRun;
      desk.request('callLists.tasks', { listId }).then((answer) => {
        if (!stopped && mine === tasksRun) store.getState().setTasks(listId, answer);
      }, fail);
    };
    const loadOverview = (thenTasks: boolean) => {
      const mine = ++overviewRun;
      desk.request('callLists.overview', {}).then((overview) => {
        if (stopped || mine !== overviewRun) return;
        const before = store.getState().selected;
        store.getState().setOverview(overview);
        // The first overview picks the list: its tasks load now.
        if (thenTasks || store.getState().selected !== before) loadTasks();
      }, fail);
    };
    let lost = false;
    const unsubscribe = [
      desk.on('callLists:changed', ({ listId }) => {
        const picked = store.getState().selected;
        loadOverview(listId === null || listId === picked);
      }),
      desk.onBridgeState((state) => {
        if (state === 'reconnecting' || state === 'closed') lost = true;
        if (state === 'open' && lost) {
          lost = false;
          loadOverview(true);
        }
      }),
      store.subscribe((state, previous) => {
        if (state.reloads !== previous.reloads) loadOverview(true);
        // Another list picked (the first pick is the overview's, which loads its tasks itself).
        else if (state.selected !== previous.selected && state.tasks === null && previous.selected !== null) loadTasks();
      }),
    ];
    loadOverview(true);
    return () => {
      stopped = true;
      unsubscribe.forEach((off) => off());
    };
  }, [desk, store]);
}

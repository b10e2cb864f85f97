import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MonitorSession } from '../../../src-shared/supervisor/supervisor-model';
import type { Phone, PhoneCall } from '../../softphone/phone';
import type { PbxCall, ScreenPop, WrapUpItem } from './call-work';

/**
 * The running softphone as the UI sees it: the `Phone` itself (to act on calls) and its live
 * calls, mirrored from every `PhoneSnapshot` by `useSoftphone`. Both are null / empty while no
 * phone runs. A call leaves `calls` the moment the phone drops it.
 */
export interface PhoneState {
  phone: Phone | null;
  /**
   * The live calls the operator works: every call but the one the desk asked for (the
   * supervisor's monitor call, `monitorCall`), so rings, pops, lines and hotkeys never see it.
   */
  calls: readonly PhoneCall[];
  /** The supervisor's monitor call on this softphone (an expected intercom call), if one is live. */
  monitorCall: PhoneCall | null;
  /** The supervisor's monitor session as the board last said (supervisor desks only; null otherwise). */
  monitor: MonitorSession | null;
  setMonitor(monitor: MonitorSession | null): void;
  /** The last phone action that failed (shown inline in the pane until the next action). */
  error: PhoneActionError | null;
  /** The last call the network took (recovery failed): shown until dismissed, a callback is owed. */
  lost: PhoneCall | null;
  setPhone(phone: Phone | null): void;
  setCalls(calls: readonly PhoneCall[]): void;
  setError(error: PhoneActionError | null): void;
  setLost(call: PhoneCall | null): void;

  /** Screen pops by call, oldest first. */
  pops: readonly ScreenPop[];
  /** Answered calls waiting for their wrap-up, oldest first: the first one is shown. */
  wrapUps: readonly WrapUpItem[];
  /** CTI mode: calls the PBX reports on this desk's hardware phone. */
  pbxCalls: readonly PbxCall[];
  addPop(pop: ScreenPop): void;
  updatePop(callId: string, update: (pop: ScreenPop) => Partial<ScreenPop>): void;
  removePop(callId: string): void;
  setPbxCall(call: PbxCall | null, callId: string): void;
  enqueueWrapUp(item: WrapUpItem): void;
  updateWrapUp(callId: string, patch: Partial<Pick<WrapUpItem, 'category' | 'outcome' | 'note'>>): void;
  removeWrapUp(callId: string): void;
}

/** What the operator tried to do; each has its own sentence under `phone.errors.*`. */
export type PhoneAction =
  | 'dial'
  | 'answer'
  | 'reject'
  | 'hangup'
  | 'hold'
  | 'resume'
  | 'mute'
  | 'unmute'
  | 'dtmf'
  | 'blindTransfer'
  | 'consult'
  | 'completeTransfer'
  | 'cancelTransfer'
  | 'swap';

export interface PhoneActionError {
  action: PhoneAction;
  /** The phone's own message, for the tooltip (IT); the operator reads the localized sentence. */
  detail: string;
}

export type PhoneStore = StoreApi<PhoneState>;

export function createPhoneStore(): PhoneStore {
  return createStore<PhoneState>()((set) => ({
    phone: null,
    calls: [],
    monitorCall: null,
    monitor: null,
    error: null,
    lost: null,
    setPhone(phone) {
      set((state) => (phone ? { phone, ...splitCalls(state, phone.calls), error: null } : { phone: null, calls: [], monitorCall: null, error: null }));
    },
    setCalls(calls) {
      set((state) => splitCalls(state, calls));
    },
    setMonitor(monitor) {
      set({ monitor });
    },
    setError(error) {
      set({ error });
    },
    setLost(lost) {
      set({ lost });
    },
    pops: [],
    wrapUps: [],
    pbxCalls: [],
    addPop(pop) {
      set((state) => (state.pops.some((p) => p.callId === pop.callId) ? state : { pops: [...state.pops, pop] }));
    },
    updatePop(callId, update) {
      set((state) => {
        const pop = state.pops.find((p) => p.callId === callId);
        if (!pop) return state;
        const next = { ...pop, ...update(pop) };
        return { pops: state.pops.map((p) => (p === pop ? next : p)) };
      });
    },
    removePop(callId) {
      set((state) => (state.pops.some((p) => p.callId === callId) ? { pops: state.pops.filter((p) => p.callId !== callId) } : state));
    },
    setPbxCall(call, callId) {
      set((state) => {
        const others = state.pbxCalls.filter((c) => c.callId !== callId);
        return { pbxCalls: call ? [...others, call] : others };
      });
    },
    enqueueWrapUp(item) {
      set((state) => (state.wrapUps.some((w) => w.callId === item.callId) ? state : { wrapUps: [...state.wrapUps, item] }));
    },
    updateWrapUp(callId, patch) {
      set((state) => ({ wrapUps: state.wrapUps.map((w) => (w.callId === callId ? { ...w, ...patch } : w)) }));
    },
    removeWrapUp(callId) {
      set((state) => ({ wrapUps: state.wrapUps.filter((w) => w.callId !== callId) }));
    },
  }));
}

/**
 * The phone's calls as the store keeps them: the expected intercom call apart. A ring the phone
 * took as the expected one after it had rung (the PBX was quicker than the board) loses its pop.
 */
function splitCalls(state: PhoneState, all: readonly PhoneCall[]): Pick<PhoneState, 'calls' | 'monitorCall'> & Partial<Pick<PhoneState, 'pops'>> {
  const monitorCall = all.find((call) => call.expectedIntercom) ?? null;
  if (!monitorCall) return { calls: all, monitorCall: null };
  const calls = all.filter((call) => !call.expectedIntercom);
  const pops = state.pops.some((pop) => pop.callId === monitorCall.id) ? state.pops.filter((pop) => pop.callId !== monitorCall.id) : state.pops;
  return { calls, monitorCall, pops };
}

/**
 * Runs one phone method for the UI: a rejection becomes the store's inline error (never an
 * exception into React); success clears the last error. Resolves to the method's result or null.
 */
export async function runPhoneAction<T>(store: PhoneStore, action: PhoneAction, run: (phone: Phone) => Promise<T>): Promise<T | null> {
  const phone = store.getState().phone;
  if (!phone) return null;
  try {
    const result = await run(phone);
    if (store.getState().error) store.getState().setError(null);
    return result;
  } catch (error) {
    store.getState().setError({ action, detail: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/**
 * The operator is about to place a call (typing a number or a transfer target): let the phone
 * open the microphone now, so the call does not wait for the capture device. Cheap to repeat
 * (the phone keeps one stream and re-arms its 10 s countdown); never throws into React.
 */
export function prepareMicrophone(store: PhoneStore): void {
  try {
    store.getState().phone?.prepareMicrophone();
  } catch (error) {
    console.warn(`softphone: could not prepare the microphone: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export const PhoneStoreContext = createContext<PhoneStore | null>(null);

export function usePhoneStoreApi(): PhoneStore {
  const store = useContext(PhoneStoreContext);
  if (!store) throw new Error('PhoneStoreContext is missing');
  return store;
}

export function usePhoneStore<T>(selector: (state: PhoneState) => T): T {
  return useStore(usePhoneStoreApi(), selector);
}

/** An incoming call waiting to be answered (an outgoing call that rings is a line, not a panel). */
export const isIncomingRinging = (call: PhoneCall): boolean => call.direction === 'incoming' && call.state === 'ringing';

/** Calls shown as lines: everything live except incoming calls still ringing. */
export function linesOf(calls: readonly PhoneCall[]): PhoneCall[] {
  return calls.filter((call) => !isIncomingRinging(call) && call.state !== 'ended');
}

/** A call that holds the operator's attention (talking, setting up, or recovering). */
const isEngaged = (call: PhoneCall): boolean =>
  call.state === 'active' || call.state === 'connecting' || call.state === 'recovering' || (call.direction === 'outgoing' && call.state === 'ringing');

/**
 * The call the controls (and F7/F8/F9) act on: the one being talked on or set up — the newest
 * such, so a consultation wins over the held caller — otherwise the newest held line.
 */
export function focusedCallOf(calls: readonly PhoneCall[]): PhoneCall | null {
  const lines = linesOf(calls);
  const newestFirst = [...lines].sort((a, b) => b.startedAt - a.startedAt);
  return newestFirst.find(isEngaged) ?? newestFirst.find((call) => call.state === 'held') ?? null;
}

/** The oldest incoming call still ringing (F6 answers it). */
export function firstRingingOf(calls: readonly PhoneCall[]): PhoneCall | null {
  return [...calls].filter(isIncomingRinging).sort((a, b) => a.startedAt - b.startedAt)[0] ?? null;
}

/** A live consultation (attended transfer in progress) and the caller it is for. */
export function consultationOf(calls: readonly PhoneCall[]): { consultation: PhoneCall; original: PhoneCall } | null {
  for (const call of calls) {
    if (!call.consultationFor || call.state === 'ended') continue;
    const original = calls.find((candidate) => candidate.id === call.consultationFor && candidate.state !== 'ended');
    if (original) return { consultation: call, original };
  }
  return null;
}

import { useEffect, useRef } from 'react';
import { useAppStore, useAppStoreApi, type AppStore } from '../../app/app-store';
import type { EventPayload } from '../../../src-shared/ipc/contract';
import { SCREEN_POP_WARM_UP_CALL_ID } from '../../../src-shared/screen-pop/screen-pop-contract';
import { useDesk } from '../../app/desk-context';
import type { DeskClient } from '../../bridge/desk-client-types';
import type { PhoneCall } from '../../softphone/phone';
import type { VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import { mayReadPatientData } from '../../../src-shared/access/access-model';
import { markInvite, newPop, RING_HOLD_MAX_MS, withMatches, type ScreenPop } from './call-work';
import { isIncomingRinging, usePhoneStoreApi, type PhoneStore } from './phone-store';
import { errorCodeOf } from './error-code';

/** The contract's bound on the raw number a lookup takes. */
const NUMBER_MAX = 64;
/** Call ids remembered as already popped (a call re-reported while ringing pops once). */
const SEEN_LIMIT = 200;

/**
 * Starts the screen pop for a call that rings: adds the pop, asks the core for the cached cards
 * (`screenPop.lookup`, cache.db only) and paints them as soon as they arrive, then refreshes
 * them from the MIS in the background (`screenPop.refresh`). Never throws: a failed lookup or
 * refresh is a state of the pop (a quiet status line), never an error in the phone.
 */
export function startScreenPop(desk: DeskClient, store: PhoneStore, call: { callId: string; number: string; source: 'sip' | 'pbx'; extension: string | null }): void {
  const { callId, source } = call;
  const number = call.number.slice(0, NUMBER_MAX);
  markInvite(callId);
  const state = store.getState();
  if (state.pops.some((pop) => pop.callId === callId)) return;
  state.addPop(newPop(callId, number, source, call.extension));
  if (number === '') return;
  setTimeout(() => {
    if (store.getState().pops.find((pop) => pop.callId === callId)?.held) store.getState().updatePop(callId, () => ({ held: false }));
  }, RING_HOLD_MAX_MS);
  lookUpPop(desk, store, callId, number, source);
}

/**
 * The lookup of a pop (again, after an unlock): while the desk is locked or signed out main
 * answers with no card, only how many match (`withheld`): the pop says "known patient" and
 * asks the MIS for nothing until it is looked up again.
 */
function lookUpPop(desk: DeskClient, store: PhoneStore, callId: string, number: string, source: 'sip' | 'pbx'): void {
  let lookup;
  try {
    lookup = desk.request('screenPop.lookup', { callId, number, source });
  } catch (error) {
    lookup = Promise.reject(error);
  }
  lookup.then(
    (result) => {
      // A transfer with context: the card the supervisor had is shown at once, whatever the number matches.
      const transferred = result.transfer?.misId ?? null;
      const withheld = result.withheld ?? null;
      const refresh = result.numberKey !== null && withheld === null;
      store.getState().updatePop(callId, (pop) => {
        const matched = withMatches(pop, result.matches);
        return {
          lookup: 'done',
          held: false,
          numberKey: result.numberKey,
          remembered: result.chosenMisId,
          dataAsOf: result.dataAsOf,
          refresh: refresh ? 'refreshing' : 'none',
          transfer: result.transfer,
          withheld,
          cacheIncomplete: result.cacheIncomplete === true,
          ...matched,
          ...(transferred !== null && result.matches.some((card) => card.misId === transferred) ? { selected: transferred } : {}),
        };
      });
      if (refresh && result.numberKey) refreshScreenPop(desk, store, callId, result.numberKey);
    },
    (error: unknown) => {
      console.warn(`screen pop: lookup failed: ${errorCodeOf(error)}`);
      store.getState().updatePop(callId, () => ({ lookup: 'failed', held: false }));
    },
  );
}

/** The background refresh from the MIS: `updated` with fresh cards, or `unreachable` (cached ones kept). */
function refreshScreenPop(desk: DeskClient, store: PhoneStore, callId: string, numberKey: string): void {
  let refresh;
  try {
    refresh = desk.request('screenPop.refresh', { callId, numberKey });
  } catch (error) {
    refresh = Promise.reject(error);
  }
  refresh.then(
    (result) => {
      store.getState().updatePop(callId, (pop) => ({
        refresh: result.status,
        refreshedAt: result.at,
        // Unreachable: the core sends the cached cards; keep what is on screen as it is.
        ...(result.status === 'updated' ? withMatches(pop, keepTransferred(pop, result.matches)) : {}),
      }));
    },
    (error: unknown) => {
      console.warn(`screen pop: refresh failed: ${errorCodeOf(error)}`);
      store.getState().updatePop(callId, () => ({ refresh: 'unreachable', refreshedAt: null }));
    },
  );
}

/** The refreshed cards, with the card a supervisor transferred the caller with still among them (it may not carry this number). */
function keepTransferred(pop: ScreenPop, matches: readonly VisiblePatientCard[]): readonly VisiblePatientCard[] {
  const misId = pop.transfer?.misId ?? null;
  if (misId === null || matches.some((card) => card.misId === misId)) return matches;
  const card = pop.matches.find((candidate) => candidate.misId === misId);
  return card ? [card, ...matches] : matches;
}

/** Looks up again every pop whose cards were withheld (the desk was locked when it rang). */
export function lookUpWithheld(desk: DeskClient, store: PhoneStore): void {
  for (const pop of store.getState().pops) {
    if (pop.withheld === null || pop.lookup !== 'done') continue;
    store.getState().updatePop(pop.callId, () => ({ lookup: 'pending' }));
    lookUpPop(desk, store, pop.callId, pop.number, pop.source);
  }
}

/**
 * A call ended. Answered (and not the consultation leg of a transfer): its wrap-up is queued and
 * the pop stays with it until the wrap-up is saved. Otherwise the pop goes. Either way the
 * journal views reload.
 */
export function finishCall(store: PhoneStore, app: AppStore, call: { callId: string; number: string; direction: 'incoming' | 'outgoing'; answered: boolean; consultation: boolean }): void {
  const state = store.getState();
  if (call.answered && !call.consultation) {
    state.enqueueWrapUp({ callId: call.callId, number: call.number, direction: call.direction, endedAt: Date.now(), category: '', outcome: '', note: '' });
  } else {
    state.removePop(call.callId);
  }
  app.getState().bumpJournal();
}

/** `finishCall` for a softphone call, from `phone.onCallEnded`. */
export function finishPhoneCall(store: PhoneStore, app: AppStore, call: PhoneCall): void {
  finishCall(store, app, {
    callId: call.id,
    number: call.remoteNumber,
    direction: call.direction,
    answered: call.outcome === 'answered',
    consultation: call.consultationFor !== null,
  });
}

/**
 * A PBX event for this desk's hardware phone (CTI mode): `ringing` pops the card like a
 * softphone INVITE; `ended` queues the wrap-up of an answered call and journals the call
 * (`calls.record`, idempotent by call id, so a core that journals it too costs nothing).
 */
export function onPbxCall(desk: DeskClient, store: PhoneStore, app: AppStore, event: EventPayload<'pbx:call'>): void {
  const state = store.getState();
  const known = state.pbxCalls.find((call) => call.callId === event.callId);
  const now = Date.now();
  switch (event.event) {
    case 'ringing':
      // Marked on arrival: the measure runs from the PBX event to the painted card.
      markInvite(event.callId);
      if (!known) state.setPbxCall({ callId: event.callId, number: event.number, extension: event.extension, state: 'ringing', startedAt: now, answeredAt: null }, event.callId);
      startScreenPop(desk, store, { callId: event.callId, number: event.number, source: 'pbx', extension: event.extension });
      return;
    case 'answered':
      state.setPbxCall(
        { callId: event.callId, number: event.number, extension: event.extension, state: 'answered', startedAt: known?.startedAt ?? now, answeredAt: known?.answeredAt ?? now },
        event.callId,
      );
      return;
    case 'ended': {
      state.setPbxCall(null, event.callId);
      const answeredAt = known?.answeredAt ?? null;
      finishCall(store, app, { callId: event.callId, number: event.number, direction: 'incoming', answered: answeredAt !== null, consultation: false });
      if (!known) return;
      const iso = (ms: number) => new Date(ms).toISOString();
      let sent;
      try {
        sent = desk.request('calls.record', {
          id: event.callId,
          direction: 'incoming',
          number: event.number,
          displayName: '',
          startedAt: iso(known.startedAt),
          answeredAt: answeredAt === null ? null : iso(answeredAt),
          endedAt: iso(now),
          outcome: answeredAt === null ? 'missed' : 'answered',
        });
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        () => app.getState().bumpJournal(),
        (error: unknown) => console.warn(`screen pop: PBX call not journalled: ${errorCodeOf(error)}`),
      );
      return;
    }
  }
}

/**
 * Mounted once in the shell: pops every incoming call the phone reports ringing and every PBX
 * `ringing` event, whichever pane is open (the Phone pane paints them; the call bar shows them on the others).
 */
export function useScreenPop(enabled: boolean): void {
  const desk = useDesk();
  const store = usePhoneStoreApi();
  const app = useAppStoreApi();
  useEffect(() => {
    if (!enabled) return;
    const seen: string[] = [];
    const scan = (calls: readonly PhoneCall[]) => {
      for (const call of calls) {
        if (!isIncomingRinging(call) || seen.includes(call.id)) continue;
        seen.push(call.id);
        if (seen.length > SEEN_LIMIT) seen.shift();
        startScreenPop(desk, store, { callId: call.id, number: call.remoteNumber, source: 'sip', extension: null });
      }
    };
    scan(store.getState().calls);
    const offCalls = store.subscribe((state, previous) => {
      if (state.calls !== previous.calls) scan(state.calls);
    });
    const offPbx = desk.on('pbx:call', (event) => {
      try {
        onPbxCall(desk, store, app, event);
      } catch (error) {
        console.warn(`screen pop: PBX event not handled: ${errorCodeOf(error)}`);
      }
    });
    // Unlocked (or signed in): the pops that rang while no card could be shown are looked up again.
    const offSession = desk.on('session:changed', (session) => {
      if (mayReadPatientData(session.state, session.role)) lookUpWithheld(desk, store);
    });
    return () => {
      offCalls();
      offPbx();
      offSession();
    };
  }, [desk, store, app, enabled]);

  // Once the desk can take calls, run the pop's lookup once with a number nobody has: the
  // first lookup of a session pays for compiling the queries in main and warming the bridge,
  // and that must not land on the first caller's pop. It reads nothing and writes nothing.
  const registered = useAppStore((state) => state.sip.state === 'registered');
  const warmed = useRef(false);
  useEffect(() => {
    if (!enabled || !registered || warmed.current) return;
    warmed.current = true;
    try {
      desk.request('screenPop.lookup', { callId: WARM_UP_CALL_ID, number: WARM_UP_NUMBER, source: 'sip' }).catch(() => undefined);
    } catch {
      // A warm-up only.
    }
  }, [desk, enabled, registered]);
}

/** The warm-up lookup's call id and number (not a phone number, so it can match no card). */
export const WARM_UP_CALL_ID = SCREEN_POP_WARM_UP_CALL_ID;
export const WARM_UP_NUMBER = '0';

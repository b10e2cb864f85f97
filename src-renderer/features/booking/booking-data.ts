import { useCallback, useEffect, useRef, useState } from 'react';
import type { FreeSlot, FreeSlotsQuery, ScheduleCatalog, Visit } from '../../../src-shared/booking/booking-contract';
import { DeskError, type DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { useDesk } from '../../app/desk-context';
import type { DeskClient } from '../../bridge/desk-client-types';
import { toDeskError } from '../../bridge/desk-error';

/** An answer that is not what the contract promises (an older core) fails like an invalid output. */
function checked<T>(value: T | undefined, ok: (value: T) => boolean): T {
  if (value === undefined || value === null || !ok(value)) throw new DeskError('INVALID_OUTPUT', 'unexpected answer');
  return value;
}

/** Calls `reload` when the bridge is back after a drop (pushed events may have been missed). */
function onBridgeBack(desk: DeskClient, reload: () => void): () => void {
  let lost = false;
  return desk.onBridgeState((state) => {
    if (state === 'reconnecting' || state === 'closed') lost = true;
    if (state === 'open' && lost) {
      lost = false;
      reload();
    }
  });
}

export interface CatalogState {
  catalog: ScheduleCatalog | null;
  error: DeskErrorPayload | null;
  reload(): void;
}

/**
 * `schedule.catalog` once when the pane (or a rejected visit) needs it, again on `reload()` and
 * when the bridge is back. Doctors and services change rarely; the grid follows
 * `schedule:changed` itself (useFreeSlots).
 */
export function useCatalog(enabled = true): CatalogState {
  const desk = useDesk();
  const [state, setState] = useState<{ catalog: ScheduleCatalog | null; error: DeskErrorPayload | null }>({ catalog: null, error: null });
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  useEffect(() => {
    if (!enabled) return;
    let stale = false;
    desk.request('schedule.catalog', {}).then(
      (answer) => {
        if (stale) return;
        try {
          setState({ catalog: checked(answer, (c) => Array.isArray(c.doctors) && Array.isArray(c.services)), error: null });
        } catch (error) {
          setState((previous) => ({ ...previous, error: toDeskError(error).toPayload() }));
        }
      },
      (error: unknown) => {
        if (!stale) setState((previous) => ({ ...previous, error: toDeskError(error).toPayload() }));
      },
    );
    return () => {
      stale = true;
    };
  }, [desk, enabled, reloads]);
  useEffect(() => (enabled ? onBridgeBack(desk, reload) : undefined), [desk, enabled, reload]);
  return { ...state, reload };
}

export interface SlotsState {
  /** The query these slots answer (its JSON), so a grid never shows another query's slots as its own. */
  key: string | null;
  slots: FreeSlot[];
  truncated: boolean;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: DeskErrorPayload | null;
  /** Bumped by every answer (the grid then places the focus). */
  version: number;
}

/**
 * The free slots of one page of the grid: asked when the query changes, again on
 * `schedule:changed` (a sync page, a hold taken or released), on `reload()` and when the bridge
 * is back. An older query's answer never replaces a newer one's. `onDataAsOf` hears every
 * "data as of" the answers and the events bring.
 */
export function useFreeSlots(query: FreeSlotsQuery | null, onDataAsOf: (dataAsOf: number | null) => void): SlotsState & { reload(): void } {
  const desk = useDesk();
  const key = query ? JSON.stringify(query) : null;
  const [state, setState] = useState<SlotsState>({ key: null, slots: [], truncated: false, status: 'idle', error: null, version: 0 });
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const hear = useRef(onDataAsOf);
  useEffect(() => {
    hear.current = onDataAsOf;
  });

  useEffect(() => {
    if (key === null) return;
    let stale = false;
    setState((previous) => ({ ...previous, status: 'loading', error: null }));
    desk.request('schedule.freeSlots', JSON.parse(key) as FreeSlotsQuery).then(
      (answer) => {
        if (stale) return;
        try {
          const { slots, truncated, dataAsOf } = checked(answer, (a) => Array.isArray(a.slots));
          setState((previous) => ({ key, slots, truncated, status: 'ready', error: null, version: previous.version + 1 }));
          hear.current(dataAsOf);
        } catch (error) {
          setState((previous) => ({ ...previous, key, status: 'error', error: toDeskError(error).toPayload(), version: previous.version + 1 }));
        }
      },
      (error: unknown) => {
        if (!stale) setState((previous) => ({ ...previous, key, status: 'error', error: toDeskError(error).toPayload(), version: previous.version + 1 }));
      },
    );
    return () => {
      stale = true;
    };
  }, [desk, key, reloads]);

  useEffect(() => {
    if (key === null) return;
    const offEvent = desk.on('schedule:changed', ({ dataAsOf }) => {
      hear.current(dataAsOf);
      reload();
    });
    const offBridge = onBridgeBack(desk, reload);
    return () => {
      offEvent();
      offBridge();
    };
  }, [desk, key, reload]);

  return { ...state, reload };
}

export interface VisitsState {
  status: 'loading' | 'ready' | 'error';
  visits: Visit[];
  error: DeskErrorPayload | null;
  /** Counts the lists received: a list newer than some moment has a higher number. */
  generation: number;
}

/** Patients whose visits changed while this window ran (most recent last, at most 500). */
const visitsChangedHere = new Set<string>();
const VISITS_CHANGED_REMEMBERED = 500;

function rememberVisitsChanged(misId: string): void {
  visitsChangedHere.delete(misId);
  visitsChangedHere.add(misId);
  if (visitsChangedHere.size > VISITS_CHANGED_REMEMBERED) visitsChangedHere.delete(visitsChangedHere.values().next().value!);
}

/**
 * A patient's visits (`booking.visits`), again on `booking:changed` for this patient, on
 * `reload()` and when the bridge is back; the newest answer wins. A list already shown stays
 * when a reload fails. `lazy`: no first request unless this patient's visits changed while this
 * window ran (heard by any list shown then); it waits for their next `booking:changed`.
 */
export function useVisits(patientMisId: string, options: { lazy?: boolean } = {}): VisitsState & { reload(): void; replace(visit: Visit): void } {
  const lazy = options.lazy ?? false;
  const desk = useDesk();
  const [state, setState] = useState<VisitsState & { misId: string }>({ misId: patientMisId, status: 'loading', visits: [], error: null, generation: 0 });
  const sequence = useRef(0);
  const load = useCallback(() => {
    const mine = ++sequence.current;
    desk.request('booking.visits', { patientMisId }).then(
      (answer) => {
        if (mine !== sequence.current) return;
        try {
          const { visits } = checked(answer, (a) => Array.isArray(a.visits));
          setState((previous) => ({ misId: patientMisId, status: 'ready', visits, error: null, generation: previous.generation + 1 }));
        } catch (error) {
          setState((previous) => failed(previous, patientMisId, toDeskError(error).toPayload()));
        }
      },
      (error: unknown) => {
        if (mine === sequence.current) setState((previous) => failed(previous, patientMisId, toDeskError(error).toPayload()));
      },
    );
  }, [desk, patientMisId]);

  useEffect(() => {
    const counter = sequence;
    // Lazy (the screen pop): a ring costs no extra request unless this patient's visits changed
    // while this window ran; otherwise nothing is asked until they change.
    if (!lazy || visitsChangedHere.has(patientMisId)) load();
    const offEvent = desk.on('booking:changed', (event) => {
      rememberVisitsChanged(event.patientMisId);
      if (event.patientMisId === patientMisId) load();
    });
    const offBridge = onBridgeBack(desk, load);
    return () => {
      // An answer still on its way is for a card no longer shown.
      counter.current++;
      offEvent();
      offBridge();
    };
  }, [desk, patientMisId, load, lazy]);

  // A visit a request answered (a cancel) is shown at once; the next list replaces it.
  const replace = useCallback((visit: Visit) => {
    setState((previous) => ({ ...previous, visits: previous.visits.map((candidate) => (candidate.id === visit.id ? visit : candidate)) }));
  }, []);

  const current: VisitsState = state.misId === patientMisId ? state : { status: 'loading', visits: [], error: null, generation: state.generation };
  return { ...current, reload: load, replace };
}

function failed(previous: VisitsState & { misId: string }, misId: string, error: DeskErrorPayload): VisitsState & { misId: string } {
  return previous.misId === misId && previous.status === 'ready' ? { ...previous, error } : { misId, status: 'error', visits: [], error, generation: previous.generation };
}

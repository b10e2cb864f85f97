import type { DeskClient } from '../bridge/desk-client-types';
import { toDeskError } from '../bridge/desk-error';
import type { AppStore } from './app-store';

/**
 * Asks main for the patient-card cache state. A failure is kept for the Patients pane to show
 * (with its own retry) rather than the global banner: the rest of the desk works without it.
 */
export function loadCacheStatus(desk: DeskClient, store: AppStore): void {
  const { setCacheStatus, setCacheError } = store.getState();
  desk.request('cache.status', {}).then(setCacheStatus, (error: unknown) => setCacheError(toDeskError(error).toPayload()));
}

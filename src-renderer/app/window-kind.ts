import { SUPERVISOR_WINDOW_PATH } from '../../src-shared/app/app-contract';

/**
 * Whether this page is the supervisor's window: `?window=supervisor` (Electron's supervisor
 * window, the dev server) or the browser host's `/supervisor`.
 */
export function isSupervisorWindow(location: Pick<Location, 'pathname' | 'search'>): boolean {
  return location.pathname === SUPERVISOR_WINDOW_PATH || new URLSearchParams(location.search).get('window') === 'supervisor';
}

import type { ProductionRequestName } from '../../../src-shared/ipc/contract';

/**
 * What each request needs of the session (docs/architecture.md, "Privacy and security"), one
 * entry per request of the contract — a new request does not compile until it has one.
 *
 * - `any` — no patient data in or out: the phone, status, session, settings read. Always allowed
 *   (so calls can still be answered on a locked desk).
 * - `patient` — returns or changes patient data: refused while signed out or locked, and to `admin`.
 * - `pop` — the screen pop's lookup: allowed while locked or signed out, its answer reduced to
 *   "known patient" by the output masking; refused to `admin`.
 * - `configure` — changes how the desk works (connectors, their tests): while a staff list is
 *   provisioned, `admin` only; on an open desk, anyone (as before people signed in).
 * - `admin` — staff administration: `admin` only (on an open desk nobody can).
 * - `settings` — `settings.update`: a signed-in non-admin may change only their own workstation's
 *   groups (language, audio devices, desktop); everything else is `configure`.
 */
export type RequestPolicy = 'any' | 'patient' | 'pop' | 'configure' | 'admin' | 'settings';

export const REQUEST_POLICY: { readonly [N in ProductionRequestName]: RequestPolicy } = {
  'app.info': 'any',
  'app.openSupervisor': 'patient',
  // A ring brings the window forward; a tel:/sip: link waits for its confirmation: the phone works on a locked desk.
  'app.attention': 'any',
  'app.takeDialRequest': 'any',
  'session.get': 'any',
  'session.people': 'any',
  'session.signIn': 'any',
  'session.signOut': 'any',
  'session.lock': 'any',
  'session.unlock': 'any',
  'session.activity': 'any',
  'session.changePin': 'any',
  'session.resetPin': 'admin',
  'settings.get': 'any',
  'settings.update': 'settings',
  'settings.setSipPassword': 'configure',
  'sip.credentials': 'any',
  'status.snapshot': 'any',
  'diagnostics.report': 'any',
  // Support's bundle holds no patient data (redacted logs, versions, codes); IT saves it even on a locked desk.
  'diagnostics.saveBundle': 'any',
  'diagnostics.sipRegistration': 'any',
  'patients.search': 'patient',
  'patients.get': 'patient',
  'patients.createDraft': 'patient',
  'patients.history': 'patient',
  'cache.status': 'any',
  'cache.quarantine': 'configure',
  // The Patients pane's «Отменить» on the first sync's bar: whoever works in the pane (nothing is lost; the sync pages on).
  'cache.cancelFirstSync': 'patient',
  'journal.status': 'any',
  'journal.acknowledgeKept': 'any',
  'outbox.undelivered': 'patient',
  'outbox.retry': 'patient',
  // The phone journals its calls whatever the session: a call on a locked desk is still a call.
  'calls.record': 'any',
  'calls.recent': 'patient',
  'calls.wrapUp': 'patient',
  'screenPop.lookup': 'pop',
  'screenPop.show': 'patient',
  'screenPop.refresh': 'patient',
  'queue.view': 'patient',
  // The tray and the status bar set pause / available: no patient data.
  'agent.setStatus': 'any',
  'callbacks.list': 'patient',
  'callbacks.claim': 'patient',
  'callbacks.release': 'patient',
  'callbacks.callBack': 'patient',
  'callbacks.complete': 'patient',
  'schedule.catalog': 'patient',
  'schedule.freeSlots': 'patient',
  'booking.create': 'patient',
  'booking.move': 'patient',
  'booking.cancel': 'patient',
  'booking.visits': 'patient',
  'booking.alternatives': 'patient',
  'booking.forCall': 'patient',
  'callLists.overview': 'patient',
  'callLists.tasks': 'patient',
  'callLists.next': 'patient',
  'callLists.release': 'patient',
  'callLists.call': 'patient',
  'callLists.complete': 'patient',
  'supervisor.board': 'patient',
  'supervisor.monitor': 'patient',
  'supervisor.stopMonitor': 'patient',
  'supervisor.transfer': 'patient',
  'supervisor.setAgentStatus': 'patient',
  'supervisor.reassignCallback': 'patient',
  'supervisor.setThresholds': 'patient',
  'connectors.list': 'configure',
  'connectors.diagnose': 'configure',
  'connectors.preview': 'configure',
};

/** The settings groups a signed-in person changes for their own workstation (not the clinic's policy). */
export const PERSONAL_SETTINGS_GROUPS = ['language', 'audio', 'desktop'] as const;

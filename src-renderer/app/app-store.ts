import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo } from '../../src-shared/app/app-contract';
import type { CacheStatusView, SyncProgress } from '../../src-shared/cache/cache-contract';
import type { JournalStatus } from '../../src-shared/journal/journal-contract';
import type { DeskErrorPayload } from '../../src-shared/ipc/errors';
import type { SessionView } from '../../src-shared/access/access-model';
import type { Role, SettingsView } from '../../src-shared/settings/settings-schema';
import type { CoreStatus, SipIndicator } from '../../src-shared/status/system-status';
import type { BridgeState } from '../bridge/desk-client-types';

/**
 * Which window this is: the desk's own, or the supervisor's (`?window=supervisor` in Electron,
 * `/supervisor` in the browser host), which runs no phone and shows nothing to another role.
 */
export type DeskWindowKind = 'desk' | 'supervisor';

/** Every pane the desk has. */
export const PANES = ['phone', 'patients', 'queue', 'callbacks', 'call-lists', 'supervisor', 'settings'] as const;
export type PaneId = (typeof PANES)[number];

/**
 * What each role's navigation holds, in its order (Ctrl+N / Alt+N open the N-th); the desk
 * opens on the first. An operator works the phone, the queue, the callbacks and the outbound
 * call lists; a supervisor also watches the floor; a cashier looks patients up at the till (and
 * is pulled onto the phone at peaks), with no queue, callback worklist or call lists of their own. Before the settings arrive the
 * role is unknown: the shell then shows no navigation and no pane, and shortcuts do nothing.
 */
const ROLE_PANES: Readonly<Record<Role, readonly PaneId[]>> = {
  operator: ['phone', 'patients', 'queue', 'callbacks', 'call-lists', 'settings'],
  supervisor: ['phone', 'patients', 'queue', 'callbacks', 'call-lists', 'supervisor', 'settings'],
  cashier: ['patients', 'phone', 'settings'],
  /** Settings and provisioning only: no pane that shows patients. */
  admin: ['settings'],
};

export function visiblePanes(role: Role | undefined): PaneId[] {
  return [...ROLE_PANES[role ?? 'operator']];
}

export function isPaneVisible(pane: PaneId, role: Role | undefined): boolean {
  return ROLE_PANES[role ?? 'operator'].includes(pane);
}

/** Where the desk opens for a role. */
export function startPaneOf(role: Role | undefined): PaneId {
  return ROLE_PANES[role ?? 'operator'][0]!;
}

/** The SIP account fields are filled in (server, URI, auth user); the password may still be missing. */
export function hasSipAccount(view: SettingsView | null): boolean {
  return !!view && view.settings.sip.server !== '' && view.settings.sip.uri !== '' && view.settings.sip.authUser !== '';
}

/** The softphone can start: the account is filled in and a password is stored. */
export function isSipAccountConfigured(view: SettingsView | null): boolean {
  return hasSipAccount(view) && !!view?.sipPasswordSet;
}

export interface PatientRequest {
  misId: string;
  reason: 'journal' | 'call';
  callId: string | null;
}

export interface AppState {
  /** Fixed for the window's life. */
  windowKind: DeskWindowKind;
  pane: PaneId;
  /** Bumped on every navigation the user asks for; the new pane then focuses its heading. */
  navSeq: number;
  settingsView: SettingsView | null;
  /** Who is signed in and whether the desk is locked (null until the core answers). */
  session: SessionView | null;
  coreStatus: CoreStatus | null;
  /**
   * The softphone's registration state, mirrored from `Phone.registration` by `useSoftphone`;
   * offline / `softphoneNotConfigured` while the account or its password is missing.
   */
  sip: SipIndicator;
  bridge: BridgeState;
  appInfo: AppInfo | null;
  /** The last failed start-up / refresh request, shown as a banner until dismissed or retried. */
  lastError: DeskErrorPayload | null;
  /** A pane asked for at start (`?window=supervisor`), opened once the role is known and may see it. */
  requestedPane: PaneId | null;
  /** The patient-card cache as main last reported it (null until the first answer). */
  cacheStatus: CacheStatusView | null;
  /** Why `cache.status` could not be read, shown by the Patients pane (not the global banner). */
  cacheError: DeskErrorPayload | null;
  /** The latest `sync:progress` event; kept here so a pane opened mid-sync still sees it. */
  syncProgress: SyncProgress | null;
  /** journal.db as main last reported it, with the journals it had to set aside (null until known). */
  journalStatus: JournalStatus | null;
  /** Notices closed in this window (the cache's "rebuilt" notice, by the fill's start time). */
  dismissedNotices: readonly string[];
  /**
   * A card asked for from another pane (the call journal, the screen pop): the Patients pane
   * opens it when it mounts, audited with this reason and call.
   */
  patientRequest: PatientRequest | null;
  /**
   * Bumped when the call journal changed (a call ended, a wrap-up saved): the journal views
   * (the call journal, a patient's calls) reload. The phone writes it; other features read it.
   */
  journalVersion: number;

  navigate(pane: PaneId): void;
  /** Open a patient's card on the Patients pane (navigates there). */
  openPatient(request: PatientRequest): void;
  /** The Patients pane took the request. */
  clearPatientRequest(): void;
  setSettingsView(view: SettingsView): void;
  setCoreStatus(status: CoreStatus): void;
  setSession(session: SessionView): void;
  setSip(sip: SipIndicator): void;
  setBridge(state: BridgeState): void;
  setAppInfo(info: AppInfo): void;
  setError(error: DeskErrorPayload | null): void;
  setCacheStatus(status: CacheStatusView): void;
  setCacheError(error: DeskErrorPayload | null): void;
  setSyncProgress(progress: SyncProgress): void;
  setJournalStatus(status: JournalStatus): void;
  dismissNotice(id: string): void;
  bumpJournal(): void;
}

export type AppStore = StoreApi<AppState>;

export interface AppStoreInit {
  now?: () => Date;
  bridge?: BridgeState;
  /** The pane to open first; the supervisor window asks for `supervisor`. */
  initialPane?: PaneId | null;
  windowKind?: DeskWindowKind;
}

export function createAppStore(init: AppStoreInit = {}): AppStore {
  const now = init.now ?? (() => new Date());
  return createStore<AppState>()((set, get) => ({
    windowKind: init.windowKind ?? 'desk',
    pane: init.initialPane && isPaneVisible(init.initialPane, undefined) ? init.initialPane : startPaneOf(undefined),
    requestedPane: init.initialPane && !isPaneVisible(init.initialPane, undefined) ? init.initialPane : null,
    navSeq: 0,
    settingsView: null,
    session: null,
    coreStatus: null,
    sip: { state: 'offline', since: now().toISOString(), detail: 'softphoneNotConfigured' },
    bridge: init.bridge ?? 'connecting',
    appInfo: null,
    lastError: null,
    cacheStatus: null,
    cacheError: null,
    syncProgress: null,
    journalStatus: null,
    dismissedNotices: [],
    journalVersion: 0,

    patientRequest: null,
    openPatient(request) {
      if (!isPaneVisible('patients', get().settingsView?.settings.role)) return;
      set((state) => ({ patientRequest: request, pane: 'patients', navSeq: state.navSeq + 1 }));
    },
    clearPatientRequest() {
      if (get().patientRequest) set({ patientRequest: null });
    },
    navigate(pane) {
      if (!isPaneVisible(pane, get().settingsView?.settings.role)) return;
      set((state) => ({ pane, navSeq: state.navSeq + 1 }));
    },
    setSettingsView(view) {
      const state = get();
      const role = view.settings.role;
      // The first settings tell the role: the desk opens on its start pane (cashier: Patients),
      // unless a pane was asked for at start or the user already went somewhere.
      const opening = state.settingsView === null && state.navSeq === 0;
      // The supervisor's window goes back to its pane whenever the role lets it again.
      const asked = state.requestedPane ?? (state.windowKind === 'supervisor' && state.settingsView?.settings.role !== 'supervisor' ? 'supervisor' : null);
      const wanted = asked && isPaneVisible(asked, role) ? asked : opening ? startPaneOf(role) : state.pane;
      const pane = isPaneVisible(wanted, role) ? wanted : startPaneOf(role);
      // Once configured, the softphone (useSoftphone) owns the indicator.
      const sip =
        isSipAccountConfigured(view) || (state.sip.state === 'offline' && state.sip.detail === 'softphoneNotConfigured')
          ? state.sip
          : { state: 'offline' as const, since: now().toISOString(), detail: 'softphoneNotConfigured' as const };
      // A pane asked for at start waits while the role may not see it (the supervisor's window on
      // a desk that is not, yet, a supervisor's), and opens when it may.
      const requestedPane = asked && !isPaneVisible(asked, role) ? asked : null;
      set({ settingsView: view, pane, sip, requestedPane });
    },
    setCoreStatus(coreStatus) {
      set({ coreStatus });
    },
    setSession(session) {
      set({ session });
    },
    setSip(sip) {
      set({ sip });
    },
    setBridge(bridge) {
      set({ bridge });
    },
    setAppInfo(appInfo) {
      set({ appInfo });
    },
    setError(lastError) {
      set({ lastError });
    },
    setCacheStatus(cacheStatus) {
      set({ cacheStatus, cacheError: null });
    },
    setCacheError(cacheError) {
      set({ cacheError });
    },
    setSyncProgress(syncProgress) {
      set({ syncProgress });
    },
    setJournalStatus(journalStatus) {
      set({ journalStatus });
    },
    dismissNotice(id) {
      if (!get().dismissedNotices.includes(id)) set((state) => ({ dismissedNotices: [...state.dismissedNotices, id] }));
    },
    bumpJournal() {
      set((state) => ({ journalVersion: state.journalVersion + 1 }));
    },
  }));
}

export const AppStoreContext = createContext<AppStore | null>(null);

export function useAppStoreApi(): AppStore {
  const store = useContext(AppStoreContext);
  if (!store) throw new Error('AppStoreContext is missing');
  return store;
}

export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStoreApi(), selector);
}

import { useCallback, useEffect, useRef, useState, Suspense, type ComponentType, type ReactElement, type ReactNode } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import type { i18n as I18n } from 'i18next';
import type { DeskClient } from '../bridge/desk-client-types';
import type { Role } from '../../src-shared/access/access-model';
import { toDeskError } from '../bridge/desk-error';
import { BookingCallContext } from '../features/booking';
import { CallJournal } from '../features/call-journal';
import { CallListsPane } from '../features/call-lists';
import { CallbacksPane, CallbacksStoreContext, createCallbacksStore, useCallbacksSync } from '../features/callbacks';
import { setDiagnosticSink } from '../diagnostics/report';
import { DataNotices } from '../features/data-notices';
import { SideNav, paneForShortcut } from '../features/navigation';
import { PatientsPane } from '../features/patients';
import {
  CallBar,
  createPhoneStore,
  DialLinkConfirm,
  PhoneAlerts,
  PhonePane,
  PhoneStoreContext,
  usePhoneHotkeys,
  useMonitorSession,
  usePhoneStoreApi,
  useScreenPop,
  useSoftphone,
  type PhoneFactory,
} from '../features/phone';
import { createQueueStore, QueuePane, QueueStoreContext, useQueueSync } from '../features/queue';
import { LockScreen, SessionBar, SignInScreen, useSessionInput } from '../features/session';
import { SettingsPane } from '../features/settings';
import { isBridgeLost, StatusBar } from '../features/status-bar';
import { SupervisorPane } from '../features/supervisor';
import { applyLanguage } from '../i18n/i18n';
import { SipJsPhone } from '../softphone/sip-js-phone';
import { useErrorText } from '../ui/error-text';
import { EmptyState } from '../ui/empty-state';
import { PlugOffIcon, SupervisorIcon, WarningIcon } from '../ui/icons';
import { NavigationSeqContext } from '../ui/pane';
import { AppStoreContext, createAppStore, useAppStore, useAppStoreApi, type AppStore, type DeskWindowKind, type PaneId } from './app-store';
import { DeskContext, useDesk } from './desk-context';
import { ErrorBoundary } from './error-boundary';
import { loadCacheStatus } from './load-cache-status';

export interface AppProps {
  desk: DeskClient;
  i18n: I18n;
  /** Tests pass their own; the real app makes one per window. */
  store?: AppStore;
  /** The pane to open first (the supervisor window passes `supervisor`). */
  initialPane?: PaneId | null;
  /**
   * Makes the softphone; component tests pass a fake (SIP.js does not run in jsdom). `null`: this
   * window runs no phone (the supervisor window, so one account is not registered twice).
   */
  phoneFactory?: PhoneFactory | null;
  /** The supervisor's window (`?window=supervisor`, `/supervisor`): shows nothing to a desk of another role. */
  windowKind?: DeskWindowKind;
}

const makeSipJsPhone: PhoneFactory = () => new SipJsPhone();

/** The whole window: providers, error boundary, and the shell. */
export function App({ desk, i18n, store, initialPane, phoneFactory = makeSipJsPhone, windowKind }: AppProps): ReactElement {
  const [appStore] = useState(() => store ?? createAppStore({ bridge: desk.bridgeState(), initialPane, windowKind }));
  const [phoneStore] = useState(createPhoneStore);
  const [queueStore] = useState(createQueueStore);
  const [callbacksStore] = useState(createCallbacksStore);
  return (
    <I18nextProvider i18n={i18n}>
      <ErrorBoundary>
        <DeskContext.Provider value={desk}>
          <AppStoreContext.Provider value={appStore}>
            <PhoneStoreContext.Provider value={phoneStore}>
              <QueueStoreContext.Provider value={queueStore}>
                <CallbacksStoreContext.Provider value={callbacksStore}>
                  <BookingCallScope>
                    <Shell phoneFactory={phoneFactory} />
                  </BookingCallScope>
                </CallbacksStoreContext.Provider>
              </QueueStoreContext.Provider>
            </PhoneStoreContext.Provider>
          </AppStoreContext.Provider>
        </DeskContext.Provider>
      </ErrorBoundary>
    </I18nextProvider>
  );
}

/**
 * Names the call a booking is made on, for the wrap-up's prefill: the call whose screen pop
 * shows this patient, else the latest call still on the desk (a caller booking for a relative),
 * else none. Pops last until a call ends unanswered or its wrap-up is saved.
 */
function BookingCallScope({ children }: { children: ReactNode }): ReactElement {
  const phone = usePhoneStoreApi();
  const callIdFor = useCallback(
    (misId: string) => {
      const pops = phone.getState().pops;
      const own = [...pops].reverse().find((pop) => pop.selected === misId || pop.matches.some((card) => card.misId === misId));
      return (own ?? pops.at(-1))?.callId ?? null;
    },
    [phone],
  );
  return <BookingCallContext.Provider value={callIdFor}>{children}</BookingCallContext.Provider>;
}

/** The phone pane with the call journal under it (the journal depends on the phone, not the other way). */
function PhoneWithJournal(): ReactElement {
  // Keyed, so the journal keeps its filter and rows when the pane switches between its two layouts.
  return <PhonePane journal={<CallJournal key="call-journal" />} />;
}

const PANE_COMPONENTS: Record<PaneId, ComponentType> = {
  phone: PhoneWithJournal,
  patients: PatientsPane,
  queue: QueuePane,
  callbacks: CallbacksPane,
  'call-lists': CallListsPane,
  supervisor: SupervisorPane,
  settings: SettingsPane,
};

function Shell({ phoneFactory }: { phoneFactory: PhoneFactory | null }): ReactElement {
  const { t, i18n } = useTranslation();
  const pane = useAppStore((state) => state.pane);
  const language = useAppStore((state) => state.settingsView?.settings.language);
  const navigate = useAppStore((state) => state.navigate);
  const appStore = useAppStoreApi();
  const reload = useDeskSync();
  useSoftphone(phoneFactory);
  // Input keeps the idle lock away; Ctrl+L locks at once.
  useSessionInput();
  // The screen pop for softphone calls and PBX (CTI) calls alike (not in a window without a phone).
  useScreenPop(phoneFactory !== null);
  // The phone hotkeys work in every pane (so do ringing and the notification: PhoneAlerts; the
  // call bar shows the calls on every pane but Phone).
  usePhoneHotkeys(phoneFactory !== null);
  // The queue board (the Queue pane, the status bar's agent status) and the callback worklist
  // (its pane, the navigation's badge): one subscription each per window, once the role is known
  // and has them (a cashier has neither).
  const role = useAppStore((state) => state.settingsView?.settings.role);
  // Locked or signed out, the core sends no patient data: the subscriptions pause, and load afresh on unlock.
  const mayReadPatients = useAppStore((state) => state.session?.state === 'open' || state.session?.state === 'signed-in');
  const contactCentre = role !== undefined && role !== 'cashier' && role !== 'admin' && mayReadPatients;
  useQueueSync(contactCentre);
  useCallbacksSync(contactCentre);
  // A supervisor's monitor session: the board's, and the softphone's call for it (no ring, no pop).
  useMonitorSession();

  useEffect(() => {
    if (language) void applyLanguage(i18n, language);
  }, [i18n, language]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const target = paneForShortcut(event, appStore.getState().settingsView?.settings.role);
      if (!target) return;
      event.preventDefault();
      navigate(target);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [navigate, appStore]);

  const Current = PANE_COMPONENTS[pane];
  // The role decides the start pane (a cashier opens on Patients): no pane before it is known.
  const roleKnown = useAppStore((state) => state.settingsView !== null && state.session !== null);
  // Signed out or locked: no pane is mounted, so no patient data is on screen or in the page.
  const session = useAppStore((state) => state.session);
  const gate = session?.state === 'signed-out' ? 'sign-in' : session?.state === 'locked' ? 'locked' : null;
  const windowKind = useAppStore((state) => state.windowKind);
  // The supervisor's window on a desk of another role (its role changed, or a stale link): no pane, no navigation.
  if (windowKind === 'supervisor' && role !== undefined && role !== 'supervisor') return <SupervisorForbidden role={role} />;
  return (
    <div className="app-shell" data-testid="app-shell" data-pane={pane} data-session={session?.state ?? 'unknown'}>
      {gate === 'sign-in' ? null : <SideNav />}
      <main className="main">
        <HostStoppedBanner />
        <ErrorBanner onRetry={reload} />
        <SessionBar />
        <DataNotices />
        <CallBar />
        <div className="main-pane">
          {gate === 'sign-in' ? (
            <SignInScreen />
          ) : gate === 'locked' && session ? (
            <LockScreen session={session} />
          ) : roleKnown ? (
            <NavigationFocus>
              {/* A pane loaded on first use (the supervisor's) shows the same loading line meanwhile. */}
              <Suspense
                fallback={
                  <p className="muted pane-loading" data-testid="pane-loading">
                    {t('app.loading')}
                  </p>
                }
              >
                <Current key={pane} />
              </Suspense>
            </NavigationFocus>
          ) : (
            <p className="muted pane-loading" data-testid="pane-loading">
              {t('app.loading')}
            </p>
          )}
        </div>
      </main>
      <StatusBar />
      <PhoneAlerts />
      <DialLinkConfirm enabled={phoneFactory !== null} />
    </div>
  );
}

/** The supervisor's window on an operator's or cashier's desk: it says so, and shows nothing else. */
function SupervisorForbidden({ role }: { role: Exclude<Role, 'supervisor'> }): ReactElement {
  const { t } = useTranslation();
  return (
    <main className="app-forbidden" data-testid="app-shell" data-pane="forbidden">
      <EmptyState
        testId="supervisor-forbidden"
        state={role}
        icon={<SupervisorIcon width={32} height={32} />}
        badge={t('app.supervisorWindow.forbiddenTitle')}
        message={t('app.supervisorWindow.forbidden', { role: t(`settings.role.${role}`) })}
      />
    </main>
  );
}

/** Hands the app store's navigation count to the pane (ui/pane.tsx), which focuses its heading on each. */
function NavigationFocus({ children }: { children: ReactNode }): ReactElement {
  const navSeq = useAppStore((state) => state.navSeq);
  return <NavigationSeqContext.Provider value={navSeq}>{children}</NavigationSeqContext.Provider>;
}

/**
 * Loads settings, status and app info, keeps them current through push events, and loads
 * them again whenever the bridge comes back after a drop (events may have been missed).
 */
function useDeskSync(): () => void {
  const desk = useDesk();
  const store = useAppStoreApi();
  const generation = useRef(0);

  const load = useCallback(() => {
    const run = ++generation.current;
    const { setSettingsView, setCoreStatus, setAppInfo, setError } = store.getState();
    const fail = (error: unknown) => {
      if (run === generation.current) setError(toDeskError(error).toPayload());
    };
    setError(null);
    desk.request('settings.get', {}).then(setSettingsView, fail);
    desk.request('session.get', {}).then(store.getState().setSession, fail);
    desk.request('status.snapshot', {}).then(setCoreStatus, fail);
    desk.request('app.info', {}).then(setAppInfo, fail);
    desk.request('journal.status', {}).then(store.getState().setJournalStatus, fail);
    loadCacheStatus(desk, store);
  }, [desk, store]);

  useEffect(() => {
    // Renderer events IT needs (a refused SIP message …) reach the desk's log, not only this console.
    setDiagnosticSink((event, detail) => {
      if (desk.bridgeState() === 'open') desk.request('diagnostics.report', { event, detail }).catch(() => undefined);
    });
    return () => setDiagnosticSink(null);
  }, [desk]);

  // The softphone's registration changes (state and reason code only) for the support bundle's SIP history.
  useEffect(
    () =>
      store.subscribe((state, previous) => {
        if (state.sip === previous.sip || desk.bridgeState() !== 'open') return;
        desk.request('diagnostics.sipRegistration', { state: state.sip.state, detail: state.sip.detail }).catch(() => undefined);
      }),
    [desk, store],
  );

  useEffect(() => {
    const { setSettingsView, setCoreStatus, setBridge, setCacheStatus, setSyncProgress, setJournalStatus } = store.getState();
    let lost = false;
    const unsubscribe = [
      desk.on('status:changed', setCoreStatus),
      desk.on('settings:changed', setSettingsView),
      desk.on('session:changed', store.getState().setSession),
      desk.on('cache:changed', setCacheStatus),
      desk.on('sync:progress', setSyncProgress),
      desk.on('journal:changed', setJournalStatus),
      desk.onBridgeState((state) => {
        setBridge(state);
        if (state === 'reconnecting' || state === 'closed') lost = true;
        if (state === 'open' && lost) {
          lost = false;
          load();
        }
      }),
    ];
    setBridge(desk.bridgeState());
    load();
    return () => unsubscribe.forEach((off) => off());
  }, [desk, store, load]);

  return load;
}

/**
 * The browser host stopped (or restarted on another port and token): say so, and what to do,
 * above every pane. Gone as soon as the bridge is back (a restart on the same fixed --port).
 */
function HostStoppedBanner(): ReactElement | null {
  const { t } = useTranslation();
  const bridge = useAppStore((state) => state.bridge);
  if (!isBridgeLost(bridge)) return null;
  return (
    <div className="banner error host-stopped" role="alert" data-testid="host-stopped" data-state={bridge}>
      <PlugOffIcon width={18} height={18} />
      <span className="banner-text">
        <strong>{t('hostStopped.title')}</strong> {t('hostStopped.body')}
      </span>
    </div>
  );
}

function ErrorBanner({ onRetry }: { onRetry: () => void }): ReactElement | null {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const error = useAppStore((state) => state.lastError);
  const setError = useAppStore((state) => state.setError);
  if (!error) return null;
  return (
    <div className="banner error" role="alert" data-testid="app-error" data-code={error.code}>
      <WarningIcon />
      <span className="banner-text">{t('errors.loadFailed', { reason: errorText(error) })}</span>
      <button type="button" className="button" data-testid="app-error-retry" onClick={onRetry}>
        {t('errors.retry')}
      </button>
      <button type="button" className="button ghost" onClick={() => setError(null)}>
        {t('errors.dismiss')}
      </button>
    </div>
  );
}

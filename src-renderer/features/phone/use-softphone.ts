import { useEffect, useRef } from 'react';
import type { SipIndicator, StatusDetail } from '../../../src-shared/status/system-status';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import { isSipAccountConfigured, useAppStore, useAppStoreApi, type AppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import type { DeskClient } from '../../bridge/desk-client-types';
import type { Phone, PhoneAccount, PhoneRegistration, RegistrationReason } from '../../softphone/phone';

/** Makes the desk's phone; the app passes `() => new SipJsPhone()`, tests a fake. */
export type PhoneFactory = () => Phone;

const REASON_DETAIL: Record<Exclude<RegistrationReason, null>, StatusDetail> = {
  'wrong-password': 'sipWrongPassword',
  'unknown-user': 'sipUnknownUser',
  unreachable: 'sipUnreachable',
  rejected: 'sipRejected',
};

/** The status-bar indicator for a registration: the machine's state exactly, and why. */
export function sipIndicatorOf(registration: PhoneRegistration): SipIndicator {
  return {
    state: registration.state,
    since: new Date(registration.since).toISOString(),
    detail: registration.reason ? REASON_DETAIL[registration.reason] : null,
  };
}

function accountOf(view: SettingsView, password: string): PhoneAccount {
  const sip = view.settings.sip;
  return {
    server: sip.server,
    uri: sip.uri,
    authorizationUsername: sip.authUser,
    password,
    displayName: sip.displayName,
    iceServers: sip.iceServers,
    iceGatheringTimeoutMs: sip.iceGatheringTimeoutMs,
  };
}

interface Running {
  phone: Phone;
  /** The account it was started with, compared as JSON to decide on a restart. */
  key: string;
  unsubscribe: () => void;
}

/**
 * Runs the desk's softphone while the SIP account is configured (server, URI, auth user and a
 * stored password): asks main for the password (`sip.credentials`), starts the phone, and
 * mirrors `phone.registration` into the app store's `sip` indicator. A change of the SIP
 * settings or the password restarts it; unmounting or un-configuring stops it. With no factory
 * (a window that runs no phone) it does nothing.
 */
export function useSoftphone(factory: PhoneFactory | null): void {
  const desk = useDesk();
  const store = useAppStoreApi();
  const view = useAppStore((state) => state.settingsView);
  const running = useRef<Running | null>(null);
  const generation = useRef(0);

  useEffect(() => {
    const run = ++generation.current;
    if (!factory) return;
    if (!view || !isSipAccountConfigured(view)) {
      void stopRunning(running);
      const current = store.getState().sip;
      if (current.state !== 'offline' || current.detail !== 'softphoneNotConfigured') {
        store.getState().setSip({ state: 'offline', since: new Date().toISOString(), detail: 'softphoneNotConfigured' });
      }
      return;
    }
    void syncPhone(desk, store, view, factory, running, () => run === generation.current);
  }, [desk, store, view, factory]);

  useEffect(
    () => () => {
      generation.current++;
      void stopRunning(running);
    },
    [],
  );
}

async function syncPhone(
  desk: DeskClient,
  store: AppStore,
  view: SettingsView,
  factory: PhoneFactory,
  running: { current: Running | null },
  isCurrent: () => boolean,
): Promise<void> {
  let password: string | null;
  try {
    ({ password } = await desk.request('sip.credentials', {}));
  } catch {
    // Main could not read the secret store; the settings screen shows why. Retried on the next settings change.
    return;
  }
  if (!isCurrent()) return;
  if (password === null) {
    void stopRunning(running);
    store.getState().setSip({ state: 'offline', since: new Date().toISOString(), detail: 'softphoneNotConfigured' });
    return;
  }
  const account = accountOf(view, password);
  const key = JSON.stringify(account);
  if (running.current?.key === key) return;
  // Let the old phone un-REGISTER before the new one registers the same account.
  await stopRunning(running);
  if (!isCurrent()) return;
  const phone = factory();
  const publish = () => store.getState().setSip(sipIndicatorOf(phone.registration));
  const unsubscribe = phone.subscribe(publish);
  running.current = { phone, key, unsubscribe };
  publish();
  try {
    await phone.start(account);
  } catch {
    // The settings layer validated the account, so this is a server the phone cannot use.
    if (running.current?.phone === phone) store.getState().setSip({ state: 'failed', since: new Date().toISOString(), detail: 'sipUnreachable' });
  }
}

function stopRunning(running: { current: Running | null }): Promise<void> {
  const current = running.current;
  if (!current) return Promise.resolve();
  running.current = null;
  current.unsubscribe();
  return current.phone.stop().catch(() => undefined);
}

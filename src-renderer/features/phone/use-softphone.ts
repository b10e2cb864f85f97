import { useEffect, useRef, useState } from 'react';
import type { SipIndicator, StatusDetail } from '../../../src-shared/status/system-status';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import { isSipAccountConfigured, useAppStore, useAppStoreApi, type AppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import type { DeskClient } from '../../bridge/desk-client-types';
import type { Phone, PhoneAccount, PhoneAudioDevices, PhoneRegistration, RegistrationReason } from '../../softphone/phone';
import { CallRecorder, type CallRecord } from './call-recorder';
import { usePhoneStoreApi, type PhoneStore } from './phone-store';
import { finishPhoneCall } from './use-screen-pop';
import { errorCodeOf } from './error-code';

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
    autoAnswerIntercom: sip.autoAnswerIntercom,
    dtmfMode: sip.dtmfMode,
    audioDevices: view.settings.audio,
  };
}

/**
 * The account without its audio devices, as JSON: a change of this restarts the phone. Devices
 * are switched on the running phone (`setAudioDevices`), never by re-registering.
 */
function restartKeyOf(account: PhoneAccount): string {
  const { audioDevices: _devices, ...rest } = account;
  return JSON.stringify(rest);
}

const devicesKey = (devices: PhoneAudioDevices) => JSON.stringify([devices.microphoneId, devices.speakerId, devices.ringerId]);

interface Running {
  phone: Phone;
  /** {@link restartKeyOf} the account it was started with. */
  key: string;
  /** The audio devices last given to it. */
  devices: string;
  unsubscribe: () => void;
  unsubscribeEnded: () => void;
}

interface Sinks {
  store: AppStore;
  phones: PhoneStore;
  recorder: CallRecorder;
}

/**
 * Runs the desk's softphone while the SIP account is configured (server, URI, auth user and a
 * stored password): asks main for the password (`sip.credentials`), starts the phone, and
 * mirrors `phone.registration` into the app store's `sip` indicator. A change of the SIP
 * settings or the password restarts it; a change of the audio devices only switches them on the
 * running phone. Unmounting or un-configuring stops it. With no factory (a window that runs no
 * phone) it does nothing.
 *
 * It also publishes the running `Phone` and its live calls to the phone store (what the Phone
 * pane draws), and sends every ended call to main with `calls.record`; a send that fails is
 * retried when the bridge comes back.
 */
export function useSoftphone(factory: PhoneFactory | null): void {
  const desk = useDesk();
  const store = useAppStoreApi();
  const phones = usePhoneStoreApi();
  const view = useAppStore((state) => state.settingsView);
  const running = useRef<Running | null>(null);
  const generation = useRef(0);
  const [recorder] = useState(() => new CallRecorder((record) => sendCallRecord(desk, record)));

  useEffect(() => {
    // Records that could not be sent wait for the bridge to come back.
    let lost = false;
    return desk.onBridgeState((state) => {
      if (state === 'reconnecting' || state === 'closed') lost = true;
      if (state === 'open' && lost) {
        lost = false;
        void recorder.flush();
      }
    });
  }, [desk, recorder]);

  useEffect(() => {
    const run = ++generation.current;
    if (!factory) return;
    if (!view || !isSipAccountConfigured(view)) {
      void stopRunning(running, phones);
      const current = store.getState().sip;
      if (current.state !== 'offline' || current.detail !== 'softphoneNotConfigured') {
        store.getState().setSip({ state: 'offline', since: new Date().toISOString(), detail: 'softphoneNotConfigured' });
      }
      return;
    }
    void syncPhone(desk, { store, phones, recorder }, view, factory, running, () => run === generation.current);
  }, [desk, store, phones, recorder, view, factory]);

  useEffect(
    () => () => {
      generation.current++;
      void stopRunning(running, phones);
    },
    [phones],
  );
}

function sendCallRecord(desk: DeskClient, record: CallRecord): Promise<unknown> {
  return desk.request('calls.record', record);
}

async function syncPhone(
  desk: DeskClient,
  { store, phones, recorder }: Sinks,
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
    void stopRunning(running, phones);
    store.getState().setSip({ state: 'offline', since: new Date().toISOString(), detail: 'softphoneNotConfigured' });
    return;
  }
  const account = accountOf(view, password);
  const key = restartKeyOf(account);
  const devices = devicesKey(account.audioDevices);
  const current = running.current;
  if (current?.key === key) {
    if (current.devices !== devices) {
      current.devices = devices;
      // A device that vanished (headset unplugged) must not take the phone down with it.
      await current.phone.setAudioDevices(account.audioDevices).catch((error: unknown) => console.warn(`softphone: could not switch the audio devices: ${errorCodeOf(error)}`));
    }
    return;
  }
  // Let the old phone un-REGISTER before the new one registers the same account.
  await stopRunning(running, phones);
  if (!isCurrent()) return;
  const phone = factory();
  // Every call event is a snapshot too: only a registration change touches the status bar
  // (a fresh indicator object would re-render it and the pane header on each call state change,
  // on the way from `established` to the line showing `active`).
  let shown: PhoneRegistration | null = null;
  const publish = () => {
    const registration = phone.registration;
    if (!shown || shown.state !== registration.state || shown.since !== registration.since || shown.reason !== registration.reason) {
      shown = registration;
      store.getState().setSip(sipIndicatorOf(registration));
    }
    if (phones.getState().phone === phone) phones.getState().setCalls(phone.calls);
  };
  const unsubscribe = phone.subscribe(publish);
  const unsubscribeEnded = phone.onCallEnded((call) => {
    // The supervisor's monitor call is no patient call: no journal entry, no wrap-up, no callback.
    if (call.expectedIntercom) return;
    recorder.record(call);
    if (call.outcome === 'lost') phones.getState().setLost(call);
    // The wrap-up (answered calls) and the pop's end; the journal views reload.
    finishPhoneCall(phones, store, call);
  });
  running.current = { phone, key, devices, unsubscribe, unsubscribeEnded };
  phones.getState().setPhone(phone);
  publish();
  try {
    await phone.start(account);
  } catch {
    // The settings layer validated the account, so this is a server the phone cannot use.
    if (running.current?.phone === phone) store.getState().setSip({ state: 'failed', since: new Date().toISOString(), detail: 'sipUnreachable' });
  }
}

/** Stops the running phone; calls it hangs up on the way are still recorded. */
function stopRunning(running: { current: Running | null }, phones: PhoneStore): Promise<void> {
  const current = running.current;
  if (!current) return Promise.resolve();
  running.current = null;
  current.unsubscribe();
  if (phones.getState().phone === current.phone) phones.getState().setPhone(null);
  return current.phone
    .stop()
    .catch(() => undefined)
    .finally(() => current.unsubscribeEnded());
}

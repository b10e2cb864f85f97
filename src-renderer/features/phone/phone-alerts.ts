import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../app/app-store';
import type { PhoneCall } from '../../softphone/phone';
import { useAttentionOnRing } from './attention-on-ring';
import { heldRingsKey, heldRingsOf } from './call-work';
import { isIncomingRinging, usePhoneStore } from './phone-store';
import { createAudioRinger, ringerModeOf, type RingerOutput } from './ringer';

/**
 * Rings while an incoming call waits: the ringtone on the ringer device, or the call-waiting
 * beeps on the call-audio device when the operator is already on a call. Stops the moment the
 * call is answered, rejected or gone.
 */
export function useRinger(output?: RingerOutput): void {
  const allCalls = usePhoneStore((state) => state.calls);
  // The ringtone starts with the ringing panel (a ring held for its card waits with it).
  const held = heldRingsOf(usePhoneStore((state) => heldRingsKey(state.pops)));
  const calls = held.size === 0 ? allCalls : allCalls.filter((call) => !held.has(call.id));
  const audio = useAppStore((state) => state.settingsView?.settings.audio);
  const [ringer] = useState<RingerOutput>(() => output ?? createAudioRinger());
  const mode = ringerModeOf(calls);
  const device = mode === 'ring' ? (audio?.ringerId ?? '') : (audio?.speakerId ?? '');

  useEffect(() => {
    ringer.play(mode, device);
  }, [ringer, mode, device]);

  // Once the desk can take calls, load both tones on their devices while nothing rings.
  const registered = useAppStore((state) => state.sip.state === 'registered');
  const ringerId = audio?.ringerId ?? '';
  const speakerId = audio?.speakerId ?? '';
  useEffect(() => {
    if (!registered) return;
    const timer = setTimeout(() => {
      ringer.prepare('ring', ringerId);
      ringer.prepare('waiting', speakerId);
    }, 0);
    return () => clearTimeout(timer);
  }, [ringer, registered, ringerId, speakerId]);

  useEffect(() => () => ringer.dispose(), [ringer]);
}

/** Which incoming calls need a notification now (ringing, none shown for them yet). */
export function callsToNotify(calls: readonly PhoneCall[], shown: ReadonlySet<string>): PhoneCall[] {
  return calls.filter((call) => isIncomingRinging(call) && !shown.has(call.id));
}

const visibilityNow = () => (typeof document === 'undefined' ? 'visible' : document.visibilityState);

function subscribeVisibility(onChange: () => void): () => void {
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
}

/**
 * An OS notification for an incoming call while the window is hidden (minimised, covered by
 * another window, another tab) — also for a call that was already ringing when the window was
 * hidden. It carries no patient data — no name, no number: the desktop notification centre is
 * not the desk. Clicking it brings the window forward. Closed when the call stops ringing or
 * the window is shown again.
 */
export function useIncomingCallNotification(): void {
  const { t } = useTranslation();
  const calls = usePhoneStore((state) => state.calls);
  const visibility = useSyncExternalStore(subscribeVisibility, visibilityNow, () => 'visible' as const);
  const shown = useRef(new Map<string, Notification>());

  useEffect(() => {
    const ringingIds = new Set(calls.filter(isIncomingRinging).map((call) => call.id));
    for (const [id, notification] of shown.current) {
      if (ringingIds.has(id) && visibility === 'hidden') continue;
      shown.current.delete(id);
      try {
        notification.close();
      } catch {
        // already gone
      }
    }
    if (visibility !== 'hidden') return;
    if (typeof Notification !== 'function' || Notification.permission !== 'granted') return;
    for (const call of callsToNotify(calls, new Set(shown.current.keys()))) {
      try {
        const notification = new Notification(t('phone.notification.title'), { body: t('phone.notification.body'), tag: call.id });
        notification.onclick = () => {
          window.focus();
          notification.close();
        };
        shown.current.set(call.id, notification);
      } catch {
        // The platform refused (e.g. no notification service): the ringtone still rings.
      }
    }
  }, [calls, visibility, t]);

  useEffect(() => {
    const open = shown.current;
    return () => {
      for (const notification of open.values()) notification.close();
      open.clear();
    };
  }, []);
}

/**
 * Asks once for notification permission, on the click that places or answers a call (the browser
 * wants a user gesture) — but not inside that click: reading `Notification.permission` is a
 * synchronous round trip to the browser process, and the first one cost the first call's click
 * ~10 ms of the page's thread (traced), between the click and the INVITE or 200 OK. So the
 * question waits {@link NOTIFICATION_PERMISSION_DELAY_MS}, well within the click's user activation
 * (Chromium keeps it 5 s), and is asked at most once per page.
 */
export function requestNotificationPermission(): void {
  if (notificationPermissionAsked || typeof Notification !== 'function') return;
  notificationPermissionAsked = true;
  setTimeout(() => {
    try {
      if (Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
    } catch {
      // unsupported
    }
  }, NOTIFICATION_PERMISSION_DELAY_MS);
}

/** How long after the call's click the notification permission is asked (the call is set up by then). */
export const NOTIFICATION_PERMISSION_DELAY_MS = 1_000;

let notificationPermissionAsked = false;

/** For tests: forget that the page already asked. */
export function resetNotificationPermissionRequest(): void {
  notificationPermissionAsked = false;
}

/**
 * The phone's alerts (ringtone, hidden-window notification, the window brought forward) as a
 * component that renders nothing: they follow every change of the call list, and as hooks of the
 * shell they made the whole desk re-render on each ring, on the thread that paints the screen pop.
 */
export function PhoneAlerts(): null {
  useRinger();
  useIncomingCallNotification();
  useAttentionOnRing();
  return null;
}

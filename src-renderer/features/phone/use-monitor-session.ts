import { useEffect } from 'react';
import type { MonitorSession } from '../../../src-shared/supervisor/supervisor-model';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { followRequest } from '../../bridge/follow-request';
import type { Phone } from '../../softphone/phone';
import { errorCodeOf } from './error-code';
import { usePhoneStoreApi, type PhoneState } from './phone-store';

/**
 * How long the softphone waits for the PBX to ring it once the board says a monitor session is
 * connecting: an Originate the PBX has not placed by then is not coming (Asterisk's default
 * Originate timeout is 30 s).
 */
export const MONITOR_EXPECT_MS = 30_000;

/**
 * One monitor session between two "no session" on the board: its mode may switch and its state
 * go from connecting to active, on the one call (ChanSpy's DTMF switching).
 */
const sessionKeyOf = (monitor: MonitorSession): string => `${monitor.supervisorExtension}>${monitor.agent.extension}`;

/**
 * The supervisor's monitor session on this desk's softphone (supervisor role only). Keeps the
 * board's `monitor` in the phone store (`supervisor.board`, then `supervisor:changed`; loaded
 * again when the bridge comes back), and while a session is connecting or active with no
 * monitor call yet, tells the phone to expect the PBX's intercom call
 * (`Phone.expectIntercom`): that call is answered by itself and kept apart from the operator's
 * calls (`PhoneState.monitorCall`). Once per session: a monitor call hung up while the board
 * still shows its session does not arm the phone again (the board's next "no session" resets that). A session the board dropped takes the
 * expectation back and hangs up a monitor call still live (ChanSpy can outlive the spied call).
 * In a window without a phone it only follows the board.
 */
export function useMonitorSession(): void {
  const desk = useDesk();
  const phones = usePhoneStoreApi();
  const supervisor = useAppStore((state) => state.settingsView?.settings.role === 'supervisor');

  useEffect(() => {
    if (!supervisor) return;
    const follow = followRequest(desk, {
      request: 'supervisor.board',
      event: 'supervisor:changed',
      // `?.`: a desk that answers no board (a test's) shows no session rather than throwing.
      onValue: (board) => phones.getState().setMonitor(board?.monitor ?? null),
      onError: (error) => console.warn(`monitor session: board not loaded: ${error.code}`),
    });
    return () => {
      follow.stop();
      phones.getState().setMonitor(null);
    };
  }, [desk, phones, supervisor]);

  useEffect(() => {
    if (!supervisor) return;
    let armed: { phone: Phone; key: string } | null = null;
    // The session whose call came already (one call per session).
    let served: string | null = null;
    const follow = (state: PhoneState, previous: PhoneState | null) => {
      const { phone, monitor, monitorCall } = state;
      if (monitorCall && armed) {
        served = armed.key;
        armed = null;
      }
      if (monitor === null) {
        served = null;
        armed?.phone.expectIntercom(0);
        armed = null;
        if (phone && previous?.monitor && monitorCall) {
          phone.hangup(monitorCall.id).catch((error: unknown) => console.warn(`monitor session: leftover call not hung up: ${errorCodeOf(error)}`));
        }
        return;
      }
      if (!phone) {
        armed = null;
        return;
      }
      if (monitorCall) return;
      const key = sessionKeyOf(monitor);
      if (served === key || (armed?.phone === phone && armed.key === key)) return;
      armed = { phone, key };
      phone.expectIntercom(MONITOR_EXPECT_MS);
    };
    follow(phones.getState(), null);
    const off = phones.subscribe((state, previous) => {
      if (state.phone !== previous.phone || state.monitor !== previous.monitor || state.monitorCall !== previous.monitorCall) follow(state, previous);
    });
    return () => {
      off();
      if (armed) armed.phone.expectIntercom(0);
    };
  }, [phones, supervisor]);
}

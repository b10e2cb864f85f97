import { useEffect, useRef } from 'react';
import { useDesk } from '../../app/desk-context';
import type { PhoneCall } from '../../softphone/phone';
import type { PbxCall } from './call-work';
import { heldRingsKey, heldRingsOf } from './call-work';
import { isIncomingRinging, usePhoneStore } from './phone-store';

/**
 * The ids of the calls ringing for the operator now, as one string (a stable store selection):
 * softphone rings (not one held back for its card: it shows with the card) and, in CTI mode,
 * the PBX's rings on the desk phone.
 */
export function ringingKey(calls: readonly PhoneCall[], pbxCalls: readonly PbxCall[], heldKey: string): string {
  const held = heldRingsOf(heldKey);
  const ids = [...calls.filter((call) => isIncomingRinging(call) && !held.has(call.id)).map((call) => call.id), ...pbxCalls.filter((call) => call.state === 'ringing').map((call) => call.callId)];
  return ids.join('\n');
}

/**
 * A call starts ringing: ask the host to bring the window forward (`app.attention`). Electron
 * restores, shows and focuses the operator's window, or flashes it on the taskbar where the OS
 * refuses focus; the browser host cannot and says so. Once per call, however long it rings.
 */
export function useAttentionOnRing(): void {
  const desk = useDesk();
  const ringing = usePhoneStore((state) => ringingKey(state.calls, state.pbxCalls, heldRingsKey(state.pops)));
  const asked = useRef(new Set<string>());

  useEffect(() => {
    const ids = ringing === '' ? [] : ringing.split('\n');
    const fresh = ids.some((id) => !asked.current.has(id));
    // Forget the calls that stopped ringing: the set stays as small as the rings on screen.
    asked.current = new Set(ids);
    if (fresh) desk.request('app.attention', { reason: 'ringing' }).catch(() => undefined);
  }, [desk, ringing]);
}

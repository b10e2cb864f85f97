/**
 * The softphone's one secret (its SIP password) and the Electron global hotkeys.
 */
import { z } from 'zod';
import type { EventTable, RequestTable } from '../ipc/contract-table';

/** The phone actions a hotkey can trigger; the in-app keys and the Electron global ones share them. */
export const PhoneHotkeyActionSchema = z.enum(['answer', 'hold', 'mute', 'hangup', 'focusDialer']);
export type PhoneHotkeyAction = z.infer<typeof PhoneHotkeyActionSchema>;

export const softphoneRequests = {
  /**
   * The stored SIP password (`null` when none is stored), for the renderer's softphone to
   * REGISTER with. This is the ONLY place a secret crosses from main to the renderer, and only
   * because it must: WebRTC and SIP over WebSocket run in Chromium, so the digest
   * authentication (RFC 3261 §22) is computed there. The contract is served only to the desk's
   * own page (the web host checks the session token and Origin, Electron the sender frame), the
   * answer is never logged on either side, and the renderer keeps it only inside the phone.
   */
  'sip.credentials': {
    input: z.object({}).strict(),
    output: z.object({ password: z.string().min(1).max(512).nullable() }).strict(),
  },
} as const satisfies RequestTable;

export const softphoneEvents = {
  /**
   * A global (system-wide) phone hotkey was pressed while another application had focus.
   * Electron only; the browser host has no global hotkeys.
   */
  'hotkey:pressed': z.object({ action: PhoneHotkeyActionSchema }).strict(),
} as const satisfies EventTable;

import { z } from 'zod';

/**
 * Every error that crosses the contract: a stable code the UI can act on and a message safe
 * to show. Never a stack trace, never patient data.
 */
export const DeskErrorCodeSchema = z.enum([
  'UNKNOWN_REQUEST',
  'INVALID_INPUT',
  'INVALID_OUTPUT',
  'FORBIDDEN_SENDER',
  /** A request this desk's role may not make (a supervisor request from an operator or cashier desk). */
  'FORBIDDEN',
  /** Patient data while nobody is signed in, or the desk is locked: sign in or unlock first. */
  'SIGNED_OUT',
  'LOCKED',
  /** The PIN does not match; `SIGN_IN_WAIT` after too many in a row. */
  'WRONG_PIN',
  'SIGN_IN_WAIT',
  'SETTINGS_MANAGED',
  'SECRETS_UNAVAILABLE',
  'CACHE_UNAVAILABLE',
  'NOT_AVAILABLE',
  'JOURNAL_UNAVAILABLE',
  'DEMO_ONLY',
  'PBX_UNAVAILABLE',
  'PBX_REFUSED',
  'PBX_TIMEOUT',
  'CALLBACK_TAKEN',
  'CALLBACK_NOT_FOUND',
  'SLOT_TAKEN',
  'SLOT_NOT_FOUND',
  'VISIT_NOT_FOUND',
  'SCHEDULE_UNAVAILABLE',
  'CALL_LIST_TASK_TAKEN',
  'CALL_LIST_TASK_NOT_FOUND',
  'OUTSIDE_CALLING_WINDOW',
  'NO_CALL_CONSENT',
  'BRIDGE_DISCONNECTED',
  'BAD_FRAME',
  'INTERNAL',
]);
export type DeskErrorCode = z.infer<typeof DeskErrorCodeSchema>;

export const DeskErrorSchema = z.object({ code: DeskErrorCodeSchema, message: z.string().max(2000) }).strict();
export type DeskErrorPayload = z.infer<typeof DeskErrorSchema>;

/** Thrown on either side of the contract; serialises to `{code, message}` only. */
export class DeskError extends Error {
  constructor(
    readonly code: DeskErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeskError';
  }

  toPayload(): DeskErrorPayload {
    return { code: this.code, message: this.message };
  }
}

export type DeskResult<T> = { ok: true; value: T } | { ok: false; error: DeskErrorPayload };

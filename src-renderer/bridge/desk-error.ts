import { decodeBridgedError } from '../../src-shared/ipc/bridged-error';
import { DeskError } from '../../src-shared/ipc/errors';

/**
 * Anything a request rejected with, as a DeskError: a DeskError as is, an Error from the
 * preload whose code survived contextBridge only as a `[CODE] text` message, or anything else
 * as INTERNAL (its text is never shown to the user; the UI shows the code's own sentence).
 */
export function toDeskError(error: unknown): DeskError {
  return decodeBridgedError(error) ?? new DeskError('INTERNAL', error instanceof Error ? error.message : 'Unexpected error.');
}

import { DeskError } from '../../../src-shared/ipc/errors';

/**
 * What a console warning about a failed pop, journal or device request may say about the error:
 * its code (`NOT_AVAILABLE`, `BRIDGE_DISCONNECTED` …) or its class, never its message — a message
 * from main or the MIS can carry a number, a name or a card id, and the console is not a place
 * for patient data.
 */
export function errorCodeOf(error: unknown): string {
  if (error instanceof DeskError) return error.code;
  if (error instanceof Error) return error.name;
  return typeof error;
}

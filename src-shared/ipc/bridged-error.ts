import { DeskError, DeskErrorCodeSchema, type DeskErrorCode } from './errors';

/**
 * Electron's contextBridge copies only the message of an Error that crosses into the page
 * (electron/electron#25596: custom properties such as `.code` are dropped). So the preload
 * carries the code inside the message as `[CODE] text`, and the renderer turns it back into a
 * DeskError with `decodeBridgedError`. Both ends live here so the format has one definition.
 */
const PREFIX = /^\[([A-Z_]{2,40})\] ([\s\S]*)$/;

/** The message the preload puts on an Error it rejects with: `[CODE] text`. */
export function encodeBridgedMessage(code: DeskErrorCode, message: string): string {
  return `[${code}] ${message}`;
}

/**
 * A DeskError from whatever `window.desk.request` rejected with — an Error whose `.code`
 * survived (tests, the WebSocket client) or one that only kept its `[CODE] text` message —
 * or null when it is not a desk error at all.
 */
export function decodeBridgedError(error: unknown): DeskError | null {
  if (error instanceof DeskError) return error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const match = PREFIX.exec(text);
  const declared = DeskErrorCodeSchema.safeParse(code);
  if (declared.success) return new DeskError(declared.data, match?.[1] === declared.data ? (match[2] ?? '') : text);
  if (!match) return null;
  const encoded = DeskErrorCodeSchema.safeParse(match[1]);
  return encoded.success ? new DeskError(encoded.data, match[2] ?? '') : null;
}

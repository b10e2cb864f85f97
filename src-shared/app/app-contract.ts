/**
 * The desk itself: which build and which host the renderer runs under, its window's attention
 * on a ring, and numbers to dial that arrive from outside (`tel:` / `sip:` links).
 */
import { z } from 'zod';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { checkDialString } from '../phone/dial-string';

export const AppInfoSchema = z
  .object({
    name: z.literal('Registratura'),
    version: z.string(),
    host: z.enum(['electron', 'web']),
    dataDir: z.string(),
  })
  .strict();
export type AppInfo = z.infer<typeof AppInfoSchema>;

/**
 * Where the browser host serves the supervisor's window (a supervisor desk only; 403 for any
 * other role). Electron's supervisor window is `app://desk/index.html?window=supervisor`.
 */
export const SUPERVISOR_WINDOW_PATH = '/supervisor';

/** A number as the phone dials it: what {@link checkDialString} makes of itself, unchanged. */
export const DialNumberSchema = z
  .string()
  .max(40)
  .refine((number) => {
    const check = checkDialString(number);
    return check.ok && check.number === number;
  }, 'a dialable number: digits, * and #, one leading +');

/**
 * A number to offer for dialling that came from outside the page: a `tel:` / `sip:` link the OS
 * handed the desktop app. The page asks the operator before it dials (never by itself).
 */
export const DialRequestSchema = z.object({ number: DialNumberSchema, source: z.literal('link') }).strict();
export type DialRequest = z.infer<typeof DialRequestSchema>;

/** Why the page asks for its window to come forward. */
export const AttentionReasonSchema = z.enum(['ringing']);

export const appRequests = {
  /** Which build and which host the renderer is running under. */
  'app.info': { input: NoInput, output: AppInfoSchema },
  /**
   * Opens the supervisor's own window (supervisor desks only, `FORBIDDEN` otherwise). Electron
   * opens it, or brings the open one forward, and answers `window`; the browser host answers
   * `route`, and the page opens {@link SUPERVISOR_WINDOW_PATH} in a new tab itself.
   */
  'app.openSupervisor': { input: NoInput, output: z.object({ opened: z.enum(['window', 'route']) }).strict() },
  /**
   * The page's phone started ringing: Electron brings the operator's window forward (restored,
   * shown, focused — or flashing on the taskbar where the OS refuses focus). The browser host
   * cannot, and answers `shown: false`. Allowed in every session state: a locked desk still rings.
   */
  'app.attention': { input: z.object({ reason: AttentionReasonSchema }).strict(), output: z.object({ shown: z.boolean() }).strict() },
  /**
   * Takes the dial request waiting for the page (a link that arrived before the page was up, or
   * while it was locked), or null; once taken it is gone, so one window asks the operator once.
   * `app:dial-request` says when one arrives.
   */
  'app.takeDialRequest': { input: NoInput, output: z.object({ request: DialRequestSchema.nullable() }).strict() },
} as const satisfies RequestTable;

export const appEvents = {
  /** A `tel:` / `sip:` link arrived: take it with `app.takeDialRequest` (another window may have already). */
  'app:dial-request': DialRequestSchema,
} as const satisfies EventTable;

/**
 * The desk itself: which build and which host the renderer runs under.
 */
import { z } from 'zod';
import { NoInput, type RequestTable } from '../ipc/contract-table';

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

export const appRequests = {
  /** Which build and which host the renderer is running under. */
  'app.info': { input: NoInput, output: AppInfoSchema },
  /**
   * Opens the supervisor's own window (supervisor desks only, `FORBIDDEN` otherwise). Electron
   * opens it, or brings the open one forward, and answers `window`; the browser host answers
   * `route`, and the page opens {@link SUPERVISOR_WINDOW_PATH} in a new tab itself.
   */
  'app.openSupervisor': { input: NoInput, output: z.object({ opened: z.enum(['window', 'route']) }).strict() },
} as const satisfies RequestTable;

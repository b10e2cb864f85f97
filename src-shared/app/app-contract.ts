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

export const appRequests = {
  /** Which build and which host the renderer is running under. */
  'app.info': { input: NoInput, output: AppInfoSchema },
} as const satisfies RequestTable;

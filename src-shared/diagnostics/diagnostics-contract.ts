/**
 * Renderer events for main's log (codes only; see diagnostic-event.ts).
 */
import { z } from 'zod';
import type { RequestTable } from '../ipc/contract-table';
import { DiagnosticReportSchema } from './diagnostic-event';

export const diagnosticsRequests = {
  /**
   * An event the renderer wants in the desk's log (a SIP message the softphone refused …):
   * codes only, rate-limited by main. `logged: false` when the limit dropped it.
   */
  'diagnostics.report': { input: DiagnosticReportSchema, output: z.object({ logged: z.boolean() }).strict() },
} as const satisfies RequestTable;

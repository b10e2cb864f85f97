/**
 * Renderer events for main's log (codes only; see diagnostic-event.ts), the support bundle
 * ("Save diagnostics" in Settings) and the softphone's registration changes it lists.
 */
import { z } from 'zod';
import { NoInput, type RequestTable } from '../ipc/contract-table';
import { StatusDetailSchema, SipStateSchema } from '../status/system-status';
import { DiagnosticReportSchema } from './diagnostic-event';

export const diagnosticsRequests = {
  /**
   * An event the renderer wants in the desk's log (a SIP message the softphone refused …):
   * codes only, rate-limited by main. `logged: false` when the limit dropped it.
   */
  'diagnostics.report': { input: DiagnosticReportSchema, output: z.object({ logged: z.boolean() }).strict() },
} as const satisfies RequestTable;

/** Most files a bundle holds (the manifest, five reports, the log and its rotated files). */
export const DIAGNOSTICS_BUNDLE_MAX_FILES = 40;

/** A saved support bundle: where it is on this desk, its size, and the files inside it. */
export const DiagnosticsBundleSchema = z
  .object({
    /** The zip's full path on this desk (`<dataDir>/diagnostics/registratura-diagnostics-<UTC time>.zip`). */
    path: z.string().min(1).max(2000),
    bytes: z.number().int().nonnegative(),
    /** Names inside the zip: `manifest.json`, `versions.json` … `logs/desk.log`. */
    files: z.array(z.string().min(1).max(200)).max(DIAGNOSTICS_BUNDLE_MAX_FILES),
  })
  .strict();
export type DiagnosticsBundle = z.infer<typeof DiagnosticsBundleSchema>;

/** A softphone registration change as the status bar shows it: state and reason code, nothing else. */
export const SipRegistrationReportSchema = z.object({ state: SipStateSchema, detail: StatusDetailSchema.nullable() }).strict();
export type SipRegistrationReport = z.infer<typeof SipRegistrationReportSchema>;

/**
 * The support bundle's requests. Kept as a table of their own so the contract composes them
 * (`src-shared/ipc/contract.ts`) together with their handlers in the core
 * (`createDiagnosticsBundleHandlers`).
 */
export const diagnosticsBundleRequests = {
  /**
   * Writes a zip for support — the redacted logs, versions, settings without secrets, connector
   * health, the SIP registration history, database integrity — and nothing a patient could be
   * identified by. One at a time: a second click while one is written gets the same bundle.
   */
  'diagnostics.saveBundle': { input: NoInput, output: DiagnosticsBundleSchema },
  /**
   * The softphone's registration changed (the renderer sends each change of its indicator):
   * kept in a short in-memory history for the bundle. `recorded: false` for a repeat.
   */
  'diagnostics.sipRegistration': { input: SipRegistrationReportSchema, output: z.object({ recorded: z.boolean() }).strict() },
} as const satisfies RequestTable;

import type { z } from 'zod';
import type { diagnosticsBundleRequests } from '../../../src-shared/diagnostics/diagnostics-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { saveDiagnosticsBundle, type DiagnosticsBundleSources } from './diagnostics-bundle';
import { SipRegistrationHistory } from './sip-registration-history';

type BundleRequests = typeof diagnosticsBundleRequests;
/** The handlers of `diagnosticsBundleRequests`, in the dispatcher's shape. */
export type DiagnosticsBundleHandlers = {
  [N in keyof BundleRequests]: (input: z.output<BundleRequests[N]['input']>) => Promise<z.input<BundleRequests[N]['output']>> | z.input<BundleRequests[N]['output']>;
};

export interface DiagnosticsBundleDeps extends Omit<DiagnosticsBundleSources, 'sipHistory'> {
  /** The registration history (default: a new one, kept for the core's life). */
  sipHistory?: SipRegistrationHistory;
  /** Shows the saved file in the OS's file manager (Electron: `shell.showItemInFolder`); the browser host has none. */
  reveal?: (path: string) => void;
}

/**
 * `diagnostics.saveBundle` (the support zip; one at a time — a second request while one is
 * written gets the same bundle) and `diagnostics.sipRegistration` (the renderer's registration
 * changes into the history the bundle lists).
 */
export function createDiagnosticsBundleHandlers(deps: DiagnosticsBundleDeps): DiagnosticsBundleHandlers {
  const sipHistory = deps.sipHistory ?? new SipRegistrationHistory(deps.now);
  let saving: ReturnType<typeof saveDiagnosticsBundle> | null = null;
  return {
    'diagnostics.saveBundle': () => {
      saving ??= saveDiagnosticsBundle({ ...deps, sipHistory })
        .then((bundle) => {
          try {
            deps.reveal?.(bundle.path);
          } catch (error) {
            deps.logger.warn('diagnostics.reveal-failed', { error });
          }
          return bundle;
        })
        .catch((error: unknown) => {
          deps.logger.error('diagnostics.bundle-failed', { error });
          const code = (error as { code?: unknown } | null)?.code;
          throw new DeskError('NOT_AVAILABLE', `The diagnostics file could not be written${typeof code === 'string' ? ` (${code})` : ''}.`);
        })
        .finally(() => {
          saving = null;
        });
      return saving;
    },
    'diagnostics.sipRegistration': (report) => {
      const recorded = sipHistory.record(report);
      if (recorded) deps.logger.info('sip.registration', { state: report.state, detail: report.detail });
      return { recorded };
    },
  };
}

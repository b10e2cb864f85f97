import type { DiagnosticReport } from '../../../src-shared/diagnostics/diagnostic-event';
import type { Logger } from './logger';

export interface RendererDiagnosticsOptions {
  /** Events logged per window at most (a flood of refused SIP messages must not fill the disk). */
  max?: number;
  windowMs?: number;
  now?: () => number;
}

/**
 * `diagnostics.report`: a renderer event into the desk's log as `renderer.<event>` (warn), its
 * code values as context. The contract has already checked that everything is a code. At most
 * `max` per window; the first one dropped in a window is logged once as such.
 */
export function createRendererDiagnostics(logger: Logger, options: RendererDiagnosticsOptions = {}): (report: DiagnosticReport) => { logged: boolean } {
  const max = options.max ?? 60;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  let windowStart = -Infinity;
  let count = 0;
  let dropped = 0;
  return ({ event, detail }) => {
    const at = now();
    if (at - windowStart >= windowMs) {
      if (dropped > 0) logger.warn('renderer.diagnostics-dropped', { dropped });
      windowStart = at;
      count = 0;
      dropped = 0;
    }
    if (count >= max) {
      dropped += 1;
      return { logged: false };
    }
    count += 1;
    logger.warn(`renderer.${event}`, { ...detail });
    return { logged: true };
  };
}

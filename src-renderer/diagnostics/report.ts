/**
 * Events the renderer wants in the desk's log (`desk.log`, where IT looks), not only in the
 * page's console: a SIP message the softphone refused, a pop that could not be recorded.
 * Codes only (src-shared/diagnostics: an event name and short code values), checked here and
 * again by main's contract — so nothing a caller or patient typed can reach the log this way.
 */
import { DIAGNOSTIC_EVENT, DIAGNOSTIC_KEY, DIAGNOSTIC_MAX_KEYS, DIAGNOSTIC_VALUE } from '../../src-shared/diagnostics/diagnostic-event';

export type DiagnosticDetail = Record<string, string>;
export type DiagnosticSink = (event: string, detail: DiagnosticDetail) => void;

let sink: DiagnosticSink | null = null;

/** The window's connection to main sets this once it has one; `null` unsets it. */
export function setDiagnosticSink(next: DiagnosticSink | null): void {
  sink = next;
}

/**
 * Writes `message` to the console as before and hands the event to main's log. A value that
 * is not a code is replaced by `?` (never sent as it was); an invalid event name is not sent.
 */
export function reportDiagnostic(event: string, detail: DiagnosticDetail, message: string): void {
  console.warn(message);
  if (!sink || !DIAGNOSTIC_EVENT.test(event)) return;
  const safe: DiagnosticDetail = {};
  for (const [key, value] of Object.entries(detail).slice(0, DIAGNOSTIC_MAX_KEYS)) {
    if (DIAGNOSTIC_KEY.test(key)) safe[key] = DIAGNOSTIC_VALUE.test(value) ? value : '?';
  }
  try {
    sink(event, safe);
  } catch {
    // Diagnostics never disturb the phone.
  }
}

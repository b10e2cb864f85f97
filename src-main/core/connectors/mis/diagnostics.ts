import type { DiagnosticHint, DiagnosticStep, DiagnosticsResult } from '../../../../src-shared/connectors/connector-model';
import { DiagnosticFailure, isMisError, type DiagnosticCheck } from './mis-connector';

/** Longest a single step may take before it fails as "no answer". */
const STEP_TIMEOUT_MS = 20_000;

/**
 * Runs "test connection": the checks in order, each numbered; the first that fails names why
 * and what to check, and the rest are `skipped` (a wrong password makes "read one patient"
 * meaningless). One runner for every connector, built-in or plugin.
 */
export async function runDiagnostics(checks: readonly DiagnosticCheck[], now: () => number = Date.now): Promise<DiagnosticsResult> {
  const steps: DiagnosticStep[] = [];
  let failed = false;
  for (const [index, check] of checks.entries()) {
    const n = index + 1;
    if (failed) {
      steps.push({ n, step: check.step, status: 'skipped', detail: 'Not run: an earlier step failed.', hint: null, ms: 0 });
      continue;
    }
    const started = now();
    try {
      const outcome = await withTimeout(check.run(), STEP_TIMEOUT_MS);
      const ms = Math.max(0, Math.round(now() - started));
      if (typeof outcome === 'string') steps.push({ n, step: check.step, status: 'ok', detail: clip(outcome), hint: null, ms });
      else steps.push({ n, step: check.step, status: 'warning', detail: clip(outcome.detail), hint: null, ms });
    } catch (error) {
      failed = true;
      const { hint, detail } = describeFailure(error);
      steps.push({ n, step: check.step, status: 'failed', detail: clip(detail), hint, ms: Math.max(0, Math.round(now() - started)) });
    }
  }
  return { ok: !failed, steps };
}

/** What to check for a failure: a {@link DiagnosticFailure} says it; a `MisError` by its kind. */
export function describeFailure(error: unknown): { hint: DiagnosticHint; detail: string } {
  if (error instanceof DiagnosticFailure) return { hint: error.hint, detail: error.message };
  if (isMisError(error)) {
    const hint: DiagnosticHint =
      error.kind === 'auth' ? 'checkCredentials' : error.kind === 'protocol' ? 'checkEndpointPath' : error.kind === 'timeout' ? 'tryLater' : error.kind === 'rejected' ? 'checkPermissions' : 'checkNetwork';
    return { hint, detail: error.message };
  }
  return { hint: 'checkServerLog', detail: error instanceof Error ? error.message : String(error) };
}

function clip(text: string): string {
  return text.length > 1000 ? `${text.slice(0, 999)}…` : text;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DiagnosticFailure('tryLater', `No answer within ${Math.round(ms / 1000)} s.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `next` after a run that passed (`first`), numbering its steps on from it; a failed `first` is returned as it is. */
export async function continueDiagnostics(first: DiagnosticsResult, next: () => readonly DiagnosticCheck[]): Promise<DiagnosticsResult> {
  if (!first.ok) return first;
  const rest = await runDiagnostics(next());
  return { ok: rest.ok, steps: [...first.steps, ...rest.steps.map((step) => ({ ...step, n: step.n + first.steps.length }))] };
}

import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiagnosticStep, DiagnosticsResult } from '../../../src-shared/connectors/connector-model';

type StepStatus = DiagnosticStep['status'];

/** The step that failed (the run stops there), or null. */
export function failedStep(result: DiagnosticsResult): DiagnosticStep | null {
  return result.steps.find((step) => step.status === 'failed') ?? null;
}

/** A drawn status mark (symbol glyphs are missing from many clinic PCs' fonts). */
function StatusMark({ status }: { status: StepStatus }): ReactElement {
  const path =
    status === 'ok' ? 'M3.5 8.5l3 3 6-7' : status === 'failed' ? 'M4.5 4.5l7 7M11.5 4.5l-7 7' : status === 'warning' ? 'M8 3.5v6M8 12v.5' : 'M4.5 8h7';
  return (
    <svg className="connector-step-mark" viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true">
      <path d={path} />
    </svg>
  );
}

/**
 * "Test connection" as numbered steps (reach host → TLS → authenticate → read a patient → read
 * the schedule → permission to write …): each with its title, status, time and the system's own
 * detail line; the failed one stands out with what to check. A summary names the failed step.
 */
export function ConnectorDiagnostics({ result, running }: { result: DiagnosticsResult | null; running: boolean }): ReactElement | null {
  const { t } = useTranslation();
  if (running) {
    return (
      <p className="connector-diagnostics-running" role="status" data-testid="connector-diagnostics-running">
        {t('connectors.diagnostics.running')}
      </p>
    );
  }
  if (result === null) return null;
  const failed = failedStep(result);
  const warnings = result.steps.filter((step) => step.status === 'warning').length;
  const total = result.steps.length;
  const summary = failed
    ? t('connectors.diagnostics.failedAt', { n: failed.n, total, step: t(`connectors.step.${failed.step}`) })
    : !result.ok
      ? t('connectors.diagnostics.failed')
      : warnings > 0
        ? t('connectors.diagnostics.okWithWarnings', { warnings })
        : t('connectors.diagnostics.ok', { total });
  const tone = failed || !result.ok ? 'bad' : warnings > 0 ? 'warn' : 'ok';
  return (
    <div className="connector-diagnostics" data-testid="connector-diagnostics" data-ok={result.ok ? 'true' : 'false'}>
      <p className={`notice ${tone}`} role="status" data-testid="connector-diagnostics-summary" data-tone={tone}>
        {summary}
      </p>
      <ol className="connector-steps">
        {result.steps.map((step) => (
          <li key={`${step.n}-${step.step}`} className="connector-step" data-testid="connector-step" data-step={step.step} data-status={step.status}>
            <span className="connector-step-n">{step.n}</span>
            <StatusMark status={step.status} />
            <div className="connector-step-body">
              <div className="connector-step-head">
                <span className="connector-step-title">{t(`connectors.step.${step.step}`)}</span>
                <span className="connector-step-status">{t(`connectors.status.${step.status}`)}</span>
                {step.status === 'skipped' ? null : <span className="connector-step-ms">{t('connectors.diagnostics.ms', { ms: step.ms })}</span>}
              </div>
              {step.detail !== '' && step.status !== 'skipped' ? (
                <p className="connector-step-detail" data-testid="connector-step-detail">
                  {step.detail}
                </p>
              ) : null}
              {step.hint !== null && (step.status === 'failed' || step.status === 'warning') ? (
                <p className="connector-step-hint" data-testid="connector-step-hint">
                  {t('connectors.diagnostics.check', { hint: t(`connectors.hint.${step.hint}`) })}
                </p>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

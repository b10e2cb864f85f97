import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { SupervisorAlert } from '../../../src-shared/supervisor/supervisor-model';
import { WarningIcon } from '../../ui/icons';
import { numberFormat } from '../../ui/intl-formats';
import { Plain } from '../../ui/plain';
import { Since } from './supervisor-parts';
import { formatSeconds } from './supervisor-model';

/**
 * The thresholds crossed now, as main computed them, on top of the pane in red: callers waiting,
 * the longest wait, today's SLA below its target — per queue or for all queues together.
 */
export function Alerts({ alerts, queueNames }: { alerts: readonly SupervisorAlert[]; queueNames: Map<string, string> }): ReactElement | null {
  const { t } = useTranslation();
  if (alerts.length === 0) return null;
  return (
    <section className="sv-alerts" aria-label={t('supervisor.alerts.label')} data-testid="sv-alerts">
      <ul className="sv-alert-list" role="alert">
        {alerts.map((alert) => (
          <AlertItem key={`${alert.kind}:${alert.queue ?? '*'}`} alert={alert} queueName={alert.queue === null ? null : (queueNames.get(alert.queue) ?? alert.queue)} />
        ))}
      </ul>
    </section>
  );
}

function AlertItem({ alert, queueName }: { alert: SupervisorAlert; queueName: string | null }): ReactElement {
  const { t, i18n } = useTranslation();
  const whole = numberFormat(i18n.language, { maximumFractionDigits: 0 });
  const shown = (value: number) => (alert.kind === 'longestWait' ? formatSeconds(value) : alert.kind === 'slaBelowTarget' ? `${whole.format(value)} %` : whole.format(value));
  return (
    <li className="sv-alert" data-testid="sv-alert" data-kind={alert.kind} data-queue={alert.queue ?? '*'} data-value={alert.value} data-threshold={alert.threshold}>
      <WarningIcon width={18} height={18} />
      <span className="sv-alert-where">{queueName === null ? t('supervisor.alerts.allQueues') : <Plain text={queueName} />}</span>
      <strong className="sv-alert-text">{t(`supervisor.alerts.kind.${alert.kind}`, { value: shown(alert.value), threshold: shown(alert.threshold) })}</strong>
      <span className="sv-alert-since muted">
        {t('supervisor.alerts.for')}{' '}
        <span className="mono">
          <Since at={alert.since} />
        </span>
      </span>
    </li>
  );
}

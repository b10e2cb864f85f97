import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import { MonitorModeSchema, type MonitorSession, type MonitorMode } from '../../../src-shared/supervisor/supervisor-model';
import { useDesk } from '../../app/desk-context';
import { Plain } from '../../ui/plain';
import { ActionError, Since } from './supervisor-parts';
import { useRefusalText, useSupervisorAction } from './use-supervisor-action';

/**
 * The supervisor's own monitor session, on top of the pane while it runs: connecting (the PBX
 * rings the supervisor's phone) or active, on whose call, in which mode and for how long. The
 * mode buttons switch it (`supervisor.monitor`, same agent, another mode); Stop ends it.
 */
export function MonitorBanner({ session }: { session: MonitorSession }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const action = useSupervisorAction();
  const refusal = useRefusalText();
  const extension = session.agent.extension;
  const agent = t('supervisor.agentOption', { name: session.agent.name || extension, extension });
  const switchTo = (mode: MonitorMode) => void action.run(() => desk.request('supervisor.monitor', { extension, mode }));
  const stop = () => void action.run(() => desk.request('supervisor.stopMonitor', {}));
  return (
    <section className="sv-monitor" data-testid="sv-monitor" data-state={session.state} data-mode={session.mode} data-extension={extension} aria-label={t('supervisor.monitor.label')} aria-live="polite">
      <span className="sv-monitor-signal" aria-hidden="true" />
      <div className="sv-monitor-text">
        <strong className="sv-monitor-title">
          {session.state === 'connecting' ? t('supervisor.monitor.connecting', { extension: session.supervisorExtension }) : t(`supervisor.monitor.active.${session.mode}`)}
        </strong>
        <span className="sv-monitor-who">
          <Plain text={agent} />
          {session.number ? (
            <>
              {' · '}
              <span className="mono" dir="ltr">
                {formatPhoneNumber(session.number)}
              </span>
            </>
          ) : null}
          {' · '}
          <span className="mono" data-testid="sv-monitor-time">
            <Since at={session.since} />
          </span>
        </span>
      </div>
      <div className="sv-monitor-modes" role="group" aria-label={t('supervisor.monitor.modes')}>
        {MonitorModeSchema.options.map((mode) => (
          <button
            key={mode}
            type="button"
            className={mode === session.mode ? 'button chip selected' : 'button chip'}
            data-testid="sv-monitor-mode"
            data-mode={mode}
            aria-pressed={mode === session.mode}
            disabled={action.busy || mode === session.mode}
            title={t(`supervisor.modeHint.${mode}`)}
            onClick={() => switchTo(mode)}
          >
            {t(`supervisor.mode.${mode}`)}
          </button>
        ))}
      </div>
      <button type="button" className="button danger" data-testid="sv-monitor-stop" disabled={action.busy} onClick={stop}>
        {t('supervisor.monitor.stop')}
      </button>
      <ActionError action={action} testId="sv-monitor-error" refusal={refusal} />
    </section>
  );
}

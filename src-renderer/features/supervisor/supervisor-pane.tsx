import { useMemo, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import { DEFAULT_CLINIC_TIME_ZONE } from '../../../src-shared/schedule/clinic-time';
import type { SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { useAppStore } from '../../app/app-store';
import { EmptyState } from '../../ui/empty-state';
import { useErrorText } from '../../ui/error-text';
import { PlugOffIcon, SupervisorIcon, WarningIcon } from '../../ui/icons';
import { dateTimeFormat } from '../../ui/intl-formats';
import { Pane } from '../../ui/pane';
import { AgentBoard } from './agent-board';
import { Alerts } from './alerts';
import { CallbackReassign } from './callback-reassign';
import { HourlyChart, WaitingChart } from './charts';
import { CallbacksKpi, Categories, KpiTable } from './kpi-table';
import { MonitorBanner } from './monitor-banner';
import { ThresholdsEditor } from './thresholds-editor';
import { queueChoices } from './supervisor-model';
import { useSupervisorBoard } from './use-supervisor-board';
import { OpenSupervisorWindowButton } from './open-window-button';

export interface SupervisorPaneProps {
  /** Controls for the pane's header (the supervisor window's "Open in its own window"). */
  headerExtra?: ReactNode;
}

type Shown = 'loading' | 'error' | 'bridge-lost' | 'not-live' | 'live';

/**
 * The supervisor's monitoring pane: the live agent board with its actions, the monitor session,
 * today's figures per queue, the alerts, the charts, the missed-call SLA and the callback
 * hand-over. Main computes all of it (`supervisor.board`, then `supervisor:changed`); the pane
 * draws it and sends requests. Before the PBX link is up it says so, never zeros.
 */
export function SupervisorPane({ headerExtra }: SupervisorPaneProps = {}): ReactElement {
  const { t } = useTranslation();
  const { board, error, reload } = useSupervisorBoard();
  const bridge = useAppStore((state) => state.bridge);
  const lost = bridge === 'reconnecting' || bridge === 'closed';
  const shown: Shown = lost ? 'bridge-lost' : board ? (board.live ? 'live' : 'not-live') : error ? 'error' : 'loading';
  return (
    <Pane id="supervisor" title={t('panes.supervisor.title')} className="pane-supervisor" headerExtra={<Header board={shown === 'live' ? board : null} extra={<>{headerExtra}<OpenSupervisorWindowButton /></>} />}>
      <div className="sv-pane" data-testid="supervisor-pane" data-state={shown}>
        {shown === 'loading' ? (
          <p className="muted" data-testid="sv-loading">
            {t('supervisor.loading')}
          </p>
        ) : shown === 'error' ? (
          <LoadError code={error?.code ?? 'INTERNAL'} onRetry={reload} />
        ) : shown === 'bridge-lost' ? (
          <EmptyState testId="sv-bridge-lost" state="bridge-lost" icon={<PlugOffIcon width={32} height={32} />} message={t('supervisor.bridgeLost')} details={t('supervisor.bridgeLostMore')} />
        ) : shown === 'not-live' ? (
          <NotLive board={board!} />
        ) : (
          <LiveBoard board={board!} />
        )}
      </div>
    </Pane>
  );
}

function Header({ board, extra }: { board: SupervisorBoard | null; extra: ReactNode }): ReactElement {
  const { t, i18n } = useTranslation();
  return (
    <>
      {board ? (
        <span className="sv-as-of muted" data-testid="sv-as-of" data-at={board.at}>
          {t('supervisor.asOf', { time: dateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(board.at)) })}
        </span>
      ) : null}
      {extra}
    </>
  );
}

function LoadError({ code, onRetry }: { code: DeskErrorCode; onRetry(): void }): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <p className="notice warn" role="alert" data-testid="sv-error" data-code={code}>
      <WarningIcon width={16} height={16} />
      <span>
        {code === 'FORBIDDEN' ? t('supervisor.errors.forbiddenBoard') : t('supervisor.loadFailed', { reason: errorText({ code }) })}{' '}
        <button type="button" className="button ghost" data-testid="sv-retry" onClick={onRetry}>
          {t('errors.retry')}
        </button>
      </span>
    </p>
  );
}

/** No PBX link (or none configured): an honest empty board, not a row of zeros. */
function NotLive({ board }: { board: SupervisorBoard }): ReactElement {
  const { t } = useTranslation();
  const pbx = useAppStore((state) => state.coreStatus?.pbx);
  const disabled = pbx?.state === 'disabled';
  return (
    <EmptyState
      testId="sv-not-live"
      state={disabled ? 'not-configured' : 'no-pbx-link'}
      icon={<SupervisorIcon width={32} height={32} />}
      badge={t('supervisor.notLive.badge')}
      message={disabled ? t('supervisor.notLive.notConfigured') : t('supervisor.notLive.message', { connector: board.connector || '—' })}
      details={pbx?.detail ? `${t('supervisor.notLive.more')} ${t(`status.detail.${pbx.detail}`)}` : t('supervisor.notLive.more')}
    />
  );
}

/**
 * The live board: the monitor session and the alerts across the top; the agents, today's figures
 * per queue and the callback hand-over on the left; the missed-call SLA, the charts, the calls by
 * topic and the thresholds on the right.
 */
function LiveBoard({ board }: { board: SupervisorBoard }): ReactElement {
  const pauseReasons = useAppStore((state) => state.settingsView?.settings.agentStatus.pauseReasons);
  const timeZone = useAppStore((state) => state.settingsView?.settings.schedule.timeZone) ?? DEFAULT_CLINIC_TIME_ZONE;
  const queueNames = useMemo(() => new Map(queueChoices(board).map((queue) => [queue.id, queue.name])), [board]);
  return (
    <>
      {board.monitor ? <MonitorBanner session={board.monitor} /> : null}
      <Alerts alerts={board.alerts} queueNames={queueNames} />
      <div className="sv-layout">
        <div className="sv-main">
          <AgentBoard board={board} pauseReasons={pauseReasons ?? []} />
          <KpiTable board={board} />
          <CallbackReassign agents={board.agents} />
        </div>
        <aside className="sv-side">
          <CallbacksKpi kpi={board.callbacks} />
          <HourlyChart hourly={board.hourly} at={board.at} timeZone={timeZone} />
          <WaitingChart samples={board.waiting} waitingNow={board.total.waitingNow} at={board.at} timeZone={timeZone} />
          <Categories categories={board.categories} />
          <ThresholdsEditor thresholds={board.thresholds} />
        </aside>
      </div>
    </>
  );
}

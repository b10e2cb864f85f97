import { memo, useMemo, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallbackKpi, CategoryCount, QueueKpi, SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { numberFormat } from '../../ui/intl-formats';
import { Plain } from '../../ui/plain';
import { formatSeconds, kpiRows } from './supervisor-model';
import { useClock } from '../../ui/use-clock';

type Cell = 'waiting' | 'longest' | 'loggedin' | 'available' | 'offered' | 'answered' | 'abandoned' | 'sla' | 'avg-wait' | 'avg-talk';
const CELLS: readonly Cell[] = ['waiting', 'longest', 'loggedin', 'available', 'offered', 'answered', 'abandoned', 'sla', 'avg-wait', 'avg-talk'];

/**
 * Today's figures per queue and in total (main computes them: true means, SLA over answered +
 * abandoned). Each cell's text is the number (durations m:ss), its raw value in `data-value`.
 */
export function KpiTable({ board }: { board: SupervisorBoard }): ReactElement {
  const { t } = useTranslation();
  const rows = useMemo(() => kpiRows(board), [board]);
  const target = board.thresholds.slaTargetPercent;
  return (
    <section className="sv-section sv-kpi" aria-labelledby="sv-kpi-title">
      <header className="sv-section-header">
        <h2 id="sv-kpi-title" className="sv-section-title">
          {t('supervisor.kpi.title')}
        </h2>
        <span className="sv-section-note muted">{t('supervisor.kpi.slaNote', { seconds: board.slaSeconds })}</span>
      </header>
      <div className="sv-kpi-scroll">
        <table className="sv-kpi-table" data-testid="sv-kpi">
          <thead>
            <tr>
              <th scope="col" className="sv-kpi-name">
                {t('supervisor.kpi.queue')}
              </th>
              {CELLS.map((cell) => (
                <th key={cell} scope="col" title={t(`supervisor.kpi.hint.${cell}`)}>
                  {t(`supervisor.kpi.col.${cell}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <KpiRow key={row.key} id={row.key} kpi={row.kpi} total={row.total} target={target} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const KpiRow = memo(function KpiRow({ id, kpi, total, target }: { id: string; kpi: QueueKpi; total: boolean; target: number }): ReactElement {
  const { t, i18n } = useTranslation();
  const percent = numberFormat(i18n.language, { maximumFractionDigits: 0 });
  const seconds = (value: number | null) => (value === null ? '—' : formatSeconds(value));
  const belowTarget = kpi.slaPercent !== null && target > 0 && kpi.slaPercent < target;
  const values: Record<Cell, { text: string; raw: number | null }> = {
    waiting: { text: String(kpi.waitingNow), raw: kpi.waitingNow },
    longest: { text: formatSeconds(kpi.longestWaitNowSec), raw: kpi.longestWaitNowSec },
    loggedin: { text: String(kpi.agentsLoggedIn), raw: kpi.agentsLoggedIn },
    available: { text: String(kpi.agentsAvailable), raw: kpi.agentsAvailable },
    offered: { text: String(kpi.offered), raw: kpi.offered },
    answered: { text: String(kpi.answered), raw: kpi.answered },
    abandoned: { text: String(kpi.abandoned), raw: kpi.abandoned },
    sla: { text: kpi.slaPercent === null ? '—' : `${percent.format(kpi.slaPercent)} %`, raw: kpi.slaPercent },
    'avg-wait': { text: seconds(kpi.avgWaitSec), raw: kpi.avgWaitSec },
    'avg-talk': { text: seconds(kpi.avgTalkSec), raw: kpi.avgTalkSec },
  };
  // Colour only: callers waiting now (amber), callers lost and the SLA below its target (red).
  const alerts: Partial<Record<Cell, 'warn' | 'bad'>> = {
    waiting: kpi.waitingNow > 0 ? 'warn' : undefined,
    abandoned: kpi.abandoned > 0 ? 'bad' : undefined,
    sla: belowTarget ? 'bad' : undefined,
  };
  return (
    <tr className={total ? 'sv-kpi-row is-total' : 'sv-kpi-row'} data-testid="sv-kpi-row" data-queue={id}>
      <th scope="row" className="sv-kpi-name">
        <span className="truncate">{total ? t('supervisor.kpi.total') : <Plain text={kpi.name || id} />}</span>
      </th>
      {CELLS.map((cell) => (
        <td
          key={cell}
          className="mono"
          data-testid={`sv-kpi-${cell}`}
          data-value={values[cell].raw ?? ''}
          data-alert={alerts[cell]}
          title={cell === 'longest' ? t('supervisor.kpi.longestToday', { value: formatSeconds(kpi.longestWaitTodaySec) }) : undefined}
        >
          {cell === 'longest' && kpi.longestWaitingSince !== null ? <LongestWait since={kpi.longestWaitingSince} /> : values[cell].text}
        </td>
      ))}
    </tr>
  );
});

/** The longest wait now, counting each second from when that caller joined (the board is pushed on changes only). */
function LongestWait({ since }: { since: number }): ReactElement {
  const seconds = Math.max(0, Math.floor((useClock() - since) / 1000));
  return (
    <span data-testid="sv-kpi-longest-live" data-value={seconds}>
      {formatSeconds(seconds)}
    </span>
  );
}

/**
 * The missed-call SLA, the clinic's own measure ("100% processed"): today's missed calls called
 * back within N minutes, and what is still open or overdue.
 */
export function CallbacksKpi({ kpi }: { kpi: CallbackKpi }): ReactElement {
  const { t, i18n } = useTranslation();
  const percent = kpi.percentWithinSla === null ? '—' : `${numberFormat(i18n.language, { maximumFractionDigits: 0 }).format(kpi.percentWithinSla)} %`;
  return (
    <section
      className="sv-section sv-callbacks-kpi"
      data-testid="sv-callbacks-kpi"
      data-percent={kpi.percentWithinSla ?? ''}
      data-open={kpi.open}
      data-overdue={kpi.overdue}
      aria-labelledby="sv-callbacks-kpi-title"
    >
      <header className="sv-section-header">
        <h2 id="sv-callbacks-kpi-title" className="sv-section-title">
          {t('supervisor.callbacksKpi.title')}
        </h2>
      </header>
      <div className="sv-cbk-body">
        <div className="sv-cbk-main">
          <strong className="sv-cbk-percent mono" data-testid="sv-callbacks-percent" data-value={kpi.percentWithinSla ?? ''}>
            {percent}
          </strong>
          <span className="sv-cbk-caption">{t('supervisor.callbacksKpi.within', { minutes: kpi.slaMinutes })}</span>
        </div>
        <dl className="sv-cbk-figures">
          <div>
            <dt>{t('supervisor.callbacksKpi.tasks')}</dt>
            <dd className="mono" data-testid="sv-callbacks-tasks" data-value={kpi.tasksToday}>
              {kpi.tasksToday}
            </dd>
          </div>
          <div>
            <dt>{t('supervisor.callbacksKpi.closed')}</dt>
            <dd className="mono" data-testid="sv-callbacks-closed" data-value={kpi.closed}>
              {kpi.closed}
              <span className="sv-cbk-sub" data-testid="sv-callbacks-closed-in-time" data-value={kpi.closedWithinSla}>
                {t('supervisor.callbacksKpi.inTime', { count: kpi.closedWithinSla })}
              </span>
            </dd>
          </div>
          <div>
            <dt>{t('supervisor.callbacksKpi.open')}</dt>
            <dd className="mono" data-testid="sv-callbacks-open" data-value={kpi.open}>
              {kpi.open}
            </dd>
          </div>
          <div data-alert={kpi.overdue > 0 ? 'bad' : undefined}>
            <dt>{t('supervisor.callbacksKpi.overdue')}</dt>
            <dd className="mono" data-testid="sv-callbacks-overdue" data-value={kpi.overdue}>
              {kpi.overdue}
            </dd>
          </div>
        </dl>
      </div>
    </section>
  );
}

/** Today's calls by wrap-up category, the most first, each with a bar of its share. */
export function Categories({ categories }: { categories: readonly CategoryCount[] }): ReactElement {
  const { t } = useTranslation();
  const sorted = useMemo(() => [...categories].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)), [categories]);
  const most = sorted[0]?.count ?? 0;
  return (
    <section className="sv-section sv-categories" aria-labelledby="sv-categories-title" data-testid="sv-categories">
      <header className="sv-section-header">
        <h2 id="sv-categories-title" className="sv-section-title">
          {t('supervisor.categories.title')}
        </h2>
      </header>
      {sorted.length === 0 ? (
        <p className="sv-nobody muted">{t('supervisor.categories.none')}</p>
      ) : (
        <ul className="sv-category-list">
          {sorted.map((entry) => (
            <li key={entry.category} className="sv-category" data-testid="sv-category" data-category={entry.category} data-value={entry.count}>
              <span className="sv-category-name truncate">
                <Plain text={entry.category} />
              </span>
              <span className="sv-category-bar" aria-hidden="true">
                <span className="sv-category-fill" style={{ width: `${most > 0 ? (100 * entry.count) / most : 0}%` }} />
              </span>
              <span className="sv-category-count mono">{entry.count}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

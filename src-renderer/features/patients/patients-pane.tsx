import { useEffect, useRef, useState, type ReactElement, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { CacheStatusView, SyncProgress } from '../../../src-shared/ipc/contract';
import { useAppStore, useAppStoreApi } from '../../app/app-store';
import { loadCacheStatus } from '../../app/load-cache-status';
import { useDesk } from '../../app/desk-context';
import { EmptyState } from '../../ui/empty-state';
import { useErrorText } from '../../ui/error-text';
import { formatClockTime } from '../../ui/format-time';
import { PatientsIcon, PlugOffIcon, WarningIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';
import { Plain } from './patient-card-view';
import { formatCount, formatEta, formatLocalDate, isSameLocalDay } from './patient-format';
import { PatientWorkspace } from './patient-workspace';

/**
 * The cashier's screen: one search box over the local card cache (works with the MIS down),
 * the results, and the open card, with the cache's freshness always in sight.
 */
export function PatientsPane(): ReactElement {
  const { t, i18n } = useTranslation();
  const cache = useAppStore((state) => state.cacheStatus);
  const progress = useAppStore((state) => state.syncProgress);
  const misState = useAppStore((state) => state.coreStatus?.mis.state);
  const searchRef = useRef<HTMLInputElement>(null);
  const now = useNow();
  const firstSync = progress && progress.phase === 'first-sync' && !progress.done ? progress : null;

  return (
    <Pane
      id="patients"
      title={t('panes.patients.title')}
      className="pane-fill"
      focusTarget={searchRef}
      headerExtra={cache ? <DataAsOf dataAsOf={cache.dataAsOf} now={now} /> : null}
    >
      {misState === 'offline' ? (
        <div className="banner warn patients-banner" role="status" data-testid="mis-offline-banner">
          <PlugOffIcon />
          <span className="banner-text">
            {cache?.dataAsOf
              ? t('patients.offline', { asOf: asOfText(cache.dataAsOf, now, i18n.language) })
              : t('patients.offlineNeverSynced')}
          </span>
        </div>
      ) : null}
      {firstSync ? <SyncProgressBar progress={firstSync} /> : null}
      <PaneContent cache={cache} syncing={firstSync !== null} searchRef={searchRef} now={now} />
    </Pane>
  );
}

function PaneContent({
  cache,
  syncing,
  searchRef,
  now,
}: {
  cache: CacheStatusView | null;
  syncing: boolean;
  searchRef: RefObject<HTMLInputElement | null>;
  now: Date;
}): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const cacheError = useAppStore((state) => state.cacheError);
  const desk = useDesk();
  const store = useAppStoreApi();

  if (!cache && cacheError) {
    return (
      <div className="notice bad patients-notice" role="alert" data-testid="cache-status-failed">
        <WarningIcon />
        <span className="banner-text">{t('patients.cache.statusFailed', { reason: errorText(cacheError) })}</span>
        <button type="button" className="button" onClick={() => loadCacheStatus(desk, store)}>
          {t('errors.retry')}
        </button>
      </div>
    );
  }
  if (!cache) return <p className="muted">{t('patients.cache.loading')}</p>;
  if (!cache.available) {
    return (
      <div className="cache-unavailable" role="alert" data-testid="cache-unavailable">
        <p className="notice bad">
          <WarningIcon />
          <span>
            <strong>{t('patients.cache.unavailable')}</strong>{' '}
            {cache.problem ? <Plain text={cache.problem} /> : t('patients.cache.unavailableNoReason')}
          </span>
        </p>
        {cache.movedAside ? (
          <p className="notice warn" data-testid="cache-moved-aside">
            {t('patients.cache.movedAside')} <Plain text={cache.movedAside} />
          </p>
        ) : null}
        <p className="muted">{t('patients.cache.unavailableMore')}</p>
      </div>
    );
  }
  if (cache.cards === 0 && !syncing) {
    return (
      <EmptyState
        testId="patients-cache-empty"
        icon={<PatientsIcon width={32} height={32} />}
        message={t('patients.cache.empty')}
        details={t('patients.cache.emptyMore')}
      />
    );
  }
  return <PatientWorkspace searchRef={searchRef} today={now} />;
}

/** "Data as of 09:05" (with the date when it is not today) or "never synced". */
function DataAsOf({ dataAsOf, now }: { dataAsOf: string | null; now: Date }): ReactElement {
  const { t, i18n } = useTranslation();
  return (
    <span className="data-as-of" data-testid="data-as-of" data-state={dataAsOf ? 'synced' : 'never'} title={dataAsOf ?? undefined}>
      {dataAsOf ? t('patients.dataAsOf', { asOf: asOfText(dataAsOf, now, i18n.language) }) : t('patients.neverSynced')}
    </span>
  );
}

function asOfText(iso: string, now: Date, language: string): string {
  const time = formatClockTime(iso, language);
  if (isSameLocalDay(iso, now)) return time;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? time : `${formatLocalDate(date)} ${time}`;
}

/** The first sync's bar: a real <progress>, the count and the time left. */
function SyncProgressBar({ progress }: { progress: SyncProgress }): ReactElement {
  const { t, i18n } = useTranslation();
  const applied = formatCount(progress.applied, i18n.language);
  const count =
    progress.total !== null
      ? t('patients.sync.count', { applied, total: formatCount(progress.total, i18n.language) })
      : t('patients.sync.countNoTotal', { applied });
  const eta = progress.etaSeconds !== null ? t('patients.sync.eta', { eta: formatEta(progress.etaSeconds, i18n.language) }) : null;
  return (
    <div className="sync-progress" data-testid="sync-progress" role="group" aria-label={t('patients.sync.title')}>
      <span className="sync-progress-title">{t('patients.sync.title')}</span>
      {progress.total !== null && progress.total > 0 ? (
        <progress className="sync-progress-bar" max={progress.total} value={Math.min(progress.applied, progress.total)} aria-label={t('patients.sync.title')} />
      ) : (
        <progress className="sync-progress-bar" aria-label={t('patients.sync.title')} />
      )}
      <span className="sync-progress-text" data-testid="sync-progress-text">
        {count}
        {eta ? `, ${eta}` : ''}
      </span>
    </div>
  );
}

/** The current time, refreshed every minute (ages, "today" checks). */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

import { useEffect, useRef, useState, type ReactElement, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { CacheStatusView, SyncProgress } from '../../../src-shared/cache/cache-contract';
import { useAppStore, useAppStoreApi } from '../../app/app-store';
import { loadCacheStatus } from '../../app/load-cache-status';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { EmptyState } from '../../ui/empty-state';
import { useErrorText } from '../../ui/error-text';
import { PatientsIcon, PlugOffIcon, WarningIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';
import { Plain } from '../../ui/plain';
import { formatCount, formatEta, formatMoment } from './patient-format';
import { PatientWorkspace } from './patient-workspace';

/**
 * The cashier's screen: one search box over the local card cache (works with the MIS down),
 * the results, and the open card, with the cache's freshness always in sight.
 */
export function PatientsPane(): ReactElement {
  const { t } = useTranslation();
  const cache = useAppStore((state) => state.cacheStatus);
  const progress = useAppStore((state) => state.syncProgress);
  const misState = useAppStore((state) => state.coreStatus?.mis.state);
  const searchRef = useRef<HTMLInputElement>(null);
  const now = useNow();
  const filling = cache?.fill?.state === 'filling';
  const firstSync = progress && progress.phase === 'first-sync' && !progress.done ? progress : null;

  return (
    <Pane
      id="patients"
      title={t('panes.patients.title')}
      className="pane-fill"
      focusTarget={searchRef}
      headerExtra={cache ? <CacheFreshness cache={cache} progress={filling ? firstSync : null} now={now} /> : null}
    >
      {misState === 'offline' && cache ? <MisOfflineBanner cache={cache} now={now} /> : null}
      {firstSync ? <SyncProgressBar progress={firstSync} /> : null}
      <PaneContent cache={cache} syncing={firstSync !== null} searchRef={searchRef} now={now} />
    </Pane>
  );
}

/**
 * The MIS is down: what the cashier's search can still find, said as it is — a complete cache
 * "as of" its last sync, a cache still being filled (first sync or rebuild) with only part of
 * the cards, or no cards at all.
 */
function MisOfflineBanner({ cache, now }: { cache: CacheStatusView; now: Date }): ReactElement {
  const { t, i18n } = useTranslation();
  const fill = cache.fill;
  const cards = formatCount(cache.cards, i18n.language);
  let text: string;
  let state: string;
  if (fill?.state === 'filling' && fill.reason !== 'new') {
    state = 'rebuilding';
    const since = formatMoment(fill.startedAt, now, i18n.language);
    text = cache.cards > 0 ? t('patients.offlineRebuilding', { since, cards }) : t('patients.offlineRebuildingEmpty', { since });
  } else if (fill?.state === 'filling' && cache.cards > 0) {
    state = 'first-sync';
    text = t('patients.offlineFirstSync', { cards });
  } else if (cache.dataAsOf && cache.cards > 0) {
    state = 'cached';
    text = t('patients.offline', { asOf: formatMoment(cache.dataAsOf, now, i18n.language) });
  } else {
    state = 'empty';
    text = t('patients.offlineNeverSynced');
  }
  return (
    <div className="banner warn patients-banner" role="status" data-testid="mis-offline-banner" data-state={state}>
      <PlugOffIcon />
      <span className="banner-text">{text}</span>
    </div>
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
        <p className="muted">{t('patients.cache.unavailableMore')}</p>
      </div>
    );
  }
  if (cache.cards === 0 && !syncing) return <EmptyCache />;
  return <PatientWorkspace searchRef={searchRef} today={now} />;
}

/**
 * The header's freshness pill: "data as of 09:05" (with the date when it is not today) for a
 * filled cache; while the cache is being filled (first sync, rebuild) how much is loaded, since
 * "as of" would claim a complete picture; "never synced" before anything arrived.
 */
function CacheFreshness({ cache, progress, now }: { cache: CacheStatusView; progress: SyncProgress | null; now: Date }): ReactElement {
  const { t, i18n } = useTranslation();
  const { dataAsOf } = cache;
  const fill = cache.fill;
  // While filling, "as of" would claim a complete picture; a rebuild says so even before its first card.
  if (fill?.state === 'filling' && (cache.cards > 0 || progress || fill.reason !== 'new')) {
    const loaded = formatCount(cache.cards, i18n.language);
    const total = progress?.total ?? null;
    return (
      <span className="data-as-of" data-testid="data-as-of" data-state="filling" data-reason={fill.reason}>
        {total !== null && total > 0 ? t('patients.loadedOf', { loaded, total: formatCount(total, i18n.language) }) : t('patients.loaded', { loaded })}
      </span>
    );
  }
  return (
    <span className="data-as-of" data-testid="data-as-of" data-state={dataAsOf ? 'synced' : 'never'} title={dataAsOf ?? undefined}>
      {dataAsOf ? t('patients.dataAsOf', { asOf: formatMoment(dataAsOf, now, i18n.language) }) : t('patients.neverSynced')}
    </span>
  );
}

/** No cards yet: why, and whether they are on their way (never a promise the desk cannot keep). */
function EmptyCache(): ReactElement {
  const { t } = useTranslation();
  const mis = useAppStore((state) => state.coreStatus?.mis);
  const journal = useAppStore((state) => state.journalStatus);
  let details: string;
  let state: string;
  if (mis?.state === 'offline' || mis?.state === 'degraded') {
    state = 'mis-offline';
    details = t('patients.cache.emptyMisOffline');
  } else if (mis?.state === 'disabled') {
    state = 'no-mis';
    details = mis.detail === 'cacheUnavailable' || journal?.state === 'unavailable' ? t('patients.cache.emptyNoSync') : t('patients.cache.emptyNoMis');
  } else {
    state = 'waiting';
    details = t('patients.cache.emptyMore');
  }
  return (
    <EmptyState
      testId="patients-cache-empty"
      icon={<PatientsIcon width={32} height={32} />}
      message={t('patients.cache.empty')}
      details={details}
      state={state}
    />
  );
}

/** The first sync's bar: a real <progress>, the count and the time left. */
function SyncProgressBar({ progress }: { progress: SyncProgress }): ReactElement {
  const { t, i18n } = useTranslation();
  const rebuilding = useAppStore((state) => (state.cacheStatus?.fill?.reason ?? 'new') !== 'new');
  const title = rebuilding ? t('patients.sync.titleRebuild') : t('patients.sync.title');
  const applied = formatCount(progress.applied, i18n.language);
  const count =
    progress.total !== null
      ? t('patients.sync.count', { applied, total: formatCount(progress.total, i18n.language) })
      : t('patients.sync.countNoTotal', { applied });
  const eta = progress.etaSeconds !== null ? t('patients.sync.eta', { eta: formatEta(progress.etaSeconds, i18n.language) }) : null;
  return (
    <div className="sync-progress" data-testid="sync-progress" data-bulk={progress.bulk ?? 'none'} role="group" aria-label={title}>
      <span className="sync-progress-title">{progress.bulk === 'indexing' ? t('patients.sync.indexing') : title}</span>
      {progress.total !== null && progress.total > 0 ? (
        <progress className="sync-progress-bar" max={progress.total} value={Math.min(progress.applied, progress.total)} aria-label={title} />
      ) : (
        <progress className="sync-progress-bar" aria-label={title} />
      )}
      <span className="sync-progress-text" data-testid="sync-progress-text">
        {count}
        {eta ? `, ${eta}` : ''}
      </span>
      {progress.bulk ? <BulkLoadNote /> : null}
    </div>
  );
}

/**
 * A first sync through the MIS's full export: the cards appear all at once at the end, so until
 * then the search and the screen pop ask the MIS — said here — and it can be put off («Отменить»:
 * the sync then continues page by page in the background).
 */
function BulkLoadNote(): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const [state, setState] = useState<'idle' | 'cancelling' | 'failed'>('idle');
  const [problem, setProblem] = useState<string | null>(null);
  const cancel = () => {
    setState('cancelling');
    desk.request('cache.cancelFirstSync', {}).then(
      () => setState('idle'),
      (error: unknown) => {
        setProblem(errorText(toDeskError(error)));
        setState('failed');
      },
    );
  };
  return (
    <>
      <span className="sync-progress-note" data-testid="sync-progress-note">
        {t('patients.sync.bulkNote')}
      </span>
      <button type="button" className="button ghost sync-progress-cancel" data-testid="sync-progress-cancel" disabled={state === 'cancelling'} onClick={cancel}>
        {state === 'cancelling' ? t('patients.sync.cancelling') : t('patients.sync.cancel')}
      </button>
      {state === 'failed' && problem ? (
        <span className="sync-progress-note" role="alert">
          {problem}
        </span>
      ) : null}
    </>
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

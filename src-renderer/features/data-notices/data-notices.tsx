import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { CacheStatusView } from '../../../src-shared/cache/cache-contract';
import type { KeptJournal } from '../../../src-shared/journal/journal-contract';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { WarningIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { formatCount, formatMoment } from '../patients';

/** How long the "rebuilt" notice stays after a rebuild finished (unless closed). */
export const REBUILT_NOTICE_MS = 24 * 60 * 60_000;

/**
 * What happened to the desk's own data, on every pane (the operator's pop depends on it as
 * much as the cashier's search): a damaged patient cache set aside and being rebuilt (or just
 * rebuilt), and journals kept aside because the key was lost or the file damaged — each with
 * when, what it means for the user, and where the old file is kept for IT.
 */
export function DataNotices(): ReactElement | null {
  const cache = useAppStore((state) => state.cacheStatus);
  const journal = useAppStore((state) => state.journalStatus);
  const kept = journal?.kept.filter((entry) => !entry.acknowledged) ?? [];
  const cacheNotice = cache ? <CacheNotice cache={cache} /> : null;
  if (!cacheNotice && kept.length === 0) return null;
  return (
    <div className="data-notices">
      {kept.map((entry) => (
        <KeptJournalNotice key={entry.id} kept={entry} />
      ))}
      {cacheNotice}
    </div>
  );
}

function CacheNotice({ cache }: { cache: CacheStatusView }): ReactElement | null {
  const { t, i18n } = useTranslation();
  const misState = useAppStore((state) => state.coreStatus?.mis.state);
  const progress = useAppStore((state) => state.syncProgress);
  const dismissed = useAppStore((state) => state.dismissedNotices);
  const dismiss = useAppStore((state) => state.dismissNotice);
  const now = new Date();
  const fill = cache.fill;
  if (cache.replacing) {
    return (
      <div className="banner warn data-notice" role="alert" data-testid="cache-notice" data-state="replacing" data-reason="damaged">
        <WarningIcon />
        <span className="banner-text">{t('notices.cache.replacing')}</span>
      </div>
    );
  }
  if (!fill || fill.reason === 'new') return null;
  const when = formatMoment(fill.startedAt, now, i18n.language);
  const cause = t(`notices.cache.cause.${fill.reason}`, { when });
  const kept = fill.setAside ? (
    <span className="data-notice-path" data-testid="cache-notice-set-aside">
      {t('notices.cache.keptAt')} <Plain text={fill.setAside} />
    </span>
  ) : null;

  if (fill.state === 'complete') {
    const id = `cache-rebuilt:${fill.startedAt}`;
    const completedAt = fill.completedAt ? Date.parse(fill.completedAt) : NaN;
    if (dismissed.includes(id) || !(now.getTime() - completedAt < REBUILT_NOTICE_MS)) return null;
    return (
      <div className="banner ok data-notice" role="status" data-testid="cache-notice" data-state="rebuilt" data-reason={fill.reason}>
        <span className="banner-text">
          {t('notices.cache.rebuilt', { cause, at: formatMoment(fill.completedAt ?? fill.startedAt, now, i18n.language) })} {kept}
        </span>
        <button type="button" className="button ghost" data-testid="cache-notice-dismiss" onClick={() => dismiss(id)}>
          {t('notices.gotIt')}
        </button>
      </div>
    );
  }

  const loaded = formatCount(cache.cards, i18n.language);
  const total = progress?.phase === 'first-sync' && progress.total !== null ? formatCount(progress.total, i18n.language) : null;
  const misDown = misState === 'offline' || misState === 'degraded';
  const state = misDown ? 'rebuilding-mis-offline' : 'rebuilding';
  const body = misDown
    ? cache.cards === 0
      ? t('notices.cache.rebuildingMisOfflineEmpty')
      : t('notices.cache.rebuildingMisOffline', { loaded })
    : total !== null
      ? t('notices.cache.rebuildingOf', { loaded, total })
      : t('notices.cache.rebuilding', { loaded });
  return (
    <div className="banner warn data-notice" role="alert" data-testid="cache-notice" data-state={state} data-reason={fill.reason}>
      <WarningIcon />
      <span className="banner-text">
        {cause} {body} {kept}
      </span>
    </div>
  );
}

function KeptJournalNotice({ kept }: { kept: KeptJournal }): ReactElement {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const setJournalStatus = useAppStore((state) => state.setJournalStatus);
  const now = new Date();
  const counts =
    kept.undelivered !== null && kept.auditEntries !== null && kept.countedAt !== null
      ? t('notices.journal.counts', {
          undelivered: formatCount(kept.undelivered, i18n.language),
          audit: formatCount(kept.auditEntries, i18n.language),
          at: formatMoment(kept.countedAt, now, i18n.language),
        })
      : t('notices.journal.countsUnknown');
  const acknowledge = () => {
    desk.request('journal.acknowledgeKept', { id: kept.id }).then(setJournalStatus, () => undefined);
  };
  return (
    <div className="banner error data-notice" role="alert" data-testid="journal-kept-notice" data-reason={kept.reason}>
      <WarningIcon />
      <span className="banner-text">
        {t(`notices.journal.cause.${kept.reason}`, { when: formatMoment(kept.keptAt, now, i18n.language) })}{' '}
        <span className="data-notice-path" data-testid="journal-kept-path">
          {t('notices.journal.keptAt')} <Plain text={kept.path} />
        </span>{' '}
        <span data-testid="journal-kept-counts">{counts}</span> {t(`notices.journal.next.${kept.reason}`)}
      </span>
      <button type="button" className="button ghost" data-testid="journal-kept-acknowledge" onClick={acknowledge}>
        {t('notices.gotIt')}
      </button>
    </div>
  );
}

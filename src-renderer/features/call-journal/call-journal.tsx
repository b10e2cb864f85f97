import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallJournalItem, CallsFilter } from '../../../src-shared/calls/calls-contract';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { formatClockTime } from '../../ui/format-time';
import { PhoneIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { formatLocalDate, formatMoment, isSameLocalDay } from '../patients';
import { formatDuration, runPhoneAction, usePhoneStore, usePhoneStoreApi } from '../phone';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';

export const JOURNAL_FILTERS: readonly CallsFilter[] = ['all', 'today', 'missed', 'mine'];
/** Rows asked for at once: a shift's calls and then some. */
export const JOURNAL_LIMIT = 200;
/** Fixed row height (px), so the virtual list needs no measuring. */
export const JOURNAL_ROW_HEIGHT = 40;

type Loaded = { filter: CallsFilter; items: readonly CallJournalItem[] } | { filter: CallsFilter; error: string };

/**
 * This journal started when an earlier one had to be set aside (a lost key, a damaged file):
 * its calls are not in this list, and the line says so instead of letting the list look complete.
 */
function KeptJournalLine(): ReactElement | null {
  const { t, i18n } = useTranslation();
  const kept = useAppStore((state) => state.journalStatus?.kept[0]);
  if (!kept) return null;
  return (
    <p className="muted call-journal-kept" data-testid="call-journal-kept">
      {t('journal.keptBefore', { when: formatMoment(kept.keptAt, new Date(), i18n.language) })}
    </p>
  );
}

/**
 * The call journal: every call with time, direction, number, patient, queue,
 * duration, outcome and wrap-up category; filtered by the core (`calls.recent`), reloaded when
 * a call ends or a wrap-up is saved; a number is called back with one click. Only the visible
 * rows are in the DOM.
 */
export function CallJournal(): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const version = useAppStore((state) => state.journalVersion);
  const [filter, setFilter] = useState<CallsFilter>('all');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let current = true;
    desk.request('calls.recent', { limit: JOURNAL_LIMIT, filter }).then(
      (result) => {
        if (current) setLoaded({ filter, items: result.items });
      },
      (error: unknown) => {
        if (current) setLoaded({ filter, error: errorText(toDeskError(error)) });
      },
    );
    return () => {
      current = false;
    };
    // errorText is a fresh function per render; the list depends on the filter and the journal only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [desk, filter, version, reload]);

  const shown = loaded?.filter === filter ? loaded : null;
  return (
    <section className="call-journal" data-testid="call-journal" data-filter={filter} data-state={!shown ? 'loading' : 'error' in shown ? 'error' : 'ready'} aria-labelledby="call-journal-title">
      <header className="call-journal-header">
        <h2 id="call-journal-title" className="phone-section-title">
          {t('journal.title')}
        </h2>
        <div className="call-journal-filters" role="group" aria-label={t('journal.filterLabel')}>
          {JOURNAL_FILTERS.map((option) => (
            <button
              key={option}
              type="button"
              className={`button chip${option === filter ? ' selected' : ''}`}
              data-testid={`call-journal-filter-${option}`}
              aria-pressed={option === filter}
              onClick={() => setFilter(option)}
            >
              {t(`journal.filter.${option}`)}
            </button>
          ))}
        </div>
      </header>
      <KeptJournalLine />
      {!shown ? (
        <p className="muted" data-testid="call-journal-loading">
          {t('journal.loading')}
        </p>
      ) : 'error' in shown ? (
        <p className="notice warn" role="alert" data-testid="call-journal-error">
          {t('journal.failed', { reason: shown.error })}{' '}
          <button type="button" className="button ghost" onClick={() => setReload((n) => n + 1)}>
            {t('errors.retry')}
          </button>
        </p>
      ) : shown.items.length === 0 ? (
        <p className="muted" data-testid="call-journal-empty">
          {t(`journal.empty.${filter}`)}
        </p>
      ) : (
        <JournalRows items={shown.items} />
      )}
    </section>
  );
}

function JournalRows({ items }: { items: readonly CallJournalItem[] }): ReactElement {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read only in this component's render, never memoised across it
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => JOURNAL_ROW_HEIGHT,
    overscan: 8,
  });
  return (
    <div className="call-journal-table" role="table" aria-label={t('journal.title')} aria-rowcount={items.length + 1}>
      <div className="call-journal-row call-journal-head" role="row">
        <span role="columnheader">{t('journal.col.time')}</span>
        <span role="columnheader">{t('journal.col.direction')}</span>
        <span role="columnheader">{t('journal.col.number')}</span>
        <span role="columnheader">{t('journal.col.patient')}</span>
        <span role="columnheader">{t('journal.col.queue')}</span>
        <span role="columnheader">{t('journal.col.duration')}</span>
        <span role="columnheader">{t('journal.col.outcome')}</span>
        <span role="columnheader">{t('journal.col.category')}</span>
        <span role="columnheader" className="visually-hidden">
          {t('journal.col.actions')}
        </span>
      </div>
      <div ref={scroller} className="call-journal-scroll" data-testid="call-journal-scroll">
        <div className="call-journal-inner" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((row) => (
            <JournalRow key={items[row.index]!.id} item={items[row.index]!} index={row.index} top={row.start} />
          ))}
        </div>
      </div>
    </div>
  );
}

function JournalRow({ item, index, top }: { item: CallJournalItem; index: number; top: number }): ReactElement {
  const { t, i18n } = useTranslation();
  const store = usePhoneStoreApi();
  const phone = usePhoneStore((state) => state.phone);
  const openPatient = useAppStore((state) => state.openPatient);
  const today = isSameLocalDay(item.startedAt, new Date());
  const time = formatClockTime(item.startedAt, i18n.language);
  const canCall = phone !== null && item.number !== '';
  return (
    <div
      className="call-journal-row"
      role="row"
      aria-rowindex={index + 2}
      data-testid="call-journal-row"
      data-call-id={item.id}
      data-outcome={item.outcome}
      data-category={item.category ?? ''}
      data-wrap-up-outcome={item.wrapUpOutcome ?? ''}
      data-direction={item.direction}
      style={{ transform: `translateY(${top}px)` }}
    >
      <span role="cell" className="mono nowrap" title={item.startedAt}>
        {today ? time : `${formatLocalDate(new Date(item.startedAt))} ${time}`}
      </span>
      <span role="cell" className={`call-journal-direction ${item.direction}`}>
        {t(`journal.direction.${item.direction}`)}
      </span>
      <span role="cell" className="mono nowrap" dir="ltr" data-testid="call-journal-number">
        {formatPhoneNumber(item.number) || t('phone.call.unknownNumber')}
      </span>
      <span role="cell" className="truncate" dir="auto" data-testid="call-journal-patient">
        {item.misId ? (
          <button
            type="button"
            className="link-button truncate"
            data-testid="call-journal-open-card"
            // The row is one line: the whole name is in the tooltip when the column cuts it.
            title={item.patientName ? t('journal.openCardOf', { name: item.patientName }) : t('journal.openCard')}
            onClick={() => openPatient({ misId: item.misId!, reason: 'journal', callId: item.id })}
          >
            <Plain text={item.patientName ?? item.misId} />
          </button>
        ) : item.displayName ? (
          <span className="muted">
            <Plain text={item.displayName} />
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </span>
      <span role="cell" className="truncate">
        {item.queue ? <Plain text={item.queue} /> : <span className="muted">—</span>}
      </span>
      <span role="cell" className="mono">
        {item.durationSec !== null ? formatDuration(item.durationSec * 1000) : <span className="muted">—</span>}
      </span>
      <span role="cell">
        <span className={`pill call-outcome ${item.outcome}`} data-testid="call-journal-outcome">
          {t(`journal.outcome.${item.outcome}`)}
        </span>
        {item.wrapUpOutcome ? <span className="call-journal-wrap-up muted"> · {t(`wrapUp.outcomes.${item.wrapUpOutcome}`)}</span> : null}
      </span>
      <span role="cell" className="truncate" data-testid="call-journal-category">
        {item.category ? <Plain text={item.category} /> : <span className="muted">—</span>}
      </span>
      <span role="cell">
        <button
          type="button"
          className="button ghost call-journal-call"
          data-testid="call-journal-call"
          disabled={!canCall}
          title={t('journal.callBack', { number: formatPhoneNumber(item.number) })}
          aria-label={t('journal.callBack', { number: formatPhoneNumber(item.number) })}
          onClick={() => void runPhoneAction(store, 'dial', (p) => p.call(item.number))}
        >
          <PhoneIcon width={16} height={16} />
        </button>
      </span>
    </div>
  );
}

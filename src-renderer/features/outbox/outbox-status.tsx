import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxItemView } from '../../../src-shared/outbox/outbox-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { useErrorText } from '../../ui/error-text';
import { WarningIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { outboxAttention, outboxKindLabelKey } from './outbox-model';
import { useUndelivered, type UndeliveredApi } from './use-undelivered';
import { dateTimeFormat } from '../../ui/intl-formats';

/** How often the badge re-checks the age of pending writes (nothing else changes it). */
const AGE_TICK_MS = 15_000;

/**
 * The status bar's "N not delivered" badge and the panel it opens: every write the MIS has
 * not confirmed, with its reason and, for those refused for good, a retry button.
 */
export function OutboxStatus(): ReactElement | null {
  const { t } = useTranslation();
  const outbox = useUndelivered();
  const [open, setOpen] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), AGE_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  const attention = outboxAttention(outbox.items ?? [], now);
  return (
    <>
      {attention.show ? (
        <button
          type="button"
          className="outbox-badge"
          data-testid="outbox-badge"
          data-state={attention.failed > 0 ? 'failed' : 'pending'}
          aria-expanded={open}
          onClick={() => setOpen((value) => !value)}
        >
          <WarningIcon width={14} height={14} />
          {t('outbox.badge', { count: attention.count })}
        </button>
      ) : null}
      {open ? <OutboxPanel outbox={outbox} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function OutboxPanel({ outbox, onClose }: { outbox: UndeliveredApi; onClose: () => void }): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const items = outbox.items ?? [];
  return (
    <section className="outbox-panel" role="dialog" aria-labelledby="outbox-panel-title" data-testid="outbox-panel">
      <header className="outbox-panel-header">
        <h2 id="outbox-panel-title">{t('outbox.title')}</h2>
        <button type="button" className="button ghost" data-testid="outbox-close" onClick={onClose}>
          {t('outbox.close')}
        </button>
      </header>
      <p className="outbox-panel-hint">{t('outbox.hint')}</p>
      {outbox.loadError ? (
        <p className="outbox-error" role="alert" data-testid="outbox-load-error">
          {t('outbox.loadFailed', { reason: errorText(outbox.loadError) })}{' '}
          <button type="button" className="button" onClick={outbox.reload}>
            {t('errors.retry')}
          </button>
        </p>
      ) : null}
      {items.length === 0 ? (
        <p className="outbox-empty" data-testid="outbox-empty">
          {t('outbox.empty')}
        </p>
      ) : (
        <ul className="outbox-list">
          {items.map((item) => (
            <OutboxRow key={item.id} item={item} retry={outbox.retry} />
          ))}
        </ul>
      )}
    </section>
  );
}

function OutboxRow({ item, retry }: { item: OutboxItemView; retry: UndeliveredApi['retry'] }): ReactElement {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskErrorPayload | null>(null);
  // Kinds are code identifiers; an unknown one is shown as is rather than hidden.
  const labelKey = outboxKindLabelKey(item.kind);
  const kind = labelKey ? t(labelKey) : item.kind;

  const onRetry = () => {
    setBusy(true);
    setError(null);
    void retry(item.id).then((problem) => {
      setBusy(false);
      setError(problem);
    });
  };

  return (
    <li className="outbox-item" data-testid="outbox-item" data-state={item.state} data-kind={item.kind}>
      <div className="outbox-item-main">
        <span className="outbox-kind">{kind}</span>
        <span className="outbox-state">{t(`outbox.state.${item.state}`)}</span>
        <span className="outbox-meta">
          {t('outbox.created', { time: formatDateTime(item.createdAt, i18n.language) })} · {t('outbox.attempts', { count: item.attempts })}
        </span>
      </div>
      {/* The connector's own words: inert, bidi-isolated text (ui/plain), and the operator may read them to IT. */}
      <div className="outbox-reason" data-testid="outbox-reason">
        {item.lastError !== null ? <Plain text={item.lastError} /> : t('outbox.noReason')}
      </div>
      {item.state === 'failed' ? (
        <button type="button" className="button" data-testid="outbox-retry" disabled={busy} onClick={onRetry}>
          {t('outbox.retry')}
        </button>
      ) : null}
      {error ? (
        <span className="outbox-error" role="alert" data-testid="outbox-retry-error">
          {t('outbox.retryFailed', { reason: errorText(error) })}
        </span>
      ) : null}
    </li>
  );
}

/** `14.03 09:05`: a write can wait for days, so the date is shown with the time. */
function formatDateTime(iso: string, language: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return dateTimeFormat(language, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
}

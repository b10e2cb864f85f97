import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { PatientHistoryItem } from '../../../src-shared/patients/patients-contract';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { Plain } from '../../ui/plain';
import { formatDateTime } from './patient-format';

/** `notesHidden`: the role may not see wrap-up notes; main left them out. */
type Loaded = { misId: string; items: readonly PatientHistoryItem[] | null; notesHidden: boolean; error: string | null };

/**
 * The patient's recent calls and wrap-up notes (`patients.history`, local journal, newest
 * first): on the patient card and on the screen pop's card. Reloads when a call ends or a
 * wrap-up is saved. A failure is one quiet line; the card around it keeps working.
 */
export function PatientCalls({ misId, limit, compact = false }: { misId: string; limit?: number; compact?: boolean }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const version = useAppStore((state) => state.journalVersion);
  const [loaded, setLoaded] = useState<Loaded | null>(null);

  useEffect(() => {
    let current = true;
    desk.request('patients.history', { misId }).then(
      (result) => {
        if (current) setLoaded({ misId, items: result.items, notesHidden: result.notesHidden === true, error: null });
      },
      (error: unknown) => {
        if (current) setLoaded({ misId, items: null, notesHidden: false, error: errorText(toDeskError(error)) });
      },
    );
    return () => {
      current = false;
    };
    // errorText is a fresh function per render; the request depends on the patient and the journal only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [desk, misId, version]);

  const state = loaded?.misId === misId ? loaded : null;
  const items = state?.items ? (limit ? state.items.slice(0, limit) : state.items) : null;
  return (
    <section
      className={`patient-calls${compact ? ' compact' : ''}`}
      data-testid="patient-calls"
      data-state={!state ? 'loading' : state.error ? 'error' : 'ready'}
      aria-label={t('history.title')}
    >
      <h3 className="patient-card-section-title">{t('history.title')}</h3>
      {state?.notesHidden ? (
        <p className="muted" data-testid="patient-calls-notes-hidden">
          {t('history.notesHidden')}
        </p>
      ) : null}
      {!state ? (
        <p className="muted">{t('history.loading')}</p>
      ) : state.error ? (
        <p className="muted" data-testid="patient-calls-error">
          {t('history.failed', { reason: state.error })}
        </p>
      ) : items && items.length > 0 ? (
        <ul className="patient-calls-list">
          {items.map((item, index) => (
            <li key={`${item.at}-${item.kind}-${index}`} className="patient-calls-item" data-testid="patient-calls-item" data-kind={item.kind} data-call-id={item.callId ?? undefined}>
              <span className="patient-calls-when mono">{formatDateTime(item.at)}</span>
              <span className={`pill ${item.kind === 'note' ? 'pill-note' : 'pill-muted'}`}>{t(`history.kind.${item.kind}`)}</span>
              <span className="patient-calls-text">{item.kind === 'note' ? <Plain text={item.text} /> : <CallSummary item={item} />}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted" data-testid="patient-calls-empty">
          {t('history.empty')}
        </p>
      )}
    </section>
  );
}

/**
 * A call in the history, in the UI language: "входящий · отвечен · Запись по ОМС · записан".
 * The category is the clinic's own wording (settings), shown as it is.
 */
function CallSummary({ item }: { item: Extract<PatientHistoryItem, { kind: 'call' }> }): ReactElement {
  const { t } = useTranslation();
  return (
    <>
      {t(`journal.direction.${item.direction}`)} · {t(`journal.outcome.${item.outcome}`)}
      {item.category ? (
        <>
          {' · '}
          <Plain text={item.category} />
        </>
      ) : null}
      {item.wrapUpOutcome ? ` · ${t(`wrapUp.outcomes.${item.wrapUpOutcome}`).toLocaleLowerCase()}` : null}
    </>
  );
}

import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { WRAP_UP_NOTE_MAX, type WrapUpOutcome } from '../../../src-shared/calls/calls-contract';
import { useAppStore, useAppStoreApi } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { Plain } from '../../ui/plain';
import { fullName } from '../patients';
import { shownCardOf, WRAP_UP_OUTCOMES, type WrapUpItem } from './call-work';
import { usePhoneStore, usePhoneStoreApi } from './phone-store';
import { ScreenPopView } from './screen-pop';
import { formatDuration, useNow } from './use-now';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';

type WrapUpField = 'category' | 'outcome' | 'note';

/**
 * After an answered call: category, outcome, note and the after-call-work timer. One wrap-up at
 * a time; back-to-back calls queue (the count says how many wait). Saved once with
 * `calls.wrapUp` (journal row + outbox item in one transaction); a failure is said inline and
 * the form keeps every value (they live in the phone store, not in this component).
 */
export function WrapUpPanel(): ReactElement | null {
  const wrapUps = usePhoneStore((state) => state.wrapUps);
  const head = wrapUps[0];
  const pop = usePhoneStore((state) => (head ? (state.pops.find((p) => p.callId === head.callId) ?? null) : null));
  if (!head) return null;
  return (
    <div className="wrap-up-block">
      {/* The caller's card stays with the call until its wrap-up is saved. */}
      {pop ? <ScreenPopView pop={pop} /> : null}
      <WrapUpForm key={head.callId} item={head} waiting={wrapUps.length - 1} />
    </div>
  );
}

function WrapUpForm({ item, waiting }: { item: WrapUpItem; waiting: number }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const store = usePhoneStoreApi();
  const app = useAppStoreApi();
  const errorText = useErrorText();
  const wrapUp = useAppStore((state) => state.settingsView?.settings.wrapUp);
  const categories = wrapUp?.categories ?? [];
  const limit = wrapUp?.acwLimitSec ?? 0;
  const pop = usePhoneStore((state) => state.pops.find((p) => p.callId === item.callId) ?? null);
  const card = pop ? shownCardOf(pop) : null;
  const [errors, setErrors] = useState<Partial<Record<WrapUpField, string>>>({});
  const [failure, setFailure] = useState<{ code: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [prefilled, setPrefilled] = useState(false);
  const now = useNow(true);

  // A visit booked on this call fills in the outcome (booked) and its category, asked when the
  // wrap-up opens and again when bookings change; never over what the operator already chose.
  useEffect(() => {
    let stale = false;
    const ask = () => {
      desk.request('booking.forCall', { callId: item.callId }).then(
        (answer) => {
          const prefill = answer?.prefill;
          const current = store.getState().wrapUps.find((w) => w.callId === item.callId);
          if (stale || !prefill || !current) return;
          const settings = app.getState().settingsView?.settings;
          const known = settings?.wrapUp.categories ?? [];
          const category = [prefill.category, settings?.booking?.categoryByKind[prefill.kind]].find((name) => !!name && known.includes(name));
          const patch: { category?: string; outcome?: WrapUpOutcome } = {};
          if (current.outcome === '') patch.outcome = prefill.outcome;
          if (current.category === '' && category) patch.category = category;
          if (Object.keys(patch).length === 0) return;
          store.getState().updateWrapUp(item.callId, patch);
          setPrefilled(true);
        },
        (error: unknown) => console.warn(`wrap-up: booking prefill not asked: ${toDeskError(error).code}`),
      );
    };
    ask();
    const off = desk.on('booking:changed', ask);
    return () => {
      stale = true;
      off();
    };
  }, [desk, store, app, item.callId]);
  const elapsedMs = Math.max(0, now - item.endedAt);
  const over = limit > 0 && elapsedMs / 1000 > limit;

  const set = (patch: Partial<Pick<WrapUpItem, WrapUpField>>) => {
    store.getState().updateWrapUp(item.callId, patch);
    const field = Object.keys(patch)[0] as WrapUpField;
    if (errors[field]) setErrors({ ...errors, [field]: undefined });
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const found: Partial<Record<WrapUpField, string>> = {};
    if (item.category === '') found.category = 'categoryRequired';
    else if (!categories.includes(item.category)) found.category = 'categoryGone';
    if (item.outcome === '') found.outcome = 'outcomeRequired';
    if (item.note.length > WRAP_UP_NOTE_MAX) found.note = 'noteTooLong';
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0 || item.outcome === '') {
      const first = (['category', 'outcome', 'note'] as const).find((field) => found[field]);
      if (first) document.getElementById(`wrap-up-${first}`)?.focus();
      return;
    }
    // The patient the pop showed or the operator chose; null when none was (unknown caller, chooser left open).
    const current = store.getState().pops.find((p) => p.callId === item.callId);
    const shown = current ? shownCardOf(current) : null;
    setBusy(true);
    try {
      await desk.request('calls.wrapUp', {
        callId: item.callId,
        misId: shown?.misId ?? null,
        category: item.category,
        outcome: item.outcome,
        note: item.note.trim(),
        acwSec: Math.floor(Math.max(0, Date.now() - item.endedAt) / 1000),
      });
      // `saved: false`: this call already has its wrap-up (one per call); either way it is done.
      const state = store.getState();
      state.removeWrapUp(item.callId);
      state.removePop(item.callId);
      app.getState().bumpJournal();
    } catch (error) {
      const deskError = toDeskError(error);
      setFailure({ code: deskError.code, text: errorText(deskError) });
      setBusy(false);
    }
  };

  const described = (field: WrapUpField) => (errors[field] ? `wrap-up-${field}-error` : undefined);
  const fieldError = (field: WrapUpField) =>
    errors[field] ? (
      <p id={`wrap-up-${field}-error`} className="field-error" data-testid={`wrap-up-${field}-error`}>
        {t(`wrapUp.errors.${errors[field]}`, { max: WRAP_UP_NOTE_MAX })}
      </p>
    ) : null;

  return (
    <form className="wrap-up" data-testid="wrap-up" data-call-id={item.callId} noValidate onSubmit={(event) => void onSubmit(event)} aria-labelledby="wrap-up-title">
      <header className="wrap-up-header">
        <div>
          <h2 id="wrap-up-title" className="wrap-up-title">
            {t('wrapUp.title')}
          </h2>
          <p className="wrap-up-who">
            <span className="mono" dir="ltr" data-testid="wrap-up-number">
              {formatPhoneNumber(item.number) || t('phone.call.unknownNumber')}
            </span>
            {card ? (
              <>
                {' · '}
                <span data-testid="wrap-up-patient">
                  <Plain text={fullName(card)} />
                </span>
              </>
            ) : null}
          </p>
        </div>
        <p
          className={`wrap-up-timer mono${over ? ' over' : ''}`}
          data-testid="wrap-up-timer"
          data-over={over ? 'true' : 'false'}
          data-seconds={Math.floor(elapsedMs / 1000)}
          title={limit > 0 ? t('wrapUp.limit', { time: formatDuration(limit * 1000) }) : undefined}
          role="timer"
        >
          {formatDuration(elapsedMs)}
        </p>
      </header>
      {prefilled ? (
        <p className="muted wrap-up-prefilled" data-testid="wrap-up-prefilled" role="status">
          {t('booking.wrapUpPrefilled')}
        </p>
      ) : null}
      {waiting > 0 ? (
        <p className="muted wrap-up-queue" data-testid="wrap-up-queue" data-count={waiting}>
          {t('wrapUp.waiting', { count: waiting })}
        </p>
      ) : null}
      <div className="wrap-up-grid">
        <div className="wrap-up-field" data-invalid={errors.category ? 'true' : undefined}>
          <label htmlFor="wrap-up-category" className="field-label">
            {t('wrapUp.category')}
          </label>
          <select
            id="wrap-up-category"
            data-testid="wrap-up-category"
            className="input"
            value={item.category}
            disabled={busy}
            aria-invalid={errors.category ? true : undefined}
            aria-describedby={described('category')}
            onChange={(event) => set({ category: event.target.value })}
          >
            <option value="">{t('wrapUp.choose')}</option>
            {categories.map((category) => (
              <option key={category} value={category}>
                {category}
              </option>
            ))}
          </select>
          {fieldError('category')}
        </div>
        <div className="wrap-up-field" data-invalid={errors.outcome ? 'true' : undefined}>
          <label htmlFor="wrap-up-outcome" className="field-label">
            {t('wrapUp.outcome')}
          </label>
          <select
            id="wrap-up-outcome"
            data-testid="wrap-up-outcome"
            className="input"
            value={item.outcome}
            disabled={busy}
            aria-invalid={errors.outcome ? true : undefined}
            aria-describedby={described('outcome')}
            onChange={(event) => set({ outcome: event.target.value as WrapUpOutcome | '' })}
          >
            <option value="">{t('wrapUp.choose')}</option>
            {WRAP_UP_OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {t(`wrapUp.outcomes.${outcome}`)}
              </option>
            ))}
          </select>
          {fieldError('outcome')}
        </div>
        <div className="wrap-up-field wide" data-invalid={errors.note ? 'true' : undefined}>
          <label htmlFor="wrap-up-note" className="field-label">
            {t('wrapUp.note')}
          </label>
          <textarea
            id="wrap-up-note"
            data-testid="wrap-up-note"
            className="input"
            rows={3}
            value={item.note}
            disabled={busy}
            aria-invalid={errors.note ? true : undefined}
            aria-describedby={described('note')}
            onChange={(event) => set({ note: event.target.value })}
          />
          <p className="field-note">{t('wrapUp.noteCount', { count: item.note.length, max: WRAP_UP_NOTE_MAX })}</p>
          {fieldError('note')}
        </div>
      </div>
      {failure ? (
        <p className="field-error" role="alert" data-testid="wrap-up-error" data-code={failure.code}>
          {failure.code === 'INVALID_INPUT' ? t('wrapUp.refused') : t('wrapUp.failed', { reason: failure.text })}
        </p>
      ) : null}
      <div className="wrap-up-actions">
        <button type="submit" className="button primary" data-testid="wrap-up-save" disabled={busy}>
          {busy ? t('wrapUp.saving') : t('wrapUp.save')}
        </button>
      </div>
    </form>
  );
}

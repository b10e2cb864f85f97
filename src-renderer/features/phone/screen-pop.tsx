import { useEffect, useLayoutEffect, useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { DRAFT_NOTE_MAX } from '../../../src-shared/patients/patients-contract';
import type { VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import type { TransferContext } from '../../../src-shared/supervisor/supervisor-model';
import { parseTypedDate } from '../../../src-shared/patients/typed-date';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import type { DeskClient } from '../../bridge/desk-client-types';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { formatClockTime } from '../../ui/format-time';
import { PhoneIcon, SupervisorIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { NextVisit } from '../booking';
import { ageOn, formatAge, formatDateTime, formatIsoDate, formatOms, fullName, PatientCalls } from '../patients';
import { chooserOrder, markPaintedAfterFrame, shownCardOf, type ScreenPop } from './call-work';
import { usePhoneStore, usePhoneStoreApi, type PhoneStore } from './phone-store';
import { errorCodeOf } from './error-code';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';

/** `data-state` of the pop: where the cards on screen come from. */
export function popStateOf(pop: ScreenPop): 'looking' | 'failed' | 'cached' | 'updated' | 'unreachable' {
  if (pop.lookup === 'pending') return 'looking';
  if (pop.lookup === 'failed') return 'failed';
  if (pop.refresh === 'updated') return 'updated';
  if (pop.refresh === 'unreachable') return 'unreachable';
  return 'cached';
}

/**
 * The caller's card while the call rings, is talked on and wrapped up: one card, a chooser for
 * a shared number, or a new-patient draft for an unknown one, with where the data comes from
 * ("cached HH:MM", "updated HH:MM", "cached HH:MM, MIS unreachable"). Everything the caller or
 * the MIS supplied is text. A failure is a quiet line: the phone around it never notices.
 */
export function ScreenPopView({ pop, rehearsal = false }: { pop: ScreenPop; rehearsal?: boolean }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const store = usePhoneStoreApi();
  const card = shownCardOf(pop);
  const painted = pop.lookup === 'done';

  // The card (or chooser, or draft) is in the DOM: the INVITE → painted budget ends when the
  // browser has painted this frame (markPaintedAfterFrame).
  useLayoutEffect(() => {
    if (painted && !rehearsal) markPaintedAfterFrame(pop.callId);
  }, [painted, pop.callId, rehearsal]);

  // One audit entry per card shown (the chooser's pick is reported by the click, as chosen).
  const cardId = card?.misId ?? null;
  useEffect(() => {
    if (cardId === null || rehearsal) return;
    const current = store.getState().pops.find((p) => p.callId === pop.callId);
    if (!current || current.audited.includes(cardId)) return;
    reportShown(desk, store, current, cardId, false);
  }, [desk, store, pop.callId, cardId, rehearsal]);

  const headingId = `screen-pop-${pop.callId}-title`;
  return (
    <section className="screen-pop" data-testid="screen-pop" data-call-id={pop.callId} data-state={popStateOf(pop)} data-source={pop.source} aria-labelledby={headingId}>
      <header className="screen-pop-header">
        <p id={headingId} className="screen-pop-title">
          <PhoneIcon className="screen-pop-icon" />
          {pop.source === 'pbx' ? t('screenPop.titlePbx', { extension: pop.extension ?? '' }) : t('screenPop.title')}
          <span className="screen-pop-number mono" data-testid="screen-pop-number" data-number={pop.number} dir="ltr">
            {formatPhoneNumber(pop.number) || t('phone.call.unknownNumber')}
          </span>
          {pop.source === 'pbx' && !rehearsal ? <PbxCallState callId={pop.callId} /> : null}
        </p>
        <StatusLine pop={pop} />
      </header>
      {pop.transfer ? <TransferNote transfer={pop.transfer} /> : null}
      <PopBody pop={pop} card={card} rehearsal={rehearsal} />
    </section>
  );
}

/**
 * A supervisor sent this caller here ("transfer with context"): who, and their one line for the
 * operator, above the card they had open. Both are text someone typed: rendered inert.
 */
function TransferNote({ transfer }: { transfer: TransferContext }): ReactElement {
  const { t } = useTranslation();
  return (
    <p className="notice screen-pop-transfer" data-testid="pop-transfer-note" data-from={transfer.from.extension} role="status">
      <SupervisorIcon width={18} height={18} />
      <span className="screen-pop-transfer-text" dir="auto">
        {transfer.note === '' ? (
          <>
            {t('screenPop.transfer.fromNoNote')} <Plain text={transfer.from.name} />
          </>
        ) : (
          <>
            {t('screenPop.transfer.from')} <Plain text={transfer.from.name} />: <strong className="screen-pop-transfer-note"><Plain text={transfer.note} /></strong>
          </>
        )}
      </span>
    </p>
  );
}

/** CTI: whether the desk phone still rings (pick up the handset) or is talking; nothing once it ended. */
function PbxCallState({ callId }: { callId: string }): ReactElement | null {
  const { t } = useTranslation();
  const state = usePhoneStore((current) => current.pbxCalls.find((call) => call.callId === callId)?.state ?? null);
  if (state === null) return null;
  return (
    <span className={`pill ${state === 'ringing' ? 'pill-ok' : 'pill-muted'} screen-pop-call-state`} data-testid="screen-pop-call-state" data-state={state}>
      {t(state === 'ringing' ? 'screenPop.pbxRinging' : 'screenPop.pbxTalking')}
    </span>
  );
}

function reportShown(desk: DeskClient, store: PhoneStore, pop: ScreenPop, misId: string, chosen: boolean): void {
  store.getState().updatePop(pop.callId, (current) => ({ audited: [...current.audited, misId] }));
  const input = pop.numberKey ? { callId: pop.callId, misId, chosen, numberKey: pop.numberKey } : { callId: pop.callId, misId, chosen };
  try {
    desk.request('screenPop.show', input).catch((error: unknown) => console.warn(`screen pop: show not recorded: ${errorCodeOf(error)}`));
  } catch (error) {
    console.warn(`screen pop: show not recorded: ${errorCodeOf(error)}`);
  }
}

function StatusLine({ pop }: { pop: ScreenPop }): ReactElement {
  const { t, i18n } = useTranslation();
  const time = (iso: string | null) => (iso ? formatClockTime(iso, i18n.language) : null);
  let text: string;
  if (pop.lookup === 'pending') text = t('screenPop.status.looking');
  else if (pop.lookup === 'failed') text = t('screenPop.status.failed');
  else if (pop.lookup === 'skipped') text = t('screenPop.status.withheld');
  else if (pop.refresh === 'updated') text = t('screenPop.status.updated', { time: time(pop.refreshedAt) ?? '—' });
  else {
    const cached = time(pop.dataAsOf);
    const base = cached ? t('screenPop.status.cached', { time: cached }) : t('screenPop.status.cachedNoTime');
    if (pop.refresh === 'unreachable') text = t('screenPop.status.unreachable', { cached: base });
    else if (pop.refresh === 'refreshing') text = t('screenPop.status.refreshing', { cached: base });
    else text = base;
  }
  return (
    <p className="screen-pop-status" data-testid="screen-pop-status" data-state={popStateOf(pop)} role="status">
      {text}
    </p>
  );
}

function PopBody({ pop, card, rehearsal }: { pop: ScreenPop; card: VisiblePatientCard | null; rehearsal: boolean }): ReactElement | null {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  if (pop.lookup !== 'done') return null;
  if (pop.withheld !== null) return <Withheld count={pop.withheld} />;
  if (card) {
    return (
      <>
        <PopCard card={card} callId={pop.callId} rehearsal={rehearsal} />
        {pop.matches.length > 1 ? (
          <button
            type="button"
            className="button ghost screen-pop-other"
            data-testid="screen-pop-other"
            onClick={() => store.getState().updatePop(pop.callId, () => ({ choosing: true }))}
          >
            {t('screenPop.other')}
          </button>
        ) : null}
      </>
    );
  }
  if (pop.matches.length > 1) return <Chooser pop={pop} />;
  if (pop.matches.length === 0) return <NoCachedCard pop={pop} />;
  return null;
}

/**
 * The desk was locked (or nobody signed in) when the call rang: main sent no card. The pop says
 * only whether the caller is on file — no name, no number beyond the call's own — and offers
 * no new-patient form; it is looked up again on unlock.
 */
function Withheld({ count }: { count: number }): ReactElement {
  const { t } = useTranslation();
  return (
    <p className="screen-pop-withheld" data-testid="screen-pop-withheld" data-known={count > 0 ? 'true' : 'false'} role="status">
      {count > 0 ? t('screenPop.locked.known') : t('callBar.unknown')}
    </p>
  );
}

/**
 * No card in the cache. Normally: a new patient. But while the cache lacks cards the MIS has — a
 * damaged cache being refilled, or the desk's first sync (the lookup says `cacheIncomplete`) — a
 * known patient may simply not be in it yet: the pop waits for the MIS's answer instead of
 * offering a "new patient" form, and if the MIS cannot answer, says the caller may be on file.
 */
function NoCachedCard({ pop }: { pop: ScreenPop }): ReactElement {
  const { t } = useTranslation();
  const rebuilding = useAppStore((state) => {
    const cache = state.cacheStatus;
    return !!cache && (cache.replacing || (cache.fill?.state === 'filling' && cache.fill.reason !== 'new'));
  });
  const incomplete = rebuilding || pop.cacheIncomplete;
  const reason = rebuilding ? 'rebuilding' : 'firstSync';
  if (pop.draftId) return <DraftSaved />;
  if (incomplete && pop.refresh === 'refreshing') {
    return (
      <p className="screen-pop-checking" data-testid="screen-pop-checking-mis" data-reason={reason}>
        {t(`screenPop.${reason}.checking`)}
      </p>
    );
  }
  return (
    <>
      {incomplete && pop.refresh === 'unreachable' ? (
        <p className="notice warn" data-testid="screen-pop-rebuilding-warning" data-reason={reason}>
          {t(`screenPop.${reason}.misDown`)}
        </p>
      ) : null}
      <NewPatientDraft pop={pop} />
    </>
  );
}

/** The next booked appointment from now on, if any (none on a card whose role may not see visits). */
function nextAppointment(card: VisiblePatientCard, now: number) {
  return [...(card.appointments ?? [])]
    .filter((a) => a.status === 'booked' && Date.parse(a.startsAt) >= now)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0];
}

/** A field the role may not see: a quiet word where its value would be. */
function Hidden(): ReactElement {
  const { t } = useTranslation();
  return (
    <span className="muted" data-testid="screen-pop-field-hidden">
      {t('patients.card.hidden')}
    </span>
  );
}

function PopCard({ card, callId, rehearsal }: { card: VisiblePatientCard; callId: string; rehearsal: boolean }): ReactElement {
  const { t, i18n } = useTranslation();
  const openPatient = useAppStore((state) => state.openPatient);
  const [now] = useState(() => Date.now());
  const age = ageOn(card.birthDate, new Date(now));
  const next = nextAppointment(card, now);
  // The cached card's next appointment paints with the card; the desk's own list (a visit booked
  // during this call included) replaces it a moment later.
  const cachedNext = next ? (
    <>
      <span className="mono">{formatDateTime(next.startsAt)}</span> · <Plain text={next.specialty} /> · <Plain text={next.doctor} />
    </>
  ) : (
    <span className="muted">{t('screenPop.noNext')}</span>
  );
  return (
    <article className="screen-pop-card" data-testid="screen-pop-card" data-mis-id={card.misId}>
      <h3 className="screen-pop-name" data-testid="screen-pop-name" dir="auto">
        <Plain text={fullName(card)} />
      </h3>
      <div className="screen-pop-badges">
        {card.flags.vip ? <span className="pill pill-vip">{t('patients.vip')}</span> : null}
        {card.flags.allergies ? (
          <span className="pill pill-allergy" title={card.flags.allergies}>
            {t('patients.allergy')}
          </span>
        ) : null}
      </div>
      <dl className="screen-pop-facts">
        <div>
          <dt>{t('patients.card.birthDate')}</dt>
          <dd data-testid="screen-pop-birth-date">
            {formatIsoDate(card.birthDate)}
            {age !== null ? <span className="muted"> ({formatAge(age, i18n.language)})</span> : null}
          </dd>
        </div>
        <div>
          <dt>{t('screenPop.policy')}</dt>
          <dd data-testid="screen-pop-policy">
            {card.omsPolicy ? (
              <span className="mono">{t('screenPop.oms', { policy: formatOms(card.omsPolicy) })}</span>
            ) : card.dms ? (
              <>
                {t('screenPop.dms')} <Plain text={card.dms.insurer} />
              </>
            ) : card.omsPolicy === undefined || card.dms === undefined ? (
              <Hidden />
            ) : (
              <span className="muted">{t('patients.card.missing')}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('screenPop.next')}</dt>
          <dd data-testid="screen-pop-next">
            {card.appointments === undefined ? <Hidden /> : rehearsal ? cachedNext : <NextVisit misId={card.misId} fallback={cachedNext} />}
          </dd>
        </div>
      </dl>
      {/* A rehearsal asks main for nothing (the card is made up). */}
      {rehearsal ? null : <PatientCalls misId={card.misId} limit={5} compact />}
      <button type="button" className="button ghost screen-pop-open" data-testid="screen-pop-open-card" onClick={() => openPatient({ misId: card.misId, reason: 'call', callId })}>
        {t('screenPop.openCard')}
      </button>
    </article>
  );
}

function Chooser({ pop }: { pop: ScreenPop }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const store = usePhoneStoreApi();
  const cards = chooserOrder(pop.matches, pop.remembered);
  const choose = (misId: string) => {
    store.getState().updatePop(pop.callId, () => ({ selected: misId, choosing: false }));
    reportShown(desk, store, pop, misId, true);
  };
  return (
    <div className="screen-pop-chooser" data-testid="screen-pop-chooser">
      <p className="screen-pop-chooser-title">{t('screenPop.chooser', { count: cards.length })}</p>
      <ul className="screen-pop-choices">
        {cards.map((card) => (
          <li key={card.misId}>
            <button
              type="button"
              className="screen-pop-choice"
              data-testid="screen-pop-choice"
              data-mis-id={card.misId}
              data-remembered={card.misId === pop.remembered ? 'true' : undefined}
              onClick={() => choose(card.misId)}
            >
              <span className="screen-pop-choice-name" dir="auto">
                <Plain text={fullName(card)} />
              </span>
              <span className="screen-pop-choice-meta muted">
                {formatIsoDate(card.birthDate)}
                {card.misId === pop.remembered ? <span className="pill pill-ok">{t('screenPop.lastChoice')}</span> : null}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function DraftSaved(): ReactElement {
  const { t } = useTranslation();
  return (
    <p className="notice ok" data-testid="screen-pop-draft-saved" role="status">
      {t('screenPop.draft.saved')}
    </p>
  );
}

type DraftField = 'surname' | 'givenName' | 'patronymic' | 'birthDate' | 'note';
type DraftErrors = Partial<Record<DraftField, string>>;

/** The draft's checks, as i18n keys under `screenPop.draft.errors`. */
export function validateDraft(values: Record<DraftField, string>, today: Date): DraftErrors {
  const errors: DraftErrors = {};
  const name = (field: 'surname' | 'givenName' | 'patronymic', required: boolean) => {
    const value = values[field].trim();
    if (required && value === '') errors[field] = `${field}Required`;
    else if (value.length > 100) errors[field] = 'nameTooLong';
    else if (/[<>{}[\]\\/@#$%^&*=+_|~`"0-9]/u.test(value)) errors[field] = 'nameCharacters';
  };
  name('surname', true);
  name('givenName', true);
  name('patronymic', false);
  const birth = values.birthDate.trim();
  if (birth !== '') {
    // Typed as the search box reads dates (`1.2.1985`, `01/02/1985`, `1985-02-01`).
    const iso = parseTypedDate(birth);
    if (!iso) errors.birthDate = 'birthDateFormat';
    else if (iso > today.toISOString().slice(0, 10)) errors.birthDate = 'birthDateFuture';
    else if (Number(iso.slice(0, 4)) < today.getFullYear() - 130) errors.birthDate = 'birthDateTooOld';
  }
  if (values.note.length > DRAFT_NOTE_MAX) errors.note = 'noteTooLong';
  return errors;
}

const DRAFT_IDS: Record<DraftField, string> = {
  surname: 'screen-pop-new-surname',
  givenName: 'screen-pop-new-given-name',
  patronymic: 'screen-pop-new-patronymic',
  birthDate: 'screen-pop-new-birth-date',
  note: 'screen-pop-new-note',
};

/** An unknown number: a new-patient draft with the number filled in; saved to the journal and sent to the MIS. */
function NewPatientDraft({ pop }: { pop: ScreenPop }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const store = usePhoneStoreApi();
  const errorText = useErrorText();
  const [values, setValues] = useState<Record<DraftField, string>>({ surname: '', givenName: '', patronymic: '', birthDate: '', note: '' });
  const [errors, setErrors] = useState<DraftErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: DraftField, value: string) => {
    const next = { ...values, [field]: value };
    setValues(next);
    if (errors[field]) setErrors({ ...errors, [field]: validateDraft(next, new Date())[field] });
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const found = validateDraft(values, new Date());
    setErrors(found);
    setFailure(null);
    const first = (Object.keys(DRAFT_IDS) as DraftField[]).find((field) => found[field]);
    if (first) {
      document.getElementById(`${DRAFT_IDS[first]}-${pop.callId}`)?.focus();
      return;
    }
    const birthDate = values.birthDate.trim() ? parseTypedDate(values.birthDate) : null;
    const input = {
      callId: pop.callId,
      phone: pop.number,
      surname: values.surname.trim(),
      givenName: values.givenName.trim(),
      ...(values.patronymic.trim() ? { patronymic: values.patronymic.trim() } : {}),
      ...(birthDate ? { birthDate } : {}),
      ...(values.note.trim() ? { note: values.note.trim() } : {}),
    };
    setBusy(true);
    try {
      const { draftId } = await desk.request('patients.createDraft', input);
      store.getState().updatePop(pop.callId, () => ({ draftId }));
    } catch (error) {
      setFailure(errorText(toDeskError(error)));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: DraftField, label: string, options: { placeholder?: string; multiline?: boolean } = {}) => {
    const id = `${DRAFT_IDS[name]}-${pop.callId}`;
    const error = errors[name];
    const props = {
      id,
      'data-testid': DRAFT_IDS[name],
      className: 'input',
      value: values[name],
      placeholder: options.placeholder,
      disabled: busy,
      autoComplete: 'off',
      'aria-invalid': error ? true : undefined,
      'aria-describedby': error ? `${id}-error` : undefined,
    } as const;
    return (
      <div className={`screen-pop-field${options.multiline ? ' wide' : ''}`} data-invalid={error ? 'true' : undefined}>
        <label htmlFor={id} className="field-label">
          {label}
        </label>
        {options.multiline ? (
          <textarea {...props} rows={2} maxLength={DRAFT_NOTE_MAX + 100} onChange={(e) => set(name, e.target.value)} />
        ) : (
          <input {...props} type="text" spellCheck={false} onChange={(e) => set(name, e.target.value)} />
        )}
        {error ? (
          <p id={`${id}-error`} className="field-error" data-testid={`${DRAFT_IDS[name]}-error`}>
            {t(`screenPop.draft.errors.${error}`, { max: DRAFT_NOTE_MAX })}
          </p>
        ) : null}
      </div>
    );
  };

  return (
    <form className="screen-pop-new" data-testid="screen-pop-new" noValidate onSubmit={(event) => void onSubmit(event)}>
      <p className="screen-pop-new-title">{t('screenPop.draft.title')}</p>
      <p className="screen-pop-new-phone">
        {t('screenPop.draft.phone')}{' '}
        <span className="mono" dir="ltr" data-testid="screen-pop-new-phone" data-number={pop.number}>
          {formatPhoneNumber(pop.number)}
        </span>
      </p>
      <div className="screen-pop-new-grid">
        {field('surname', t('patients.card.surname'))}
        {field('givenName', t('patients.card.givenName'))}
        {field('patronymic', t('patients.card.patronymic'))}
        {field('birthDate', t('patients.card.birthDate'), { placeholder: t('screenPop.draft.birthDatePlaceholder') })}
        {field('note', t('screenPop.draft.note'), { multiline: true })}
      </div>
      {failure ? (
        <p className="field-error" role="alert" data-testid="screen-pop-new-error">
          {t('screenPop.draft.failed', { reason: failure })}
        </p>
      ) : null}
      <button type="submit" className="button primary" data-testid="screen-pop-new-save" disabled={busy}>
        {busy ? t('screenPop.draft.saving') : t('screenPop.draft.save')}
      </button>
    </form>
  );
}

import { useContext, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alternatives, FreeSlot, Visit } from '../../../src-shared/booking/booking-contract';
import { clinicDate, clinicTimeOfDay, DEFAULT_CLINIC_TIME_ZONE, spokenVisitTime } from '../../../src-shared/schedule/clinic-time';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { WarningIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { BookingCallContext, useCardBooking, type BookingDone } from './booking-context';
import { useCatalog, useVisits } from './booking-data';
import { dayLabel } from './booking-grid';
import { type CatalogDoctor, formatVisitTime } from './booking-model';
import { roomText } from '../../ui/room-text';

/** The MIS can be reached now: a booking waiting for it is being sent, not stuck. */
function misReachable(state: string | undefined): boolean {
  return state === 'online' || state === 'degraded';
}

/**
 * The card's visits (`booking.visits`: the MIS's appointments merged with this desk's bookings),
 * reloaded on `booking:changed` for this patient. Each row (`appointment`, `data-state`) says
 * when on the clinic's clock, who, where, whether it waits for the MIS; a rejected one says why
 * and offers other times; a changeable one can be moved (the booking pane) or cancelled (after
 * a confirm step). Until the list is in, and when it cannot be had (an older core, an error),
 * `fallback` — the card's own cached appointments, read-only — is shown instead.
 */
export function PatientVisits({ fallback }: { fallback: ReactNode }): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { patient, done } = useCardBooking();
  const visits = useVisits(patient.misId);
  const timeZone = useAppStore((state) => state.settingsView?.settings.schedule?.timeZone) ?? DEFAULT_CLINIC_TIME_ZONE;
  const misState = useAppStore((state) => state.coreStatus?.mis.state);
  const [now] = useState(() => Date.now());
  const needCatalog = visits.visits.some((visit) => visit.state === 'rejected' && visit.slotId !== null);
  const { catalog } = useCatalog(needCatalog);
  const doctors = new Map((catalog?.doctors ?? []).map((doctor) => [doctor.id, doctor]));

  // The last booking's note follows its visit, but only in a list asked for after it was made
  // (an older list still has a moved visit at its old time); the list is asked for again then.
  const [seen, setSeen] = useState<{ done: BookingDone | null; generation: number }>({ done: null, generation: -1 });
  if (seen.done !== done) setSeen({ done, generation: visits.generation });
  const { reload } = visits;
  useEffect(() => {
    if (done) reload();
  }, [done, reload]);
  const newer = visits.generation > seen.generation ? visits.visits : [];

  // Until the list is in (a few ms from cache.db) the card's own appointments hold the place,
  // so the card paints whole at once.
  if (visits.status === 'loading') return <>{fallback}</>;
  if (visits.status === 'error') {
    return (
      <>
        <BookingResult done={done} visits={[]} timeZone={timeZone} now={now} misState={misState} />
        <p className="muted booking-visits-fallback" data-testid="booking-visits-fallback" data-code={visits.error?.code}>
          {t('booking.visits.fallback', { reason: visits.error ? errorText(visits.error) : '' })}
        </p>
        {fallback}
      </>
    );
  }

  return (
    <section className="booking-visits" data-testid="patient-visits" data-state={visits.status} aria-labelledby="booking-visits-title">
      <h3 id="booking-visits-title" className="booking-visits-title">
        {t('booking.visits.title')}
      </h3>
      <BookingResult done={done} visits={newer} timeZone={timeZone} now={now} misState={misState} />
      {visits.error ? (
        <p className="notice warn" data-testid="booking-visits-stale">
          <WarningIcon />
          {t('booking.visits.stale', { reason: errorText(visits.error) })}
        </p>
      ) : null}
      {visits.visits.length === 0 ? (
        <p className="muted" data-testid="booking-visits-none">
          {t('booking.visits.none')}
        </p>
      ) : (
        <ul className="booking-visit-list">
          {visits.visits.map((visit) => (
            <VisitRow key={visit.id} visit={visit} timeZone={timeZone} now={now} doctors={doctors} onChanged={visits.replace} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** What the last booking from this card came to, following its visit as the list changes. */
function BookingResult({ done, visits, timeZone, now, misState }: { done: BookingDone | null; visits: readonly Visit[]; timeZone: string; now: number; misState: string | undefined }): ReactElement | null {
  const { t, i18n } = useTranslation();
  if (!done) return null;
  const visit = visits.find((candidate) => candidate.id === done.visit.id) ?? done.visit;
  const when = spokenVisitTime(visit.startsAt, now, timeZone, i18n.language.startsWith('en') ? 'en' : 'ru');
  let status: string;
  if (visit.state === 'rejected') status = t('booking.result.rejected');
  else if (visit.awaitingMis) status = misReachable(misState) ? t('booking.result.sending') : t('booking.result.pending');
  else status = t('booking.result.confirmed');
  return (
    <p
      className={`notice ${visit.state === 'rejected' ? 'bad' : visit.awaitingMis ? 'warn' : 'ok'} booking-result`}
      role="status"
      data-testid="booking-result"
      data-state={visit.state}
      data-awaiting-mis={visit.awaitingMis ? 'true' : 'false'}
    >
      <span>
        {t(done.kind === 'moved' ? 'booking.result.moved' : 'booking.result.created', { when })}{' '}
        <span data-testid="booking-result-status">{status}</span>
      </span>
    </p>
  );
}

interface RowProps {
  visit: Visit;
  timeZone: string;
  now: number;
  doctors: ReadonlyMap<string, CatalogDoctor>;
  onChanged(visit: Visit): void;
}

function VisitRow({ visit, timeZone, now, doctors, onChanged }: RowProps): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const callIdFor = useContext(BookingCallContext);
  const { patient, open } = useCardBooking();
  const [cancelling, setCancelling] = useState<'ask' | 'busy' | null>(null);
  const [failure, setFailure] = useState<{ code: string; text: string } | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  /** Set when the operator keeps the visit: the focus goes back to Cancel once it is enabled again. */
  const refocus = useRef(false);
  useLayoutEffect(() => {
    if (cancelling === 'ask') confirmRef.current?.focus();
    if (cancelling === null && refocus.current) {
      refocus.current = false;
      cancelRef.current?.focus();
    }
  }, [cancelling]);

  const cancel = async () => {
    setCancelling('busy');
    setFailure(null);
    try {
      const { visit: cancelled } = await desk.request('booking.cancel', { visitId: visit.id, callId: callIdFor(patient.misId), patientMisId: patient.misId });
      onChanged(cancelled);
      setCancelling(null);
    } catch (error) {
      const deskError = toDeskError(error);
      setFailure({ code: deskError.code, text: t('booking.visits.actionFailed', { reason: errorText(deskError) }) });
      setCancelling('ask');
    }
  };

  const keep = () => {
    refocus.current = true;
    setCancelling(null);
    setFailure(null);
  };

  const onAskKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    if (cancelling === 'ask') keep();
  };

  const past = Date.parse(visit.startsAt) < now;
  const place = [visit.branch, visit.room ? roomText(visit.room, (room) => t('booking.room', { room })) : null].filter(Boolean).join(' · ');
  return (
    <li
      className="booking-visit"
      data-testid="appointment"
      data-visit-id={visit.id}
      data-state={visit.state}
      data-start={visit.startsAt}
      data-awaiting-mis={visit.awaitingMis ? 'true' : 'false'}
      data-past={past ? 'true' : undefined}
    >
      <div className="booking-visit-main">
        <span className="booking-visit-time mono" data-testid="appointment-time">
          {formatVisitTime(visit.startsAt, timeZone)}
        </span>
        <span className="booking-visit-who">
          <Plain text={visit.doctor} />
          <span className="muted">
            {' · '}
            <Plain text={visit.specialty} />
          </span>
        </span>
        <span className="booking-visit-what muted">
          <Plain text={visit.service} />
          {place ? (
            <>
              {' · '}
              <Plain text={place} />
            </>
          ) : null}
        </span>
        <span className="booking-visit-state" data-testid="appointment-state">
          {t(`booking.visitState.${visit.state}`)}
        </span>
        {visit.awaitingMis ? (
          <span className="pill pill-note booking-visit-pending" data-testid="appointment-pending" title={t('booking.visits.pendingHint')}>
            {t('booking.visits.pending')}
          </span>
        ) : null}
        {visit.changeable ? (
          <span className="booking-visit-actions">
            <button type="button" className="button ghost" data-testid="appointment-move" disabled={cancelling !== null} onClick={() => open({ kind: 'move', visit, slot: null })}>
              {t('booking.visits.move')}
            </button>
            <button ref={cancelRef} type="button" className="button ghost" data-testid="appointment-cancel" disabled={cancelling !== null} onClick={() => setCancelling('ask')}>
              {t('booking.visits.cancel')}
            </button>
          </span>
        ) : null}
      </div>
      {cancelling !== null ? (
        <div className="booking-visit-ask" data-testid="appointment-cancel-ask" role="group" aria-label={t('booking.visits.cancelAsk')} onKeyDown={onAskKeyDown}>
          <span>{t('booking.visits.cancelAsk')}</span>
          <button ref={confirmRef} type="button" className="button danger" data-testid="appointment-cancel-confirm" disabled={cancelling === 'busy'} onClick={() => void cancel()}>
            {cancelling === 'busy' ? t('booking.visits.cancelling') : t('booking.visits.cancelYes')}
          </button>
          <button type="button" className="button ghost" data-testid="appointment-cancel-keep" disabled={cancelling === 'busy'} onClick={keep}>
            {t('booking.visits.cancelNo')}
          </button>
        </div>
      ) : null}
      {failure ? (
        <p className="field-error" role="alert" data-testid="appointment-error" data-code={failure.code}>
          {failure.text}
        </p>
      ) : null}
      {visit.state === 'rejected' ? <Rejected visit={visit} timeZone={timeZone} doctors={doctors} /> : null}
    </li>
  );
}

/** Why the MIS refused, and the next free times (same doctor, same specialty) to book instead. */
function Rejected({ visit, timeZone, doctors }: { visit: Visit; timeZone: string; doctors: ReadonlyMap<string, CatalogDoctor> }): ReactElement {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const { open } = useCardBooking();
  const [alternatives, setAlternatives] = useState<{ status: 'loading' | 'ready' | 'error'; value: Alternatives | null }>({
    status: visit.slotId ? 'loading' : 'ready',
    value: null,
  });
  const slotId = visit.slotId;
  useEffect(() => {
    if (!slotId) return;
    let stale = false;
    desk.request('booking.alternatives', { slotId }).then(
      (value) => {
        if (!stale) setAlternatives(value && Array.isArray(value.sameDoctor) ? { status: 'ready', value } : { status: 'error', value: null });
      },
      () => {
        if (!stale) setAlternatives({ status: 'error', value: null });
      },
    );
    return () => {
      stale = true;
    };
  }, [desk, slotId]);

  const reason = visit.rejection ?? 'refused';
  const slots: { slot: FreeSlot; group: 'same-doctor' | 'same-specialty' }[] = [
    ...(alternatives.value?.sameDoctor ?? []).slice(0, 4).map((slot) => ({ slot, group: 'same-doctor' as const })),
    ...(alternatives.value?.sameSpecialty ?? []).slice(0, 4).map((slot) => ({ slot, group: 'same-specialty' as const })),
  ];
  // A visit the MIS holds is moved; one it never took is booked again.
  const mode = visit.changeable ? 'move' : 'rebook';
  return (
    <div className="booking-visit-rejected">
      <p className="booking-visit-reason" data-testid="appointment-rejection" data-reason={reason}>
        <WarningIcon />
        <span>
          {t(`booking.rejection.${reason}`)}
          {visit.rejectionMessage ? (
            <>
              {': '}
              <Plain text={visit.rejectionMessage} />
            </>
          ) : null}
        </span>
      </p>
      {alternatives.status === 'loading' ? <p className="muted">{t('booking.taken.loading')}</p> : null}
      {slots.length > 0 ? (
        <div className="booking-visit-alternatives">
          <span className="muted">{t('booking.visits.otherTimes')}</span>
          {slots.map(({ slot, group }) => (
            <button
              key={`${group}-${slot.id}`}
              type="button"
              className="button chip"
              data-testid="appointment-alternative"
              data-group={group}
              data-slot-id={slot.id}
              data-start={slot.startsAt}
              data-doctor={slot.doctorId}
              onClick={() => open({ kind: mode, visit, slot })}
            >
              {dayLabel(clinicDate(slot.startsAt, timeZone), i18n.language)}, {clinicTimeOfDay(slot.startsAt, timeZone)}
              {doctors.get(slot.doctorId) ? (
                <span className="muted">
                  {' · '}
                  <Plain text={doctors.get(slot.doctorId)!.name} />
                </span>
              ) : null}
            </button>
          ))}
        </div>
      ) : alternatives.status !== 'loading' ? (
        <p className="muted" data-testid="appointment-alternatives-none">
          {t('booking.visits.noAlternatives')}
        </p>
      ) : null}
    </div>
  );
}

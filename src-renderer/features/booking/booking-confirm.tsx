import type { KeyboardEvent, ReactElement, ReactNode, RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alternatives, FreeSlot, Visit } from '../../../src-shared/booking/booking-contract';
import { clinicDate, clinicTimeOfDay, spokenVisitTime } from '../../../src-shared/schedule/clinic-time';
import { WarningIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { dayLabel } from './booking-grid';
import { type CatalogBranch, type CatalogDoctor, type CatalogService, formatRub, hasPrice } from './booking-model';
import { roomText } from '../../ui/room-text';

export interface ReadBackProps {
  confirmRef: RefObject<HTMLButtonElement | null>;
  mode: 'new' | 'move' | 'rebook';
  patientName: string;
  slot: FreeSlot;
  doctor: CatalogDoctor | null;
  branch: CatalogBranch | null;
  service: CatalogService | null;
  /** The service's name when the catalog does not know it (a MIS visit being moved). */
  serviceName: string | null;
  specialty: string;
  /** The visit being moved: its time is read back too. */
  was: Visit | null;
  timeZone: string;
  now: number;
  language: 'ru' | 'en';
  busy: boolean;
  failure: { code: string; text: string } | null;
  onConfirm(): void;
  onBack(): void;
}

/**
 * The read-back before booking (`booking-summary`): who, to whom, what, where, when (said the
 * Russian way, on the clinic's clock), what to bring and the price. Enter or the button books.
 */
export function ReadBack(props: ReadBackProps): ReactElement {
  const { confirmRef, mode, patientName, slot, doctor, branch, service, serviceName, specialty, was, timeZone, now, language, busy, failure, onConfirm, onBack } = props;
  const { t } = useTranslation();
  const bookable = mode === 'move' || service !== null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Enter' || event.ctrlKey || event.altKey || event.metaKey || event.shiftKey) return;
    const target = event.target as HTMLElement;
    // Enter on another control (Back) does what that control does.
    if (target !== confirmRef.current && (target.tagName === 'BUTTON' || target.tagName === 'SELECT' || target.tagName === 'A')) return;
    event.preventDefault();
    if (bookable && !busy) onConfirm();
  };

  const place = [branch?.name, branch?.address].filter(Boolean).join(', ');
  return (
    <div className="booking-confirm" data-testid="booking-confirm-step" onKeyDown={onKeyDown}>
      <p className="booking-step-title">{t(mode === 'move' ? 'booking.summary.titleMove' : 'booking.summary.title')}</p>
      <dl className="booking-summary" data-testid="booking-summary" data-slot-id={slot.id} data-start={slot.startsAt} data-doctor={slot.doctorId}>
        <Fact label={t('booking.summary.patient')} testId="booking-summary-patient">
          <Plain text={patientName} />
        </Fact>
        {was ? (
          <Fact label={t('booking.summary.was')} testId="booking-summary-was">
            {spokenVisitTime(was.startsAt, now, timeZone, language)}
          </Fact>
        ) : null}
        <Fact label={t('booking.summary.when')} testId="booking-summary-when" strong>
          {spokenVisitTime(slot.startsAt, now, timeZone, language)}
        </Fact>
        <Fact label={t('booking.summary.doctor')} testId="booking-summary-doctor">
          <Plain text={doctor?.name ?? slot.doctorId} />
          {' · '}
          <Plain text={doctor?.specialty ?? specialty} />
        </Fact>
        <Fact label={t('booking.summary.service')} testId="booking-summary-service">
          {service ? <Plain text={service.name} /> : serviceName ? <Plain text={serviceName} /> : <span className="muted">{t('booking.summary.noService')}</span>}
          {service ? <span className="muted">{` · ${t('booking.summary.duration', { minutes: service.durationMin })}`}</span> : null}
        </Fact>
        <Fact label={t('booking.summary.place')} testId="booking-summary-place">
          {place ? <Plain text={place} /> : <span className="muted">—</span>}
          {doctor ? ` · ${roomText(doctor.room, (room) => t('booking.room', { room }))}` : null}
        </Fact>
        {service ? (
          <Fact label={t('booking.summary.payment')} testId="booking-summary-price">
            {t(`booking.kinds.${service.kind}`)}
            {hasPrice(service) ? (
              <>
                {' · '}
                <strong className="booking-price">{formatRub(service.priceRub)}</strong>
              </>
            ) : null}
          </Fact>
        ) : null}
        {service?.prepare ? (
          <Fact label={t('booking.summary.prepare')} testId="booking-summary-prepare">
            <Plain text={service.prepare} />
          </Fact>
        ) : null}
      </dl>
      {failure ? (
        <p className="notice bad" role="alert" data-testid="booking-error" data-code={failure.code}>
          <WarningIcon />
          {failure.text}
        </p>
      ) : null}
      <div className="booking-actions">
        <button ref={confirmRef} type="button" className="button primary" data-testid="booking-confirm" disabled={busy || !bookable} onClick={onConfirm} aria-keyshortcuts="Enter">
          {busy ? t('booking.summary.booking') : t(mode === 'move' ? 'booking.summary.confirmMove' : 'booking.summary.confirm')} <span className="kbd">Enter</span>
        </button>
        <button type="button" className="button ghost" data-testid="booking-back" onClick={onBack} aria-keyshortcuts="Escape">
          {t('booking.back')} <span className="kbd">Esc</span>
        </button>
      </div>
    </div>
  );
}

function Fact({ label, testId, strong = false, children }: { label: string; testId: string; strong?: boolean; children: ReactNode }): ReactElement {
  return (
    <div className={`booking-fact${strong ? ' strong' : ''}`}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

export interface SlotTakenProps {
  firstRef: RefObject<HTMLButtonElement | null>;
  code: 'SLOT_TAKEN' | 'SLOT_NOT_FOUND';
  specialty: string;
  alternatives: { status: 'loading' | 'ready' | 'error'; value: Alternatives | null };
  doctors: ReadonlyMap<string, CatalogDoctor>;
  timeZone: string;
  language: string;
  onPick(slot: FreeSlot): void;
  onBack(): void;
}

/**
 * The time was taken between the grid and the booking (another desk, the front desk, the
 * patient app), or is gone from the schedule: said as such, never as a generic error, with the
 * next free times of the same doctor and of the specialty to pick from.
 */
export function SlotTaken({ firstRef, code, specialty, alternatives, doctors, timeZone, language, onPick, onBack }: SlotTakenProps): ReactElement {
  const { t } = useTranslation();
  const sameDoctor = alternatives.value?.sameDoctor ?? [];
  const sameSpecialty = alternatives.value?.sameSpecialty ?? [];
  const button = (slot: FreeSlot, group: 'same-doctor' | 'same-specialty', index: number) => {
    // The first button takes the focus when the list arrives.
    const ref = index === 0 && (group === 'same-doctor' || sameDoctor.length === 0) ? firstRef : undefined;
    const doctor = doctors.get(slot.doctorId);
    return (
      <li key={`${group}-${slot.id}`}>
        <button
          ref={ref}
          type="button"
          className="button booking-alternative"
          data-testid="booking-alternative"
          data-group={group}
          data-slot-id={slot.id}
          data-start={slot.startsAt}
          data-doctor={slot.doctorId}
          onClick={() => onPick(slot)}
        >
          <span className="booking-alternative-time">
            {dayLabel(clinicDate(slot.startsAt, timeZone), language)}, {clinicTimeOfDay(slot.startsAt, timeZone)}
          </span>
          <span className="booking-alternative-doctor muted">
            <Plain text={doctor?.name ?? slot.doctorId} />
          </span>
        </button>
      </li>
    );
  };

  // Up / down (and left / right) walk the alternatives; Enter on one picks it (a button).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight'].includes(event.key)) return;
    const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[data-testid="booking-alternative"]')];
    const index = buttons.indexOf(event.target as HTMLButtonElement);
    if (index < 0) return;
    event.preventDefault();
    const next = buttons[event.key === 'ArrowDown' || event.key === 'ArrowRight' ? index + 1 : index - 1];
    next?.focus();
  };

  return (
    <div className="booking-taken" onKeyDown={onKeyDown}>
      <div className="notice warn booking-taken-message" role="alert" data-testid="booking-slot-taken" data-code={code}>
        <WarningIcon />
        <div>
          <strong>{t(code === 'SLOT_TAKEN' ? 'booking.taken.title' : 'booking.taken.gone')}</strong>
          <p className="booking-taken-hint">{t('booking.taken.hint')}</p>
        </div>
      </div>
      {alternatives.status === 'loading' ? (
        <p className="muted" role="status" data-testid="booking-alternatives-loading">
          {t('booking.taken.loading')}
        </p>
      ) : null}
      {alternatives.status === 'error' || (alternatives.status === 'ready' && sameDoctor.length === 0 && sameSpecialty.length === 0) ? (
        <p className="muted" data-testid="booking-alternatives-none">
          {t('booking.taken.none')}
        </p>
      ) : null}
      {sameDoctor.length > 0 ? (
        <section className="booking-alternatives" aria-label={t('booking.taken.sameDoctor')}>
          <p className="booking-alternatives-title">{t('booking.taken.sameDoctor')}</p>
          <ul>{sameDoctor.map((slot, index) => button(slot, 'same-doctor', index))}</ul>
        </section>
      ) : null}
      {sameSpecialty.length > 0 ? (
        <section className="booking-alternatives" aria-label={t('booking.taken.sameSpecialty', { specialty })}>
          <p className="booking-alternatives-title">{t('booking.taken.sameSpecialty', { specialty })}</p>
          <ul>{sameSpecialty.map((slot, index) => button(slot, 'same-specialty', index))}</ul>
        </section>
      ) : null}
      <div className="booking-actions">
        <button type="button" className="button ghost" data-testid="booking-back" onClick={onBack}>
          {t('booking.taken.toGrid')} <span className="kbd">Esc</span>
        </button>
      </div>
    </div>
  );
}

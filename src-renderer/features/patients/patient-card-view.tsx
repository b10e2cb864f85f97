import type { ReactElement, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Appointment, VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import { useErrorText } from '../../ui/error-text';
import { formatClockTime } from '../../ui/format-time';
import { WarningIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import {
  ageOn,
  formatAge,
  formatDateTime,
  formatIsoDate,
  formatOms,
  formatPhone,
  formatSnils,
  fullName,
} from './patient-format';
import { PatientCalls } from './patient-calls';
import { BookingOpenButton, CardBooking, PatientVisits } from '../booking';
import type { OpenCard } from './use-open-card';

export interface PatientCardViewProps {
  open: OpenCard;
  today: Date;
  onClose(): void;
}

/** The right-hand side of the pane: the open card, or why it cannot be shown. */
export function PatientCardView({ open, today, onClose }: PatientCardViewProps): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();

  if (open.status === 'loading') {
    return (
      <div className="patient-card-message muted" data-testid="patient-card-loading" role="status">
        {t('patients.card.loading')}
      </div>
    );
  }
  if (open.status === 'gone') {
    return (
      <div className="patient-card-message" data-testid="patient-card-gone" role="status">
        <p className="notice warn">
          <WarningIcon />
          {t('patients.card.gone')}
        </p>
        <button type="button" className="button" onClick={onClose}>
          {t('patients.card.close')}
        </button>
      </div>
    );
  }
  if (open.status === 'error' || !open.card) {
    return (
      <div className="patient-card-message" data-testid="patient-card-error" role="alert">
        <p className="notice bad">
          <WarningIcon />
          {t('patients.card.failed', { reason: open.error ? errorText(open.error) : '' })}
        </p>
        <button type="button" className="button" onClick={onClose}>
          {t('patients.card.close')}
        </button>
      </div>
    );
  }
  // The booking pane takes the card's place while it is open (features/booking).
  return (
    <CardBooking patient={{ misId: open.card.misId, name: fullName(open.card) }}>
      <CardBody card={open.card} open={open} today={today} onClose={onClose} />
    </CardBooking>
  );
}

/**
 * The card's fields. A field the role's matrix hides is absent from the card main sent (not
 * null: null is "the MIS has none"): its row says a quiet «скрыто», its badge is not drawn, and
 * the visits are not asked for.
 */
function CardBody({ card, open, today, onClose }: { card: VisiblePatientCard; open: OpenCard; today: Date; onClose(): void }): ReactElement {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const age = ageOn(card.birthDate, today);
  const headingId = `patient-card-title-${card.misId}`;
  return (
    <article className="patient-card" data-testid="patient-card" data-mis-id={card.misId} aria-labelledby={headingId}>
      <header className="patient-card-header">
        <div className="patient-card-heading">
          <h2 id={headingId} className="patient-card-name">
            <Plain text={fullName(card)} />
          </h2>
          <p className="patient-card-sub">
            {formatIsoDate(card.birthDate)}
            {age !== null ? ` · ${formatAge(age, i18n.language)}` : ''}
            {` · ${t(`patients.sex.${card.sex}`)}`}
          </p>
          <div className="patient-card-badges">
            {card.flags.vip ? (
              <span className="pill pill-vip" data-testid="patient-card-vip">
                {t('patients.vip')}
              </span>
            ) : null}
            {card.flags.allergies ? (
              <span className="pill pill-allergy" data-testid="patient-card-allergy-badge">
                {t('patients.allergy')}
              </span>
            ) : null}
            {open.updatedAt ? (
              <span className="patient-card-updated" data-testid="patient-card-updated" role="status">
                {t('patients.card.updated', { time: formatClockTime(open.updatedAt, i18n.language) })}
              </span>
            ) : null}
          </div>
        </div>
        <BookingOpenButton />
        <button type="button" className="button ghost" data-testid="patient-card-close" onClick={onClose} title={t('patients.card.closeHint')}>
          {t('patients.card.close')}
        </button>
      </header>

      {open.error ? (
        <p className="notice warn" data-testid="patient-card-refresh-failed">
          <WarningIcon />
          {t('patients.card.refreshFailed', { reason: errorText(open.error) })}
        </p>
      ) : null}

      {card.flags.allergies ? (
        <p className="patient-allergies" data-testid="patient-card-allergies">
          <WarningIcon />
          <span>
            <strong>{t('patients.card.allergies')}:</strong> <Plain text={card.flags.allergies} />
          </span>
        </p>
      ) : null}

      <div className="patient-card-grid">
        <Section id="identity" title={t('patients.card.sections.identity')}>
          <Row label={t('patients.card.surname')}>
            <Plain text={card.surname} />
          </Row>
          <Row label={t('patients.card.givenName')}>
            <Plain text={card.givenName} />
          </Row>
          <Row label={t('patients.card.patronymic')}>{card.patronymic ? <Plain text={card.patronymic} /> : <Missing />}</Row>
          <Row label={t('patients.card.birthDate')}>
            {formatIsoDate(card.birthDate)}
            {age !== null ? <span className="muted"> ({formatAge(age, i18n.language)})</span> : null}
          </Row>
          <Row label={t('patients.card.sex')}>{t(`patients.sex.${card.sex}`)}</Row>
          <Row label={t('patients.card.misId')}>
            <span className="mono">
              <Plain text={card.misId} />
            </span>
            <span className="muted"> · {t('patients.card.version', { version: card.version })}</span>
          </Row>
        </Section>

        <Section id="contacts" title={t('patients.card.sections.contacts')}>
          <Row label={t('patients.card.phones')}>
            {card.phones === undefined ? (
              <Hidden />
            ) : card.phones.length === 0 ? (
              <Missing />
            ) : (
              <ul className="patient-phones">
                {card.phones.map((phone) => (
                  <li key={`${phone.kind}-${phone.e164}`} data-testid="patient-card-phone" data-kind={phone.kind}>
                    <span className="mono">{formatPhone(phone.e164)}</span>{' '}
                    <span className="muted">{t(`patients.phoneKind.${phone.kind}`)}</span>
                  </li>
                ))}
              </ul>
            )}
          </Row>
          <Row label={t('patients.card.email')}>{card.email === undefined ? <Hidden /> : card.email ? <Plain text={card.email} /> : <Missing />}</Row>
          <Row label={t('patients.card.address')}>{card.address === undefined ? <Hidden /> : card.address ? <Plain text={card.address} /> : <Missing />}</Row>
        </Section>

        <Section id="policies" title={t('patients.card.sections.policies')}>
          <Row label={t('patients.card.oms')}>
            {card.omsPolicy === undefined ? <Hidden /> : card.omsPolicy ? <span className="mono">{formatOms(card.omsPolicy)}</span> : <Missing />}
          </Row>
          <Row label={t('patients.card.dms')}>
            {card.dms === undefined ? (
              <Hidden />
            ) : card.dms ? (
              <>
                <Plain text={card.dms.insurer} />
                {' · '}
                <span className="mono">
                  <Plain text={card.dms.policy} />
                </span>
              </>
            ) : (
              <Missing />
            )}
          </Row>
          <Row label={t('patients.card.snils')}>{card.snils === undefined ? <Hidden /> : card.snils ? <span className="mono">{formatSnils(card.snils)}</span> : <Missing />}</Row>
        </Section>

        <Section id="flags" title={t('patients.card.sections.flags')}>
          <Row label={t('patients.card.allergies')}>
            {card.flags.allergies === undefined ? (
              <Hidden />
            ) : card.flags.allergies ? (
              <span className="allergy-text">
                <Plain text={card.flags.allergies} />
              </span>
            ) : (
              t('patients.card.noAllergies')
            )}
          </Row>
          <Row label={t('patients.vip')}>
            <YesNo value={card.flags.vip} />
          </Row>
          <Row label={t('patients.card.preferredChannel')}>
            {card.flags.preferredChannel === undefined ? <Hidden /> : card.flags.preferredChannel ? t(`patients.channel.${card.flags.preferredChannel}`) : <Missing />}
          </Row>
          <Row label={t('patients.card.consentSms')}>
            <YesNo value={card.flags.consentSms} />
          </Row>
          <Row label={t('patients.card.consentCalls')}>
            <YesNo value={card.flags.consentCalls} />
          </Row>
          <Row label={t('patients.card.lastVisit')}>{card.lastVisit === undefined ? <Hidden /> : card.lastVisit ? formatIsoDate(card.lastVisit) : <Missing />}</Row>
        </Section>
      </div>

      {/* The visits as booking knows them; the card's cached appointments when it cannot say. A
          role that may not see visits is not given the card's, and does not ask for booking's. */}
      {card.appointments === undefined ? <HiddenAppointments /> : <PatientVisits fallback={<Appointments appointments={card.appointments} today={today} />} />}

      <PatientCalls misId={card.misId} />
    </article>
  );
}

function Appointments({ appointments, today }: { appointments: readonly Appointment[]; today: Date }): ReactElement {
  const { t } = useTranslation();
  const sorted = [...appointments].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return (
    <section className="patient-card-section wide" data-testid="patient-card-appointments" aria-labelledby="patient-card-appointments-title">
      <h3 id="patient-card-appointments-title" className="patient-card-section-title">
        {t('patients.card.sections.appointments')}
      </h3>
      {sorted.length === 0 ? (
        <p className="muted">{t('patients.card.noAppointments')}</p>
      ) : (
        <div className="appointments-scroll">
          <table className="appointments">
            <thead>
              <tr>
                <th scope="col">{t('patients.card.appointment.when')}</th>
                <th scope="col">{t('patients.card.appointment.doctor')}</th>
                <th scope="col">{t('patients.card.appointment.specialty')}</th>
                <th scope="col">{t('patients.card.appointment.service')}</th>
                <th scope="col">{t('patients.card.appointment.branch')}</th>
                <th scope="col">{t('patients.card.appointment.status')}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((appointment) => (
                <tr
                  key={appointment.id}
                  data-testid="patient-appointment"
                  data-status={appointment.status}
                  data-past={Date.parse(appointment.startsAt) < today.getTime() ? 'true' : undefined}
                >
                  <td className="mono nowrap">{formatDateTime(appointment.startsAt)}</td>
                  <td>
                    <Plain text={appointment.doctor} />
                  </td>
                  <td>
                    <Plain text={appointment.specialty} />
                  </td>
                  <td>
                    <Plain text={appointment.service} />
                  </td>
                  <td>
                    <Plain text={appointment.branch} />
                  </td>
                  <td className="appointment-status">{t(`patients.appointmentStatus.${appointment.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The visits' place on a card whose role may not see them. */
function HiddenAppointments(): ReactElement {
  const { t } = useTranslation();
  return (
    <section className="patient-card-section wide" data-testid="patient-card-appointments" data-hidden="true" aria-labelledby="patient-card-appointments-title">
      <h3 id="patient-card-appointments-title" className="patient-card-section-title">
        {t('patients.card.sections.appointments')}
      </h3>
      <Hidden />
    </section>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }): ReactElement {
  const titleId = `patient-card-${id}-title`;
  return (
    <section className="patient-card-section" data-testid={`patient-card-${id}`} aria-labelledby={titleId}>
      <h3 id={titleId} className="patient-card-section-title">
        {title}
      </h3>
      <dl className="patient-fields">{children}</dl>
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }): ReactElement {
  return (
    <div className="patient-field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A field the role may not see: a quiet word where its value would be, never an error. */
function Hidden(): ReactElement {
  const { t } = useTranslation();
  return (
    <span className="muted patient-field-hidden" data-testid="patient-field-hidden">
      {t('patients.card.hidden')}
    </span>
  );
}

/** Yes / no, or «скрыто» for a flag the role may not see. */
function YesNo({ value }: { value: boolean | undefined }): ReactElement {
  const { t } = useTranslation();
  if (value === undefined) return <Hidden />;
  return <>{value ? t('patients.card.yes') : t('patients.card.no')}</>;
}

function Missing(): ReactElement {
  const { t } = useTranslation();
  return <span className="muted">{t('patients.card.missing')}</span>;
}

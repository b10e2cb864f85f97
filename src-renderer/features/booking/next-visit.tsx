import { useState, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_CLINIC_TIME_ZONE } from '../../../src-shared/schedule/clinic-time';
import { useAppStore } from '../../app/app-store';
import { Plain } from '../../ui/plain';
import { useVisits } from './booking-data';
import { formatVisitTime } from './booking-model';

/**
 * The screen pop's "next appointment" line: the cached card's (`fallback`, painted with the card,
 * no request per ring) unless this patient's visits changed while the desk ran — a booking, move
 * or cancellation, during this call or before — and then the desk's own list (`booking.visits`:
 * the MIS's appointments merged with this desk's bookings), so a visit booked during this very
 * call shows, pending or confirmed.
 */
export function NextVisit({ misId, fallback }: { misId: string; fallback: ReactNode }): ReactElement {
  const { t } = useTranslation();
  const visits = useVisits(misId, { lazy: true });
  const timeZone = useAppStore((state) => state.settingsView?.settings.schedule?.timeZone) ?? DEFAULT_CLINIC_TIME_ZONE;
  const [now] = useState(() => Date.now());
  if (visits.status !== 'ready') return <>{fallback}</>;
  const next = visits.visits
    .filter((visit) => (visit.state === 'confirmed' || visit.state === 'pending') && Date.parse(visit.startsAt) >= now)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0];
  if (!next) return <span className="muted">{t('screenPop.noNext')}</span>;
  return (
    <span data-testid="next-visit" data-state={next.state}>
      <span className="mono">{formatVisitTime(next.startsAt, timeZone)}</span> · <Plain text={next.specialty} /> · <Plain text={next.doctor} />
      {next.awaitingMis ? <span className="muted"> · {t('booking.visits.pending')}</span> : null}
    </span>
  );
}

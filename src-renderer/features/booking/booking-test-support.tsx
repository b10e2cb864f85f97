// Test support for the booking tests: a synthetic schedule (no real clinic, doctor or patient),
// a fake desk that answers the booking requests, and the feature rendered as the card mounts it.
import { render } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { vi } from 'vitest';
import type { FreeSlot, FreeSlotsQuery, ScheduleCatalog, Visit } from '../../../src-shared/booking/booking-contract';
import { clinicDate } from '../../../src-shared/schedule/clinic-time';
import { AppStoreContext, createAppStore } from '../../app/app-store';
import { DeskContext } from '../../app/desk-context';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeStatus, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { BookingCallContext } from './booking-context';
import { BookingOpenButton, CardBooking } from './card-booking';
import { PatientVisits } from './patient-visits';

export const MSK = 'Europe/Moscow';

/** Monday 7 December 2026, 08:00 in Moscow (05:00 UTC): "today" of every booking test. */
export const NOW = Date.parse('2026-12-07T08:00:00+03:00');

export function makeCatalog(overrides: Partial<ScheduleCatalog> = {}): ScheduleCatalog {
  return {
    branches: [
      { id: 'B1', name: 'Центр', address: 'ул. Ленина, 1' },
      { id: 'B2', name: 'Север', address: 'пр. Мира, 10' },
    ],
    doctors: [
      { id: 'D1', name: 'Иванова Ольга Петровна', specialty: 'терапевт', branchId: 'B1', room: '12' },
      { id: 'D2', name: 'Семёнов Пётр Ильич', specialty: 'терапевт', branchId: 'B2', room: '3' },
      { id: 'D3', name: 'Петров Иван Сергеевич', specialty: 'кардиолог', branchId: 'B1', room: '21' },
      { id: 'D4', name: 'Ёлкина Мария Андреевна', specialty: 'ЛОР', branchId: 'B2', room: '7' },
    ],
    services: [
      { id: 'S1', name: 'Приём терапевта', specialty: 'терапевт', durationMin: 20, kind: 'oms', priceRub: null, prepare: 'паспорт, полис ОМС' },
      { id: 'S2', name: 'Приём терапевта платный', specialty: 'терапевт', durationMin: 30, kind: 'paid', priceRub: 1800, prepare: null },
      { id: 'S3', name: 'Электрокардиограмма', specialty: 'кардиолог', durationMin: 15, kind: 'paid', priceRub: 900, prepare: 'не курить за час' },
      { id: 'S4', name: 'Консультация кардиолога', specialty: 'кардиолог', durationMin: 30, kind: 'dms', priceRub: 2500, prepare: null },
      { id: 'S5', name: 'Приём оториноларинголога', specialty: 'ЛОР', durationMin: 20, kind: 'oms', priceRub: null, prepare: null },
      { id: 'S6', name: 'Терапевтический массаж', specialty: 'терапевт', durationMin: 40, kind: 'paid', priceRub: 2200, prepare: null },
    ],
    specialties: ['кардиолог', 'ЛОР', 'терапевт'],
    dataAsOf: Date.parse('2026-12-07T07:55:00+03:00'),
    horizonDays: 14,
    timeZone: MSK,
    ...overrides,
  };
}

const slot = (id: string, doctorId: string, startsAt: string, durationMin = 20): FreeSlot => ({ id, doctorId, startsAt, durationMin });

export function makeSlots(): FreeSlot[] {
  return [
    slot('s1', 'D1', '2026-12-07T10:00:00+03:00'),
    slot('s2', 'D1', '2026-12-07T10:30:00+03:00'),
    slot('s3', 'D2', '2026-12-07T11:00:00+03:00'),
    slot('s4', 'D1', '2026-12-08T09:00:00+03:00'),
    slot('s5', 'D2', '2026-12-08T09:30:00+03:00'),
    slot('s6', 'D3', '2026-12-09T14:00:00+03:00'),
    // 00:30 in Moscow is still the 9th in UTC: it belongs to the 10th's column.
    slot('s8', 'D2', '2026-12-10T00:30:00+03:00'),
    slot('s7', 'D1', '2026-12-15T09:00:00+03:00'),
  ];
}

/** `schedule.freeSlots` over a list, like the core: specialty / doctor / branch, clinic dates, earliest first. */
export function answerFreeSlots(catalog: ScheduleCatalog, slots: readonly FreeSlot[], query: FreeSlotsQuery) {
  const doctors = new Map(catalog.doctors.map((doctor) => [doctor.id, doctor]));
  const matches = slots
    .filter((candidate) => {
      const doctor = doctors.get(candidate.doctorId);
      if (!doctor) return false;
      if (query.specialty && doctor.specialty !== query.specialty) return false;
      if (query.doctorId && candidate.doctorId !== query.doctorId) return false;
      if (query.branchId && doctor.branchId !== query.branchId) return false;
      const day = clinicDate(candidate.startsAt, catalog.timeZone);
      return day >= query.from && day <= query.to;
    })
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const limit = query.limit ?? 500;
  return { slots: matches.slice(0, limit), truncated: matches.length > limit, dataAsOf: catalog.dataAsOf };
}

export function makeVisit(overrides: Partial<Visit> = {}): Visit {
  return {
    id: 'desk:1',
    startsAt: '2026-12-08T11:00:00+03:00',
    doctor: 'Иванова Ольга Петровна',
    specialty: 'терапевт',
    service: 'Приём терапевта',
    branch: 'Центр',
    room: '12',
    state: 'confirmed',
    awaitingMis: false,
    rejection: null,
    rejectionMessage: null,
    slotId: 'old-1',
    changeable: true,
    ...overrides,
  };
}

export interface BookingDesk {
  desk: FakeDesk;
  catalog: ScheduleCatalog;
  slots: FreeSlot[];
  visits: Visit[];
}

/**
 * A fake desk that answers the schedule and booking requests like the core would for
 * {@link makeCatalog} and {@link makeSlots}: `booking.create` / `move` answer a pending visit of
 * the slot, `booking.visits` answers `visits` (tests change it and emit `booking:changed`).
 */
export function bookingDesk(init: { catalog?: ScheduleCatalog; slots?: FreeSlot[]; visits?: Visit[] } = {}): BookingDesk {
  const state: BookingDesk = { desk: createFakeDesk({ view: makeView(), status: makeStatus() }), catalog: init.catalog ?? makeCatalog(), slots: init.slots ?? makeSlots(), visits: init.visits ?? [] };
  const { desk } = state;
  const visitOf = (slotId: string, serviceId: string | null, id: string): Visit => {
    const found = state.slots.find((candidate) => candidate.id === slotId)!;
    const doctor = state.catalog.doctors.find((candidate) => candidate.id === found.doctorId)!;
    const service = state.catalog.services.find((candidate) => candidate.id === serviceId);
    const branch = state.catalog.branches.find((candidate) => candidate.id === doctor.branchId)!;
    return makeVisit({ id, startsAt: found.startsAt, doctor: doctor.name, specialty: doctor.specialty, service: service?.name ?? 'Приём', branch: branch.name, room: doctor.room, state: 'pending', awaitingMis: true, slotId, changeable: true });
  };
  desk.handle('schedule.catalog', () => structuredClone(state.catalog));
  desk.handle('schedule.freeSlots', (query) => structuredClone(answerFreeSlots(state.catalog, state.slots, query)));
  desk.handle('booking.visits', () => ({ visits: structuredClone(state.visits) }));
  desk.handle('booking.create', (input) => ({ visit: visitOf(input.slotId, input.serviceId, 'desk:new'), outboxId: 1 }));
  // As main answers a move: this desk's new booking (the visit it replaces is listed as moved away).
  desk.handle('booking.move', (input) => ({ visit: { ...visitOf(input.slotId, null, 'desk:moved') }, outboxId: 2 }));
  desk.handle('booking.alternatives', () => ({ sameDoctor: [], sameSpecialty: [] }));
  return state;
}

/** The booking feature around a card, as the patient card mounts it, with the shell's providers. */
export function renderBooking(desk: FakeDesk, options: { callId?: string | null; language?: 'ru' | 'en'; patientName?: string } = {}) {
  const store = createAppStore({ bridge: 'open' });
  store.getState().setSettingsView(desk.view);
  store.getState().setCoreStatus(desk.status);
  const callIdFor = vi.fn((_misId: string) => options.callId ?? null);
  const utils = render(
    <I18nextProvider i18n={createI18n(options.language ?? 'ru')}>
      <DeskContext.Provider value={desk}>
        <AppStoreContext.Provider value={store}>
          <BookingCallContext.Provider value={callIdFor}>
            <CardBooking patient={{ misId: 'P-1', name: options.patientName ?? 'Семёнова Алёна Петровна' }}>
              <article data-testid="patient-card">
                <BookingOpenButton />
                <PatientVisits fallback={<p data-testid="card-appointments-fallback">cached</p>} />
              </article>
            </CardBooking>
          </BookingCallContext.Provider>
        </AppStoreContext.Provider>
      </DeskContext.Provider>
    </I18nextProvider>,
  );
  return { ...utils, store, callIdFor };
}

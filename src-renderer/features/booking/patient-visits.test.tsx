// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { makeStatus } from '../../test-support/fake-desk';
import { bookingDesk, makeVisit, NOW, renderBooking } from './booking-test-support';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const rows = () => screen.queryAllByTestId('appointment');
const row = (id: string) => rows().find((candidate) => candidate.getAttribute('data-visit-id') === id)!;
const focused = () => document.activeElement as HTMLElement;

function fiveVisits() {
  return [
    makeVisit({ id: 'desk:1', startsAt: '2026-12-08T11:00:00+03:00', state: 'pending', awaitingMis: true }),
    makeVisit({ id: 'mis:2', startsAt: '2026-12-09T09:30:00+03:00', doctor: 'Петров Иван Сергеевич', specialty: 'кардиолог', service: 'Электрокардиограмма', room: '21', state: 'confirmed' }),
    makeVisit({
      id: 'desk:3',
      startsAt: '2026-12-10T10:00:00+03:00',
      state: 'rejected',
      rejection: 'slot-taken',
      slotId: 'gone-1',
      changeable: false,
    }),
    makeVisit({ id: 'mis:4', startsAt: '2026-12-11T10:00:00+03:00', state: 'cancelled', changeable: false, slotId: null }),
    makeVisit({ id: 'mis:5', startsAt: '2026-11-20T10:00:00+03:00', state: 'done', changeable: false, slotId: null, room: null }),
  ];
}

describe('Visits on the card', () => {
  it('lists booking.visits with their state, the clinic-clock time, the MIS wait and a rejection with its alternatives', async () => {
    const { desk } = bookingDesk({ visits: fiveVisits() });
    desk.handle('booking.alternatives', () => ({
      sameDoctor: [{ id: 's2', doctorId: 'D1', startsAt: '2026-12-07T10:30:00+03:00', durationMin: 20 }],
      sameSpecialty: [{ id: 's3', doctorId: 'D2', startsAt: '2026-12-07T11:00:00+03:00', durationMin: 20 }],
    }));
    renderBooking(desk);
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(desk.callsTo('booking.visits')).toEqual([{ patientMisId: 'P-1' }]);
    expect(rows().map((visit) => visit.getAttribute('data-state'))).toEqual(['pending', 'confirmed', 'rejected', 'cancelled', 'done']);

    // 11:00 on the clinic's (Moscow) clock, though this machine runs on UTC.
    expect(within(row('desk:1')).getByTestId('appointment-time').textContent).toBe('08.12.2026, 11:00');
    expect(row('desk:1').textContent).toContain('Иванова Ольга Петровна');
    expect(row('desk:1').textContent).toContain('Центр · каб. 12');
    expect(within(row('desk:1')).getByTestId('appointment-pending').textContent).toBe('ожидает МИС');
    expect(within(row('mis:2')).queryByTestId('appointment-pending')).toBeNull();
    expect(within(row('mis:2')).getByTestId('appointment-state').textContent).toBe('записан');
    expect(row('mis:5').getAttribute('data-past')).toBe('true');

    // Move and cancel only where the desk can.
    expect(within(row('desk:1')).getByTestId('appointment-move')).toBeTruthy();
    expect(within(row('mis:2')).getByTestId('appointment-cancel')).toBeTruthy();
    expect(within(row('mis:4')).queryByTestId('appointment-move')).toBeNull();
    expect(within(row('mis:5')).queryByTestId('appointment-cancel')).toBeNull();

    const rejected = row('desk:3');
    expect(within(rejected).getByTestId('appointment-rejection').textContent).toBe('МИС отказала: это время уже занято');
    await waitFor(() => expect(within(rejected).getAllByTestId('appointment-alternative')).toHaveLength(2));
    expect(desk.callsTo('booking.alternatives')).toEqual([{ slotId: 'gone-1' }]);
    // The doctors' names come from the catalog, asked only because a rejected visit needs them.
    await waitFor(() => expect(within(rejected).getAllByTestId('appointment-alternative')[1]!.textContent).toContain('Семёнов Пётр Ильич'));

    // Picking one opens the pane on its read-back and books it again with the visit's service.
    fireEvent.click(within(rejected).getAllByTestId('appointment-alternative')[1]!);
    const summary = await screen.findByTestId('booking-summary');
    expect(screen.getByTestId('booking').getAttribute('data-mode')).toBe('rebook');
    expect(summary.getAttribute('data-slot-id')).toBe('s3');
    expect(within(summary).getByTestId('booking-summary-when').textContent).toBe('сегодня, в понедельник, 7 декабря, в 11:00');
    fireEvent.click(screen.getByTestId('booking-confirm'));
    await waitFor(() => expect(desk.callsTo('booking.create')).toEqual([{ patientMisId: 'P-1', slotId: 's3', serviceId: 'S1', callId: null }]));
  });

  it('reloads on booking:changed for this patient only', async () => {
    const booking = bookingDesk({ visits: [makeVisit({ id: 'desk:1', state: 'pending', awaitingMis: true })] });
    const { desk } = booking;
    renderBooking(desk);
    await waitFor(() => expect(rows()).toHaveLength(1));
    act(() => desk.emit('booking:changed', { patientMisId: 'P-2' }));
    expect(desk.callsTo('booking.visits')).toHaveLength(1);
    booking.visits = [makeVisit({ id: 'desk:1', state: 'rejected', rejection: 'refused', rejectionMessage: 'Врач в отпуске', slotId: null, changeable: false })];
    act(() => desk.emit('booking:changed', { patientMisId: 'P-1' }));
    await waitFor(() => expect(row('desk:1').getAttribute('data-state')).toBe('rejected'));
    expect(within(row('desk:1')).getByTestId('appointment-rejection').textContent).toBe('МИС отказала: Врач в отпуске');
    expect(within(row('desk:1')).getByTestId('appointment-alternatives-none')).toBeTruthy();
    expect(desk.callsTo('booking.alternatives')).toEqual([]);
  });

  it('cancels after a confirm step, with the call, and says a refusal on the row', async () => {
    const { desk } = bookingDesk({ visits: [makeVisit({ id: 'mis:2', state: 'confirmed' })] });
    desk.handle('booking.cancel', (input) => ({ visit: makeVisit({ id: input.visitId, state: 'cancelled', awaitingMis: true, changeable: false }) }));
    renderBooking(desk, { callId: 'call-3' });
    await waitFor(() => expect(rows()).toHaveLength(1));

    fireEvent.click(within(row('mis:2')).getByTestId('appointment-cancel'));
    expect(focused()).toBe(screen.getByTestId('appointment-cancel-confirm'));
    fireEvent.keyDown(focused(), { key: 'Escape' });
    expect(screen.queryByTestId('appointment-cancel-ask')).toBeNull();
    expect(focused()).toBe(screen.getByTestId('appointment-cancel'));
    expect(desk.callsTo('booking.cancel')).toEqual([]);

    desk.fail('booking.cancel', new DeskError('VISIT_NOT_FOUND', 'gone'));
    fireEvent.click(screen.getByTestId('appointment-cancel'));
    fireEvent.click(screen.getByTestId('appointment-cancel-confirm'));
    const error = await screen.findByTestId('appointment-error');
    expect(error.getAttribute('data-code')).toBe('VISIT_NOT_FOUND');
    expect(error.textContent).toContain('Этой записи больше нет');

    desk.handle('booking.cancel', (input) => ({ visit: makeVisit({ id: input.visitId, state: 'cancelled', awaitingMis: true, changeable: false }) }));
    fireEvent.click(screen.getByTestId('appointment-cancel-confirm'));
    await waitFor(() => expect(row('mis:2').getAttribute('data-state')).toBe('cancelled'));
    expect(desk.callsTo('booking.cancel').at(-1)).toEqual({ visitId: 'mis:2', callId: 'call-3', patientMisId: expect.any(String) });
    expect(within(row('mis:2')).getByTestId('appointment-pending')).toBeTruthy();
    expect(within(row('mis:2')).queryByTestId('appointment-cancel')).toBeNull();
  });

  it('moves a visit through the pane: its specialty\'s grid, the read-back with the old time, booking.move', async () => {
    const { desk } = bookingDesk({ visits: [makeVisit({ id: 'mis:2', state: 'confirmed' })] });
    const { store } = renderBooking(desk, { callId: 'call-4' });
    // The MIS is online: a move waiting for it is being sent.
    act(() => store.getState().setCoreStatus(makeStatus({ mis: { state: 'online', since: '2026-12-07T05:00:00.000Z', detail: null } })));
    await waitFor(() => expect(rows()).toHaveLength(1));
    fireEvent.click(within(row('mis:2')).getByTestId('appointment-move'));
    expect(screen.getByTestId('booking').getAttribute('data-mode')).toBe('move');
    await waitFor(() => expect(focused().getAttribute('data-slot-id')).toBe('s1'));
    expect(screen.getByTestId('booking-target').getAttribute('data-specialty')).toBe('терапевт');
    expect(desk.callsTo('schedule.freeSlots')[0]).toEqual({ specialty: 'терапевт', serviceId: 'S1', from: '2026-12-07', to: '2026-12-11', limit: 500 });
    fireEvent.keyDown(focused(), { key: 'ArrowRight' });
    fireEvent.keyDown(focused(), { key: 'Enter' });
    const summary = await screen.findByTestId('booking-summary');
    expect(within(summary).getByTestId('booking-summary-was').textContent).toBe('завтра, во вторник, 8 декабря, в 11:00');
    expect(within(summary).getByTestId('booking-summary-when').textContent).toBe('сегодня, в понедельник, 7 декабря, в 10:30');
    fireEvent.keyDown(focused(), { key: 'Enter' });
    await waitFor(() => expect(screen.queryByTestId('booking')).toBeNull());
    expect(desk.callsTo('booking.move')).toEqual([{ visitId: 'mis:2', slotId: 's2', callId: 'call-4', patientMisId: expect.any(String) }]);
    expect(desk.callsTo('booking.create')).toEqual([]);
    expect(screen.getByTestId('booking-result').textContent).toContain('Перенесено: сегодня, в понедельник, 7 декабря, в 10:30');
    expect(screen.getByTestId('booking-result').textContent).toContain('отправляем в МИС');
  });

  it('shows the card\'s own appointments when booking.visits cannot answer', async () => {
    const { desk } = bookingDesk();
    desk.fail('booking.visits', new DeskError('UNKNOWN_REQUEST', 'older core'));
    renderBooking(desk);
    expect(await screen.findByTestId('card-appointments-fallback')).toBeTruthy();
    expect(screen.getByTestId('booking-visits-fallback').getAttribute('data-code')).toBe('UNKNOWN_REQUEST');
    expect(rows()).toHaveLength(0);
  });
});

// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { bookingDesk, makeVisit, NOW, renderBooking } from './booking-test-support';
import { formatClockTime } from '../../ui/format-time';

beforeEach(() => {
  // Only the clock: "today" is Monday 7 December 2026 in Moscow; the machine runs on UTC.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const nbsp = (text: string | null | undefined) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ');
const focused = () => document.activeElement as HTMLElement;
const key = (init: { key: string; code?: string; altKey?: boolean }) => fireEvent.keyDown(focused(), init);
const what = () => screen.getByTestId('booking-what') as HTMLInputElement;
const options = () => screen.getAllByTestId('booking-option').map((option) => `${option.getAttribute('data-kind')}:${option.textContent}`);

async function openPane() {
  fireEvent.click(screen.getByTestId('booking-open'));
  await waitFor(() => expect(screen.getAllByTestId('booking-option').length).toBeGreaterThan(0));
}

describe('Booking pane', () => {
  it('matches what is typed over specialties, services and doctors, ё/е and case folded', async () => {
    const { desk } = bookingDesk();
    renderBooking(desk);
    await openPane();
    expect(screen.getByTestId('booking').getAttribute('data-step')).toBe('what');
    expect(focused()).toBe(what());
    // The card is out of the way (kept, hidden) while the pane is open.
    expect(screen.getByTestId('patient-card').closest('[hidden]')).not.toBeNull();
    // When the desk last synced, on the desk's own clock like every other "data as of".
    const asOf = Number(screen.getByTestId('booking-data-as-of').getAttribute('data-at'));
    expect(nbsp(screen.getByTestId('booking-data-as-of').textContent)).toBe(`Данные на ${formatClockTime(new Date(asOf).toISOString(), 'ru')}`);

    fireEvent.change(what(), { target: { value: 'тер' } });
    expect(options()[0]).toBe('specialty:терапевтспециальность');
    expect(screen.getAllByTestId('booking-option')[0]!.getAttribute('aria-selected')).toBe('true');

    fireEvent.change(what(), { target: { value: 'семенов' } });
    expect(screen.getAllByTestId('booking-option').map((option) => option.getAttribute('data-value'))).toEqual(['D2']);
    expect(screen.getAllByTestId('booking-option')[0]!.textContent).toContain('Семёнов Пётр Ильич');

    fireEvent.change(what(), { target: { value: 'ИВАН' } });
    expect(screen.getAllByTestId('booking-option').map((option) => option.getAttribute('data-value'))).toEqual(['D1', 'D3']);
    key({ key: 'ArrowDown' });
    expect(screen.getAllByTestId('booking-option')[1]!.getAttribute('aria-selected')).toBe('true');

    fireEvent.change(what(), { target: { value: 'ёлкин' } });
    expect(screen.getAllByTestId('booking-option').map((option) => option.getAttribute('data-value'))).toEqual(['D4']);

    fireEvent.change(what(), { target: { value: 'хирург' } });
    expect(screen.getByTestId('booking-no-match')).toBeTruthy();

    // Esc empties the box, then closes the pane and gives the focus back to the card's button.
    key({ key: 'Escape' });
    expect(what().value).toBe('');
    key({ key: 'Escape' });
    expect(screen.queryByTestId('booking')).toBeNull();
    expect(focused()).toBe(screen.getByTestId('booking-open'));
    expect(screen.getByTestId('patient-card').closest('[hidden]')).toBeNull();
  });

  it('books from the keyboard alone: Alt+B, «тер», Enter, arrows in the grid, Enter, the read-back, Enter', async () => {
    const booking = bookingDesk();
    const { desk } = booking;
    const { callIdFor } = renderBooking(desk, { callId: 'call-7' });

    // Alt+B by the key's place (a Russian layout types «и»).
    fireEvent.keyDown(window, { key: 'и', code: 'KeyB', altKey: true });
    await waitFor(() => expect(screen.getAllByTestId('booking-option').length).toBeGreaterThan(0));
    fireEvent.change(what(), { target: { value: 'тер' } });
    key({ key: 'Enter' });

    // The therapists' grid for today + 4 days, the first free time focused.
    await waitFor(() => expect(focused().getAttribute('data-testid')).toBe('slot'));
    expect(desk.callsTo('schedule.freeSlots')).toEqual([{ specialty: 'терапевт', serviceId: 'S1', from: '2026-12-07', to: '2026-12-11', limit: 500 }]);
    expect(screen.getByTestId('booking').getAttribute('data-step')).toBe('grid');
    expect(screen.getAllByTestId('booking-grid-row').map((row) => row.getAttribute('data-doctor'))).toEqual(['D1', 'D2']);
    expect(focused().getAttribute('data-start')).toBe('2026-12-07T10:00:00+03:00');
    expect(focused().textContent).toBe('10:00');
    // The slot at 00:30 Moscow time (the 9th in UTC) sits in the 10th's column, shown 0:30.
    const late = screen.getAllByTestId('slot').find((slot) => slot.getAttribute('data-slot-id') === 's8')!;
    expect(late.textContent).toBe('0:30');
    expect(late.closest('td')!.cellIndex).toBe(4);

    key({ key: 'ArrowRight' });
    expect(focused().getAttribute('data-slot-id')).toBe('s2');
    key({ key: 'ArrowDown' });
    expect(focused().getAttribute('data-slot-id')).toBe('s3');
    expect(focused().getAttribute('data-doctor')).toBe('D2');
    expect(focused().getAttribute('tabindex')).toBe('0');
    key({ key: 'Enter' });

    // The read-back, said the Russian way on the clinic's clock.
    const summary = await screen.findByTestId('booking-summary');
    expect(focused()).toBe(screen.getByTestId('booking-confirm'));
    expect(within(summary).getByTestId('booking-summary-patient').textContent).toBe('Семёнова Алёна Петровна');
    expect(within(summary).getByTestId('booking-summary-when').textContent).toBe('сегодня, в понедельник, 7 декабря, в 11:00');
    expect(within(summary).getByTestId('booking-summary-doctor').textContent).toBe('Семёнов Пётр Ильич · терапевт');
    expect(within(summary).getByTestId('booking-summary-service').textContent).toBe('Приём терапевта · 20 мин');
    expect(within(summary).getByTestId('booking-summary-place').textContent).toBe('Север, пр. Мира, 10 · каб. 3');
    expect(within(summary).getByTestId('booking-summary-price').textContent).toBe('ОМС');
    expect(within(summary).getByTestId('booking-summary-prepare').textContent).toBe('паспорт, полис ОМС');

    // Esc goes back to the grid on the same slot; Enter comes back to the read-back.
    key({ key: 'Escape' });
    await waitFor(() => expect(focused().getAttribute('data-slot-id')).toBe('s3'));
    key({ key: 'Enter' });
    await screen.findByTestId('booking-summary');
    key({ key: 'Enter' });

    await waitFor(() => expect(screen.queryByTestId('booking')).toBeNull());
    expect(desk.callsTo('booking.create')).toEqual([{ patientMisId: 'P-1', slotId: 's3', serviceId: 'S1', callId: 'call-7' }]);
    expect(callIdFor).toHaveBeenCalledWith('P-1');
    // The MIS is not reachable (the status says so): the booking waits for it, and says so.
    const result = screen.getByTestId('booking-result');
    expect(result.getAttribute('data-state')).toBe('pending');
    expect(result.textContent).toContain('Записано: сегодня, в понедельник, 7 декабря, в 11:00');
    expect(result.textContent).toContain('ожидает подтверждения МИС');
    expect(focused()).toBe(screen.getByTestId('booking-open'));

    // The core confirms: the list reloads on booking:changed and the note follows the visit.
    booking.visits = [makeVisit({ id: 'desk:new', startsAt: '2026-12-07T11:00:00+03:00', doctor: 'Семёнов Пётр Ильич', state: 'confirmed' })];
    act(() => desk.emit('booking:changed', { patientMisId: 'P-1' }));
    await waitFor(() => expect(screen.getByTestId('booking-result').getAttribute('data-state')).toBe('confirmed'));
    expect(screen.getByTestId('booking-result').textContent).toContain('МИС подтвердила');
  });

  it('F takes the first free time of the specialty; paid services read their price; PageDown pages the days', async () => {
    const { desk } = bookingDesk();
    renderBooking(desk);
    await openPane();
    fireEvent.change(screen.getByTestId('booking-kind'), { target: { value: 'paid' } });
    fireEvent.change(what(), { target: { value: 'тер' } });
    expect(screen.getAllByTestId('booking-option').map((option) => option.getAttribute('data-value'))).toEqual(['терапевт', 'S6', 'S2']);
    key({ key: 'Enter' });
    await waitFor(() => expect(focused().getAttribute('data-testid')).toBe('slot'));
    expect((screen.getByTestId('booking-service') as HTMLSelectElement).value).toBe('S2');
    expect(Array.from((screen.getByTestId('booking-service') as HTMLSelectElement).options).map((option) => option.value)).toEqual(['S2', 'S6']);

    key({ key: 'PageDown' });
    await waitFor(() => expect(focused().getAttribute('data-slot-id')).toBe('s7'));
    expect(screen.getByTestId('booking-range').getAttribute('data-from')).toBe('2026-12-12');
    expect(screen.getByTestId('booking-range').getAttribute('data-to')).toBe('2026-12-16');

    // F (a Russian layout types «а»): the earliest time of any therapist over the whole horizon.
    key({ key: 'а', code: 'KeyF' });
    const summary = await screen.findByTestId('booking-summary');
    expect(desk.callsTo('schedule.freeSlots')).toContainEqual({ specialty: 'терапевт', serviceId: 'S2', from: '2026-12-07', to: '2026-12-20', limit: 1 });
    expect(summary.getAttribute('data-slot-id')).toBe('s1');
    expect(nbsp(within(summary).getByTestId('booking-summary-price').textContent)).toBe('Платно · 1 800 ₽');
    expect(within(summary).queryByTestId('booking-summary-prepare')).toBeNull();
    fireEvent.click(screen.getByTestId('booking-confirm'));
    await waitFor(() => expect(desk.callsTo('booking.create')).toEqual([{ patientMisId: 'P-1', slotId: 's1', serviceId: 'S2', callId: null }]));
  });

  it('Alt+F from the "what" box goes straight to the first free time; the branch narrows the grid', async () => {
    const { desk } = bookingDesk();
    renderBooking(desk);
    await openPane();
    fireEvent.change(screen.getByTestId('booking-branch'), { target: { value: 'B2' } });
    fireEvent.change(what(), { target: { value: 'тер' } });
    fireEvent.keyDown(what(), { key: 'a', code: 'KeyF', altKey: true });
    const summary = await screen.findByTestId('booking-summary');
    expect(desk.callsTo('schedule.freeSlots')).toContainEqual({ specialty: 'терапевт', serviceId: 'S1', branchId: 'B2', from: '2026-12-07', to: '2026-12-20', limit: 1 });
    expect(summary.getAttribute('data-slot-id')).toBe('s3');
    key({ key: 'Escape' });
    await waitFor(() => expect(focused().getAttribute('data-slot-id')).toBe('s3'));
    expect(screen.getAllByTestId('booking-grid-row').map((row) => row.getAttribute('data-doctor'))).toEqual(['D2']);
    // Esc from the grid: back to the "what" box.
    key({ key: 'Escape' });
    expect(screen.getByTestId('booking').getAttribute('data-step')).toBe('what');
    expect(focused()).toBe(what());
  });

  it('SLOT_TAKEN says the time is taken and offers the alternatives; picking one reads it back and books it', async () => {
    const { desk } = bookingDesk();
    desk.fail('booking.create', new DeskError('SLOT_TAKEN', 'taken'));
    desk.handle('booking.alternatives', () => ({
      sameDoctor: [{ id: 's2', doctorId: 'D1', startsAt: '2026-12-07T10:30:00+03:00', durationMin: 20 }],
      sameSpecialty: [{ id: 's3', doctorId: 'D2', startsAt: '2026-12-07T11:00:00+03:00', durationMin: 20 }],
    }));
    renderBooking(desk);
    await openPane();
    fireEvent.change(what(), { target: { value: 'терап' } });
    key({ key: 'Enter' });
    await waitFor(() => expect(focused().getAttribute('data-slot-id')).toBe('s1'));
    key({ key: 'Enter' });
    await screen.findByTestId('booking-summary');
    key({ key: 'Enter' });

    const taken = await screen.findByTestId('booking-slot-taken');
    expect(taken.getAttribute('data-code')).toBe('SLOT_TAKEN');
    expect(taken.textContent).toContain('Это время уже занято');
    expect(screen.queryByTestId('booking-error')).toBeNull();
    expect(desk.callsTo('booking.alternatives')).toEqual([{ slotId: 's1' }]);
    await waitFor(() => expect(screen.getAllByTestId('booking-alternative')).toHaveLength(2));
    const alternatives = screen.getAllByTestId('booking-alternative');
    expect(alternatives.map((button) => [button.getAttribute('data-group'), button.getAttribute('data-start'), button.getAttribute('data-doctor')])).toEqual([
      ['same-doctor', '2026-12-07T10:30:00+03:00', 'D1'],
      ['same-specialty', '2026-12-07T11:00:00+03:00', 'D2'],
    ]);
    expect(alternatives[1]!.textContent).toContain('Семёнов Пётр Ильич');
    await waitFor(() => expect(focused()).toBe(alternatives[0]));
    key({ key: 'ArrowDown' });
    expect(focused()).toBe(alternatives[1]);

    desk.handle('booking.create', (input) => ({ visit: makeVisit({ id: 'desk:2', slotId: input.slotId, state: 'pending', awaitingMis: true }), outboxId: 3 }));
    fireEvent.click(alternatives[1]!);
    const summary = await screen.findByTestId('booking-summary');
    expect(summary.getAttribute('data-slot-id')).toBe('s3');
    expect(within(summary).getByTestId('booking-summary-when').textContent).toBe('сегодня, в понедельник, 7 декабря, в 11:00');
    key({ key: 'Enter' });
    await waitFor(() => expect(screen.queryByTestId('booking')).toBeNull());
    expect(desk.callsTo('booking.create').map((input) => (input as { slotId: string }).slotId)).toEqual(['s1', 's3']);
  });

  it('a visit the core answers as rejected (slot taken) is said the same way, never as a generic error', async () => {
    const { desk } = bookingDesk();
    desk.handle('booking.create', (input) => ({ visit: makeVisit({ id: 'desk:9', slotId: input.slotId, state: 'rejected', rejection: 'slot-taken', changeable: false }), outboxId: 4 }));
    renderBooking(desk);
    await openPane();
    fireEvent.change(what(), { target: { value: 'кардиолог' } });
    key({ key: 'Enter' });
    await waitFor(() => expect(focused().getAttribute('data-slot-id')).toBe('s6'));
    key({ key: 'Enter' });
    await screen.findByTestId('booking-summary');
    key({ key: 'Enter' });
    expect((await screen.findByTestId('booking-slot-taken')).textContent).toContain('Это время уже занято');
    expect(await screen.findByTestId('booking-alternatives-none')).toBeTruthy();
    // Back to the grid, which was asked again (the slot is gone).
    const asked = desk.callsTo('schedule.freeSlots').length;
    expect(asked).toBeGreaterThanOrEqual(2);
    key({ key: 'Escape' });
    expect(screen.getByTestId('booking').getAttribute('data-step')).toBe('grid');
  });

  it('another error is said with its sentence on the read-back, which stays', async () => {
    const { desk } = bookingDesk();
    desk.fail('booking.create', new DeskError('JOURNAL_UNAVAILABLE', 'no journal'));
    renderBooking(desk);
    await openPane();
    fireEvent.change(what(), { target: { value: 'тер' } });
    key({ key: 'Enter' });
    await waitFor(() => expect(focused().getAttribute('data-testid')).toBe('slot'));
    key({ key: 'Enter' });
    await screen.findByTestId('booking-summary');
    key({ key: 'Enter' });
    const error = await screen.findByTestId('booking-error');
    expect(error.getAttribute('data-code')).toBe('JOURNAL_UNAVAILABLE');
    expect(error.textContent).toContain('Не записано.');
    expect(screen.getByTestId('booking-summary')).toBeTruthy();
  });

  it('reloads the grid and its "data as of" on schedule:changed', async () => {
    const booking = bookingDesk();
    const { desk } = booking;
    renderBooking(desk);
    await openPane();
    fireEvent.change(what(), { target: { value: 'тер' } });
    key({ key: 'Enter' });
    await waitFor(() => expect(screen.getAllByTestId('slot')).toHaveLength(6));
    booking.slots = booking.slots.filter((slot) => slot.id !== 's2');
    booking.catalog = { ...booking.catalog, dataAsOf: Date.parse('2026-12-07T08:01:00+03:00') };
    act(() => desk.emit('schedule:changed', { dataAsOf: Date.parse('2026-12-07T08:01:00+03:00') }));
    await waitFor(() => expect(screen.getAllByTestId('slot')).toHaveLength(5));
    expect(screen.getByTestId('booking-data-as-of').textContent).toBe(`Данные на ${formatClockTime('2026-12-07T08:01:00+03:00', 'ru')}`);
    expect(desk.callsTo('schedule.freeSlots')).toHaveLength(2);
  });

  it('speaks English when the desk does', async () => {
    const { desk } = bookingDesk();
    renderBooking(desk, { language: 'en' });
    await openPane();
    fireEvent.change(what(), { target: { value: 'тер' } });
    key({ key: 'Enter' });
    await waitFor(() => expect(focused().getAttribute('data-testid')).toBe('slot'));
    key({ key: 'Enter' });
    expect((await screen.findByTestId('booking-summary-when')).textContent).toBe('today, Monday 7 December, at 10:00');
    expect(screen.getByTestId('booking-confirm').textContent).toContain('Book');
  });
});

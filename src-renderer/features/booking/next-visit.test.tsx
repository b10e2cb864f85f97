// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppStoreContext, createAppStore } from '../../app/app-store';
import { DeskContext } from '../../app/desk-context';
import { createI18n } from '../../i18n/i18n';
import { bookingDesk, makeVisit, NOW } from './booking-test-support';
import { NextVisit } from './next-visit';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function renderNext(desk: ReturnType<typeof bookingDesk>['desk'], misId = 'P-1') {
  const store = createAppStore({ bridge: 'open' });
  store.getState().setSettingsView(desk.view);
  return render(
    <I18nextProvider i18n={createI18n('ru')}>
      <DeskContext.Provider value={desk}>
        <AppStoreContext.Provider value={store}>
          <NextVisit misId={misId} fallback={<span data-testid="cached-next">из карточки</span>} />
        </AppStoreContext.Provider>
      </DeskContext.Provider>
    </I18nextProvider>,
  );
}

describe('NextVisit (the screen pop\'s next appointment)', () => {
  it('shows the cached line until the desk answers, then the earliest upcoming visit, a booking made during the call included', async () => {
    const booking = bookingDesk({
      visits: [
        makeVisit({ id: 'mis:1', startsAt: '2026-12-09T09:30:00+03:00', specialty: 'кардиолог', state: 'confirmed' }),
        makeVisit({ id: 'mis:2', startsAt: '2026-11-20T09:30:00+03:00', state: 'done' }),
        makeVisit({ id: 'mis:3', startsAt: '2026-12-08T08:00:00+03:00', state: 'cancelled' }),
      ],
    });
    renderNext(booking.desk);
    // A ring costs no request: the cached card's line stays until the patient's visits change.
    expect(screen.getByTestId('cached-next')).toBeTruthy();
    await act(async () => {});
    expect(booking.desk.callsTo('booking.visits')).toEqual([]);
    act(() => booking.desk.emit('booking:changed', { patientMisId: 'P-1' }));
    await waitFor(() => expect(screen.getByTestId('next-visit').textContent).toContain('кардиолог'));
    expect(screen.getByTestId('next-visit').textContent).toContain('09.12.2026, 9:30');
    // Another patient's change asks nothing more.
    act(() => booking.desk.emit('booking:changed', { patientMisId: 'P-2' }));
    expect(booking.desk.callsTo('booking.visits')).toHaveLength(1);

    // The operator books an earlier one during the call: it is the next visit now, waiting for the MIS.
    booking.visits = [...booking.visits, makeVisit({ id: 'desk:9', startsAt: '2026-12-08T11:00:00+03:00', specialty: 'терапевт', state: 'pending', awaitingMis: true })];
    act(() => booking.desk.emit('booking:changed', { patientMisId: 'P-1' }));
    await waitFor(() => expect(screen.getByTestId('next-visit').getAttribute('data-state')).toBe('pending'));
    expect(screen.getByTestId('next-visit').textContent).toContain('терапевт');
    expect(screen.getByTestId('next-visit').textContent).toContain('ожидает МИС');
  });

  it('says there is none when nothing is ahead', async () => {
    const booking = bookingDesk({ visits: [makeVisit({ id: 'mis:2', startsAt: '2026-11-20T09:30:00+03:00', state: 'done' })] });
    renderNext(booking.desk);
    act(() => booking.desk.emit('booking:changed', { patientMisId: 'P-1' }));
    await waitFor(() => expect(screen.queryByTestId('cached-next')).toBeNull());
    expect(screen.getByText('записей нет')).toBeTruthy();
  });
});

describe('NextVisit mounted after the booking (the pop shown again for the wrap-up)', () => {
  it('asks at once for a patient whose visits changed while the desk ran (heard by a list shown then), and not for others', async () => {
    const booking = bookingDesk({ visits: [makeVisit({ id: 'desk:1', startsAt: '2026-12-08T11:00:00+03:00', specialty: 'терапевт', state: 'confirmed' })] });
    // The card shown during the booking heard the change (another patient's pop here stands for any mounted list).
    const listening = renderNext(booking.desk, 'P-7');
    act(() => booking.desk.emit('booking:changed', { patientMisId: 'P-8' }));
    listening.unmount();
    const asked = () => booking.desk.callsTo('booking.visits').map((call) => (call as { patientMisId: string }).patientMisId);
    expect(asked()).toEqual([]);

    const later = renderNext(booking.desk, 'P-8');
    await waitFor(() => expect(screen.getByTestId('next-visit').textContent).toContain('терапевт'));
    expect(asked()).toEqual(['P-8']);
    later.unmount();

    renderNext(booking.desk, 'P-9');
    await act(async () => {});
    expect(screen.getByTestId('cached-next')).toBeTruthy();
    expect(asked()).toEqual(['P-8']);
  });
});

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

function renderNext(desk: ReturnType<typeof bookingDesk>['desk']) {
  const store = createAppStore({ bridge: 'open' });
  store.getState().setSettingsView(desk.view);
  return render(
    <I18nextProvider i18n={createI18n('ru')}>
      <DeskContext.Provider value={desk}>
        <AppStoreContext.Provider value={store}>
          <NextVisit misId="P-1" fallback={<span data-testid="cached-next">из карточки</span>} />
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
    expect(screen.getByTestId('cached-next')).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('next-visit').textContent).toContain('кардиолог'));
    expect(screen.getByTestId('next-visit').textContent).toContain('09.12.2026, 9:30');

    // The operator books an earlier one during the call: it is the next visit now, waiting for the MIS.
    booking.visits = [...booking.visits, makeVisit({ id: 'desk:9', startsAt: '2026-12-08T11:00:00+03:00', specialty: 'терапевт', state: 'pending', awaitingMis: true })];
    act(() => booking.desk.emit('booking:changed', { patientMisId: 'P-1' }));
    await waitFor(() => expect(screen.getByTestId('next-visit').getAttribute('data-state')).toBe('pending'));
    expect(screen.getByTestId('next-visit').textContent).toContain('терапевт');
    expect(screen.getByTestId('next-visit').textContent).toContain('ожидает МИС');
  });

  it('says there is none when nothing is ahead', async () => {
    renderNext(bookingDesk({ visits: [makeVisit({ id: 'mis:2', startsAt: '2026-11-20T09:30:00+03:00', state: 'done' })] }).desk);
    await waitFor(() => expect(screen.queryByTestId('cached-next')).toBeNull());
    expect(screen.getByText('записей нет')).toBeTruthy();
  });
});

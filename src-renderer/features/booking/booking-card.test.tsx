// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, T0 } from '../../test-support/fake-desk';
import { answerFreeSlots, makeCatalog, makeSlots, makeVisit } from './booking-test-support';

// jsdom has no layout: give the patient result list a viewport so its rows render.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('patient-results') ? 520 : 0;
    },
  });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});
afterEach(cleanup);

describe('Booking on the patient card', () => {
  it('the card has the book button and lists booking.visits instead of its cached appointments', async () => {
    const desk = createFakeDesk({ cache: makeCacheStatus({ cards: 1, dataAsOf: T0 }), patients: [makePatient()] });
    const catalog = makeCatalog();
    desk.handle('schedule.catalog', () => catalog);
    desk.handle('schedule.freeSlots', (query) => answerFreeSlots(catalog, makeSlots(), query));
    desk.handle('booking.visits', () => ({ visits: [makeVisit({ id: 'mis:1', state: 'confirmed' }), makeVisit({ id: 'desk:2', state: 'pending', awaitingMis: true })] }));
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} />);
    await screen.findByTestId('app-info');
    fireEvent.click(screen.getByTestId('nav-patients'));
    fireEvent.change(await screen.findByTestId('patient-search'), { target: { value: 'Римская' } });
    await waitFor(() => expect(screen.getAllByTestId('patient-result')).toHaveLength(1));
    fireEvent.click(screen.getAllByTestId('patient-result')[0]!);

    const card = await screen.findByTestId('patient-card');
    await waitFor(() => expect(within(card).getAllByTestId('appointment')).toHaveLength(2));
    expect(desk.callsTo('booking.visits')).toEqual([{ patientMisId: 'P-100200' }]);
    expect(within(card).queryAllByTestId('patient-appointment')).toHaveLength(0);
    expect(within(card).getAllByTestId('appointment').map((row) => row.getAttribute('data-state'))).toEqual(['confirmed', 'pending']);

    fireEvent.click(within(card).getByTestId('booking-open'));
    const pane = await screen.findByTestId('booking');
    expect(within(pane).getByTestId('booking-patient').textContent).toBe('Римская-Корсакова Алёна Петровна');
    expect(document.activeElement).toBe(within(pane).getByTestId('booking-what'));
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByTestId('booking')).toBeNull();
    expect(document.activeElement).toBe(within(screen.getByTestId('patient-card')).getByTestId('booking-open'));
  });
});

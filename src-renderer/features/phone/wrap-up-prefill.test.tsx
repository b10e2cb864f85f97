// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestOutput } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(cleanup);

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001', displayName: 'Desk 1' };
const ALENA = makePatient({ misId: 'P-1', phones: [{ e164: '+79161234567', national10: '9161234567', kind: 'mobile' }] });
type ForCall = RequestOutput<'booking.forCall'>;
const BOOKED_PAID: ForCall = { prefill: { outcome: 'booked', category: 'Запись на платные услуги', kind: 'paid' } };

async function renderDesk() {
  const view = makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: true });
  const desk = createFakeDesk({ view, sipPassword: 'desk-secret', patients: [ALENA], cache: makeCacheStatus({ cards: 1, dataAsOf: T0 }) });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  phone.now = Date.now();
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  await screen.findByTestId('dialpad');
  return { desk, phone };
}

async function talkAndHangUp(phone: Awaited<ReturnType<typeof renderDesk>>['phone'], id: string) {
  await act(async () => void phone.ring({ id, number: '+79161234567' }));
  fireEvent.click(within(document.querySelector<HTMLElement>(`[data-testid="incoming-call"][data-call-id="${id}"]`)!).getByTestId('answer-button'));
  await waitFor(() => expect(document.querySelector(`[data-testid="call-line"][data-call-id="${id}"]`)?.getAttribute('data-state')).toBe('active'));
  act(() => phone.remoteHangup(id));
}

const value = (testId: string) => (screen.getByTestId(testId) as HTMLSelectElement).value;

describe('Wrap-up prefill from bookings', () => {
  it('a visit booked on the call preselects «booked» and its category; the operator only saves', async () => {
    const { desk, phone } = await renderDesk();
    desk.handle('booking.forCall', () => BOOKED_PAID);
    await talkAndHangUp(phone, 'c1');
    await waitFor(() => expect(value('wrap-up-outcome')).toBe('booked'));
    expect(desk.callsTo('booking.forCall')).toEqual([{ callId: 'c1' }]);
    expect(value('wrap-up-category')).toBe('Запись на платные услуги');
    expect(screen.getByTestId('wrap-up-prefilled').textContent).toContain('Заполнено по записи');
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    await waitFor(() => expect(screen.queryByTestId('wrap-up')).toBeNull());
    expect(desk.callsTo('calls.wrapUp')[0]).toMatchObject({ callId: 'c1', category: 'Запись на платные услуги', outcome: 'booked' });
  });

  it('never overrides what the operator already chose', async () => {
    const { desk, phone } = await renderDesk();
    let answer!: (value: ForCall) => void;
    desk.handle('booking.forCall', () => new Promise<ForCall>((resolve) => (answer = resolve)));
    await talkAndHangUp(phone, 'c1');
    fireEvent.change(screen.getByTestId('wrap-up-outcome'), { target: { value: 'information' } });
    await act(async () => answer(BOOKED_PAID));
    expect(value('wrap-up-outcome')).toBe('information');
    // The category was still empty: that one is filled in.
    expect(value('wrap-up-category')).toBe('Запись на платные услуги');
  });

  it('nothing booked: nothing filled; a booking made during after-call work fills it in (booking:changed)', async () => {
    const { desk, phone } = await renderDesk();
    desk.handle('booking.forCall', () => ({ prefill: null }));
    await talkAndHangUp(phone, 'c1');
    await waitFor(() => expect(desk.callsTo('booking.forCall')).toHaveLength(1));
    expect(value('wrap-up-outcome')).toBe('');
    expect(screen.queryByTestId('wrap-up-prefilled')).toBeNull();

    // Booked from the card while wrapping up; the core names the category by the service's kind.
    desk.handle('booking.forCall', () => ({ prefill: { outcome: 'booked', category: null, kind: 'oms' } }));
    act(() => desk.emit('booking:changed', { patientMisId: 'P-1' }));
    await waitFor(() => expect(value('wrap-up-outcome')).toBe('booked'));
    expect(value('wrap-up-category')).toBe('Запись по ОМС');
  });

  it('an older core without booking.forCall leaves the wrap-up as it was', async () => {
    const { desk, phone } = await renderDesk();
    await talkAndHangUp(phone, 'c1');
    await waitFor(() => expect(desk.callsTo('booking.forCall')).toHaveLength(1));
    expect(value('wrap-up-outcome')).toBe('');
    expect(value('wrap-up-category')).toBe('');
  });
});

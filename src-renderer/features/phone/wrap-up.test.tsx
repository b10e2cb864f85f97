// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001', displayName: 'Desk 1' };
const ALENA = makePatient({ misId: 'P-1', phones: [{ e164: '+79161234567', national10: '9161234567', kind: 'mobile' }] });
const CATEGORIES = DEFAULT_SETTINGS.wrapUp.categories;

async function renderDesk(acwLimitSec = 60) {
  const view = makeView({ settings: { sip: ACCOUNT, language: 'en', wrapUp: { categories: [...CATEGORIES], acwLimitSec } }, sipPasswordSet: true });
  const desk = createFakeDesk({ view, sipPassword: 'desk-secret', patients: [ALENA], cache: makeCacheStatus({ cards: 1, dataAsOf: T0 }) });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n('en')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  phone.now = Date.now();
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  await screen.findByTestId('dialpad');
  return { desk, phone };
}

async function talkAndHangUp(phone: Awaited<ReturnType<typeof renderDesk>>['phone'], id: string, number = '+79161234567') {
  await act(async () => void phone.ring({ id, number }));
  fireEvent.click(within(document.querySelector<HTMLElement>(`[data-testid="incoming-call"][data-call-id="${id}"]`)!).getByTestId('answer-button'));
  await waitFor(() => expect(document.querySelector(`[data-testid="call-line"][data-call-id="${id}"]`)?.getAttribute('data-state')).toBe('active'));
  act(() => phone.remoteHangup(id));
}

const select = (testId: string, value: string) => fireEvent.change(within(screen.getByTestId('wrap-up')).getByTestId(testId), { target: { value } });

describe('Wrap-up', () => {
  it('appears after an answered call, saves once with the chosen category and outcome, and closes with the pop', async () => {
    const { desk, phone } = await renderDesk();
    await talkAndHangUp(phone, 'c1');
    const form = screen.getByTestId('wrap-up');
    expect(form.getAttribute('data-call-id')).toBe('c1');
    expect(within(form).getByTestId('wrap-up-patient').textContent).toBe('Римская-Корсакова Алёна Петровна');
    const options = Array.from((within(form).getByTestId('wrap-up-category') as HTMLSelectElement).options).map((o) => o.value);
    expect(options).toEqual(['', ...CATEGORIES]);
    const outcomes = Array.from((within(form).getByTestId('wrap-up-outcome') as HTMLSelectElement).options).map((o) => o.textContent);
    expect(outcomes).toEqual(['Choose…', 'Booked', 'Information given', 'Transferred', 'Callback needed', 'Wrong number']);

    select('wrap-up-category', 'Запись по ОМС');
    select('wrap-up-outcome', 'booked');
    fireEvent.change(within(form).getByTestId('wrap-up-note'), { target: { value: ' Записана к терапевту на 18.03 ' } });
    fireEvent.click(within(form).getByTestId('wrap-up-save'));
    fireEvent.click(within(form).getByTestId('wrap-up-save'));
    await waitFor(() => expect(screen.queryByTestId('wrap-up')).toBeNull());
    expect(desk.callsTo('calls.wrapUp')).toHaveLength(1);
    expect(desk.callsTo('calls.wrapUp')[0]).toEqual({
      callId: 'c1',
      misId: 'P-1',
      category: 'Запись по ОМС',
      outcome: 'booked',
      note: 'Записана к терапевту на 18.03',
      acwSec: expect.any(Number),
    });
    expect(screen.queryByTestId('screen-pop')).toBeNull();
  });

  it('asks for the category and the outcome with specific messages before saving', async () => {
    const { desk, phone } = await renderDesk();
    await talkAndHangUp(phone, 'c1');
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    expect(screen.getByTestId('wrap-up-category-error').textContent).toBe('Choose a category.');
    expect(screen.getByTestId('wrap-up-outcome-error').textContent).toBe('Choose the outcome.');
    expect(desk.callsTo('calls.wrapUp')).toEqual([]);
  });

  it('a failed save says why and keeps every value; the retry saves', async () => {
    const { desk, phone } = await renderDesk();
    await talkAndHangUp(phone, 'c1');
    desk.fail('calls.wrapUp', new DeskError('BRIDGE_DISCONNECTED', 'gone'));
    select('wrap-up-category', CATEGORIES[5]!);
    select('wrap-up-outcome', 'callback');
    fireEvent.change(screen.getByTestId('wrap-up-note'), { target: { value: 'Перезвонить после 15:00' } });
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    const error = await screen.findByTestId('wrap-up-error');
    expect(error.getAttribute('data-code')).toBe('BRIDGE_DISCONNECTED');
    expect(error.textContent).toContain('Your entries are kept');
    expect((screen.getByTestId('wrap-up-category') as HTMLSelectElement).value).toBe(CATEGORIES[5]);
    expect((screen.getByTestId('wrap-up-outcome') as HTMLSelectElement).value).toBe('callback');
    expect((screen.getByTestId('wrap-up-note') as HTMLTextAreaElement).value).toBe('Перезвонить после 15:00');

    // Away to another pane and back: the values live in the phone store.
    fireEvent.click(screen.getByTestId('nav-patients'));
    fireEvent.click(screen.getByTestId('nav-phone'));
    expect((await screen.findByTestId('wrap-up-note') as HTMLTextAreaElement).value).toBe('Перезвонить после 15:00');

    desk.handle('calls.wrapUp', () => ({ saved: true, outboxId: 7 }));
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    await waitFor(() => expect(screen.queryByTestId('wrap-up')).toBeNull());
    expect(desk.callsTo('calls.wrapUp')).toHaveLength(2);
  });

  it('a category the core refuses (settings changed) is said as such', async () => {
    const { desk, phone } = await renderDesk();
    await talkAndHangUp(phone, 'c1');
    desk.fail('calls.wrapUp', new DeskError('INVALID_INPUT', 'category'));
    select('wrap-up-category', CATEGORIES[0]!);
    select('wrap-up-outcome', 'information');
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    expect((await screen.findByTestId('wrap-up-error')).textContent).toContain('category list may have changed');
  });

  it('back-to-back calls queue their wrap-ups, one at a time, oldest first', async () => {
    const { desk, phone } = await renderDesk();
    await talkAndHangUp(phone, 'c1');
    await talkAndHangUp(phone, 'c2', '+79990001122');
    expect(screen.getAllByTestId('wrap-up')).toHaveLength(1);
    expect(screen.getByTestId('wrap-up').getAttribute('data-call-id')).toBe('c1');
    expect(screen.getByTestId('wrap-up-queue').getAttribute('data-count')).toBe('1');
    select('wrap-up-category', CATEGORIES[1]!);
    select('wrap-up-outcome', 'transferred');
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    await waitFor(() => expect(screen.getByTestId('wrap-up').getAttribute('data-call-id')).toBe('c2'));
    expect(screen.queryByTestId('wrap-up-queue')).toBeNull();
    // The unknown caller's wrap-up carries no patient.
    select('wrap-up-category', CATEGORIES[1]!);
    select('wrap-up-outcome', 'wrong-number');
    fireEvent.click(screen.getByTestId('wrap-up-save'));
    await waitFor(() => expect(screen.queryByTestId('wrap-up')).toBeNull());
    expect(desk.callsTo('calls.wrapUp').map((input) => [(input as { callId: string }).callId, (input as { misId: string | null }).misId])).toEqual([
      ['c1', 'P-1'],
      ['c2', null],
    ]);
  });

  it('no wrap-up for a missed or rejected call', async () => {
    const { phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    act(() => phone.remoteHangup('c1'));
    await act(async () => void phone.ring({ id: 'c2', number: '+79161234567' }));
    fireEvent.click(screen.getByTestId('reject-button'));
    await waitFor(() => expect(screen.queryByTestId('incoming-call')).toBeNull());
    expect(screen.queryByTestId('wrap-up')).toBeNull();
  });

  it('the after-call-work timer counts mm:ss and turns to a warning past the limit', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const { phone } = await renderDesk(5);
    await talkAndHangUp(phone, 'c1');
    const timer = screen.getByTestId('wrap-up-timer');
    expect(timer.textContent).toBe('00:00');
    expect(timer.getAttribute('data-over')).toBe('false');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(4000);
    });
    expect(screen.getByTestId('wrap-up-timer').textContent).toBe('00:04');
    expect(screen.getByTestId('wrap-up-timer').getAttribute('data-over')).toBe('false');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2000);
    });
    expect(screen.getByTestId('wrap-up-timer').textContent).toBe('00:06');
    expect(screen.getByTestId('wrap-up-timer').getAttribute('data-over')).toBe('true');
    expect(screen.getByTestId('wrap-up-timer').className).toContain('over');
  });
});

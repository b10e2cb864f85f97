// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { WARM_UP_CALL_ID } from './use-screen-pop';

afterEach(cleanup);

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001' };

// A long double surname, given name and patronymic: the band must never cut it.
const LONG = makePatient({
  misId: 'P-1',
  surname: 'Римская-Корсакова-Воскресенская',
  givenName: 'Александра-Анастасия',
  patronymic: 'Константиновна',
  phones: [{ e164: '+77071161586', national10: '7071161586', kind: 'mobile' }],
});
const LONG_NAME = 'Римская-Корсакова-Воскресенская Александра-Анастасия Константиновна';
const FAMILY_PHONE = [{ e164: '+74951112233', national10: '4951112233', kind: 'home' as const }];
const MOTHER = makePatient({ misId: 'P-10', surname: 'Орлова', givenName: 'Мария', phones: FAMILY_PHONE });
const SON = makePatient({ misId: 'P-11', surname: 'Орлов', givenName: 'Илья', phones: FAMILY_PHONE });

/**
 * The desk on `pane` (Patients by default), in Russian. `view` null: no softphone account (a
 * desk-phone operator in CTI mode).
 */
async function renderDesk(options: { pane?: 'patients' | 'queue' | 'settings'; view?: SettingsView | null; patients?: PatientCard[] } = {}) {
  const configured = options.view !== null;
  const view = options.view ?? (configured ? makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: true }) : makeView());
  const desk = createFakeDesk({
    view: { ...view, settings: { ...view.settings, language: 'ru' } },
    sipPassword: configured ? 'desk-secret' : null,
    patients: options.patients ?? [LONG, MOTHER, SON],
    cache: makeCacheStatus({ cards: 3, dataAsOf: T0 }),
  });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await screen.findByTestId('app-info');
  let phone = fake.phones[0];
  if (configured) {
    await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
    phone = fake.phones[0]!;
    phone.now = Date.now();
    act(() => phone!.setRegistration({ state: 'registered', since: phone!.now, reason: null }));
  }
  const pane = options.pane ?? 'patients';
  fireEvent.click(screen.getByTestId(`nav-${pane}`));
  await waitFor(() => expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe(pane));
  return { desk, phone: phone! };
}

const bar = () => screen.queryByTestId('call-bar');
const items = () => screen.queryAllByTestId('call-bar-item');
const item = (kind: string) => screen.getAllByTestId('call-bar-item').find((element) => element.getAttribute('data-kind') === kind)!;
const pane = () => screen.getByTestId('app-shell').getAttribute('data-pane');

describe('Call bar: a softphone ring, seen and answered from another pane', () => {
  it('shows the ring with the number as people read it and the caller from the cache; Answer answers here, the call stays in sight', async () => {
    const { phone } = await renderDesk();
    expect(bar()).toBeNull();
    await act(async () => void phone.ring({ id: 'c1', number: '87071161586', displayName: 'Trunk 5' }));

    const ring = await waitFor(() => item('ringing'));
    expect(ring.getAttribute('data-source')).toBe('sip');
    expect(ring.getAttribute('data-call-id')).toBe('c1');
    expect(within(ring).getByTestId('call-bar-number').textContent).toBe('+7 (707) 116-15-86');
    expect(within(ring).getByText('Входящий звонок')).toBeTruthy();
    await waitFor(() => expect(within(ring).getByTestId('call-bar-name').textContent).toBe(LONG_NAME));
    // The whole name, never cut by an ellipsis.
    expect(within(ring).getByTestId('call-bar-name').closest('.truncate')).toBeNull();

    fireEvent.click(within(ring).getByTestId('call-bar-answer'));
    await waitFor(() => expect(phone.actionsOf('answer')).toEqual([{ method: 'answer', args: ['c1'] }]));
    // Still on Patients: the call in progress is in the band with its timer and Hang up.
    expect(pane()).toBe('patients');
    const line = await waitFor(() => item('line'));
    expect(line.getAttribute('data-state')).toBe('active');
    expect(within(line).getByText('разговор')).toBeTruthy();
    expect(within(line).getByTestId('call-bar-timer').textContent).toMatch(/^\d\d:\d\d$/);
    expect(within(line).getByTestId('call-bar-name').textContent).toBe(LONG_NAME);
    fireEvent.click(within(line).getByTestId('call-bar-hold'));
    await waitFor(() => expect(item('line').getAttribute('data-state')).toBe('held'));
    expect(within(item('line')).getByTestId('call-bar-hold').getAttribute('aria-pressed')).toBe('true');
    expect(within(item('line')).getByText('на удержании')).toBeTruthy();
    fireEvent.click(within(item('line')).getByTestId('call-bar-hold'));
    await waitFor(() => expect(item('line').getAttribute('data-state')).toBe('active'));
    expect(phone.actions.map((action) => action.method).filter((method) => method === 'hold' || method === 'resume')).toEqual(['hold', 'resume']);
    fireEvent.click(within(item('line')).getByTestId('call-bar-hangup'));
    await waitFor(() => expect(phone.actionsOf('hangup')).toEqual([{ method: 'hangup', args: ['c1'] }]));

    // Answered and over: the wrap-up waits, and the band leads to it.
    const wrapUp = await waitFor(() => item('wrap-up'));
    expect(wrapUp.textContent).toContain('Итоги звонка не сохранены');
    fireEvent.click(within(wrapUp).getByTestId('call-bar-wrap-up'));
    expect(pane()).toBe('phone');
    expect(screen.getByTestId('wrap-up').getAttribute('data-call-id')).toBe('c1');
  });

  it('F6 answers and F9 rejects from this pane, as on the Phone pane', async () => {
    const { phone } = await renderDesk({ pane: 'queue' });
    await act(async () => void phone.ring({ id: 'c1', number: '+74951112233' }));
    await waitFor(() => expect(item('ringing')).toBeTruthy());
    fireEvent.keyDown(document, { key: 'F9' });
    await waitFor(() => expect(phone.actionsOf('reject')).toEqual([{ method: 'reject', args: ['c1'] }]));
    await waitFor(() => expect(bar()).toBeNull());

    await act(async () => void phone.ring({ id: 'c2', number: '+74951112233' }));
    await waitFor(() => expect(item('ringing').getAttribute('data-call-id')).toBe('c2'));
    fireEvent.keyDown(document, { key: 'F6' });
    await waitFor(() => expect(phone.actionsOf('answer')).toEqual([{ method: 'answer', args: ['c2'] }]));
    await waitFor(() => expect(item('line').getAttribute('data-state')).toBe('active'));
    expect(pane()).toBe('queue');
  });

  it('Reject in the band rejects; a caller who gives up takes the ring away', async () => {
    const { phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    fireEvent.click(within(await waitFor(() => item('ringing'))).getByTestId('call-bar-reject'));
    await waitFor(() => expect(phone.actionsOf('reject')).toEqual([{ method: 'reject', args: ['c1'] }]));
    await waitFor(() => expect(bar()).toBeNull());

    await act(async () => void phone.ring({ id: 'c2', number: '102' }));
    await waitFor(() => expect(item('ringing')).toBeTruthy());
    act(() => phone.remoteHangup('c2'));
    expect(bar()).toBeNull();
  });

  it('a family number says how many patients share it; an unknown one says it is not in the records', async () => {
    const { phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '+74951112233' }));
    await waitFor(() => expect(within(item('ringing')).getByTestId('call-bar-name').textContent).toBe('Пациентов с этим номером: 2'));
    // No single card to open: the chooser is on the Phone pane.
    expect(within(item('ringing')).queryByTestId('call-bar-open-card')).toBeNull();
    fireEvent.click(within(item('ringing')).getByTestId('call-bar-open-call'));
    expect(pane()).toBe('phone');
    expect(screen.getByTestId('screen-pop-chooser')).toBeTruthy();
    expect(bar()).toBeNull();

    fireEvent.click(screen.getByTestId('nav-patients'));
    act(() => phone.remoteHangup('c1'));
    await act(async () => void phone.ring({ id: 'c2', number: '+79990001122' }));
    await waitFor(() => expect(within(item('ringing')).getByTestId('call-bar-name').textContent).toBe('Нет в картотеке'));
  });

  it('while the cache is still being filled, an unmatched number reads "looking up in the MIS" until the MIS answers', async () => {
    const { desk, phone } = await renderDesk();
    desk.handle('screenPop.lookup', (input) => ({ numberKey: input.callId === WARM_UP_CALL_ID ? null : '+79990001122', matches: [], chosenMisId: null, dataAsOf: null, lookupMs: 1, transfer: null, cacheIncomplete: true }));
    let answer!: (value: { status: 'updated'; at: string; matches: [] }) => void;
    desk.handle('screenPop.refresh', () => new Promise((resolve) => (answer = resolve)));
    fireEvent.click(screen.getByTestId('nav-patients'));
    await act(async () => void phone.ring({ id: 'c1', number: '+79990001122' }));
    await waitFor(() => expect(within(item('ringing')).getByTestId('call-bar-name').textContent).toBe('Ищем в МИС…'));
    // The MIS does not know the number either: now it is not in the records.
    await act(async () => answer({ status: 'updated', at: T0, matches: [] }));
    await waitFor(() => expect(within(item('ringing')).getByTestId('call-bar-name').textContent).toBe('Нет в картотеке'));
  });

  it('while the cache is still being filled and the MIS does not answer, an unmatched number is not called "not in the records"', async () => {
    const { desk, phone } = await renderDesk();
    desk.handle('screenPop.lookup', (input) => ({ numberKey: input.callId === WARM_UP_CALL_ID ? null : '+79990001122', matches: [], chosenMisId: null, dataAsOf: null, lookupMs: 1, transfer: null, cacheIncomplete: true }));
    desk.handle('screenPop.refresh', () => ({ status: 'unreachable' as const, at: T0, matches: [] }));
    fireEvent.click(screen.getByTestId('nav-patients'));
    await act(async () => void phone.ring({ id: 'c1', number: '+79990001122' }));
    await waitFor(() => expect(within(item('ringing')).getByTestId('call-bar-name').textContent).toBe('МИС не ответила — возможно, в картотеке'));
  });

  it('waits for the card like the Phone pane does: nothing shows before the cache answers', async () => {
    const { desk, phone } = await renderDesk();
    const waiting: (() => void)[] = [];
    desk.handle('screenPop.lookup', (input) => {
      const answer = { numberKey: '+77071161586', matches: [LONG], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null };
      return input.callId === WARM_UP_CALL_ID ? { ...answer, numberKey: null, matches: [] } : new Promise<typeof answer>((resolve) => waiting.push(() => resolve(answer)));
    });
    await act(async () => void phone.ring({ id: 'c1', number: '+77071161586' }));
    expect(bar()).toBeNull();
    await act(async () => waiting.splice(0).forEach((answer) => answer()));
    expect(within(item('ringing')).getByTestId('call-bar-name').textContent).toBe(LONG_NAME);
  });

  it('is not on the Phone pane, which shows the call in full', async () => {
    const { phone } = await renderDesk();
    fireEvent.click(screen.getByTestId('nav-phone'));
    await act(async () => void phone.ring({ id: 'c1', number: '+77071161586' }));
    await screen.findByTestId('incoming-call');
    expect(bar()).toBeNull();
  });
});

describe('Call bar: a ring on the desk phone (CTI)', () => {
  it('shows who calls on which desk phone, says to pick up the handset (no SIP Answer), and opens the card', async () => {
    const { desk } = await renderDesk({ view: null });
    act(() => desk.emit('pbx:call', { event: 'ringing', callId: 'pbx-1', number: '+77071161586', extension: '101' }));
    const ring = await waitFor(() => item('ringing'));
    expect(ring.getAttribute('data-source')).toBe('pbx');
    expect(within(ring).getByText('Звонит телефон 101')).toBeTruthy();
    expect(within(ring).getByTestId('call-bar-hint').textContent).toBe('снимите трубку');
    expect(within(ring).getByTestId('call-bar-number').textContent).toBe('+7 (707) 116-15-86');
    await waitFor(() => expect(within(ring).getByTestId('call-bar-name').textContent).toBe(LONG_NAME));
    expect(within(ring).queryByTestId('call-bar-answer')).toBeNull();

    fireEvent.click(within(ring).getByTestId('call-bar-open-card'));
    expect((await screen.findByTestId('patient-card')).getAttribute('data-mis-id')).toBe('P-1');
    expect(desk.callsTo('patients.get')).toEqual([{ misId: 'P-1', reason: 'call', callId: 'pbx-1' }]);

    // Picked up on the handset: the band says the call is on the desk phone, with its timer.
    act(() => desk.emit('pbx:call', { event: 'answered', callId: 'pbx-1', number: '+77071161586', extension: '101' }));
    const talk = item('line');
    expect(talk.getAttribute('data-source')).toBe('pbx');
    expect(within(talk).getByText('Разговор на телефоне 101')).toBeTruthy();
    expect(within(talk).getByTestId('call-bar-timer')).toBeTruthy();
    act(() => desk.emit('pbx:call', { event: 'ended', callId: 'pbx-1', number: '+77071161586', extension: '101' }));
    expect(item('wrap-up').getAttribute('data-call-id')).toBe('pbx-1');
    expect(items()).toHaveLength(1);
  });

  it('an unanswered desk-phone ring leaves nothing behind', async () => {
    const { desk } = await renderDesk({ view: null, pane: 'settings' });
    act(() => desk.emit('pbx:call', { event: 'ringing', callId: 'pbx-2', number: '+74951112233', extension: '101' }));
    await waitFor(() => expect(item('ringing')).toBeTruthy());
    act(() => desk.emit('pbx:call', { event: 'ended', callId: 'pbx-2', number: '+74951112233', extension: '101' }));
    expect(bar()).toBeNull();
  });
});

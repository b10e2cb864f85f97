// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionView } from '../../../src-shared/access/access-model';
import { DEFAULT_HIDDEN_FIELDS } from '../../../src-shared/access/access-model';
import { hiddenFieldsFor, visibleCard } from '../../../src-shared/access/field-masking';
import type { RequestOutput } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { WARM_UP_CALL_ID } from './use-screen-pop';

afterEach(cleanup);

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001', displayName: 'Desk 1' };
const CALLER = '+79161234567';
const ALENA = makePatient({ misId: 'P-1', phones: [{ e164: CALLER, national10: '9161234567', kind: 'mobile' }] });

/** What main answers while the desk is locked (output-masking.ts): no card, only how many match. */
const withheld = (count: number): RequestOutput<'screenPop.lookup'> => ({ numberKey: CALLER, matches: [], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null, withheld: count });

const session = (state: SessionView['state']): SessionView => ({
  state,
  role: 'operator',
  person: { id: 'ivanova', name: 'Иванова А.', role: 'operator' },
  idleLockMinutes: 5,
  retryAfter: null,
});

async function renderDesk(language: 'ru' | 'en') {
  const view = makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: true });
  const desk = createFakeDesk({ view: { ...view, settings: { ...view.settings, language } }, sipPassword: 'desk-secret', patients: [ALENA], cache: makeCacheStatus({ cards: 1, dataAsOf: T0 }) });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  phone.now = Date.now();
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  await screen.findByTestId('dialpad');
  return { desk, phone };
}

const callerCalls = (desk: ReturnType<typeof createFakeDesk>, name: 'screenPop.lookup' | 'screenPop.refresh' | 'screenPop.show') =>
  desk.callsTo(name).filter((input) => (input as { callId: string }).callId !== WARM_UP_CALL_ID);

describe('Screen pop while the desk is locked', () => {
  it('a known caller: «Известный пациент», no name, no card, nothing more asked of main', async () => {
    const { desk, phone } = await renderDesk('ru');
    desk.handle('screenPop.lookup', () => withheld(1));
    await act(async () => void phone.ring({ id: 'c1', number: CALLER, displayName: '' }));
    const pop = screen.getByTestId('screen-pop');
    const said = await within(pop).findByTestId('screen-pop-withheld');
    expect(said.textContent).toBe('Известный пациент');
    expect(said.getAttribute('data-known')).toBe('true');
    expect(within(pop).queryByTestId('screen-pop-card')).toBeNull();
    expect(within(pop).queryByTestId('screen-pop-new')).toBeNull();
    expect(within(pop).queryByTestId('patient-calls')).toBeNull();
    expect(document.body.textContent).not.toContain('Римская-Корсакова');
    // On another pane the call bar says the same, beside the call's own number.
    fireEvent.click(screen.getByTestId('nav-patients'));
    const ring = await screen.findByTestId('call-bar-item');
    expect(within(ring).getByTestId('call-bar-name').textContent).toBe('Известный пациент');
    expect(within(ring).getByTestId('call-bar-number').textContent).toBe('+7 (916) 123-45-67');
    expect(within(ring).queryByTestId('call-bar-open-card')).toBeNull();
    // Neither the MIS refresh nor an audited "shown": there is no card.
    expect(callerCalls(desk, 'screenPop.refresh')).toEqual([]);
    expect(callerCalls(desk, 'screenPop.show')).toEqual([]);
  });

  it('in English: "Known patient"; an unknown caller is "not in the records" with no new-patient form', async () => {
    const { desk, phone } = await renderDesk('en');
    desk.handle('screenPop.lookup', ({ callId }) => withheld(callId === 'c1' ? 2 : 0));
    await act(async () => void phone.ring({ id: 'c1', number: CALLER }));
    expect((await screen.findByTestId('screen-pop-withheld')).textContent).toBe('Known patient');
    await act(async () => void phone.ring({ id: 'c2', number: '+79035550101' }));
    await waitFor(() => expect(screen.getAllByTestId('screen-pop-withheld')).toHaveLength(2));
    const unknown = screen.getAllByTestId('screen-pop-withheld').find((element) => element.getAttribute('data-known') === 'false');
    expect(unknown?.textContent).toBe('Not in the records');
    expect(screen.queryByTestId('screen-pop-new')).toBeNull();
  });

  it('on unlock the pop is looked up again and shows the card', async () => {
    const { desk, phone } = await renderDesk('ru');
    desk.handle('screenPop.lookup', () => withheld(1));
    await act(async () => void phone.ring({ id: 'c1', number: CALLER }));
    await screen.findByTestId('screen-pop-withheld');
    const cashierCard = visibleCard(ALENA, hiddenFieldsFor('cashier', DEFAULT_HIDDEN_FIELDS));
    desk.handle('screenPop.lookup', () => ({ numberKey: CALLER, matches: [cashierCard], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null }));
    act(() => desk.emit('session:changed', session('locked')));
    expect(callerCalls(desk, 'screenPop.lookup')).toHaveLength(1);
    act(() => desk.emit('session:changed', session('signed-in')));
    expect((await screen.findByTestId('screen-pop-name')).textContent).toBe('Римская-Корсакова Алёна Петровна');
    expect(callerCalls(desk, 'screenPop.lookup')).toHaveLength(2);
    expect(screen.queryByTestId('screen-pop-withheld')).toBeNull();
    // Now a card is on screen: the refresh and the audited "shown" follow as for any ring.
    await waitFor(() => expect(callerCalls(desk, 'screenPop.show')).toEqual([{ callId: 'c1', misId: 'P-1', chosen: false, numberKey: CALLER }]));
    expect(callerCalls(desk, 'screenPop.refresh')).toEqual([{ callId: 'c1', numberKey: CALLER }]);
  });
});

describe('Screen pop: a card without the fields the role may not see', () => {
  it("the cashier's pop: no allergy badge, visits «скрыто», the policy shown; never 'undefined'", async () => {
    const { desk, phone } = await renderDesk('ru');
    const cashierCard = visibleCard(ALENA, hiddenFieldsFor('cashier', DEFAULT_HIDDEN_FIELDS));
    desk.handle('screenPop.lookup', () => ({ numberKey: CALLER, matches: [cashierCard], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null }));
    desk.handle('screenPop.refresh', () => ({ status: 'updated', at: T0, matches: [cashierCard] }));
    desk.handle('patients.history', () => ({ items: [], notesHidden: true }));
    await act(async () => void phone.ring({ id: 'c1', number: CALLER }));
    const card = await screen.findByTestId('screen-pop-card');
    expect(within(card).getByTestId('screen-pop-policy').textContent).toContain('7700 1234 5678 9012');
    expect(within(card).getByTestId('screen-pop-next').textContent).toBe('скрыто');
    expect(card.querySelector('.pill-allergy')).toBeNull();
    expect(within(card).getByTestId('screen-pop-birth-date').textContent).toContain('12.03.1985');
    expect(await within(card).findByTestId('patient-calls-notes-hidden')).toBeTruthy();
    expect(card.textContent).not.toContain('undefined');
    // The visits are not asked for: the role may not see them.
    expect(desk.callsTo('booking.visits')).toEqual([]);
  });
});

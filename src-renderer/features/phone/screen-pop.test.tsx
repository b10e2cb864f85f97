// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestOutput } from '../../../src-shared/ipc/contract';
import type { CacheStatusView } from '../../../src-shared/cache/cache-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makePatient, makeView, T0, T1 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { formatClockTime } from '../../ui/format-time';
import { chooserOrder, measureOf, paintedMarkOf } from './call-work';
import { validateDraft } from './screen-pop';
import { resetScreenPopRehearsal } from './screen-pop-rehearsal';
import { WARM_UP_CALL_ID } from './use-screen-pop';

/** The lookups made for callers (the one warm-up lookup at registration left out). */
const callerLookups = (desk: ReturnType<typeof createFakeDesk>) =>
  desk.callsTo('screenPop.lookup').filter((input) => (input as { callId: string }).callId !== WARM_UP_CALL_ID);

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  performance.clearMarks();
  performance.clearMeasures();
});

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001', displayName: 'Desk 1' };

const ALENA = makePatient({ misId: 'P-1', surname: 'Римская-Корсакова', givenName: 'Алёна', patronymic: 'Петровна', phones: [{ e164: '+79161234567', national10: '9161234567', kind: 'mobile' }] });
const FAMILY_PHONE = [{ e164: '+74951112233', national10: '4951112233', kind: 'home' as const }];
const MOTHER = makePatient({ misId: 'P-10', surname: 'Орлова', givenName: 'Мария', patronymic: 'Ивановна', phones: FAMILY_PHONE, appointments: [] });
const SON = makePatient({ misId: 'P-11', surname: 'Орлов', givenName: 'Илья', patronymic: 'Сергеевич', birthDate: '2015-06-01', phones: FAMILY_PHONE, appointments: [] });
const DAUGHTER = makePatient({ misId: 'P-12', surname: 'Орлова', givenName: 'Анна', patronymic: 'Сергеевна', birthDate: '2018-09-09', phones: FAMILY_PHONE, appointments: [] });

async function renderDesk(options: { patients?: PatientCard[]; view?: SettingsView; language?: 'ru' | 'en'; cache?: CacheStatusView } = {}) {
  const language = options.language ?? 'en';
  const view = options.view ?? makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: true });
  const desk = createFakeDesk({
    view: { ...view, settings: { ...view.settings, language } },
    sipPassword: 'desk-secret',
    patients: options.patients ?? [ALENA, MOTHER, SON, DAUGHTER],
    cache: options.cache ?? makeCacheStatus({ cards: 4, dataAsOf: T0 }),
  });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  phone.now = Date.now();
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  await screen.findByTestId('dialpad');
  return { desk, phone };
}

const pop = () => screen.getByTestId('screen-pop');
const time = (iso: string) => formatClockTime(iso, 'en');

describe('Screen pop: warm-up', () => {
  it('once the phone is registered, one lookup with a non-number warms the path; no audit, and never again', async () => {
    const { desk, phone } = await renderDesk();
    await waitFor(() => expect(desk.callsTo('screenPop.lookup')).toEqual([{ callId: WARM_UP_CALL_ID, number: '0', source: 'sip' }]));
    act(() => phone.setRegistration({ state: 'reconnecting', since: phone.now, reason: 'unreachable' }));
    act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
    expect(desk.callsTo('screenPop.lookup')).toHaveLength(1);
    expect(desk.callsTo('screenPop.show')).toEqual([]);
  });
});

describe('Screen pop: the ring rehearsal', () => {
  it('once registered, rehearses a ring off screen — no ids, no test ids, nothing asked of main — and goes away', async () => {
    resetScreenPopRehearsal();
    const { desk } = await renderDesk();
    const rehearsal = await waitFor(() => {
      const element = document.querySelector<HTMLElement>('.screen-pop-rehearsal');
      expect(element).not.toBeNull();
      return element!;
    });
    expect(rehearsal.getAttribute('aria-hidden')).toBe('true');
    expect(rehearsal.hasAttribute('inert')).toBe(true);
    // The made-up caller is really drawn (that is the point), but cannot be found or named.
    expect(rehearsal.querySelector('.incoming-call')).not.toBeNull();
    expect(rehearsal.querySelector('.screen-pop-card')).not.toBeNull();
    expect(rehearsal.querySelectorAll('[id], [data-testid]')).toHaveLength(0);
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    expect(screen.queryByTestId('screen-pop')).toBeNull();
    await waitFor(() => expect(document.querySelector('.screen-pop-rehearsal')).toBeNull(), { timeout: 5_000 });
    const askedAbout = desk.calls.filter((call) => JSON.stringify(call.input).includes('rehearsal') || JSON.stringify(call.input).includes('+70000000000'));
    expect(askedAbout).toEqual([]);
    expect(performance.getEntriesByType('measure')).toHaveLength(0);
  });
});

describe('Screen pop: a known caller', () => {
  it("pops the cached patient's name while the call still rings, then marks it updated from the MIS", async () => {
    const { desk, phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567', displayName: 'Алёна' }));
    expect(callerLookups(desk)).toEqual([{ callId: 'c1', number: '+79161234567', source: 'sip' }]);
    const name = await screen.findByTestId('screen-pop-name');
    expect(name.textContent).toBe('Римская-Корсакова Алёна Петровна');
    // Still ringing, Answer right there.
    expect(screen.getByTestId('incoming-call').getAttribute('data-call-id')).toBe('c1');
    expect(pop().getAttribute('data-call-id')).toBe('c1');
    expect(within(pop()).getByTestId('screen-pop-birth-date').textContent).toContain('12.03.1985');
    expect(within(pop()).getByTestId('screen-pop-policy').textContent).toContain('7700 1234 5678 9012');

    await waitFor(() => expect(pop().getAttribute('data-state')).toBe('updated'));
    expect(screen.getByTestId('screen-pop-status').textContent).toBe(`updated ${time(T1)}`);
    expect(desk.callsTo('screenPop.refresh')).toEqual([{ callId: 'c1', numberKey: '+79161234567' }]);
    // One audit entry for the card on screen, not as a chooser pick.
    await waitFor(() => expect(desk.callsTo('screenPop.show')).toEqual([{ callId: 'c1', misId: 'P-1', chosen: false, numberKey: '+79161234567' }]));
    // The painted mark and the invite → painted measure, for e2e and the bench.
    await waitFor(() => expect(performance.getEntriesByName(paintedMarkOf('c1'), 'mark')).toHaveLength(1));
    await waitFor(() => expect(performance.getEntriesByName(measureOf('c1'), 'measure')).toHaveLength(1));
  });

  it('says "cached HH:MM" while the MIS is asked and "cached HH:MM, MIS unreachable" when it cannot answer', async () => {
    const { desk, phone } = await renderDesk();
    let answer!: (value: RequestOutput<'screenPop.refresh'>) => void;
    desk.handle('screenPop.refresh', () => new Promise((resolve) => (answer = resolve)));
    await act(async () => void phone.ring({ id: 'c1', number: '89161234567' }));
    await screen.findByTestId('screen-pop-name');
    expect(pop().getAttribute('data-state')).toBe('cached');
    expect(screen.getByTestId('screen-pop-status').textContent).toContain(`cached ${time(T0)}`);
    await act(async () => answer({ status: 'unreachable', at: T1, matches: [ALENA] }));
    expect(pop().getAttribute('data-state')).toBe('unreachable');
    expect(screen.getByTestId('screen-pop-status').textContent).toBe(`cached ${time(T0)}, MIS unreachable`);
    expect(screen.getByTestId('screen-pop-name').textContent).toBe('Римская-Корсакова Алёна Петровна');
  });

  it('"open the full card" opens it on the Patients pane, audited with the call', async () => {
    const { desk, phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    fireEvent.click(await screen.findByTestId('screen-pop-open-card'));
    expect((await screen.findByTestId('patient-card')).getAttribute('data-mis-id')).toBe('P-1');
    expect(desk.callsTo('patients.get')).toEqual([{ misId: 'P-1', reason: 'call', callId: 'c1' }]);
    // The call still rings: the call bar on the Patients pane shows it, with Answer.
    expect(screen.getByTestId('call-bar-answer')).toBeTruthy();
  });

  it('in Russian too: "обновлено HH:MM"', async () => {
    const { phone } = await renderDesk({ language: 'ru' });
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    await waitFor(() => expect(pop().getAttribute('data-state')).toBe('updated'));
    expect(screen.getByTestId('screen-pop-status').textContent).toBe(`обновлено ${formatClockTime(T1, 'ru')}`);
  });

  it('a PBX ringing event (CTI mode) pops the same way, with the call from the event', async () => {
    const { desk } = await renderDesk();
    act(() => desk.emit('pbx:call', { event: 'ringing', callId: 'pbx-1', number: '+79161234567', extension: '1001' }));
    expect(callerLookups(desk)).toEqual([{ callId: 'pbx-1', number: '+79161234567', source: 'pbx' }]);
    expect((await screen.findByTestId('screen-pop-name')).textContent).toBe('Римская-Корсакова Алёна Петровна');
    expect(pop().getAttribute('data-call-id')).toBe('pbx-1');
    expect(pop().getAttribute('data-source')).toBe('pbx');
    expect(screen.queryByTestId('phone-idle')).toBeNull();
    await waitFor(() => expect(performance.getEntriesByName(measureOf('pbx-1'), 'measure')).toHaveLength(1));
    // Unanswered end: the pop goes, no wrap-up.
    act(() => desk.emit('pbx:call', { event: 'ended', callId: 'pbx-1', number: '+79161234567', extension: '1001' }));
    expect(screen.queryByTestId('screen-pop')).toBeNull();
    expect(screen.queryByTestId('wrap-up')).toBeNull();
  });

  it('a PBX call answered and ended gets its wrap-up', async () => {
    const { desk } = await renderDesk();
    act(() => desk.emit('pbx:call', { event: 'ringing', callId: 'pbx-2', number: '+79161234567', extension: '1001' }));
    await screen.findByTestId('screen-pop-name');
    act(() => desk.emit('pbx:call', { event: 'answered', callId: 'pbx-2', number: '+79161234567', extension: '1001' }));
    act(() => desk.emit('pbx:call', { event: 'ended', callId: 'pbx-2', number: '+79161234567', extension: '1001' }));
    expect(screen.getByTestId('wrap-up').getAttribute('data-call-id')).toBe('pbx-2');
    expect(pop().getAttribute('data-call-id')).toBe('pbx-2');
    // The desk journals the desk-phone call (the softphone journals its own).
    await waitFor(() => expect(desk.journal.map((record) => [record.id, record.outcome, record.answeredAt !== null])).toEqual([['pbx-2', 'answered', true]]));
  });
});

describe('Screen pop: the ring waits for its card', () => {
  /** `screenPop.lookup` answers only when the test says so. */
  function deferLookups(desk: ReturnType<typeof createFakeDesk>) {
    const waiting: (() => void)[] = [];
    desk.handle('screenPop.lookup', (input) => {
      const answer = { numberKey: '+79161234567', matches: input.number === '+79161234567' ? [ALENA] : [], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null };
      return input.callId === WARM_UP_CALL_ID ? { ...answer, numberKey: null, matches: [] } : new Promise<typeof answer>((resolve) => waiting.push(() => resolve(answer)));
    });
    return () => waiting.splice(0).forEach((answer) => answer());
  }

  it('shows the ringing panel, the card and the ringtone together, once the cache answered', async () => {
    const { desk, phone } = await renderDesk();
    const answerLookups = deferLookups(desk);
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    // Asked, not answered yet: nothing of the ring on screen (no "looking up" flash), no badge.
    expect(callerLookups(desk)).toHaveLength(1);
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    expect(screen.queryByTestId('screen-pop')).toBeNull();
    expect(screen.getByTestId('phone-idle')).toBeTruthy();
    await act(async () => answerLookups());
    expect(screen.getByTestId('incoming-call').getAttribute('data-call-id')).toBe('c1');
    expect(screen.getByTestId('screen-pop-name').textContent).toBe('Римская-Корсакова Алёна Петровна');
  });

  it('rings without the card when the cache takes longer than 80 ms, and the card follows', async () => {
    const { desk, phone } = await renderDesk();
    const answerLookups = deferLookups(desk);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    await act(async () => void vi.advanceTimersByTime(79));
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    await act(async () => void vi.advanceTimersByTime(1));
    expect(screen.getByTestId('incoming-call').getAttribute('data-call-id')).toBe('c1');
    expect(pop().getAttribute('data-state')).toBe('looking');
    await act(async () => answerLookups());
    expect(screen.getByTestId('screen-pop-name').textContent).toBe('Римская-Корсакова Алёна Петровна');
  });
});

describe('Screen pop: a shared number', () => {
  it('offers a chooser with the remembered choice first, and a pick is reported as chosen', async () => {
    const { desk, phone } = await renderDesk();
    desk.choices.set('+74951112233', 'P-12');
    await act(async () => void phone.ring({ id: 'c1', number: '+74951112233' }));
    const chooser = await screen.findByTestId('screen-pop-chooser');
    const choices = within(chooser).getAllByTestId('screen-pop-choice');
    expect(choices.map((choice) => choice.getAttribute('data-mis-id'))).toEqual(['P-12', 'P-10', 'P-11']);
    expect(choices[0]!.getAttribute('data-remembered')).toBe('true');
    expect(choices[0]!.textContent).toContain('Орлова Анна Сергеевна');
    expect(screen.queryByTestId('screen-pop-name')).toBeNull();
    await waitFor(() => expect(performance.getEntriesByName(measureOf('c1'), 'measure')).toHaveLength(1));

    fireEvent.click(choices[2]!);
    expect(screen.getByTestId('screen-pop-name').textContent).toBe('Орлов Илья Сергеевич');
    expect(desk.callsTo('screenPop.show')).toEqual([{ callId: 'c1', misId: 'P-11', chosen: true, numberKey: '+74951112233' }]);
    // The next call from that number puts the new choice first.
    fireEvent.click(screen.getByTestId('reject-button'));
    await waitFor(() => expect(screen.queryByTestId('screen-pop')).toBeNull());
    await act(async () => void phone.ring({ id: 'c2', number: '+74951112233' }));
    const next = await screen.findByTestId('screen-pop-chooser');
    expect(within(next).getAllByTestId('screen-pop-choice')[0]!.getAttribute('data-mis-id')).toBe('P-11');
  });

  it('orders the chooser by the remembered choice (pure)', () => {
    expect(chooserOrder([MOTHER, SON, DAUGHTER], 'P-11').map((card) => card.misId)).toEqual(['P-11', 'P-10', 'P-12']);
    expect(chooserOrder([MOTHER, SON], null).map((card) => card.misId)).toEqual(['P-10', 'P-11']);
  });
});

describe('Screen pop: an unknown number', () => {
  it('shows a new-patient draft with the number; saving sends patients.createDraft', async () => {
    const { desk, phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '+79990001122' }));
    const draft = await screen.findByTestId('screen-pop-new');
    expect(within(draft).getByTestId('screen-pop-new-phone').textContent).toBe('+7 (999) 000-11-22');
    await waitFor(() => expect(performance.getEntriesByName(measureOf('c1'), 'measure')).toHaveLength(1));

    fireEvent.click(within(draft).getByTestId('screen-pop-new-save'));
    expect(within(draft).getByTestId('screen-pop-new-surname-error').textContent).toBe('Enter the surname.');
    expect(within(draft).getByTestId('screen-pop-new-given-name-error').textContent).toBe('Enter the given name.');
    expect(desk.callsTo('patients.createDraft')).toEqual([]);

    fireEvent.change(within(draft).getByTestId('screen-pop-new-surname'), { target: { value: ' Новикова ' } });
    fireEvent.change(within(draft).getByTestId('screen-pop-new-given-name'), { target: { value: 'Вера' } });
    fireEvent.change(within(draft).getByTestId('screen-pop-new-birth-date'), { target: { value: '31.02.1990' } });
    fireEvent.click(within(draft).getByTestId('screen-pop-new-save'));
    expect(within(draft).getByTestId('screen-pop-new-birth-date-error').textContent).toContain('dd.mm.yyyy');
    fireEvent.change(within(draft).getByTestId('screen-pop-new-birth-date'), { target: { value: '01.02.1990' } });
    fireEvent.change(within(draft).getByTestId('screen-pop-new-note'), { target: { value: 'Хочет к кардиологу' } });
    fireEvent.click(within(draft).getByTestId('screen-pop-new-save'));
    await screen.findByTestId('screen-pop-draft-saved');
    expect(desk.callsTo('patients.createDraft')).toEqual([
      { callId: 'c1', phone: '+79990001122', surname: 'Новикова', givenName: 'Вера', birthDate: '1990-02-01', note: 'Хочет к кардиологу' },
    ]);
  });

  it('a refused draft keeps what was typed and says why', async () => {
    const { desk, phone } = await renderDesk();
    desk.fail('patients.createDraft', new DeskError('BRIDGE_DISCONNECTED', 'gone'));
    await act(async () => void phone.ring({ id: 'c1', number: '+79990001122' }));
    const draft = await screen.findByTestId('screen-pop-new');
    fireEvent.change(within(draft).getByTestId('screen-pop-new-surname'), { target: { value: 'Новикова' } });
    fireEvent.change(within(draft).getByTestId('screen-pop-new-given-name'), { target: { value: 'Вера' } });
    fireEvent.click(within(draft).getByTestId('screen-pop-new-save'));
    expect((await screen.findByTestId('screen-pop-new-error')).textContent).toContain('No connection to the desk service');
    expect((within(draft).getByTestId('screen-pop-new-surname') as HTMLInputElement).value).toBe('Новикова');
  });

  it('checks the draft fields with specific messages (pure)', () => {
    const today = new Date('2025-03-14T12:00:00Z');
    const blank = { surname: '', givenName: '', patronymic: '', birthDate: '', note: '' };
    expect(validateDraft(blank, today)).toEqual({ surname: 'surnameRequired', givenName: 'givenNameRequired' });
    expect(validateDraft({ ...blank, surname: 'A<b>', givenName: 'x'.repeat(101) }, today)).toEqual({ surname: 'nameCharacters', givenName: 'nameTooLong' });
    expect(validateDraft({ ...blank, surname: "O'Нил-Петрова", givenName: 'Вера', birthDate: '2030-01-01' }, today)).toEqual({ birthDate: 'birthDateFuture' });
    expect(validateDraft({ ...blank, surname: 'А', givenName: 'Б', birthDate: '01.01.1850' }, today)).toEqual({ birthDate: 'birthDateTooOld' });
    expect(validateDraft({ ...blank, surname: 'А', givenName: 'Б', note: 'я'.repeat(501) }, today)).toEqual({ note: 'noteTooLong' });
    // The birth date is read as the search box reads it (src-shared/patients/typed-date.test.ts).
    expect(validateDraft({ ...blank, surname: 'А', givenName: 'Б', birthDate: '29.02.2023' }, today)).toEqual({ birthDate: 'birthDateFormat' });
    expect(validateDraft({ ...blank, surname: 'А', givenName: 'Б', birthDate: '1.2.1985' }, today)).toEqual({});
  });
});

describe('Screen pop: while a damaged cache is rebuilt', () => {
  const rebuilding = makeCacheStatus({ cards: 1, dataAsOf: T0, fill: { state: 'filling', reason: 'damaged', startedAt: T0, completedAt: null, setAside: '/data/cache.db.damaged-1' } });

  it('a number not in the cache yet waits for the MIS instead of offering a new-patient form, then shows the card', async () => {
    const { desk, phone } = await renderDesk({ cache: rebuilding });
    desk.handle('screenPop.lookup', () => ({ numberKey: '+79161234567', matches: [], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null }));
    let answer!: (value: RequestOutput<'screenPop.refresh'>) => void;
    desk.handle('screenPop.refresh', () => new Promise((resolve) => (answer = resolve)));
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    expect((await screen.findByTestId('screen-pop-checking-mis')).textContent).toContain('being rebuilt');
    expect(screen.queryByTestId('screen-pop-new')).toBeNull();
    await act(async () => answer({ status: 'updated', at: T1, matches: [ALENA] }));
    expect(within(pop()).getByTestId('screen-pop-name').textContent).toBe('Римская-Корсакова Алёна Петровна');
  });

  it('with the MIS down too, the new-patient form comes with a warning that the caller may be on file', async () => {
    const { desk, phone } = await renderDesk({ cache: rebuilding });
    desk.misReachable = false;
    await act(async () => void phone.ring({ id: 'c2', number: '+79990001122' }));
    expect((await screen.findByTestId('screen-pop-rebuilding-warning')).textContent).toContain('may be on file');
    expect(screen.getByTestId('screen-pop-new')).toBeTruthy();
  });
});

describe('Screen pop: during the desk\'s first sync', () => {
  const filling = makeCacheStatus({ cards: 0, dataAsOf: null, fill: { state: 'filling', reason: 'new', startedAt: T0, completedAt: null, setAside: null } });

  it('a number the loading cache does not hold yet is asked of the MIS, said so, then shown; unreachable, the form warns the caller may be on file', async () => {
    const { desk, phone } = await renderDesk({ cache: filling });
    desk.handle('screenPop.lookup', () => ({ numberKey: '+79161234567', matches: [], chosenMisId: null, dataAsOf: null, lookupMs: 1, transfer: null, cacheIncomplete: true }));
    let answer!: (value: RequestOutput<'screenPop.refresh'>) => void;
    desk.handle('screenPop.refresh', () => new Promise((resolve) => (answer = resolve)));
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    const checking = await screen.findByTestId('screen-pop-checking-mis');
    expect(checking.getAttribute('data-reason')).toBe('firstSync');
    expect(checking.textContent).toContain('still loading from the MIS');
    expect(screen.queryByTestId('screen-pop-new')).toBeNull();
    await act(async () => answer({ status: 'updated', at: T1, matches: [ALENA] }));
    expect(within(pop()).getByTestId('screen-pop-name').textContent).toBe('Римская-Корсакова Алёна Петровна');

    desk.handle('screenPop.refresh', () => ({ status: 'unreachable', at: T1, matches: [] }));
    await act(async () => void phone.ring({ id: 'c2', number: '+79990001122' }));
    expect((await screen.findByTestId('screen-pop-rebuilding-warning')).textContent).toContain('still loading and the MIS is unreachable');
  });

  it('a complete cache that does not know the number offers the new-patient form at once', async () => {
    const { desk, phone } = await renderDesk({ cache: filling });
    desk.handle('screenPop.lookup', () => ({ numberKey: '+79990001122', matches: [], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null }));
    desk.handle('screenPop.refresh', () => new Promise(() => undefined));
    await act(async () => void phone.ring({ id: 'c3', number: '+79990001122' }));
    expect(await screen.findByTestId('screen-pop-new')).toBeTruthy();
    expect(screen.queryByTestId('screen-pop-checking-mis')).toBeNull();
  });
});

describe('Screen pop never breaks the phone', () => {
  it('a failed lookup is a quiet status line and Answer still answers', async () => {
    const { desk, phone } = await renderDesk();
    desk.fail('screenPop.lookup', new DeskError('INTERNAL', 'boom'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    await waitFor(() => expect(pop().getAttribute('data-state')).toBe('failed'));
    expect(screen.getByTestId('screen-pop-status').textContent).toContain('the call works as usual');
    expect(screen.queryByTestId('phone-error')).toBeNull();
    fireEvent.click(screen.getByTestId('answer-button'));
    await waitFor(() => expect(document.querySelector('[data-testid="call-line"][data-call-id="c1"]')?.getAttribute('data-state')).toBe('active'));
    expect(phone.actionsOf('answer')).toHaveLength(1);
    warn.mockRestore();
  });

  it('a refresh that fails shows the cached card as MIS unreachable, and Answer still answers', async () => {
    const { desk, phone } = await renderDesk();
    desk.handle('screenPop.refresh', () => Promise.reject(new DeskError('BRIDGE_DISCONNECTED', 'gone')));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    await waitFor(() => expect(pop().getAttribute('data-state')).toBe('unreachable'));
    expect(screen.getByTestId('screen-pop-name')).toBeTruthy();
    fireEvent.click(screen.getByTestId('answer-button'));
    await waitFor(() => expect(phone.actionsOf('answer')).toHaveLength(1));
    warn.mockRestore();
  });

  it('a withheld number is said plainly, with nothing looked up', async () => {
    const { desk, phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '' }));
    expect(screen.getByTestId('screen-pop-status').textContent).toBe('Number withheld: nothing to look up.');
    expect(callerLookups(desk)).toEqual([]);
    expect(screen.getByTestId('answer-button')).toBeTruthy();
  });
});

/** Caller ids a hostile (or broken) PBX or caller can send; the phone already sanitised some, not all. */
const HOSTILE: [string, string][] = [
  ['markup', '<img src=x onerror=alert(1)><b>bold</b>'],
  ['script', '<script>window.__pwned = 1</script>'],
  ['quotes', `"O'Brien" \\"quoted\\" \`tick\``],
  ['control characters', 'Ива\u0007нов\u001b[31m\r\nвторая строка'],
  ['RTL override', '\u202eevil\u202c Иванов \u2066x\u2069'],
  ['emoji', '👩‍⚕️🦷💉 Пациент 🇷🇺'],
  ['10 KB', 'Я'.repeat(10_240)],
  ['null bytes', 'Ив\u0000ан\u0000ов'],
  ['HTML entities', '&lt;b&gt;&amp;&#x3C;script&#x3E;'],
];

describe('Screen pop: hostile caller ids render inert', () => {
  it.each(HOSTILE)('a display name with %s never breaks the pop', async (_kind, hostile) => {
    const { phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'evil', number: '+79161234567', displayName: hostile }));
    await screen.findByTestId('screen-pop-name');
    expect(document.querySelector('img, script, b, iframe')).toBeNull();
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
    expect(screen.getByTestId('incoming-call-name').children).toHaveLength(0);
    expect(screen.getByTestId('answer-button')).toBeTruthy();
  });

  it.each(HOSTILE)('a patient card (MIS data) holding %s is drawn as text in the chooser and the pop', async (_kind, hostile) => {
    const evil = makePatient({ misId: 'P-666', surname: hostile, givenName: hostile.slice(0, 100) || 'x', patronymic: null, phones: [{ e164: '+79035550101', national10: '9035550101', kind: 'mobile' }], appointments: [] });
    const twin = makePatient({ misId: 'P-667', surname: `${hostile} 2`, givenName: 'Б', patronymic: null, phones: [{ e164: '+79035550102', national10: '9035550102', kind: 'mobile' }] });
    const twinShared = { ...twin, phones: evil.phones };
    const { phone } = await renderDesk({ patients: [evil, twinShared] });
    await act(async () => void phone.ring({ id: 'evil', number: '+79035550101', displayName: hostile }));
    const chooser = await screen.findByTestId('screen-pop-chooser');
    expect(within(chooser).getAllByTestId('screen-pop-choice')).toHaveLength(2);
    fireEvent.click(within(chooser).getAllByTestId('screen-pop-choice')[0]!);
    const name = screen.getByTestId('screen-pop-name');
    // Only the <bdi> isolation element, with text inside: nothing injected.
    expect(Array.from(name.querySelectorAll('*')).map((el) => el.tagName)).toEqual(['BDI']);
    expect(document.querySelector('img, script, b, iframe')).toBeNull();
    // Control characters blanked, text otherwise kept as given.
    // eslint-disable-next-line no-control-regex -- looking for exactly those characters
    expect(name.textContent).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/u);
    if (hostile.startsWith('<')) expect(name.textContent).toContain(hostile.split(' ')[0]!.slice(0, 10));
    if (hostile.startsWith('👩')) expect(name.textContent).toContain(hostile);
    // Never cut: it wraps (the contract caps each part of a name at 100 characters, so a real
    // card's name is a few lines at most).
    expect(name.closest('.truncate')).toBeNull();
    expect(pop().getAttribute('data-call-id')).toBe('evil');
  });

  it('a hostile number never reaches the lookup longer than the contract allows', async () => {
    const { desk, phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'long', number: '1'.repeat(100) }));
    await waitFor(() => expect(callerLookups(desk)).toHaveLength(1));
    expect((callerLookups(desk)[0] as { number: string }).number).toHaveLength(64);
    await screen.findByTestId('screen-pop-new');
  });
});

describe('Screen pop lifetime', () => {
  it('stays while the call is talked on and through the wrap-up; an unanswered call takes it away', async () => {
    const { phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '+79161234567' }));
    await screen.findByTestId('screen-pop-name');
    fireEvent.click(screen.getByTestId('answer-button'));
    await waitFor(() => expect(screen.queryByTestId('incoming-call')).toBeNull());
    expect(pop().getAttribute('data-call-id')).toBe('c1');
    act(() => phone.remoteHangup('c1'));
    expect(screen.getByTestId('wrap-up')).toBeTruthy();
    expect(pop().getAttribute('data-call-id')).toBe('c1');

    await act(async () => void phone.ring({ id: 'c2', number: '+79990001122' }));
    await screen.findByTestId('screen-pop-new');
    act(() => phone.remoteHangup('c2'));
    expect(document.querySelector('[data-testid="screen-pop"][data-call-id="c2"]')).toBeNull();
    expect(pop().getAttribute('data-call-id')).toBe('c1');
  });
});

describe('Screen pop: read as a product', () => {
  const LONG = makePatient({
    misId: 'P-77',
    surname: 'Римская-Корсакова-Воскресенская',
    givenName: 'Александра-Анастасия',
    patronymic: 'Константиновна',
    phones: [{ e164: '+77071161586', national10: '7071161586', kind: 'mobile' }],
  });
  const TWIN = makePatient({ ...LONG, misId: 'P-78', givenName: 'Елизавета-Виктория' });

  it('never cuts a name: the card and the chooser show the whole name, wrapping, with no ellipsis', async () => {
    const { desk } = await renderDesk({ patients: [LONG] });
    act(() => desk.emit('pbx:call', { event: 'ringing', callId: 'pbx-1', number: '87071161586', extension: '101' }));
    const name = await screen.findByTestId('screen-pop-name');
    expect(name.textContent).toBe('Римская-Корсакова-Воскресенская Александра-Анастасия Константиновна');
    expect(name.closest('.truncate')).toBeNull();
    expect(screen.getByTestId('screen-pop-number').textContent).toBe('+7 (707) 116-15-86');
    cleanup();

    const family = await renderDesk({ patients: [LONG, TWIN] });
    act(() => family.desk.emit('pbx:call', { event: 'ringing', callId: 'pbx-2', number: '+77071161586', extension: '101' }));
    const choices = within(await screen.findByTestId('screen-pop-chooser')).getAllByTestId('screen-pop-choice');
    expect(choices.map((choice) => choice.querySelector('.screen-pop-choice-name')!.textContent)).toEqual([
      'Римская-Корсакова-Воскресенская Александра-Анастасия Константиновна',
      'Римская-Корсакова-Воскресенская Елизавета-Виктория Константиновна',
    ]);
    for (const choice of choices) expect(choice.querySelector('.truncate')).toBeNull();
  });

  it('a desk-phone call on a desk without a softphone: the card comes first, the set-up advice is one line under it', async () => {
    // No SIP account: an operator on a hardware desk phone (CTI mode).
    const cti = createFakeDesk({ view: makeView({ settings: { language: 'ru' } }), patients: [LONG], cache: makeCacheStatus({ cards: 1, dataAsOf: T0 }) });
    render(<App desk={cti} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
    // Nothing going on: the full explanation of how to set the softphone up.
    const idle = await screen.findByTestId('phone-empty');
    expect(idle.getAttribute('data-compact')).toBeNull();
    expect(idle.textContent).toContain('Софтфон не настроен');

    act(() => cti.emit('pbx:call', { event: 'ringing', callId: 'pbx-1', number: '+77071161586', extension: '101' }));
    await screen.findByTestId('screen-pop-name');
    const setup = screen.getByTestId('phone-empty');
    expect(setup.getAttribute('data-compact')).toBe('true');
    expect(setup.textContent).toContain('Софтфон не настроен');
    // The call's card is above the advice, not pushed under it.
    expect(screen.getByTestId('screen-pop').compareDocumentPosition(setup) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    // The pop says what the desk phone is doing.
    expect(screen.getByTestId('screen-pop-call-state').textContent).toBe('звонит — снимите трубку');
    act(() => cti.emit('pbx:call', { event: 'answered', callId: 'pbx-1', number: '+77071161586', extension: '101' }));
    expect(screen.getByTestId('screen-pop-call-state').textContent).toBe('разговор');
    act(() => cti.emit('pbx:call', { event: 'ended', callId: 'pbx-1', number: '+77071161586', extension: '101' }));
    expect(screen.queryByTestId('screen-pop-call-state')).toBeNull();
    expect(screen.getByTestId('wrap-up').compareDocumentPosition(screen.getByTestId('phone-empty')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByTestId('phone-empty').getAttribute('data-compact')).toBe('true');
  });
});

describe('Screen pop: a transfer with context from the supervisor', () => {
  const TRANSFER = { number: '+74951112233', misId: 'P-11', note: 'Уточнить запись к кардиологу', from: { extension: '2001', name: 'Петрова Ольга' }, to: '1001', at: Date.parse(T0) };

  /** The core's answer for a transferred caller: the supervisor's card first and chosen, the note. */
  function transferLookup(desk: ReturnType<typeof createFakeDesk>, transfer: typeof TRANSFER) {
    desk.handle('screenPop.lookup', (input) =>
      input.callId === WARM_UP_CALL_ID
        ? { numberKey: null, matches: [], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null }
        : { numberKey: '+74951112233', matches: [SON, MOTHER, DAUGHTER], chosenMisId: 'P-11', dataAsOf: T0, lookupMs: 1, transfer },
    );
  }

  it('shows the note prominently, above the card the supervisor had open — not the family chooser', async () => {
    const { desk, phone } = await renderDesk({ language: 'ru' });
    transferLookup(desk, TRANSFER);
    await act(async () => void phone.ring({ id: 'c1', number: '+74951112233' }));
    const note = await screen.findByTestId('pop-transfer-note');
    expect(note.textContent).toBe('От супервизора Петрова Ольга: Уточнить запись к кардиологу');
    expect(note.getAttribute('data-from')).toBe('2001');
    expect(pop().contains(note)).toBe(true);
    expect(within(pop()).getByTestId('screen-pop-card').getAttribute('data-mis-id')).toBe('P-11');
    expect(within(pop()).queryByTestId('screen-pop-chooser')).toBeNull();
    // The note comes before the card, and the card shown is audited like any pop's.
    expect(note.compareDocumentPosition(within(pop()).getByTestId('screen-pop-card')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await waitFor(() => expect(desk.callsTo('screenPop.show')).toEqual([{ callId: 'c1', misId: 'P-11', chosen: false, numberKey: '+74951112233' }]));
    // The MIS refresh keeps the supervisor's card on screen.
    await waitFor(() => expect(pop().getAttribute('data-state')).toBe('updated'));
    expect(within(pop()).getByTestId('screen-pop-card').getAttribute('data-mis-id')).toBe('P-11');
    expect(screen.getByTestId('pop-transfer-note')).toBeTruthy();
  });

  it('a transfer without a note still says who sent the caller; its text stays inert', async () => {
    const { desk, phone } = await renderDesk({ language: 'ru' });
    transferLookup(desk, { ...TRANSFER, note: '', from: { extension: '2001', name: '<b>Петрова</b> Ольга' } });
    await act(async () => void phone.ring({ id: 'c2', number: '+74951112233' }));
    const note = await screen.findByTestId('pop-transfer-note');
    expect(note.textContent).toBe('Переведён супервизором <b>Петрова</b> Ольга');
    expect(note.querySelector('b')).toBeNull();
  });

  it("keeps the supervisor's card through the MIS refresh even when that card does not carry the number", async () => {
    const { desk, phone } = await renderDesk({ language: 'ru' });
    desk.handle('screenPop.lookup', (input) =>
      input.callId === WARM_UP_CALL_ID
        ? { numberKey: null, matches: [], chosenMisId: null, dataAsOf: T0, lookupMs: 1, transfer: null }
        : { numberKey: '+74951112233', matches: [ALENA, MOTHER, SON], chosenMisId: 'P-1', dataAsOf: T0, lookupMs: 1, transfer: { ...TRANSFER, misId: 'P-1' } },
    );
    await act(async () => void phone.ring({ id: 'c4', number: '+74951112233' }));
    await waitFor(() => expect(pop().getAttribute('data-state')).toBe('updated'));
    expect(within(pop()).getByTestId('screen-pop-card').getAttribute('data-mis-id')).toBe('P-1');
    expect(within(pop()).queryByTestId('screen-pop-chooser')).toBeNull();
  });

  it('an ordinary call has no note', async () => {
    const { phone } = await renderDesk({ language: 'ru' });
    await act(async () => void phone.ring({ id: 'c3', number: '+79161234567' }));
    await screen.findByTestId('screen-pop-name');
    expect(screen.queryByTestId('pop-transfer-note')).toBeNull();
  });
});

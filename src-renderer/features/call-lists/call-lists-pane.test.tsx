// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallListCounters, CallListOutcome, CallListOverview, CallListTask } from '../../../src-shared/call-lists/call-lists-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, DESK_AGENT, makePatient, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(cleanup);

const CONFIRM = 'confirm-tomorrow:2026-12-07';
const RECALL = 'recall:2026-12-06';
const RESULTS = 'results:2026-12-06';
const PETROV = { extension: '1002', name: 'Петров Павел' };
const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001' };

function makeTask(overrides: Partial<CallListTask> & { id: string }): CallListTask {
  return {
    listId: CONFIRM,
    patientMisId: `P-${overrides.id}`,
    patientName: `Пациент ${overrides.id}`,
    number: '+79161234567',
    reason: 'Приём терапевта',
    visit: { slotId: `slot-${overrides.id}`, appointmentId: `A-${overrides.id}`, startsAt: '2026-12-07T09:00:00+03:00', doctor: 'Смирнова Ольга Петровна', room: '101' },
    state: 'open',
    blockedBy: null,
    attempts: 0,
    nextAttemptAt: null,
    claimedBy: null,
    mine: false,
    outcome: null,
    closedAt: null,
    ...overrides,
  };
}

function counters(tasks: CallListTask[]): CallListCounters {
  const of = (state: CallListTask['state']) => tasks.filter((task) => task.state === state).length;
  return {
    total: tasks.length,
    done: of('done'),
    open: of('open') + of('claimed'),
    waiting: of('waiting'),
    blocked: of('blocked'),
    confirmed: tasks.filter((task) => task.state === 'done' && task.outcome === 'confirmed').length,
    cancelled: tasks.filter((task) => task.state === 'done' && task.outcome === 'cancelled').length,
    noAnswer: tasks.filter((task) => task.outcome === 'noAnswer').length,
  };
}

/**
 * Main's call lists for the fake desk: tasks per list; next / call / release / complete change
 * them like main (claim for this desk, noAnswer → waiting) and push `callLists:changed`.
 */
function fakeLists(desk: FakeDesk, init: { lists?: Record<string, CallListTask[]>; windowOpen?: boolean; shared?: boolean; via?: 'pbx' | 'softphone' } = {}) {
  const lists: Record<string, CallListTask[]> = {
    [CONFIRM]: [
      makeTask({ id: 'a', patientMisId: 'P-1', patientName: 'Римская-Корсакова Алёна Петровна' }),
      makeTask({ id: 'b', visit: { slotId: 's-b', appointmentId: 'A-b', startsAt: '2026-12-07T09:20:00+03:00', doctor: 'Кузнецов Игорь', room: null } }),
      makeTask({ id: 'c', state: 'claimed', claimedBy: PETROV }),
      makeTask({ id: 'd', state: 'blocked', blockedBy: 'noConsent' }),
      makeTask({ id: 'e', state: 'done', outcome: 'confirmed', closedAt: 1 }),
    ],
    [RECALL]: [makeTask({ id: 'r', listId: RECALL, visit: null, reason: 'повторный приём у кардиолога' })],
    [RESULTS]: [],
    ...init.lists,
  };
  const state = { windowOpen: init.windowOpen ?? true };
  const overview = (): CallListOverview => ({
    lists: [
      { id: CONFIRM, kind: 'confirm-tomorrow', day: '2026-12-07', counters: counters(lists[CONFIRM]!) },
      { id: RECALL, kind: 'recall', day: '2026-12-06', counters: counters(lists[RECALL]!) },
      { id: RESULTS, kind: 'results', day: '2026-12-06', counters: counters(lists[RESULTS]!) },
    ],
    window: { open: state.windowOpen, from: '09:00', to: '21:00', timeZone: 'Europe/Moscow' },
    shared: init.shared ?? true,
  });
  const find = (id: string) => {
    for (const tasks of Object.values(lists)) {
      const task = tasks.find((candidate) => candidate.id === id);
      if (task) return task;
    }
    throw new DeskError('CALL_LIST_TASK_NOT_FOUND', 'gone');
  };
  const change = (id: string, patch: Partial<CallListTask>): CallListTask => {
    const task = find(id);
    lists[task.listId] = lists[task.listId]!.map((candidate) => (candidate.id === id ? { ...candidate, ...patch } : candidate));
    desk.emit('callLists:changed', { listId: task.listId });
    return structuredClone(find(id));
  };
  const claim = (id: string) => change(id, { state: 'claimed', claimedBy: { ...DESK_AGENT }, mine: true });
  desk.handle('callLists.overview', () => overview());
  desk.handle('callLists.tasks', ({ listId }) => ({ tasks: structuredClone(lists[listId] ?? []), counters: counters(lists[listId] ?? []) }));
  desk.handle('callLists.next', ({ listId }) => {
    if (!state.windowOpen) return { task: null, why: 'outsideWindow' };
    const next = (lists[listId] ?? []).find((task) => task.state === 'open');
    return next ? { task: claim(next.id), why: null } : { task: null, why: 'allClaimed' };
  });
  desk.handle('callLists.call', ({ id }) => {
    const task = find(id);
    if (task.state === 'claimed' && !task.mine) throw new DeskError('CALL_LIST_TASK_TAKEN', 'taken');
    if (task.state !== 'claimed') claim(id);
    return { via: init.via ?? 'softphone', number: task.number! };
  });
  desk.handle('callLists.release', ({ id }) => change(id, { state: 'open', claimedBy: null, mine: false }));
  desk.handle('callLists.complete', ({ id, outcome }) =>
    outcome === 'noAnswer'
      ? change(id, { state: 'waiting', attempts: find(id).attempts + 1, outcome, claimedBy: null, mine: false, nextAttemptAt: Date.UTC(2026, 11, 6, 8, 30) })
      : change(id, { state: 'done', outcome, claimedBy: null, mine: false, closedAt: 2 }),
  );
  return {
    lists,
    state,
    /** Another desk (or the retry timer) changed a list: main pushes. */
    push(listId: string | null) {
      act(() => desk.emit('callLists:changed', { listId }));
    },
  };
}

async function openCallLists(desk: FakeDesk, phoneFactory: ReturnType<typeof fakePhoneFactory> | null = null) {
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={phoneFactory?.factory ?? null} />);
  await screen.findByTestId('app-info');
  const nav = await screen.findByTestId('nav-call-lists');
  expect(nav.textContent).toContain('Обзвон');
  fireEvent.click(nav);
  await waitFor(() => expect(screen.getByTestId('call-lists').getAttribute('data-state')).toBe('ready'));
  await screen.findAllByTestId('call-list-task');
}

const rows = () => screen.getAllByTestId('call-list-task');
const row = (id: string) => rows().find((candidate) => candidate.getAttribute('data-id') === id)!;
const tab = (listId: string) => screen.getAllByTestId('call-list-tab').find((candidate) => candidate.getAttribute('data-list-id') === listId)!;
const outcome = (id: string, which: CallListOutcome) => within(row(id)).getByTestId(`call-list-outcome-${which}`);

describe('Call lists pane', () => {
  it('shows the lists with their progress and the calling window; picks the list with someone to call; explains blocked rows', async () => {
    const desk = createFakeDesk();
    fakeLists(desk);
    await openCallLists(desk);

    expect(screen.getAllByTestId('call-list-tab').map((candidate) => candidate.getAttribute('data-list-id'))).toEqual([CONFIRM, RECALL, RESULTS]);
    expect(tab(CONFIRM).getAttribute('aria-selected')).toBe('true');
    expect(tab(CONFIRM).textContent).toContain('Подтверждение визитов');
    expect(tab(CONFIRM).textContent).toContain('7 декабря');
    const progress = within(tab(CONFIRM)).getByTestId('call-list-progress');
    expect(progress.getAttribute('data-done')).toBe('1');
    expect(progress.getAttribute('data-total')).toBe('5');
    expect(progress.textContent).toContain('1 из 5');
    expect(progress.textContent).toContain('подтвердили 1 · отменили 0 · не ответили 0');
    expect(screen.getByTestId('call-lists-window').getAttribute('data-open')).toBe('true');
    expect(screen.getByTestId('call-lists-window').textContent).toBe('Звоним с 09:00 до 21:00');

    expect(rows().map((candidate) => [candidate.getAttribute('data-id'), candidate.getAttribute('data-state')])).toEqual([
      ['a', 'open'],
      ['b', 'open'],
      ['c', 'claimed'],
      ['d', 'blocked'],
      ['e', 'done'],
    ]);
    expect(row('a').textContent).toContain('Римская-Корсакова Алёна Петровна');
    expect(row('a').textContent).toContain('+7 (916) 123-45-67');
    expect(within(row('a')).getByTestId('call-list-visit-time').textContent).toBe('9:00');
    expect(row('a').textContent).toContain('Смирнова Ольга Петровна · каб. 101');
    expect(within(row('c')).getByTestId('call-list-status').textContent).toBe('звонит Петров Павел (1002)');
    expect(within(row('c')).queryByTestId('call-list-call')).toBeNull();
    expect(row('d').getAttribute('data-blocked-by')).toBe('noConsent');
    expect(within(row('d')).getByTestId('call-list-status').textContent).toBe('нет согласия на звонки');
    expect(within(row('d')).queryByTestId('call-list-call')).toBeNull();
    expect(within(row('e')).getByTestId('call-list-status').textContent).toBe('подтвердил(а) визит');

    // Another list: its tasks and its outcomes.
    fireEvent.click(tab(RECALL));
    await waitFor(() => expect(rows().map((candidate) => candidate.getAttribute('data-id'))).toEqual(['r']));
    expect(desk.callsTo('callLists.tasks')).toContainEqual({ listId: RECALL });
  });

  it('"Next patient" claims the next one and opens their card; back on the pane the claim is first, with the outcome buttons of the list', async () => {
    const desk = createFakeDesk({ patients: [makePatient({ misId: 'P-1' })] });
    fakeLists(desk);
    await openCallLists(desk);
    fireEvent.click(screen.getByTestId('call-list-next'));
    await screen.findByTestId('patient-card');
    expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe('patients');
    expect(desk.callsTo('callLists.next')).toEqual([{ listId: CONFIRM }]);
    expect(desk.callsTo('patients.get')).toEqual([{ misId: 'P-1', reason: 'call', callId: null }]);

    fireEvent.click(screen.getByTestId('nav-call-lists'));
    await waitFor(() => expect(row('a').getAttribute('data-state')).toBe('claimed'));
    expect(tab(CONFIRM).getAttribute('aria-selected')).toBe('true');
    expect(row('a').getAttribute('data-mine')).toBe('true');
    expect(within(row('a')).getByTestId('call-list-status').textContent).toBe('звоните вы');
    expect(within(row('a')).getAllByRole('button').map((button) => button.getAttribute('data-testid')).filter((id) => id?.startsWith('call-list-outcome-'))).toEqual([
      'call-list-outcome-confirmed',
      'call-list-outcome-cancelled',
      'call-list-outcome-moved',
      'call-list-outcome-noAnswer',
      'call-list-outcome-wrongNumber',
    ]);
    fireEvent.click(outcome('a', 'confirmed'));
    await waitFor(() => expect(row('a').getAttribute('data-state')).toBe('done'));
    expect(desk.callsTo('callLists.complete')).toEqual([{ id: 'a', outcome: 'confirmed' }]);
    await waitFor(() => expect(within(tab(CONFIRM)).getByTestId('call-list-progress').getAttribute('data-confirmed')).toBe('2'));
  });

  it('calls in one click on the softphone (claiming it); noAnswer puts the row to wait; a recall offers its own outcomes', async () => {
    const view = makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: true });
    const desk = createFakeDesk({ view, sipPassword: 'desk-secret' });
    fakeLists(desk);
    const fake = fakePhoneFactory();
    await openCallLists(desk, fake);
    await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
    const phone = fake.phones[0]!;
    act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));

    fireEvent.click(within(row('b')).getByTestId('call-list-call'));
    await waitFor(() => expect(phone.actionsOf('call')).toEqual([{ method: 'call', args: ['+79161234567'] }]));
    expect(desk.callsTo('callLists.call')).toEqual([{ id: 'b' }]);
    await waitFor(() => expect(row('b').getAttribute('data-state')).toBe('claimed'));
    fireEvent.click(outcome('b', 'noAnswer'));
    await waitFor(() => expect(row('b').getAttribute('data-state')).toBe('waiting'));
    expect(within(row('b')).getByTestId('call-list-status').textContent).toMatch(/^не ответил\(а\), ещё раз в \d\d:30 · без ответа: 1$/);

    fireEvent.click(tab(RECALL));
    await waitFor(() => expect(rows().map((candidate) => candidate.getAttribute('data-id'))).toEqual(['r']));
    fireEvent.click(within(row('r')).getByTestId('call-list-call'));
    await waitFor(() => expect(row('r').getAttribute('data-mine')).toBe('true'));
    expect(within(row('r')).queryByTestId('call-list-outcome-confirmed')).toBeNull();
    fireEvent.click(outcome('r', 'booked'));
    await waitFor(() => expect(row('r').getAttribute('data-state')).toBe('done'));
  });

  it('outside the calling window: said above the list, Next and Call disabled', async () => {
    const desk = createFakeDesk();
    const lists = fakeLists(desk, { windowOpen: false });
    await openCallLists(desk);
    expect(screen.getByTestId('call-lists-window').getAttribute('data-open')).toBe('false');
    expect(screen.getByTestId('call-lists-window-closed').textContent).toContain('с 09:00 до 21:00');
    expect(screen.getByTestId('call-list-next').hasAttribute('disabled')).toBe(true);
    expect(within(row('a')).getByTestId('call-list-call').hasAttribute('disabled')).toBe(true);
    // 09:00 comes: main pushes, the pane reloads.
    lists.state.windowOpen = true;
    lists.push(null);
    await waitFor(() => expect(screen.getByTestId('call-list-next').hasAttribute('disabled')).toBe(false));
    expect(screen.queryByTestId('call-lists-window-closed')).toBeNull();
  });

  it("reloads on callLists:changed (another desk's claim), and says who has the patient when a call is refused", async () => {
    const desk = createFakeDesk();
    const lists = fakeLists(desk);
    await openCallLists(desk);
    lists.lists[CONFIRM] = lists.lists[CONFIRM]!.map((task) => (task.id === 'b' ? { ...task, state: 'claimed' as const, claimedBy: PETROV } : task));
    lists.push(CONFIRM);
    await waitFor(() => expect(row('b').getAttribute('data-state')).toBe('claimed'));
    expect(within(row('b')).queryByTestId('call-list-call')).toBeNull();

    // Between the list and the click, a colleague took «a».
    lists.lists[CONFIRM] = lists.lists[CONFIRM]!.map((task) => (task.id === 'a' ? { ...task, state: 'claimed' as const, claimedBy: PETROV } : task));
    fireEvent.click(within(row('a')).getByTestId('call-list-call'));
    const error = await within(row('a')).findByTestId('call-list-error');
    expect(error.getAttribute('data-code')).toBe('CALL_LIST_TASK_TAKEN');
    await waitFor(() => expect(row('a').getAttribute('data-state')).toBe('claimed'));
    await waitFor(() => expect(within(row('a')).getByTestId('call-list-error').textContent).toBe('Этому пациенту уже звонит Петров Павел (1002).'));
  });

  it('says why there is no next patient, and a CTI call rings the desk phone', async () => {
    const desk = createFakeDesk();
    fakeLists(desk, { lists: { [CONFIRM]: [makeTask({ id: 'x', state: 'claimed', claimedBy: PETROV })] }, via: 'pbx' });
    await openCallLists(desk);
    fireEvent.click(screen.getByTestId('call-list-next'));
    const why = await screen.findByTestId('call-list-next-why');
    expect(why.getAttribute('data-why')).toBe('allClaimed');
    expect(why.textContent).toBe('Оставшимся уже звонят коллеги.');
    expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe('call-lists');

    fireEvent.click(tab(RECALL));
    await waitFor(() => expect(rows().map((candidate) => candidate.getAttribute('data-id'))).toEqual(['r']));
    fireEvent.click(within(row('r')).getByTestId('call-list-call'));
    const note = await screen.findByTestId('call-list-calling');
    expect(note.getAttribute('data-via')).toBe('pbx');
  });

  it('a list not shared is said; a failed load says why with Retry', async () => {
    const desk = createFakeDesk();
    fakeLists(desk, { shared: false });
    await openCallLists(desk);
    expect(screen.getByTestId('call-lists-local-note').textContent).toContain('видно только на этом рабочем месте');
    cleanup();

    const failing = createFakeDesk();
    fakeLists(failing);
    failing.fail('callLists.overview', new DeskError('JOURNAL_UNAVAILABLE', 'db closed'));
    render(<App desk={failing} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
    fireEvent.click(await screen.findByTestId('nav-call-lists'));
    const error = await screen.findByTestId('call-lists-error');
    expect(error.textContent).toContain('Не удалось загрузить списки обзвона');
    fakeLists(failing);
    fireEvent.click(within(error).getByRole('button'));
    await waitFor(() => expect(screen.getByTestId('call-lists').getAttribute('data-state')).toBe('ready'));
    await screen.findAllByTestId('call-list-task');
    expect(screen.queryByTestId('call-lists-error')).toBeNull();
  });

  it('a cashier has no call lists', async () => {
    const desk = createFakeDesk({ view: makeView({ settings: { role: 'cashier' } }) });
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
    await screen.findByTestId('nav-patients');
    expect(screen.queryByTestId('nav-call-lists')).toBeNull();
    expect(desk.callsTo('callLists.overview')).toEqual([]);
  });
});

// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { DEFAULT_SETTINGS, DEFAULT_SUPERVISOR_SETTINGS, type Role } from '../../../src-shared/settings/settings-schema';
import type { MonitorSession, SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { MONITOR_EXPECT_MS } from './use-monitor-session';
import { WARM_UP_CALL_ID } from './use-screen-pop';

afterEach(cleanup);

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:2001@registratura.test', authUser: '2001' };
const AT = Date.parse(T0);

const kpi = { queue: null, name: 'Все очереди', waitingNow: 0, longestWaitNowSec: 0, longestWaitingSince: null, agentsLoggedIn: 0, agentsAvailable: 0, offered: 0, answered: 0, abandoned: 0, answeredWithinSla: 0, slaPercent: null, avgWaitSec: null, avgTalkSec: null, longestWaitTodaySec: 0 };

/** A live board with nothing on it but the supervisor's monitor session. */
function board(monitor: MonitorSession | null): SupervisorBoard {
  return {
    live: true,
    connector: 'asterisk-ami',
    at: AT,
    day: '2025-03-14',
    slaSeconds: 20,
    supervisorExtension: '2001',
    agents: [],
    queues: [],
    total: kpi,
    hourly: Array.from({ length: 24 }, (_, hour) => ({ hour, answered: 0, abandoned: 0 })),
    waiting: [],
    categories: [],
    callbacks: { slaMinutes: 15, tasksToday: 0, closedWithinSla: 0, closed: 0, open: 0, overdue: 0, percentWithinSla: null },
    thresholds: { ...DEFAULT_SUPERVISOR_SETTINGS },
    alerts: [],
    monitor,
    can: { monitor: true, transfer: true, pause: true },
  };
}

const session = (overrides: Partial<MonitorSession> = {}): MonitorSession => ({
  state: 'connecting',
  mode: 'listen',
  supervisorExtension: '2001',
  agent: { extension: '1001', name: 'Иванова Анна' },
  callId: 'agent-call-1',
  number: '+79161234567',
  since: AT,
  ...overrides,
});

/** A desk of `role` with a registered softphone, in Russian, on `pane`. */
async function renderDesk(options: { role?: Role; pane?: 'patients' | 'phone'; monitor?: MonitorSession | null } = {}) {
  const role = options.role ?? 'supervisor';
  const view = makeView({ settings: { sip: ACCOUNT, role, language: 'ru' }, sipPasswordSet: true });
  const desk = createFakeDesk({ view, sipPassword: 'desk-secret' });
  desk.handle('supervisor.board', () => board(options.monitor ?? null));
  desk.handle('supervisor.stopMonitor', () => ({ ok: true }));
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  phone.now = Date.now();
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  const pane = options.pane ?? 'patients';
  fireEvent.click(screen.getByTestId(`nav-${pane}`));
  await waitFor(() => expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe(pane));
  return { desk, phone };
}

const monitorBand = () => screen.queryByTestId('monitor-session');
const callerLookups = (desk: ReturnType<typeof createFakeDesk>) =>
  desk.callsTo('screenPop.lookup').filter((input) => (input as { callId: string }).callId !== WARM_UP_CALL_ID);
const ringingItems = () => screen.queryAllByTestId('call-bar-item').filter((element) => element.getAttribute('data-kind') === 'ringing');

describe('Monitor session: the supervisor listens on their own softphone', () => {
  it('expects the PBX call, answers it by itself, and shows it as a monitor session — not a ringing patient — until hung up there', async () => {
    const { desk, phone } = await renderDesk();
    await waitFor(() => expect(desk.callsTo('supervisor.board')).toHaveLength(1));
    expect(monitorBand()).toBeNull();
    expect(phone.actionsOf('expectIntercom')).toEqual([]);

    // The supervisor clicked listen: the board says connecting, and the phone is told to expect the PBX's call.
    act(() => desk.emit('supervisor:changed', board(session())));
    const band = await screen.findByTestId('monitor-session');
    expect(band.getAttribute('data-mode')).toBe('listen');
    expect(band.getAttribute('data-state')).toBe('connecting');
    expect(within(band).getByTestId('monitor-session-text').textContent).toBe('Прослушивание · Иванова Анна (1001)');
    expect(within(band).getByTestId('monitor-session-connecting')).toBeTruthy();
    expect(phone.actionsOf('expectIntercom')).toEqual([{ method: 'expectIntercom', args: [MONITOR_EXPECT_MS] }]);

    // The PBX rings the supervisor's phone with answer-after (intercom): answered at once, no ring anywhere.
    await act(async () => void phone.ring({ id: 'spy-1', number: '2001', displayName: 'ChanSpy', autoAnswerAfterSec: 0 }));
    expect(phone.actionsOf('answer')).toEqual([{ method: 'answer', args: ['spy-1'] }]);
    expect(phone.calls.find((call) => call.id === 'spy-1')).toMatchObject({ state: 'active', expectedIntercom: true });
    expect(ringingItems()).toEqual([]);
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    expect(screen.queryByTestId('screen-pop')).toBeNull();
    expect(callerLookups(desk)).toEqual([]);
    expect(screen.queryAllByTestId('call-bar-item').filter((element) => element.getAttribute('data-kind') !== 'monitor')).toEqual([]);

    // ChanSpy runs; the supervisor switched to whisper: the band follows the board, with the talk timer.
    act(() => desk.emit('supervisor:changed', board(session({ state: 'active', mode: 'whisper' }))));
    await waitFor(() => expect(monitorBand()!.getAttribute('data-state')).toBe('active'));
    expect(monitorBand()!.getAttribute('data-mode')).toBe('whisper');
    expect(within(monitorBand()!).getByTestId('monitor-session-text').textContent).toBe('Суфлирование · Иванова Анна (1001)');
    expect(within(monitorBand()!).getByTestId('monitor-session-timer').textContent).toMatch(/^\d\d:\d\d$/);
    // One expectation per session, whatever the board says next.
    expect(phone.actionsOf('expectIntercom')).toHaveLength(1);

    // On the Phone pane too, as the session — never as a call line.
    fireEvent.click(screen.getByTestId('nav-phone'));
    await waitFor(() => expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe('phone'));
    expect(monitorBand()).toBeTruthy();
    expect(screen.queryAllByTestId('call-line')).toEqual([]);

    // Hanging up there ends it: the call is hung up and main is told to stop the session.
    fireEvent.click(within(monitorBand()!).getByTestId('hangup-button'));
    await waitFor(() => expect(desk.callsTo('supervisor.stopMonitor')).toHaveLength(1));
    expect(phone.actionsOf('hangup')).toEqual([{ method: 'hangup', args: ['spy-1'] }]);
    expect(phone.ended.map((call) => [call.id, call.expectedIntercom])).toEqual([['spy-1', true]]);
    act(() => desk.emit('supervisor:changed', board(null)));
    await waitFor(() => expect(monitorBand()).toBeNull());

    // Not a patient call: no journal entry, no wrap-up.
    expect(desk.callsTo('calls.record')).toEqual([]);
    expect(desk.journal).toEqual([]);
    expect(screen.queryByTestId('wrap-up')).toBeNull();
    expect(screen.queryByTestId('call-bar')).toBeNull();
  });

  it('takes a PBX call that rang before the board said connecting, and its ring and pop go', async () => {
    const { desk, phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'spy-2', number: '2001', autoAnswerAfterSec: 0 }));
    await waitFor(() => expect(ringingItems()).toHaveLength(1));
    expect(phone.actionsOf('answer')).toEqual([]);
    act(() => desk.emit('supervisor:changed', board(session())));
    await waitFor(() => expect(phone.actionsOf('answer')).toEqual([{ method: 'answer', args: ['spy-2'] }]));
    expect(ringingItems()).toEqual([]);
    expect(monitorBand()!.getAttribute('data-call-id')).toBe('spy-2');
    fireEvent.click(screen.getByTestId('nav-phone'));
    await waitFor(() => expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe('phone'));
    expect(screen.queryByTestId('screen-pop')).toBeNull();
    expect(screen.queryByTestId('incoming-call')).toBeNull();
  });

  it('hangs up a monitor call the board no longer has a session for (ChanSpy can outlive the spied call)', async () => {
    const { desk, phone } = await renderDesk({ monitor: session() });
    await waitFor(() => expect(phone.actionsOf('expectIntercom')).toHaveLength(1));
    await act(async () => void phone.ring({ id: 'spy-3', number: '2001', autoAnswerAfterSec: 0 }));
    act(() => desk.emit('supervisor:changed', board(session({ state: 'active' }))));
    act(() => desk.emit('supervisor:changed', board(null)));
    await waitFor(() => expect(phone.actionsOf('hangup')).toEqual([{ method: 'hangup', args: ['spy-3'] }]));
    await waitFor(() => expect(monitorBand()).toBeNull());
    expect(desk.journal).toEqual([]);
    // The expectation was withdrawn when the call came; a session that ends withdraws nothing more.
    expect(phone.actionsOf('expectIntercom').map((action) => action.args[0])).toEqual([MONITOR_EXPECT_MS]);
  });

  it('a session stopped before the PBX rang: End withdraws the expectation, and the next intercom call rings as usual', async () => {
    const { desk, phone } = await renderDesk({ monitor: session() });
    const band = await screen.findByTestId('monitor-session');
    fireEvent.click(within(band).getByTestId('hangup-button'));
    await waitFor(() => expect(desk.callsTo('supervisor.stopMonitor')).toHaveLength(1));
    expect(phone.actionsOf('hangup')).toEqual([]);
    expect(phone.actionsOf('expectIntercom').map((action) => action.args[0])).toEqual([MONITOR_EXPECT_MS, 0]);
    act(() => desk.emit('supervisor:changed', board(null)));
    await waitFor(() => expect(monitorBand()).toBeNull());
    await act(async () => void phone.ring({ id: 'page-1', number: '3001', autoAnswerAfterSec: 0 }));
    await waitFor(() => expect(ringingItems()).toHaveLength(1));
    expect(phone.actionsOf('answer')).toEqual([]);
  });

  it('End says why when main refuses to stop a session with no call to hang up', async () => {
    const { desk } = await renderDesk({ monitor: session() });
    desk.fail('supervisor.stopMonitor', new DeskError('PBX_UNAVAILABLE', 'down'));
    fireEvent.click(within(await screen.findByTestId('monitor-session')).getByTestId('hangup-button'));
    expect((await screen.findByTestId('monitor-session-error')).textContent).toMatch(/^Сеанс не завершён: Нет связи с АТС/);
  });
});

describe('An intercom call with no monitor session expected behaves exactly as today', () => {
  it('on a supervisor desk with no session: it rings (autoAnswerIntercom is off), with its pop', async () => {
    const { desk, phone } = await renderDesk();
    await waitFor(() => expect(desk.callsTo('supervisor.board')).toHaveLength(1));
    await act(async () => void phone.ring({ id: 'page-2', number: '+79161234567', autoAnswerAfterSec: 0 }));
    await waitFor(() => expect(ringingItems()).toHaveLength(1));
    expect(callerLookups(desk)).toHaveLength(1);
    expect(phone.actionsOf('answer')).toEqual([]);
    expect(phone.actionsOf('expectIntercom')).toEqual([]);
    expect(monitorBand()).toBeNull();
  });

  it('an operator desk never asks for the board nor expects a call, whatever is pushed', async () => {
    const { desk, phone } = await renderDesk({ role: 'operator' });
    act(() => desk.emit('supervisor:changed', board(session())));
    await act(async () => void phone.ring({ id: 'page-3', number: '+79161234567', autoAnswerAfterSec: 0 }));
    await waitFor(() => expect(ringingItems()).toHaveLength(1));
    expect(desk.callsTo('supervisor.board')).toEqual([]);
    expect(phone.actionsOf('expectIntercom')).toEqual([]);
    expect(phone.actionsOf('answer')).toEqual([]);
    expect(monitorBand()).toBeNull();
  });
});

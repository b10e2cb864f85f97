// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { makeCallbackTask, makeStatus } from '../../test-support/fake-desk';
import { makeBoard, makeKpi, openSupervisor, START, supervisorDesk } from './supervisor-test-support';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const tiles = () => screen.queryAllByTestId('sv-agent');
const tile = (extension: string) => tiles().find((candidate) => candidate.getAttribute('data-extension') === extension)!;
const shownExtensions = () => tiles().map((candidate) => candidate.getAttribute('data-extension'));

async function openLive(board = makeBoard()) {
  const desk = supervisorDesk(board);
  const root = await openSupervisor(desk);
  await waitFor(() => expect(root.getAttribute('data-state')).toBe('live'));
  return { desk, root };
}

describe('Supervisor pane: states', () => {
  it('without a PBX link says so, with no tile, no figure and no zeros', async () => {
    const desk = supervisorDesk(makeBoard({ live: false, agents: [], queues: [], alerts: [] }));
    const root = await openSupervisor(desk);
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('not-live'));
    const notLive = screen.getByTestId('sv-not-live');
    expect(notLive.getAttribute('data-state')).toBe('no-pbx-link');
    expect(notLive.textContent).toContain('Нет связи с АТС');
    expect(tiles()).toHaveLength(0);
    expect(screen.queryAllByTestId('sv-kpi-row')).toHaveLength(0);
    expect(screen.queryByTestId('sv-callbacks-kpi')).toBeNull();
    expect(screen.queryByTestId('sv-chart-hourly')).toBeNull();
  });

  it('with the PBX connector not configured says that instead', async () => {
    const desk = supervisorDesk(makeBoard({ live: false, agents: [] }), { status: makeStatus() });
    const root = await openSupervisor(desk);
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('not-live'));
    expect(screen.getByTestId('sv-not-live').getAttribute('data-state')).toBe('not-configured');
  });

  it('a refused board load is said in plain words, with Retry', async () => {
    const desk = supervisorDesk(makeBoard());
    desk.fail('supervisor.board', new DeskError('FORBIDDEN', 'role operator'));
    const root = await openSupervisor(desk);
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('error'));
    expect(screen.getByTestId('sv-error').getAttribute('data-code')).toBe('FORBIDDEN');
    expect(screen.getByTestId('sv-error').textContent).toContain('только рабочему месту с ролью «Супервизор»');

    desk.handle('supervisor.board', () => makeBoard());
    fireEvent.click(screen.getByTestId('sv-retry'));
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('live'));
  });

  it('follows supervisor:changed, and greys out (no stale board) while the bridge is lost', async () => {
    const { desk, root } = await openLive();
    expect(tile('1001').getAttribute('data-state')).toBe('ready');
    const next = makeBoard();
    next.agents = next.agents.map((agent) => (agent.extension === '1001' ? { ...agent, state: 'ringing', since: START } : agent));
    act(() => desk.emit('supervisor:changed', next));
    expect(tile('1001').getAttribute('data-state')).toBe('ringing');

    act(() => desk.setBridge('reconnecting'));
    expect(root.getAttribute('data-state')).toBe('bridge-lost');
    expect(tiles()).toHaveLength(0);
    act(() => desk.setBridge('open'));
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('live'));
  });
});

describe('Supervisor pane: the agent board', () => {
  it('draws a tile per agent with state, level, extension, reason, call, handled, AHT, overdue and monitored marks; totals on top', async () => {
    const board = makeBoard();
    board.agents[0] = { ...board.agents[0]!, monitoredBy: { extension: '1050', mode: 'whisper' } };
    await openLive(board);

    expect(tiles()).toHaveLength(6);
    expect(tiles().map((candidate) => [candidate.getAttribute('data-extension'), candidate.getAttribute('data-state'), candidate.getAttribute('data-level')])).toEqual([
      ['1003', 'paused', 'red'],
      ['1005', 'ready', 'ok'],
      ['1004', 'wrap-up', 'amber'],
      ['1001', 'ready', 'ok'],
      ['1002', 'talking', 'ok'],
      ['1006', 'offline', 'ok'],
    ]);
    const talking = tile('1002');
    expect(talking.textContent).toContain('Петров Павел');
    expect(talking.textContent).toContain('1002');
    expect(within(talking).getByTestId('sv-agent-state').textContent).toBe('Разговор');
    expect(within(talking).getByTestId('sv-agent-call').textContent).toContain('+7 (903) 123-45-67');
    expect(within(talking).getByTestId('sv-agent-call').textContent).toContain('Сидоров И. П.');
    expect(talking.textContent).toContain('Регистратура');
    expect(within(talking).getByTestId('sv-agent-handled').getAttribute('data-value')).toBe('23');
    expect(within(talking).getByTestId('sv-agent-aht').textContent).toBe('ср. 4:10');
    expect(within(talking).getByTestId('sv-agent-monitored').getAttribute('data-mode')).toBe('whisper');

    const paused = tile('1003');
    expect(within(paused).getByTestId('sv-agent-state').textContent).toBe('Пауза: Обед');
    expect(within(paused).getByTestId('sv-agent-overdue').getAttribute('data-value')).toBe('2');
    expect(within(paused).queryByTestId('sv-agent-talk')).toBeNull();
    expect(within(paused).getByTestId('sv-agent-aht').textContent).toBe('ср. —');
    expect(within(tile('1001')).queryByTestId('sv-agent-overdue')).toBeNull();
    expect(within(tile('1001')).queryByTestId('sv-agent-monitored')).toBeNull();

    const totals = Object.fromEntries(screen.getAllByTestId('sv-total').map((total) => [total.getAttribute('data-state'), total.getAttribute('data-value')]));
    expect(totals).toEqual({ talking: '1', ringing: '0', 'wrap-up': '1', ready: '2', paused: '1', offline: '1' });
    expect(screen.getByTestId('sv-agents-count').textContent).toBe('6');
  });

  it('counts the talk time and the time in state each second on the shared clock', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START);
    await openLive();
    const talk = () => within(tile('1002')).getByTestId('sv-agent-talk').textContent;
    expect(talk()).toBe('01:05');
    expect(within(tile('1003')).getByTestId('sv-agent-time').textContent).toBe('25:00');
    act(() => vi.advanceTimersByTime(15_000));
    expect(talk()).toBe('01:20');
    expect(within(tile('1003')).getByTestId('sv-agent-time').textContent).toBe('25:15');
    expect(within(tile('1001')).getByTestId('sv-agent-time').textContent).toBe('00:25');
    // The longest wait now counts on between pushes (main pushes on changes only).
    const longest = screen.getAllByTestId('sv-kpi-row').find((row) => row.getAttribute('data-queue') === 'reception')!;
    expect(within(longest).getByTestId('sv-kpi-longest-live').getAttribute('data-value')).toBe('205');
  });

  it('filters by queue and by state, and sorts by name, state and time in state', async () => {
    await openLive();
    fireEvent.change(screen.getByTestId('sv-filter-queue'), { target: { value: 'lab' } });
    expect(shownExtensions()).toEqual(['1003', '1005', '1004']);
    expect(screen.getByTestId('sv-shown').textContent).toBe('показано 3 из 6');
    fireEvent.change(screen.getByTestId('sv-filter-state'), { target: { value: 'ready' } });
    expect(shownExtensions()).toEqual(['1005']);
    fireEvent.change(screen.getByTestId('sv-filter-state'), { target: { value: 'ringing' } });
    expect(shownExtensions()).toEqual([]);
    expect(screen.getByTestId('sv-agents-none')).toBeTruthy();

    fireEvent.change(screen.getByTestId('sv-filter-queue'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('sv-filter-state'), { target: { value: '' } });
    expect(shownExtensions()).toEqual(['1003', '1005', '1004', '1001', '1002', '1006']);
    fireEvent.change(screen.getByTestId('sv-sort'), { target: { value: 'state' } });
    expect(shownExtensions()).toEqual(['1002', '1004', '1005', '1001', '1003', '1006']);
    fireEvent.change(screen.getByTestId('sv-sort'), { target: { value: 'time' } });
    expect(shownExtensions()).toEqual(['1006', '1003', '1005', '1004', '1002', '1001']);
    const queueOptions = [...screen.getByTestId('sv-filter-queue').querySelectorAll('option')].map((option) => option.value);
    expect(queueOptions).toEqual(['', 'reception', 'lab']);
  });
});

describe('Supervisor pane: actions on an agent', () => {
  it('listen, whisper and barge on a talking agent send supervisor.monitor; off on one not talking', async () => {
    const { desk } = await openLive();
    fireEvent.click(tile('1001'));
    let detail = screen.getByTestId('sv-agent-detail');
    expect(detail.getAttribute('data-extension')).toBe('1001');
    for (const id of ['sv-listen', 'sv-whisper', 'sv-barge', 'sv-transfer']) expect(within(detail).getByTestId(id).hasAttribute('disabled'), id).toBe(true);
    expect(within(detail).getByTestId('sv-detail-note').textContent).toContain('пока оператор разговаривает');

    fireEvent.click(tile('1002'));
    detail = screen.getByTestId('sv-agent-detail');
    expect(tile('1002').getAttribute('aria-pressed')).toBe('true');
    expect(tile('1001').getAttribute('aria-pressed')).toBe('false');
    for (const id of ['sv-listen', 'sv-whisper', 'sv-barge', 'sv-transfer']) expect(within(detail).getByTestId(id).hasAttribute('disabled'), id).toBe(false);
    expect(within(detail).queryByTestId('sv-stop')).toBeNull();

    fireEvent.click(within(detail).getByTestId('sv-listen'));
    await waitFor(() => expect(desk.callsTo('supervisor.monitor')).toEqual([{ extension: '1002', mode: 'listen' }]));
    fireEvent.click(within(detail).getByTestId('sv-barge'));
    await waitFor(() => expect(desk.callsTo('supervisor.monitor')).toHaveLength(2));
    expect(desk.callsTo('supervisor.monitor')[1]).toEqual({ extension: '1002', mode: 'barge' });

    // A click again on the selected tile closes its bar.
    fireEvent.click(tile('1002'));
    expect(screen.queryByTestId('sv-agent-detail')).toBeNull();
  });

  it('without the PBX able to monitor, the monitor buttons stay off even on a talking agent', async () => {
    await openLive(makeBoard({ can: { monitor: false, transfer: true, pause: true } }));
    fireEvent.click(tile('1002'));
    const detail = screen.getByTestId('sv-agent-detail');
    for (const id of ['sv-listen', 'sv-whisper', 'sv-barge']) expect(within(detail).getByTestId(id).hasAttribute('disabled')).toBe(true);
    expect(within(detail).getByTestId('sv-transfer').hasAttribute('disabled')).toBe(false);
  });

  it("says main's refusals in plain words: the PBX's own reason, the role, no PBX link", async () => {
    const { desk } = await openLive();
    fireEvent.click(tile('1002'));
    const detail = screen.getByTestId('sv-agent-detail');

    desk.fail('supervisor.monitor', new DeskError('PBX_REFUSED', 'No such channel: SIP/1002-000000a1'));
    fireEvent.click(within(detail).getByTestId('sv-listen'));
    const error = await within(detail).findByTestId('sv-action-error');
    expect(error.getAttribute('data-code')).toBe('PBX_REFUSED');
    expect(error.textContent).toBe('АТС отказала: No such channel: SIP/1002-000000a1');

    desk.fail('supervisor.monitor', new DeskError('FORBIDDEN', 'operator desk'));
    fireEvent.click(within(detail).getByTestId('sv-whisper'));
    await waitFor(() => expect(within(detail).getByTestId('sv-action-error').getAttribute('data-code')).toBe('FORBIDDEN'));
    expect(within(detail).getByTestId('sv-action-error').textContent).toContain('только рабочему месту супервизора');

    desk.fail('supervisor.monitor', new DeskError('PBX_UNAVAILABLE', 'AMI down'));
    fireEvent.click(within(detail).getByTestId('sv-barge'));
    await waitFor(() => expect(within(detail).getByTestId('sv-action-error').getAttribute('data-code')).toBe('PBX_UNAVAILABLE'));
    expect(within(detail).getByTestId('sv-action-error').textContent).toContain('Нет связи с АТС');
    expect(within(detail).getByTestId('sv-action-error').textContent).not.toContain('AMI down');

    // The next request that goes through clears it.
    desk.handle('supervisor.monitor', () => ({ ok: true }));
    fireEvent.click(within(detail).getByTestId('sv-listen'));
    await waitFor(() => expect(within(detail).queryByTestId('sv-action-error')).toBeNull());
  });

  it('stops the monitor session from the agent it is on', async () => {
    const board = makeBoard({
      monitor: { state: 'active', mode: 'listen', supervisorExtension: '1050', agent: { extension: '1002', name: 'Петров Павел' }, callId: 'c-9', number: '+79031234567', since: START - 5_000 },
    });
    const { desk } = await openLive(board);
    fireEvent.click(tile('1001'));
    expect(within(screen.getByTestId('sv-agent-detail')).queryByTestId('sv-stop')).toBeNull();
    fireEvent.click(tile('1002'));
    const detail = screen.getByTestId('sv-agent-detail');
    expect(within(detail).getByTestId('sv-listen').getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(detail).getByTestId('sv-stop'));
    await waitFor(() => expect(desk.callsTo('supervisor.stopMonitor')).toEqual([{}]));
  });

  it('pauses with a reason from the settings and unpauses a paused agent', async () => {
    const { desk } = await openLive();
    fireEvent.click(tile('1001'));
    let detail = screen.getByTestId('sv-agent-detail');
    const reasons = [...within(detail).getByTestId<HTMLSelectElement>('sv-pause-reason').options].map((option) => option.value);
    expect(reasons).toEqual(['Обед', 'Обучение', 'Документы']);
    expect(within(detail).getByTestId('sv-unpause').hasAttribute('disabled')).toBe(true);
    fireEvent.change(within(detail).getByTestId('sv-pause-reason'), { target: { value: 'Обучение' } });
    fireEvent.click(within(detail).getByTestId('sv-pause'));
    await waitFor(() => expect(desk.callsTo('supervisor.setAgentStatus')).toEqual([{ extension: '1001', state: 'paused', reason: 'Обучение' }]));

    fireEvent.click(tile('1003'));
    detail = screen.getByTestId('sv-agent-detail');
    expect(within(detail).getByTestId('sv-unpause').hasAttribute('disabled')).toBe(false);
    fireEvent.click(within(detail).getByTestId('sv-unpause'));
    await waitFor(() => expect(desk.callsTo('supervisor.setAgentStatus')[1]).toEqual({ extension: '1003', state: 'ready' }));

    // Offline: no pause.
    fireEvent.click(tile('1006'));
    expect(within(screen.getByTestId('sv-agent-detail')).getByTestId('sv-pause').hasAttribute('disabled')).toBe(true);
  });

  it('transfers to a ready operator only, with a one-line note of at most 200 characters and misId null', async () => {
    const { desk } = await openLive();
    fireEvent.click(tile('1002'));
    fireEvent.click(within(screen.getByTestId('sv-agent-detail')).getByTestId('sv-transfer'));
    const dialog = screen.getByTestId('sv-transfer-dialog');
    const target = within(dialog).getByTestId<HTMLSelectElement>('sv-transfer-target');
    expect([...target.options].map((option) => [option.value, option.textContent])).toEqual([
      ['1005', 'Борисов Олег (1005)'],
      ['1001', 'Иванова Ольга (1001)'],
    ]);
    fireEvent.change(target, { target: { value: '1001' } });
    const note = within(dialog).getByTestId<HTMLInputElement>('sv-transfer-note');
    expect(note.maxLength).toBe(200);
    fireEvent.change(note, { target: { value: `  Перенос записи к кардиологу\n${'я'.repeat(300)}` } });
    expect(note.value).toHaveLength(200);
    expect(note.value).not.toContain('\n');
    fireEvent.change(note, { target: { value: '  Хочет перенести запись к кардиологу ' } });

    // A refusal stays in the dialog.
    desk.fail('supervisor.transfer', new DeskError('PBX_REFUSED', 'Redirect failed'));
    fireEvent.click(within(dialog).getByTestId('sv-transfer-confirm'));
    expect((await within(dialog).findByTestId('sv-transfer-error')).textContent).toBe('АТС отказала: Redirect failed');

    desk.handle('supervisor.transfer', () => ({ ok: true }));
    fireEvent.click(within(dialog).getByTestId('sv-transfer-confirm'));
    await waitFor(() => expect(screen.queryByTestId('sv-transfer-dialog')).toBeNull());
    expect(desk.callsTo('supervisor.transfer')).toEqual([
      { extension: '1002', target: '1001', misId: null, note: 'Хочет перенести запись к кардиологу' },
      { extension: '1002', target: '1001', misId: null, note: 'Хочет перенести запись к кардиологу' },
    ]);
  });

  it('with nobody ready the transfer cannot be confirmed, and Escape closes the dialog', async () => {
    const board = makeBoard();
    board.agents = board.agents.map((agent) => (agent.state === 'ready' ? { ...agent, state: 'paused', pauseReason: 'Обед' } : agent));
    await openLive(board);
    fireEvent.click(tile('1002'));
    fireEvent.click(screen.getByTestId('sv-transfer'));
    expect(screen.getByTestId<HTMLSelectElement>('sv-transfer-target').options).toHaveLength(0);
    expect(screen.getByTestId('sv-transfer-nobody')).toBeTruthy();
    expect(screen.getByTestId('sv-transfer-confirm').hasAttribute('disabled')).toBe(true);
    fireEvent.keyDown(screen.getByTestId('sv-transfer-note'), { key: 'Escape' });
    expect(screen.queryByTestId('sv-transfer-dialog')).toBeNull();
  });
});

describe('Supervisor pane: the monitor banner', () => {
  it('shows the session (connecting, then active) and switches the mode or stops it', async () => {
    const session = { state: 'connecting' as const, mode: 'listen' as const, supervisorExtension: '1050', agent: { extension: '1002', name: 'Петров Павел' }, callId: 'c-9', number: '+79031234567', since: START };
    const { desk } = await openLive(makeBoard({ monitor: session }));
    let banner = screen.getByTestId('sv-monitor');
    expect(banner.getAttribute('data-state')).toBe('connecting');
    expect(banner.getAttribute('data-mode')).toBe('listen');
    expect(banner.textContent).toContain('АТС звонит на ваш телефон 1050');
    expect(banner.textContent).toContain('Петров Павел (1002)');
    expect(banner.textContent).toContain('+7 (903) 123-45-67');

    act(() => desk.emit('supervisor:changed', makeBoard({ monitor: { ...session, state: 'active' } })));
    banner = screen.getByTestId('sv-monitor');
    expect(banner.getAttribute('data-state')).toBe('active');
    expect(banner.textContent).toContain('Вы слушаете разговор');
    const modes = within(banner).getAllByTestId('sv-monitor-mode');
    expect(modes.map((button) => [button.getAttribute('data-mode'), button.getAttribute('aria-pressed')])).toEqual([
      ['listen', 'true'],
      ['whisper', 'false'],
      ['barge', 'false'],
    ]);
    fireEvent.click(modes[1]!);
    await waitFor(() => expect(desk.callsTo('supervisor.monitor')).toEqual([{ extension: '1002', mode: 'whisper' }]));
    fireEvent.click(within(banner).getByTestId('sv-monitor-stop'));
    await waitFor(() => expect(desk.callsTo('supervisor.stopMonitor')).toEqual([{}]));

    act(() => desk.emit('supervisor:changed', makeBoard({ monitor: null })));
    expect(screen.queryByTestId('sv-monitor')).toBeNull();
  });
});

describe("Supervisor pane: today's figures, alerts, charts", () => {
  it("shows the board's KPI numbers per queue and in total, durations as m:ss, raw values in data-value", async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START);
    await openLive();
    const rows = screen.getAllByTestId('sv-kpi-row');
    expect(rows.map((row) => row.getAttribute('data-queue'))).toEqual(['reception', 'lab', '*']);
    const cell = (queue: string, id: string) => within(rows.find((row) => row.getAttribute('data-queue') === queue)!).getByTestId(id);
    const expected: [string, string, string][] = [
      ['sv-kpi-waiting', '7', '7'],
      ['sv-kpi-longest', '3:10', '190'],
      ['sv-kpi-loggedin', '3', '3'],
      ['sv-kpi-available', '1', '1'],
      ['sv-kpi-offered', '120', '120'],
      ['sv-kpi-answered', '100', '100'],
      ['sv-kpi-abandoned', '9', '9'],
      ['sv-kpi-sla', '73 %', '73.39'],
      ['sv-kpi-avg-wait', '0:25', '24.6'],
      ['sv-kpi-avg-talk', '3:05', '185'],
    ];
    for (const [id, text, value] of expected) {
      expect(cell('reception', id).textContent, id).toBe(text);
      expect(cell('reception', id).getAttribute('data-value'), id).toBe(value);
    }
    expect(cell('*', 'sv-kpi-offered').getAttribute('data-value')).toBe('140');
    expect(cell('*', 'sv-kpi-sla').textContent).toBe('77 %');
    expect(cell('*', 'sv-kpi-avg-wait').textContent).toBe('0:22');
    expect(rows[2]!.textContent).toContain('Все очереди');
    // Below the 80 % target: red.
    expect(cell('reception', 'sv-kpi-sla').getAttribute('data-alert')).toBe('bad');
    expect(cell('lab', 'sv-kpi-sla').getAttribute('data-alert')).toBeNull();
    expect(cell('lab', 'sv-kpi-waiting').getAttribute('data-value')).toBe('0');
  });

  it('shows a dash and an empty data-value before the first call', async () => {
    await openLive(makeBoard({ queues: [makeKpi({ queue: 'reception' })], total: makeKpi({ queue: null }) }));
    const total = screen.getAllByTestId('sv-kpi-row').find((row) => row.getAttribute('data-queue') === '*')!;
    expect(within(total).getByTestId('sv-kpi-sla').textContent).toBe('—');
    expect(within(total).getByTestId('sv-kpi-sla').getAttribute('data-value')).toBe('');
    expect(within(total).getByTestId('sv-kpi-avg-talk').textContent).toBe('—');
    expect(within(total).getByTestId('sv-kpi-longest').textContent).toBe('0:00');
  });

  it('shows the missed-call SLA and the calls by wrap-up category', async () => {
    await openLive();
    const box = screen.getByTestId('sv-callbacks-kpi');
    expect(box.getAttribute('data-percent')).toBe('83.3');
    expect(box.getAttribute('data-open')).toBe('1');
    expect(box.getAttribute('data-overdue')).toBe('1');
    expect(within(box).getByTestId('sv-callbacks-percent').textContent).toBe('83 %');
    expect(box.textContent).toContain('перезвонили в течение 15 мин');
    expect(within(box).getByTestId('sv-callbacks-closed').getAttribute('data-value')).toBe('11');
    expect(within(box).getByTestId('sv-callbacks-closed-in-time').textContent).toBe('10 в срок');
    const categories = screen.getAllByTestId('sv-category');
    expect(categories.map((row) => [row.getAttribute('data-category'), row.getAttribute('data-value')])).toEqual([
      ['Запись', '61'],
      ['Справка', '14'],
    ]);
  });

  it('shows the alerts main raised, per queue or for all queues', async () => {
    await openLive();
    const alerts = screen.getAllByTestId('sv-alert');
    expect(alerts.map((alert) => [alert.getAttribute('data-kind'), alert.getAttribute('data-queue')])).toEqual([
      ['waitingCallers', 'reception'],
      ['longestWait', 'reception'],
      ['slaBelowTarget', '*'],
    ]);
    expect(alerts[0]!.textContent).toContain('Регистратура');
    expect(alerts[0]!.textContent).toContain('ждут 7 (порог 5)');
    expect(alerts[1]!.textContent).toContain('ожидание 3:10 (порог 2:00)');
    expect(alerts[2]!.textContent).toContain('Все очереди');
    expect(alerts[2]!.textContent).toContain('SLA 77 % — ниже цели 80 %');
  });

  it('draws the hourly bars and the waiting line, and a chart that cannot draw never breaks the pane', async () => {
    await openLive();
    const hourly = screen.getByTestId('sv-chart-hourly');
    expect(hourly.getAttribute('data-bars')).toBe('5'); // 08..12 (it is 12:05 in Moscow)
    expect(hourly.querySelector('svg')).not.toBeNull();
    expect(hourly.getAttribute('aria-label')).toBe('Сегодня принято 83, потеряно 7');
    const waiting = screen.getByTestId('sv-chart-waiting');
    expect(waiting.getAttribute('data-points')).toBe('3');
    expect(screen.getByTestId('sv-chart-waiting-summary').textContent).toBe('сейчас 7, пик 9 в 12:04');
    // jsdom has no canvas: uPlot cannot run, the chart says so and the rest of the pane stays.
    await waitFor(() => expect(waiting.getAttribute('data-state')).toBe('unavailable'));
    expect(screen.getByTestId('supervisor-pane').getAttribute('data-state')).toBe('live');
    expect(tiles()).toHaveLength(6);
  });
});

describe('Supervisor pane: thresholds', () => {
  it('validates with the shared schema and saves only what changed', async () => {
    const { desk } = await openLive();
    const form = screen.getByTestId('sv-thresholds');
    const save = within(form).getByTestId('sv-thresholds-save');
    expect(within(form).getByTestId<HTMLInputElement>('sv-threshold-pauseAmberMinutes').value).toBe('10');
    expect(save.hasAttribute('disabled')).toBe(true);

    fireEvent.change(within(form).getByTestId('sv-threshold-pauseAmberMinutes'), { target: { value: '0' } });
    fireEvent.change(within(form).getByTestId('sv-threshold-wrapUpRedSeconds'), { target: { value: '30' } });
    fireEvent.click(save);
    const problems = within(form).getAllByTestId('sv-threshold-error');
    expect(problems.map((problem) => [problem.getAttribute('data-field'), problem.getAttribute('data-problem')])).toEqual([
      ['pauseAmberMinutes', 'invalid'],
      ['wrapUpRedSeconds', 'redBeforeAmber'],
    ]);
    expect(problems[0]!.textContent).toBe('Нужно целое число: от 1 до 480.');
    expect(within(form).getByTestId('sv-threshold-pauseAmberMinutes').getAttribute('aria-invalid')).toBe('true');
    expect(desk.callsTo('supervisor.setThresholds')).toEqual([]);

    fireEvent.change(within(form).getByTestId('sv-threshold-pauseAmberMinutes'), { target: { value: '12' } });
    fireEvent.change(within(form).getByTestId('sv-threshold-wrapUpRedSeconds'), { target: { value: '240' } });
    fireEvent.change(within(form).getByTestId('sv-threshold-patientNames'), { target: { value: 'none' } });
    fireEvent.click(save);
    await waitFor(() => expect(desk.callsTo('supervisor.setThresholds')).toEqual([{ pauseAmberMinutes: 12, wrapUpRedSeconds: 240, patientNames: 'none' }]));
    expect(await within(form).findByTestId('sv-thresholds-saved')).toBeTruthy();
  });

  it('says a refusal to save', async () => {
    const { desk } = await openLive();
    desk.fail('supervisor.setThresholds', new DeskError('SETTINGS_MANAGED', 'managed'));
    const form = screen.getByTestId('sv-thresholds');
    fireEvent.change(within(form).getByTestId('sv-threshold-slaTargetPercent'), { target: { value: '90' } });
    fireEvent.click(within(form).getByTestId('sv-thresholds-save'));
    expect((await within(form).findByTestId('sv-thresholds-error')).getAttribute('data-code')).toBe('SETTINGS_MANAGED');
  });

  it('follows the board while untouched', async () => {
    const { desk } = await openLive();
    act(() => desk.emit('supervisor:changed', makeBoard({ thresholds: { ...makeBoard().thresholds, slaTargetPercent: 90 } })));
    expect(screen.getByTestId<HTMLInputElement>('sv-threshold-slaTargetPercent').value).toBe('90');
  });
});

describe('Supervisor pane: callback hand-over', () => {
  it('lists the tasks still owed (overdue first) and hands one to an operator', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START);
    const board = makeBoard();
    const desk = supervisorDesk(board, {
      callbacks: {
        slaMinutes: 15,
        shared: true,
        tasks: [
          makeCallbackTask({ id: 'later', number: '+74951112233', firstAt: START - 60_000, dueAt: START + 14 * 60_000 }),
          makeCallbackTask({ id: 'closed', number: '+79160000001', state: 'done', closedBy: 'operatorReached', closedAt: START - 1_000, dueAt: START - 60_000 }),
          makeCallbackTask({ id: 'late', number: '+79161234567', state: 'claimed', claimedBy: { extension: '1003', name: 'Абрамова Анна' }, claimedAt: START - 600_000, dueAt: START - 120_000 }),
        ],
      },
    });
    const root = await openSupervisor(desk);
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('live'));
    const rows = () => screen.getAllByTestId('sv-callback');
    await waitFor(() => expect(rows().map((row) => row.getAttribute('data-id'))).toEqual(['late', 'later']));
    expect(rows()[0]!.getAttribute('data-overdue')).toBe('true');
    expect(rows()[0]!.textContent).toContain('просрочено 02:00');
    // Read across the room like the board: the number masked (privacy.boardPhones, default).
    expect(rows()[0]!.textContent).toContain('+7 916 ***-**-67');
    expect(rows()[0]!.textContent).not.toContain('123-45-67');
    expect(within(rows()[0]!).getByTestId('sv-callback-claimed').textContent).toBe('Абрамова Анна (1003)');
    // Not offered back to who has it, nor to anyone offline.
    const options = [...within(rows()[0]!).getByTestId<HTMLSelectElement>('sv-reassign-target').options].map((option) => option.value);
    expect(options).toEqual(['1005', '1004', '1001', '1002']);
    fireEvent.change(within(rows()[0]!).getByTestId('sv-reassign-target'), { target: { value: '1001' } });
    fireEvent.click(within(rows()[0]!).getByTestId('sv-reassign'));
    await waitFor(() => expect(desk.callsTo('supervisor.reassignCallback')).toEqual([{ id: 'late', extension: '1001' }]));

    // The worklist's event moves the row.
    act(() =>
      desk.emit('callbacks:changed', {
        slaMinutes: 15,
        shared: true,
        tasks: [makeCallbackTask({ id: 'later', number: '+74951112233', firstAt: START - 60_000, dueAt: START + 14 * 60_000 })],
      }),
    );
    expect(rows().map((row) => row.getAttribute('data-id'))).toEqual(['later']);

    desk.fail('supervisor.reassignCallback', new DeskError('CALLBACK_NOT_FOUND', 'gone'));
    fireEvent.click(within(rows()[0]!).getByTestId('sv-reassign'));
    await act(async () => {
      await Promise.resolve();
    });
    await waitFor(() => expect(screen.getByTestId('sv-callback-error').getAttribute('data-code')).toBe('CALLBACK_NOT_FOUND'));
  });
});

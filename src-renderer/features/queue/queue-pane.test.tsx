// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { QueueView } from '../../../src-shared/pbx/pbx-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeAgent, makeCaller, makeQueueView, makeStatus, makeView, T0, type FakeDesk } from '../../test-support/fake-desk';

// jsdom has no layout: give the queue's scrollers a viewport so the virtual lists render rows.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('queue-scroll') ? 600 : 0;
    },
  });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const START = Date.parse(T0);
const ONLINE = makeStatus({ pbx: { state: 'online', since: T0, detail: null } });

/** A board: two queues, three callers (one waiting 30 s), three agents (this desk's 1001 among them). */
function board(): QueueView {
  return makeQueueView({
    board: {
      at: START,
      queues: [
        { id: 'reception', name: 'Регистратура' },
        { id: 'lab', name: 'Анализы' },
      ],
      callers: [
        makeCaller({ callId: 'c-2', number: '+74951112233', queue: 'lab', position: 1, joinedAt: START - 5_000 }),
        makeCaller({ callId: 'c-1', number: '89161234567', queue: 'reception', position: 1, joinedAt: START - 30_000 }),
        makeCaller({ callId: 'c-3', number: '1002', queue: 'reception', position: 2, joinedAt: START - 2_000 }),
      ],
      agents: [
        makeAgent({ extension: '1002', name: 'Петров Павел', state: 'talking', since: START - 65_000, call: { callId: 'c-9', number: '+79031234567', queue: 'reception', since: START - 65_000 } }),
        makeAgent({ extension: '1003', name: 'Абрамова Анна', state: 'paused', pauseReason: 'Обед', since: START - 600_000 }),
        makeAgent({ extension: '1001', name: 'Иванова Ольга', state: 'ready', since: START - 10_000 }),
      ],
      counters: [
        { queue: 'reception', offered: 40, answered: 30, abandoned: 4, answeredWithinSla: 27, waitSecTotal: 600, longestWaitSec: 95, talks: 30, talkSecTotal: 5_400 },
      ],
    },
    patientNames: { '89161234567': 'Римская-Корсакова Алёна Петровна', '+79031234567': 'Сидоров Иван' },
    agentExtension: '1001',
    slaSeconds: 20,
  });
}

async function openQueue(desk: FakeDesk) {
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
  await screen.findByTestId('app-info');
  fireEvent.click(await screen.findByTestId('nav-queue'));
  return screen.findByTestId('queue-view');
}

const callers = () => screen.queryAllByTestId('queue-caller');
const agents = () => screen.queryAllByTestId('queue-agent');

describe('Queue pane', () => {
  it('lists the waiting callers longest first, with number, cached name, queue, position and a live wait; red past the SLA', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START);
    const desk = createFakeDesk({ status: ONLINE, queue: board() });
    const root = await openQueue(desk);
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('live'));

    expect(callers().map((row) => row.getAttribute('data-call-id'))).toEqual(['c-1', 'c-2', 'c-3']);
    const first = callers()[0]!;
    expect(first.textContent).toContain('+7 (916) 123-45-67');
    expect(first.textContent).toContain('Римская-Корсакова Алёна Петровна');
    expect(first.textContent).toContain('Регистратура');
    expect(within(first).getByTestId('queue-caller-wait').textContent).toBe('00:30');
    expect(first.getAttribute('data-over-sla')).toBe('true');
    expect(callers()[1]!.getAttribute('data-over-sla')).toBe('false');
    expect(within(callers()[1]!).getByTestId('queue-caller-name').textContent).toBe('—');
    expect(callers()[2]!.textContent).toContain('1002'); // an extension is shown as it came
    expect(screen.getByTestId('queue-callers-count').textContent).toBe('3');

    // The clock moves: waits count, and the lab caller crosses the 20 s SLA at 15 s from now.
    act(() => vi.advanceTimersByTime(15_000));
    expect(within(callers()[1]!).getByTestId('queue-caller-wait').textContent).toBe('00:20');
    expect(callers()[1]!.getAttribute('data-over-sla')).toBe('true');
    expect(callers()[2]!.getAttribute('data-over-sla')).toBe('false');
    expect(screen.getByTestId('queue-longest-wait').textContent).toContain('00:45');
  });

  it('lists the agents (this desk first, highlighted) with state, reason, time in state and the caller they talk to', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START);
    const desk = createFakeDesk({ status: ONLINE, queue: board() });
    await openQueue(desk);
    await waitFor(() => expect(agents()).toHaveLength(3));

    expect(agents().map((row) => [row.getAttribute('data-extension'), row.getAttribute('data-state')])).toEqual([
      ['1001', 'ready'],
      ['1003', 'paused'],
      ['1002', 'talking'],
    ]);
    const [me, paused, talking] = agents() as [HTMLElement, HTMLElement, HTMLElement];
    expect(me.getAttribute('data-me')).toBe('true');
    expect(me.className).toContain('is-me');
    expect(paused.getAttribute('data-me')).toBeNull();
    expect(within(paused).getByTestId('queue-agent-state').textContent).toBe('Пауза: Обед');
    expect(within(paused).getByTestId('queue-agent-time').textContent).toBe('10:00');
    expect(within(talking).getByTestId('queue-agent-state').textContent).toBe('Разговор');
    expect(within(talking).getByTestId('queue-agent-call').textContent).toContain('+7 (903) 123-45-67');
    expect(within(talking).getByTestId('queue-agent-call').textContent).toContain('Сидоров Иван');
    expect(within(talking).getByTestId('queue-agent-time').textContent).toBe('01:05');
    act(() => vi.advanceTimersByTime(2_000));
    expect(within(talking).getByTestId('queue-agent-time').textContent).toBe('01:07');
    expect(screen.getByTestId('queue-agents-paused').textContent).toContain('1');
  });

  it("shows today's numbers per queue: offered, answered, abandoned, average and longest wait, average talk, SLA %", async () => {
    const desk = createFakeDesk({ status: ONLINE, queue: board() });
    await openQueue(desk);
    const blocks = await screen.findAllByTestId('queue-stats');
    expect(blocks.map((block) => block.getAttribute('data-queue'))).toEqual(['reception', 'lab']);
    const reception = blocks[0]!;
    const figure = (name: string) => reception.querySelector(`[data-figure="${name}"]`)!;
    expect(figure('offered').textContent).toContain('40');
    expect(figure('answered').textContent).toContain('30');
    expect(figure('abandoned').textContent).toContain('4');
    expect(figure('avgWait').textContent).toContain('00:20'); // 600 s over 30 answered
    expect(figure('longestWait').textContent).toContain('01:35');
    expect(figure('avgTalk').textContent).toContain('03:00');
    expect(figure('sla').getAttribute('data-value')).toBe('79'); // 27 of 34 handled
    expect(figure('sla').textContent).toContain('79 %');
    expect(figure('sla').textContent).toContain('20 с');
    expect(figure('waiting').getAttribute('data-value')).toBe('2');
    // A queue with no counters yet reads zero and dashes, never invented figures.
    const lab = blocks[1]!;
    expect(lab.querySelector('[data-figure="offered"]')!.textContent).toContain('0');
    expect(lab.querySelector('[data-figure="avgWait"]')!.textContent).toContain('—');
    expect(lab.querySelector('[data-figure="sla"]')!.textContent).toContain('—');
  });

  it('follows queue:changed (no polling): a caller answered leaves, an agent changes state, the numbers move', async () => {
    const desk = createFakeDesk({ status: ONLINE, queue: board() });
    await openQueue(desk);
    await waitFor(() => expect(callers()).toHaveLength(3));
    const next = board();
    next.board.callers = next.board.callers.filter((caller) => caller.callId !== 'c-1');
    next.board.agents = next.board.agents.map((agent) =>
      agent.extension === '1001' ? { ...agent, state: 'talking', since: START, call: { callId: 'c-1', number: '89161234567', queue: 'reception', since: START } } : agent,
    );
    next.board.counters = [{ ...next.board.counters[0]!, offered: 41, answered: 31 }];
    act(() => desk.emit('queue:changed', next));

    expect(callers().map((row) => row.getAttribute('data-call-id'))).toEqual(['c-2', 'c-3']);
    const me = agents().find((row) => row.getAttribute('data-extension') === '1001')!;
    expect(me.getAttribute('data-state')).toBe('talking');
    expect(within(me).getByTestId('queue-agent-call').textContent).toContain('Римская-Корсакова');
    expect(screen.getAllByTestId('queue-stats')[0]!.querySelector('[data-figure="answered"]')!.textContent).toContain('31');
    expect(desk.callsTo('queue.view')).toHaveLength(1);
  });

  it('says it is connecting while the board is not live, and loads it again when the bridge comes back', async () => {
    const desk = createFakeDesk({ status: ONLINE, queue: makeQueueView({ live: false }) });
    const root = await openQueue(desk);
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('connecting'));
    expect(screen.getByTestId('queue-connecting').textContent).toContain('Подключение к АТС…');
    expect(callers()).toHaveLength(0);

    act(() => desk.setBridge('reconnecting'));
    desk.queue = board();
    act(() => desk.setBridge('open'));
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('live'));
    expect(desk.callsTo('queue.view')).toHaveLength(2);
    expect(callers()).toHaveLength(3);
  });

  it('says the PBX connector is not configured instead of an empty board', async () => {
    const desk = createFakeDesk({ status: makeStatus({ pbx: { state: 'disabled', since: T0, detail: 'connectorNotAvailable' } }) });
    const root = await openQueue(desk);
    expect(root.getAttribute('data-state')).toBe('not-configured');
    expect(screen.getByTestId('queue-not-configured').textContent).toContain('коннектор АТС не настроен');
    expect(screen.getByTestId('queue-not-configured').textContent).toContain('Коннектор этой системы не входит в сборку.');
  });

  it('a failed load says why and Retry asks again', async () => {
    const desk = createFakeDesk({ status: ONLINE });
    desk.fail('queue.view', new DeskError('PBX_UNAVAILABLE', 'not connected'));
    const root = await openQueue(desk);
    const error = await screen.findByTestId('queue-error');
    expect(error.getAttribute('data-code')).toBe('PBX_UNAVAILABLE');
    expect(error.textContent).toContain('Нет связи с АТС');
    expect(error.textContent).not.toContain('not connected');
    desk.handle('queue.view', () => board());
    fireEvent.click(within(error).getByRole('button'));
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('live'));
  });

  it('a cashier never asks for the queue or the callbacks', async () => {
    const desk = createFakeDesk({ status: ONLINE, view: makeView({ settings: { role: 'cashier' } }) });
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
    await screen.findByTestId('pane-patients');
    await screen.findByTestId('app-info');
    expect(desk.callsTo('queue.view')).toHaveLength(0);
    expect(desk.callsTo('callbacks.list')).toHaveLength(0);
    expect(screen.queryByTestId('agent-status')).toBeNull();
  });
});

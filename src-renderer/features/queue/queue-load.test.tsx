// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueView } from '../../../src-shared/pbx/pbx-contract';
import type { AgentState, QueueAgent, QueueCaller } from '../../../src-shared/pbx/pbx-model';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeQueueView, makeStatus, T0 } from '../../test-support/fake-desk';

// jsdom has no layout: give the queue's scrollers a 600 px viewport, as on a 768 px-high screen.
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
afterEach(cleanup);

const AGENTS = 200;
const CALLERS = 500;
const UPDATES = 250;
const START = Date.parse(T0);
const STATES: readonly AgentState[] = ['ready', 'paused', 'talking', 'ringing', 'wrap-up', 'offline'];

/** A deterministic pseudo-random sequence (the board is the same on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function bigBoard(): QueueView {
  const queues = Array.from({ length: 4 }, (_, i) => ({ id: `q${i}`, name: `Очередь ${i + 1}` }));
  const agents: QueueAgent[] = Array.from({ length: AGENTS }, (_, i) => ({
    extension: String(1001 + i),
    name: `Оператор ${String(i + 1).padStart(3, '0')}`,
    state: STATES[i % STATES.length]!,
    since: START - i * 1_000,
    pauseReason: i % STATES.length === 1 ? 'Обед' : null,
    queues: [`q${i % 4}`],
    call: null,
  }));
  const callers: QueueCaller[] = Array.from({ length: CALLERS }, (_, i) => ({
    callId: `call-${i}`,
    number: `+7916${String(1_000_000 + i).slice(1)}`,
    queue: `q${i % 4}`,
    position: Math.floor(i / 4) + 1,
    joinedAt: START - (CALLERS - i) * 500,
  }));
  const counters = queues.map((queue, i) => ({
    queue: queue.id,
    offered: 300 + i,
    answered: 250,
    abandoned: 20,
    answeredWithinSla: 200,
    waitSecTotal: 5_000,
    longestWaitSec: 300,
    talks: 250,
    talkSecTotal: 40_000,
  }));
  const patientNames: Record<string, string> = {};
  for (const caller of callers.slice(0, 200)) patientNames[caller.number] = `Пациент ${caller.callId}`;
  return makeQueueView({ board: { at: START, queues, callers, agents, counters }, patientNames, agentExtension: '1001' });
}

/** The next board: a few agents change state, a caller is answered and a new one joins, counters move. */
function nextBoard(previous: QueueView, step: number, next: () => number): QueueView {
  const view = structuredClone(previous);
  view.board.at = START + step * 20;
  for (let k = 0; k < 3; k++) {
    const agent = view.board.agents[Math.floor(next() * AGENTS)]!;
    agent.state = STATES[Math.floor(next() * STATES.length)]!;
    agent.since = view.board.at;
    agent.pauseReason = agent.state === 'paused' ? 'Обучение' : null;
  }
  view.board.callers.shift();
  view.board.callers.push({ callId: `call-new-${step}`, number: `+7903${String(1_000_000 + step).slice(1)}`, queue: `q${step % 4}`, position: 126, joinedAt: view.board.at });
  view.board.counters[step % 4]!.offered++;
  view.board.counters[step % 4]!.answered++;
  return view;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

describe('Queue pane under load', () => {
  it(`keeps up with ${UPDATES} queue:changed at ${AGENTS} agents and ${CALLERS} callers, and shows the last state`, async () => {
    const first = bigBoard();
    const desk = createFakeDesk({ status: makeStatus({ pbx: { state: 'online', since: T0, detail: null } }), queue: first });
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
    await screen.findByTestId('app-info');
    fireEvent.click(await screen.findByTestId('nav-queue'));
    await waitFor(() => expect(screen.getByTestId('queue-view').getAttribute('data-state')).toBe('live'));

    // Every event built beforehand (as main's would arrive, fresh objects each time); only the render is timed.
    const next = random(7);
    const boards: QueueView[] = [];
    for (let step = 1, view = first; step <= UPDATES; step++) boards.push((view = nextBoard(view, step, next)));
    const last = structuredClone(boards.at(-1)!);
    last.board.agents[0] = { ...last.board.agents[0]!, state: 'wrap-up', since: last.board.at, pauseReason: null };
    boards[boards.length - 1] = last;

    const times: number[] = [];
    for (const view of boards) {
      const started = performance.now();
      act(() => desk.emit('queue:changed', view));
      times.push(performance.now() - started);
    }
    const sorted = [...times].sort((a, b) => a - b);
    // eslint-disable-next-line no-console -- a figure line, printed and never asserted (docs/architecture.md, "Testing")
    console.log(
      `figure queue-view render: p50 ${percentile(sorted, 50).toFixed(2)} ms, p95 ${percentile(sorted, 95).toFixed(2)} ms per update (${AGENTS} agents, ${CALLERS} callers)`,
    );

    // The last board is what is on screen.
    expect(screen.getByTestId('queue-callers-count').textContent).toBe(String(CALLERS));
    expect(screen.getByTestId('queue-agents-count').textContent).toBe(String(AGENTS));
    const shownCallers = screen.getAllByTestId('queue-caller');
    expect(shownCallers.length).toBeLessThan(60); // only the rows on screen are in the DOM
    expect(shownCallers[0]!.getAttribute('data-call-id')).toBe(last.board.callers[0]!.callId);
    const me = screen.getAllByTestId('queue-agent')[0]!;
    expect(me.getAttribute('data-extension')).toBe('1001');
    expect(me.getAttribute('data-state')).toBe('wrap-up');
    expect(screen.getByTestId('agent-status').getAttribute('data-state')).toBe('wrap-up');
    for (const agent of screen.getAllByTestId('queue-agent')) {
      const board = last.board.agents.find((candidate) => candidate.extension === agent.getAttribute('data-extension'))!;
      expect(agent.getAttribute('data-state')).toBe(board.state);
    }
    const q0 = screen.getAllByTestId('queue-stats').find((block) => block.getAttribute('data-queue') === 'q0')!;
    expect(within(q0).getByText(String(last.board.counters[0]!.offered))).toBeTruthy();
  });
});

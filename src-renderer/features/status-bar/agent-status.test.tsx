// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QueueView } from '../../../src-shared/pbx/pbx-contract';
import type { QueueAgent } from '../../../src-shared/pbx/pbx-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Role } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeAgent, makeQueueView, makeView, T0, type FakeDesk } from '../../test-support/fake-desk';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const START = Date.parse(T0);
const REASONS = ['Обед', 'Перерыв', 'Обучение'];

/** The board with this desk's agent (1001) in the given state, and a colleague talking. */
function viewWith(me: Partial<QueueAgent>): QueueView {
  return makeQueueView({
    board: {
      agents: [
        makeAgent({ extension: '1002', name: 'Петров Павел', state: 'talking', call: { callId: 'x', number: '+79031234567', queue: 'reception', since: START } }),
        makeAgent({ extension: '1001', ...me }),
      ],
    },
    patientNames: { '+79031234567': 'Сидоров Иван' },
  });
}

async function renderDesk(queue: QueueView, role: Role = 'operator'): Promise<FakeDesk> {
  const desk = createFakeDesk({ queue, view: makeView({ settings: { role, agentStatus: { pauseReasons: REASONS } } }) });
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
  await screen.findByTestId('app-info');
  return desk;
}

const status = () => screen.getByTestId('agent-status');

describe('Agent status in the status bar', () => {
  it("shows this desk's agent as the board has it: ready, paused with its reason, after-call work with a running timer", async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(START + 12_000);
    const desk = await renderDesk(viewWith({ state: 'ready' }));
    await waitFor(() => expect(status().getAttribute('data-state')).toBe('ready'));
    expect(screen.getByTestId('agent-status-label').textContent).toBe('Готов');

    act(() => desk.emit('queue:changed', viewWith({ state: 'paused', pauseReason: 'Обед', since: START })));
    expect(status().getAttribute('data-state')).toBe('paused');
    expect(screen.getByTestId('agent-status-label').textContent).toBe('Пауза: Обед');

    act(() => desk.emit('queue:changed', viewWith({ state: 'wrap-up', since: START })));
    expect(status().getAttribute('data-state')).toBe('wrap-up');
    expect(screen.getByTestId('agent-status-label').textContent).toBe('Обработка после звонка');
    expect(screen.getByTestId('agent-status-time').textContent).toBe('00:12');
    act(() => vi.advanceTimersByTime(3_000));
    expect(screen.getByTestId('agent-status-time').textContent).toBe('00:15');

    // Talking: the bar says so, and nothing about the caller (the number, the name) is in it.
    act(() => desk.emit('queue:changed', viewWith({ state: 'talking', since: START, call: { callId: 'y', number: '+79161234567', queue: null, since: START } })));
    expect(status().getAttribute('data-state')).toBe('talking');
    const bar = status().closest('footer')!;
    for (const secret of ['9161234567', '123-45-67', 'Сидоров']) expect(bar.outerHTML).not.toContain(secret);
  });

  it('is offline when the board has no agent for this desk, and unknown (grey) while the board is not live or the bridge is lost', async () => {
    const desk = await renderDesk(makeQueueView({ board: { agents: [makeAgent({ extension: '1002' })] } }));
    await waitFor(() => expect(status().getAttribute('data-state')).toBe('offline'));
    act(() => desk.emit('queue:changed', makeQueueView({ live: false })));
    expect(status().getAttribute('data-state')).toBe('unknown');
    act(() => desk.emit('queue:changed', viewWith({ state: 'ready' })));
    expect(status().getAttribute('data-state')).toBe('ready');
    act(() => desk.setBridge('reconnecting'));
    expect(status().getAttribute('data-state')).toBe('unknown');
    expect(screen.getByTestId('agent-status-menu').hasAttribute('disabled')).toBe(true);
  });

  it('offers «Готов» and «Пауза: <reason>» from the settings; a choice is sent, shown as pending, and the state changes only when the board says so', async () => {
    const desk = await renderDesk(viewWith({ state: 'ready' }));
    await waitFor(() => expect(status().getAttribute('data-state')).toBe('ready'));
    fireEvent.click(screen.getByTestId('agent-status-menu'));
    const menu = screen.getByTestId('agent-status-options');
    expect(within(menu).getByTestId('agent-status-ready').textContent).toBe('Готов');
    expect(within(menu).getAllByTestId('agent-status-pause').map((item) => item.getAttribute('data-reason'))).toEqual(REASONS);
    expect(document.activeElement).toBe(within(menu).getByTestId('agent-status-ready'));

    fireEvent.click(within(menu).getAllByTestId('agent-status-pause')[1]!);
    await waitFor(() => expect(desk.callsTo('agent.setStatus')).toEqual([{ state: 'paused', reason: 'Перерыв' }]));
    expect(screen.queryByTestId('agent-status-options')).toBeNull();
    // Accepted by the PBX, but the board has not said so: still ready, with a pending mark.
    expect(status().getAttribute('data-state')).toBe('ready');
    expect(status().getAttribute('data-pending')).toBe('paused');
    expect(screen.getByTestId('agent-status-pending').textContent).toContain('Пауза: Перерыв');

    // Another event that does not concern this agent's pause leaves it pending.
    act(() => desk.emit('queue:changed', viewWith({ state: 'ready' })));
    expect(status().getAttribute('data-pending')).toBe('paused');

    act(() => desk.emit('queue:changed', viewWith({ state: 'paused', pauseReason: 'Перерыв' })));
    expect(status().getAttribute('data-state')).toBe('paused');
    expect(status().getAttribute('data-pending')).toBeNull();
    expect(screen.queryByTestId('agent-status-pending')).toBeNull();

    // And back: «Готов» sends ready.
    fireEvent.click(screen.getByTestId('agent-status-menu'));
    fireEvent.click(screen.getByTestId('agent-status-ready'));
    await waitFor(() => expect(desk.callsTo('agent.setStatus')).toHaveLength(2));
    expect(desk.callsTo('agent.setStatus')[1]).toEqual({ state: 'ready' });
    expect(status().getAttribute('data-state')).toBe('paused');
    act(() => desk.emit('queue:changed', viewWith({ state: 'ready' })));
    expect(status().getAttribute('data-state')).toBe('ready');
    expect(status().getAttribute('data-pending')).toBeNull();
  });

  it.each([
    ['PBX_REFUSED', 'АТС отказала: Interface not found', 'Статус не сменён'],
    ['PBX_UNAVAILABLE', 'Нет связи с АТС', 'Статус не сменён'],
    ['PBX_TIMEOUT', 'АТС не ответила вовремя', 'Статус не сменён'],
  ] as const)('a refused command (%s) says why, drops the pending mark and keeps the state', async (code, sentence, lead) => {
    const desk = await renderDesk(viewWith({ state: 'ready' }));
    desk.fail('agent.setStatus', new DeskError(code, 'Interface not found'));
    await waitFor(() => expect(status().getAttribute('data-state')).toBe('ready'));
    fireEvent.click(screen.getByTestId('agent-status-menu'));
    fireEvent.click(screen.getAllByTestId('agent-status-pause')[0]!);
    const error = await screen.findByTestId('agent-status-error');
    expect(error.getAttribute('data-code')).toBe(code);
    if (code !== 'PBX_REFUSED') expect(error.textContent).toContain(lead);
    expect(error.textContent).toContain(sentence);
    // Only a refusal quotes the PBX; a lost link or a timeout says what happened in the desk's words.
    if (code !== 'PBX_REFUSED') expect(error.textContent).not.toContain('Interface not found');
    expect(status().getAttribute('data-state')).toBe('ready');
    expect(status().getAttribute('data-pending')).toBeNull();
  });

  it('closes the menu with Escape, focus back on the toggle; arrows move between the items', async () => {
    await renderDesk(viewWith({ state: 'ready' }));
    await waitFor(() => expect(status().getAttribute('data-state')).toBe('ready'));
    const toggle = screen.getByTestId('agent-status-menu');
    fireEvent.click(toggle);
    const menu = screen.getByTestId('agent-status-options');
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-reason')).toBe('Обед');
    fireEvent.keyDown(menu, { key: 'End' });
    expect(document.activeElement?.getAttribute('data-reason')).toBe('Обучение');
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByTestId('agent-status-options')).toBeNull();
    expect(document.activeElement).toBe(toggle);
  });

  it('is not shown to a cashier', async () => {
    await renderDesk(viewWith({ state: 'ready' }), 'cashier');
    expect(screen.getByTestId('status-pbx')).toBeTruthy();
    expect(screen.queryByTestId('agent-status')).toBeNull();
  });
});

// Test-only builders for the supervisor pane's tests (synthetic agents, numbers and figures).
import { render, screen } from '@testing-library/react';
import { DEFAULT_SUPERVISOR_SETTINGS } from '../../../src-shared/settings/settings-schema';
import type { QueueKpi, SupervisorAgent, SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeStatus, makeView, T0, type FakeDesk } from '../../test-support/fake-desk';

export const START = Date.parse(T0);

export function makeSvAgent(overrides: Partial<SupervisorAgent> = {}): SupervisorAgent {
  return {
    extension: '1001',
    name: 'Иванова Ольга',
    state: 'ready',
    since: START,
    pauseReason: null,
    level: 'ok',
    queues: ['reception'],
    call: null,
    handledToday: 0,
    avgHandleSec: null,
    overdueCallbacks: 0,
    monitoredBy: null,
    ...overrides,
  };
}

export function makeKpi(overrides: Partial<QueueKpi> = {}): QueueKpi {
  return {
    queue: 'reception',
    name: 'Регистратура',
    waitingNow: 0,
    longestWaitNowSec: 0,
    longestWaitingSince: null,
    agentsLoggedIn: 0,
    agentsAvailable: 0,
    offered: 0,
    answered: 0,
    abandoned: 0,
    answeredWithinSla: 0,
    slaPercent: null,
    avgWaitSec: null,
    avgTalkSec: null,
    longestWaitTodaySec: 0,
    ...overrides,
  };
}

const hours = () => Array.from({ length: 24 }, (_, hour) => ({ hour, answered: 0, abandoned: 0 }));

/** A live board of a morning peak: two queues, five agents (1002 talking), figures and an alert. */
export function makeBoard(overrides: Partial<SupervisorBoard> = {}): SupervisorBoard {
  const hourly = hours();
  hourly[8] = { hour: 8, answered: 30, abandoned: 2 };
  hourly[9] = { hour: 9, answered: 41, abandoned: 5 };
  hourly[11] = { hour: 11, answered: 12, abandoned: 0 };
  return {
    live: true,
    connector: 'demo',
    at: START,
    day: '2025-03-14',
    slaSeconds: 20,
    supervisorExtension: '1050',
    agents: [
      makeSvAgent({
        extension: '1002',
        name: 'Петров Павел',
        state: 'talking',
        since: START - 65_000,
        queues: ['reception'],
        call: { callId: 'c-9', number: '+79031234567', patientName: 'Сидоров И. П.', queue: 'reception', since: START - 65_000 },
        handledToday: 23,
        avgHandleSec: 250.4,
      }),
      makeSvAgent({ extension: '1003', name: 'Абрамова Анна', state: 'paused', pauseReason: 'Обед', since: START - 25 * 60_000, level: 'red', queues: ['reception', 'lab'], overdueCallbacks: 2 }),
      makeSvAgent({ extension: '1001', name: 'Иванова Ольга', state: 'ready', since: START - 10_000, queues: ['reception'] }),
      makeSvAgent({ extension: '1004', name: 'Гусева Вера', state: 'wrap-up', since: START - 90_000, level: 'amber', queues: ['lab'] }),
      makeSvAgent({ extension: '1005', name: 'Борисов Олег', state: 'ready', since: START - 300_000, queues: ['lab'] }),
      makeSvAgent({ extension: '1006', name: 'Яковлева Ира', state: 'offline', since: START - 3_600_000, queues: ['reception'] }),
    ],
    queues: [
      makeKpi({
        queue: 'reception',
        name: 'Регистратура',
        waitingNow: 7,
        longestWaitNowSec: 190,
        longestWaitingSince: START - 190_000,
        agentsLoggedIn: 3,
        agentsAvailable: 1,
        offered: 120,
        answered: 100,
        abandoned: 9,
        answeredWithinSla: 80,
        slaPercent: 73.39,
        avgWaitSec: 24.6,
        avgTalkSec: 185,
        longestWaitTodaySec: 410,
      }),
      makeKpi({ queue: 'lab', name: 'Анализы', agentsLoggedIn: 3, agentsAvailable: 1, offered: 20, answered: 19, abandoned: 0, answeredWithinSla: 19, slaPercent: 100, avgWaitSec: 5, avgTalkSec: 60 }),
    ],
    total: makeKpi({
      queue: null,
      name: '',
      waitingNow: 7,
      longestWaitNowSec: 190,
      longestWaitingSince: START - 190_000,
      agentsLoggedIn: 5,
      agentsAvailable: 2,
      offered: 140,
      answered: 119,
      abandoned: 9,
      answeredWithinSla: 99,
      slaPercent: 77.34,
      avgWaitSec: 21.5,
      avgTalkSec: 165,
      longestWaitTodaySec: 410,
    }),
    hourly,
    waiting: [
      { at: START - 120_000, waiting: 3 },
      { at: START - 60_000, waiting: 9 },
      { at: START, waiting: 7 },
    ],
    categories: [
      { category: 'Запись', count: 61 },
      { category: 'Справка', count: 14 },
    ],
    callbacks: { slaMinutes: 15, tasksToday: 12, closedWithinSla: 10, closed: 11, open: 1, overdue: 1, percentWithinSla: 83.3 },
    thresholds: { ...DEFAULT_SUPERVISOR_SETTINGS },
    alerts: [
      { kind: 'waitingCallers', queue: 'reception', value: 7, threshold: 5, since: START - 30_000 },
      { kind: 'longestWait', queue: 'reception', value: 190, threshold: 120, since: START - 70_000 },
      { kind: 'slaBelowTarget', queue: null, value: 77.34, threshold: 80, since: START - 600_000 },
    ],
    monitor: null,
    can: { monitor: true, transfer: true, pause: true },
    ...overrides,
  };
}

/** A supervisor desk (PBX online) whose `supervisor.board` answers `board`. */
export function supervisorDesk(board: SupervisorBoard, init: Parameters<typeof createFakeDesk>[0] = {}): FakeDesk {
  const desk = createFakeDesk({
    view: makeView({ settings: { role: 'supervisor' } }),
    status: makeStatus({ pbx: { state: 'online', since: T0, detail: null } }),
    ...init,
  });
  desk.handle('supervisor.board', () => structuredClone(board));
  for (const name of ['supervisor.monitor', 'supervisor.stopMonitor', 'supervisor.transfer', 'supervisor.setAgentStatus', 'supervisor.reassignCallback', 'supervisor.setThresholds'] as const) {
    desk.handle(name, () => ({ ok: true as const }));
  }
  return desk;
}

/** The app opened on the supervisor pane (the supervisor window: no phone). */
export async function openSupervisor(desk: FakeDesk): Promise<HTMLElement> {
  // The pane is loaded on first use (React.lazy): load its module first, so the wait below is
  // for the pane, not for transforming the board and its chart libraries on a busy machine.
  await import('./supervisor-pane');
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open', initialPane: 'supervisor' })} phoneFactory={null} />);
  return screen.findByTestId('supervisor-pane');
}

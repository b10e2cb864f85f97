import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestName, RequestOutput } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/settings/settings-schema';
import type { SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import type { Core } from '../core';
import { MemorySettingsStorage } from '../settings/settings-storage';
import { testCores } from '../testing/test-cores';

const cores = testCores();
afterEach(() => cores.stopAll());
const context = { host: 'web' as const, client: 't' };

/** A real core on the demo clinic and its living switchboard, with the role given. */
async function startDesk(role: Settings['role'], dataDir = mkdtempSync(join(tmpdir(), 'rg-supervisor-core-'))) {
  const settings = { ...structuredClone(DEFAULT_SETTINGS), role, connectors: { mis: { id: 'demo', config: { evolveIntervalMs: 0 } }, pbx: { id: 'demo', config: {} } } };
  const { core, logs } = await cores.start(dataDir, { settingsStorage: new MemorySettingsStorage(settings), demo: { patients: 200 } });
  const pushes: SupervisorBoard[] = [];
  core.events.subscribe((name, payload) => {
    if (name === 'supervisor:changed') pushes.push(payload as SupervisorBoard);
  });
  await vi.waitFor(() => expect(core.pbx.view().live).toBe(true), { timeout: 10_000, interval: 5 });
  return { core, logs, pushes, dataDir, request: requester(core), attempt: (name: RequestName, input: unknown) => core.dispatcher.dispatch(name, input, context) };
}

function requester(core: Core) {
  return async <N extends RequestName>(name: N, input: unknown): Promise<RequestOutput<N>> => {
    const result = await core.dispatcher.dispatch(name, input, context);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as RequestOutput<N>;
  };
}

describe('the supervisor in a real core', () => {
  it('an operator desk is answered FORBIDDEN through the dispatcher on every supervisor request, and gets no supervisor:changed', async () => {
    const desk = await startDesk('operator');
    for (const [name, input] of [
      ['supervisor.board', {}],
      ['supervisor.monitor', { extension: '102', mode: 'barge' }],
      ['supervisor.stopMonitor', {}],
      ['supervisor.transfer', { extension: '102', target: '103', misId: null, note: '' }],
      ['supervisor.setAgentStatus', { extension: '102', state: 'ready' }],
      ['supervisor.reassignCallback', { id: '+79161234567', extension: '102' }],
      ['supervisor.setThresholds', { slaTargetPercent: 50 }],
    ] as const) {
      expect(await desk.attempt(name, input), name).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('supervisor') } });
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(desk.pushes).toEqual([]);
  });

  it('a supervisor desk on the demo switchboard: the board passes the contract, figures come, its own wrap-up is counted once, the thresholds are saved', async () => {
    const desk = await startDesk('supervisor');
    const board = await desk.request('supervisor.board', {});
    expect(board).toMatchObject({ live: true, connector: 'demo', can: { monitor: true, transfer: true, pause: true } });
    expect(board.agents.length).toBeGreaterThanOrEqual(12);
    // The demo's counters are seeded as if open since 08:00: the PBX's totals are taken at connect.
    expect(board.total.offered).toBeGreaterThan(0);
    await vi.waitFor(() => expect(desk.pushes.length).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
    const saved = await desk.request('calls.wrapUp', { callId: 'sip-call-1', misId: null, category: 'Запись по ДМС', outcome: 'information', note: '', acwSec: 12 });
    expect(saved.saved).toBe(true);
    await desk.request('calls.wrapUp', { callId: 'sip-call-1', misId: null, category: 'Запись по ДМС', outcome: 'information', note: '', acwSec: 12 });
    await vi.waitFor(async () => expect((await desk.request('supervisor.board', {})).categories).toEqual([{ category: 'Запись по ДМС', count: 1 }]), { timeout: 5_000, interval: 20 });
    expect(await desk.request('supervisor.setThresholds', { pauseAmberMinutes: 7 })).toEqual({ ok: true });
    expect(desk.core.settings.settings.supervisor.pauseAmberMinutes).toBe(7);
    await vi.waitFor(() => expect(desk.pushes.at(-1)!.thresholds.pauseAmberMinutes).toBe(7), { timeout: 5_000, interval: 20 });
  });
});

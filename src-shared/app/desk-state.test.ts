import { describe, expect, it } from 'vitest';
import type { QueueView } from '../pbx/pbx-contract';
import type { QueueAgent } from '../pbx/pbx-model';
import type { CoreStatus, LinkState } from '../status/system-status';
import { deskStateOf } from './desk-state';

const pbx = (state: LinkState): Pick<CoreStatus, 'pbx'> => ({ pbx: { state, since: '2025-03-14T09:00:00.000Z', detail: null } });
const agent = (overrides: Partial<QueueAgent>): QueueAgent => ({ extension: '1001', name: 'Иванова Ольга', state: 'ready', since: 0, pauseReason: null, queues: ['reception'], call: null, ...overrides });
const queue = (agents: QueueAgent[], live = true, agentExtension: string | null = '1001'): Pick<QueueView, 'live' | 'board' | 'agentExtension'> => ({
  live,
  agentExtension,
  board: { at: 0, queues: [], callers: [], agents, counters: [] },
});

describe('deskStateOf', () => {
  it.each<[LinkState, string]>([
    ['online', 'registered'],
    ['degraded', 'registered'],
    ['connecting', 'reconnecting'],
    ['reconnecting', 'reconnecting'],
    ['offline', 'offline'],
    ['failed', 'offline'],
    ['disabled', 'offline'],
  ])('PBX %s → %s', (link, state) => {
    expect(deskStateOf(pbx(link), null).state).toBe(state);
  });

  it('is paused (with the reason) when this desk’s agent is paused on a live board', () => {
    expect(deskStateOf(pbx('online'), queue([agent({ extension: '1002', state: 'ready' }), agent({ state: 'paused', pauseReason: 'Обед' })]))).toEqual({ state: 'paused', reason: 'Обед' });
  });

  it('another agent’s pause, a board not live yet, or no agent extension is not this desk’s pause', () => {
    expect(deskStateOf(pbx('online'), queue([agent({ extension: '1002', state: 'paused' })])).state).toBe('registered');
    expect(deskStateOf(pbx('online'), queue([agent({ state: 'paused' })], false)).state).toBe('registered');
    expect(deskStateOf(pbx('online'), queue([agent({ state: 'paused' })], true, null)).state).toBe('registered');
  });

  it('a lost link wins over a pause the board last showed', () => {
    expect(deskStateOf(pbx('reconnecting'), queue([agent({ state: 'paused' })])).state).toBe('reconnecting');
  });
});

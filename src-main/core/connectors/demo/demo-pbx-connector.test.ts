import { describe, expect, it } from 'vitest';
import { PbxSnapshotSchema } from '../../../../src-shared/pbx/pbx-model';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { PBX_CONNECTOR_API_VERSION, PbxError, type PbxEvent } from '../pbx/pbx-connector';
import { createDemoPbxConnector, DemoPbxConfigSchema, demoPbxManifest, type DemoPbxConfig } from './demo-pbx-connector';

/** 12:00 Moscow time: outside the morning peak. */
const NOON = Date.UTC(2026, 10, 2, 9, 0, 0);
const SEED = 31;

function setup(overrides: Partial<DemoPbxConfig> = {}, agent = { extension: '', name: '' }) {
  const clock = new ManualClock(NOON);
  const config = DemoPbxConfigSchema.parse({ seed: SEED, utcOffsetMinutes: 180, ...overrides });
  const pbx = createDemoPbxConnector({ config, secret: null, agent, slaSeconds: 20, now: () => clock.now() }, { clock });
  const events: PbxEvent[] = [];
  pbx.onEvent((event) => events.push(event));
  return { clock, pbx, events };
}

/** A quiet switchboard: nobody arrives on their own, every simulated agent paused, so only the desk's agent takes calls. */
async function quiet(overrides: Partial<DemoPbxConfig> = {}) {
  const t = setup({ arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0, patienceSec: 86_400, ...overrides });
  await t.pbx.connect();
  for (const agent of (await t.pbx.snapshot()).agents) if (agent.extension !== '101' && agent.state !== 'offline') await t.pbx.pause({ extension: agent.extension, reason: 'Обед' });
  t.events.length = 0;
  return t;
}

const refused = (message: RegExp | string) => expect.objectContaining({ name: 'PbxError', kind: 'refused', message: expect.stringMatching(message) });

describe('createDemoPbxConnector', () => {
  it('declares the demo PBX with every capability and a config where {} works', () => {
    expect(demoPbxManifest).toMatchObject({ id: 'demo', kind: 'pbx', apiVersion: PBX_CONNECTOR_API_VERSION });
    expect([...demoPbxManifest.capabilities].sort()).toEqual(['agentStatus', 'hangup', 'monitor', 'originate', 'queues', 'shared', 'transfer']);
    const config = demoPbxManifest.configSchema.parse({});
    expect(config).toMatchObject({ arrivalsPerHour: 90, patienceSec: 60, openingAbandons: 2, agents: 12, seed: 1 });
    expect(() => demoPbxManifest.configSchema.parse({ agents: -1 })).toThrow();
    expect(() => demoPbxManifest.configSchema.parse({ nope: 1 })).toThrow();
  });

  it(`connects into a living board with a hang-up within 3 s, and closes leaving no timer (seed ${SEED})`, async () => {
    const { clock, pbx, events } = setup();
    await expect(pbx.snapshot()).rejects.toMatchObject({ kind: 'unreachable' });
    await pbx.connect();
    expect(await pbx.health()).toEqual({ state: 'online', latencyMs: 0 });
    const snapshot = PbxSnapshotSchema.parse(await pbx.snapshot());
    expect(snapshot.agents.find((a) => a.extension === '101')).toMatchObject({ name: 'Оператор (этот стол)', state: 'paused', pauseReason: 'Документы' });
    expect(snapshot.agents.map((a) => a.extension)).toContain('212');
    clock.advance(3_000);
    expect(events.some((e) => e.type === 'queue.abandoned')).toBe(true);
    expect((await pbx.snapshot()).callers.length).toBeGreaterThan(0);
    clock.advance(60_000);
    await pbx.close();
    expect(clock.pending()).toEqual([]);
    const count = events.length;
    clock.advance(3_600_000);
    expect(events.length).toBe(count);
    await expect(pbx.pause({ extension: '101', reason: 'Обед' })).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('uses the configured desk agent and its name', async () => {
    const { pbx } = setup({}, { extension: '305', name: 'Иванова Мария' });
    await pbx.connect();
    expect((await pbx.snapshot()).agents[0]).toMatchObject({ extension: '305', name: 'Иванова Мария', state: 'paused', queues: ['zapis', 'spravka'] });
    await pbx.close();
  });

  it('the desk agent gets queue calls only after unpause: ringing, answered 3 s later, ended after ~60 s, wrap-up, ready', async () => {
    const { clock, pbx, events } = await quiet();
    const first = pbx.controls.addCaller('+79161112233', 'zapis');
    clock.advance(30_000);
    expect(events.filter((e) => e.type === 'call.ringing')).toEqual([]);
    events.length = 0;

    await pbx.unpause({ extension: '101' });
    expect(events[0]).toMatchObject({ type: 'agent.status', extension: '101', state: 'ready', pauseReason: null });
    expect(events[1]).toMatchObject({ type: 'call.ringing', extension: '101', callId: first, queue: 'zapis', number: '+79161112233' });
    expect(events[2]).toMatchObject({ type: 'agent.status', extension: '101', state: 'ringing' });
    clock.advance(3_000);
    expect(events.slice(3).map((e) => e.type)).toEqual(['call.answered', 'queue.left', 'agent.status']);
    expect(events[3]).toMatchObject({ extension: '101', waitSec: 33 });
    const view = await pbx.snapshot();
    expect(view.agents[0]).toMatchObject({ state: 'talking', call: { callId: first, number: '+79161112233', queue: 'zapis' } });
    expect(view.callers).toEqual([]);
    clock.advance(80_000);
    const ended = events.find((e) => e.type === 'call.ended' && e.callId === first);
    expect(ended).toMatchObject({ extension: '101', answered: true, queue: 'zapis' });
    expect((ended as { talkSec: number }).talkSec).toBeGreaterThanOrEqual(45);
    expect((ended as { talkSec: number }).talkSec).toBeLessThanOrEqual(75);
    const desk = () => events.filter((e) => e.type === 'agent.status' && e.extension === '101').map((e) => (e as { state: string }).state);
    clock.advance(30_000);
    expect(desk()).toEqual(['ready', 'ringing', 'talking', 'wrap-up', 'ready']);
    const counters = (await pbx.snapshot()).counters.find((c) => c.queue === 'zapis');
    expect(counters).toBeDefined();
    await pbx.close();
  });

  it('hangup ends the desk agent’s talk at once; a second hangup is refused', async () => {
    const { clock, pbx, events } = await quiet();
    await pbx.unpause({ extension: '101' });
    const callId = pbx.controls.addCaller('+79161112233', 'spravka');
    clock.advance(13_000);
    await pbx.hangup({ extension: '101' });
    expect(events.at(-2)).toMatchObject({ type: 'call.ended', callId, extension: '101', answered: true, talkSec: 10 });
    expect(events.at(-1)).toMatchObject({ type: 'agent.status', extension: '101', state: 'wrap-up' });
    await expect(pbx.hangup({ extension: '101' })).rejects.toEqual(refused(/No call/));
    await pbx.close();
  });

  it('pause with a reason reports paused with that reason; unpause reports ready; an unknown extension is refused', async () => {
    const { pbx, events } = setup({ arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0 });
    await pbx.connect();
    const ready = (await pbx.snapshot()).agents.find((a) => a.state === 'ready')!;
    await pbx.pause({ extension: ready.extension, reason: 'Обучение' });
    expect(events.at(-1)).toEqual({ type: 'agent.status', at: NOON, extension: ready.extension, state: 'paused', pauseReason: 'Обучение' });
    await pbx.pause({ extension: ready.extension, reason: 'Обед' });
    expect(events.at(-1)).toMatchObject({ state: 'paused', pauseReason: 'Обед' });
    await pbx.unpause({ extension: ready.extension });
    expect(events.at(-1)).toMatchObject({ extension: ready.extension, state: 'ready', pauseReason: null });

    const unknown = refused('Interface not found');
    await expect(pbx.pause({ extension: '999', reason: 'Обед' })).rejects.toEqual(unknown);
    await expect(pbx.unpause({ extension: '999' })).rejects.toEqual(unknown);
    await expect(pbx.originate({ extension: '999', number: '+79160000000' })).rejects.toEqual(unknown);
    await expect(pbx.hangup({ extension: '999' })).rejects.toEqual(unknown);
    await expect(pbx.transfer({ extension: '999', target: '101', mode: 'blind' })).rejects.toEqual(unknown);
    await expect(pbx.monitor({ supervisorExtension: '101', extension: '999', mode: 'listen' })).rejects.toEqual(unknown);
    await expect(pbx.pause({ extension: '212', reason: 'Обед' })).rejects.toEqual(refused(/not logged in/));
    await expect(pbx.pause({ extension: '101', reason: '  ' })).rejects.toBeInstanceOf(PbxError);
    await pbx.close();
  });

  it('pause during a talk takes effect after the call and its wrap-up', async () => {
    const { clock, pbx, events } = await quiet();
    await pbx.unpause({ extension: '101' });
    pbx.controls.addCaller('+79161112233', 'zapis');
    clock.advance(5_000);
    await pbx.pause({ extension: '101', reason: 'Обед' });
    expect((await pbx.snapshot()).agents[0]).toMatchObject({ state: 'talking', pauseReason: null });
    clock.advance(120_000);
    const states = events.filter((e) => e.type === 'agent.status' && e.extension === '101').map((e) => [(e as { state: string }).state, (e as { pauseReason: string | null }).pauseReason]);
    expect(states).toEqual([['ready', null], ['ringing', null], ['talking', null], ['wrap-up', null], ['paused', 'Обед']]);
    await pbx.close();
  });

  it('originate rings the extension, then it talks to the number (no queue); it ends by itself or on hangup', async () => {
    const { clock, pbx, events } = await quiet();
    await pbx.originate({ extension: '101', number: '+79165554433' });
    expect(events[0]).toMatchObject({ type: 'call.ringing', extension: '101', number: '+79165554433', queue: null });
    const callId = (events[0] as { callId: string }).callId;
    await expect(pbx.originate({ extension: '101', number: '+79160000000' })).rejects.toEqual(refused(/busy/));
    clock.advance(3_000);
    expect(events.find((e) => e.type === 'call.answered')).toMatchObject({ callId, extension: '101', queue: null, waitSec: null });
    clock.advance(200_000);
    expect(events.find((e) => e.type === 'call.ended' && e.callId === callId)).toMatchObject({ callId, extension: '101', queue: null, answered: true });
    // The desk was paused before the callback, so it is paused again after its wrap-up.
    expect((await pbx.snapshot()).agents[0]).toMatchObject({ state: 'paused', pauseReason: 'Документы' });

    await pbx.originate({ extension: '201', number: '+79165554434' });
    clock.advance(2_000);
    const second = events.filter((e) => e.type === 'call.answered').at(-1)!;
    expect(second).toMatchObject({ extension: '201', queue: null });
    clock.advance(4_000);
    await pbx.hangup({ extension: '201' });
    expect(events.filter((e) => e.type === 'call.ended' && e.extension === '201').at(-1)).toMatchObject({ queue: null, answered: true, talkSec: 4 });
    await expect(pbx.originate({ extension: '201', number: 'bad number' })).rejects.toEqual(refused(/Invalid/));
    await pbx.close();
  });

  it('transfer moves a talking call to a ready agent (same call id): the first leg ends, the target rings and answers; a busy target is refused and the call stays', async () => {
    const { clock, pbx, events } = await quiet();
    await pbx.unpause({ extension: '101' });
    const callId = pbx.controls.addCaller('+79161112233', 'zapis');
    clock.advance(5_000);
    await expect(pbx.transfer({ extension: '101', target: '210', mode: 'blind' })).rejects.toEqual(refused(/210 is not ready \(paused\)/));
    expect((await pbx.snapshot()).agents[0]).toMatchObject({ state: 'talking', call: { callId } });
    await pbx.unpause({ extension: '210' });
    await pbx.transfer({ extension: '101', target: '210', mode: 'blind' });
    const tail = events.slice(-4);
    expect(tail).toMatchObject([
      { type: 'call.ended', extension: '101', callId, number: '+79161112233', queue: null, answered: true, talkSec: 2 },
      { type: 'agent.status', extension: '101', state: 'wrap-up' },
      { type: 'call.ringing', extension: '210', callId, number: '+79161112233', queue: 'zapis' },
      { type: 'agent.status', extension: '210', state: 'ringing' },
    ]);
    clock.advance(6_000);
    expect(events.filter((e) => e.type === 'call.answered').at(-1)).toMatchObject({ extension: '210', callId, number: '+79161112233', waitSec: null });
    await expect(pbx.transfer({ extension: '101', target: '210', mode: 'blind' })).rejects.toEqual(refused(/No call to transfer/));
    await expect(pbx.transfer({ extension: '210', target: '210', mode: 'blind' })).rejects.toEqual(refused(/same extension/));
    await expect(pbx.transfer({ extension: '210', target: '999', mode: 'attended' })).rejects.toEqual(refused(/Interface not found: 999/));
    clock.advance(3_600_000);
    const ended = events.filter((e) => e.type === 'call.ended' && e.callId === callId);
    expect(ended.map((e) => [(e as { extension: string }).extension, (e as { queue: string | null }).queue])).toEqual([
      ['101', null],
      ['210', 'zapis'],
    ]);
    expect(ended[1]).toMatchObject({ answered: true });
    expect((ended[1] as { talkSec: number }).talkSec).toBeGreaterThanOrEqual(4);
    await pbx.close();
  });

  it('a supervisor desk transfers a simulated agent\'s call to this desk\'s agent, which rings and answers with the caller (its screen pop)', async () => {
    const { clock, pbx, events } = await quiet();
    await pbx.unpause({ extension: '210' });
    const callId = pbx.controls.addCaller('+79161112244', 'spravka');
    clock.advance(6_000);
    expect((await pbx.snapshot()).agents.find((a) => a.extension === '210')).toMatchObject({ state: 'talking', call: { callId } });
    await pbx.unpause({ extension: '101' });
    events.length = 0;
    await pbx.transfer({ extension: '210', target: '101', mode: 'blind' });
    clock.advance(3_000);
    expect(events.filter((e) => e.type.startsWith('call.')).map((e) => [e.type, (e as { extension: string }).extension, (e as { callId: string }).callId, (e as { number: string }).number])).toEqual([
      ['call.ended', '210', callId, '+79161112244'],
      ['call.ringing', '101', callId, '+79161112244'],
      ['call.answered', '101', callId, '+79161112244'],
    ]);
    await pbx.close();
  });

  it('monitor: a session per supervisor on a talking agent, started at once; its mode switched; stopped by the supervisor or with the call', async () => {
    const { clock, pbx, events } = await quiet();
    await expect(pbx.monitor({ supervisorExtension: '201', extension: '101', mode: 'listen' })).rejects.toEqual(refused(/not on a call/));
    await pbx.originate({ extension: '101', number: '+79165554433' });
    clock.advance(3_000);
    const callId = (events.find((e) => e.type === 'call.answered') as { callId: string }).callId;
    events.length = 0;
    await pbx.monitor({ supervisorExtension: '9000', extension: '101', mode: 'whisper' });
    expect(events).toEqual([{ type: 'monitor.started', at: NOON + 3_000, supervisorExtension: '9000', extension: '101', callId }]);
    await pbx.monitorMode({ supervisorExtension: '9000', mode: 'barge' });
    await expect(pbx.monitor({ supervisorExtension: '9000', extension: '101', mode: 'listen' })).rejects.toEqual(refused(/already monitoring 101/));
    await pbx.stopMonitor({ supervisorExtension: '9000' });
    expect(events.at(-1)).toEqual({ type: 'monitor.stopped', at: NOON + 3_000, supervisorExtension: '9000', extension: '101' });
    await expect(pbx.stopMonitor({ supervisorExtension: '9000' })).rejects.toEqual(refused(/9000 is not monitoring any call/));
    await expect(pbx.monitorMode({ supervisorExtension: '9000', mode: 'listen' })).rejects.toEqual(refused(/9000 is not monitoring any call/));

    // Again, until 101 hangs up: the session ends with the call.
    await pbx.monitor({ supervisorExtension: '9000', extension: '101', mode: 'listen' });
    await pbx.hangup({ extension: '101' });
    expect(events.slice(-3).map((e) => e.type)).toEqual(['call.ended', 'monitor.stopped', 'agent.status']);
    await expect(pbx.stopMonitor({ supervisorExtension: '9000' })).rejects.toEqual(refused(/not monitoring/));

    // Bad input: a clear refusal, nothing started.
    const count = events.length;
    await expect(pbx.monitor({ supervisorExtension: '90 00', extension: '201', mode: 'listen' })).rejects.toEqual(refused('Interface not found'));
    await expect(pbx.monitor({ supervisorExtension: '9000', extension: '201', mode: 'loud' as 'listen' })).rejects.toEqual(refused(/listen, whisper or barge/));
    await expect(pbx.monitorMode({ supervisorExtension: '9000', mode: 'loud' as 'listen' })).rejects.toEqual(refused(/listen, whisper or barge/));
    await expect(pbx.stopMonitor({ supervisorExtension: '' })).rejects.toEqual(refused('Interface not found'));
    expect(events.length).toBe(count);
    await pbx.close();
  });

  it('a supervisor pauses and unpauses other agents, not only this desk\'s', async () => {
    const { pbx, events } = setup({ arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0 });
    await pbx.connect();
    const others = (await pbx.snapshot()).agents.filter((a) => a.extension !== '101' && a.state === 'ready');
    expect(others.length).toBeGreaterThanOrEqual(2);
    for (const agent of others) await pbx.pause({ extension: agent.extension, reason: 'Совещание' });
    expect(events.slice(-others.length)).toEqual(others.map((a) => ({ type: 'agent.status', at: NOON, extension: a.extension, state: 'paused', pauseReason: 'Совещание' })));
    for (const agent of others) await pbx.unpause({ extension: agent.extension });
    expect((await pbx.snapshot()).agents.filter((a) => others.some((o) => o.extension === a.extension)).map((a) => a.state)).toEqual(others.map(() => 'ready'));
    await pbx.close();
  });

  it('the shared channel stores, lists and announces changes (after the call returns), removal too', async () => {
    const { pbx, events } = setup({ arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0 });
    expect(pbx.shared).not.toBeNull();
    await pbx.connect();
    events.length = 0;
    const publishing = pbx.shared!.publish('cb/79161234567', '101|1767000000000');
    expect(events).toEqual([]);
    await publishing;
    await pbx.shared!.publish('cb/79160000000', '102|1');
    await pbx.shared!.publish('other/x', 'y');
    await Promise.resolve();
    expect(events).toEqual([
      { type: 'shared.changed', at: NOON, key: 'cb/79161234567', value: '101|1767000000000' },
      { type: 'shared.changed', at: NOON, key: 'cb/79160000000', value: '102|1' },
      { type: 'shared.changed', at: NOON, key: 'other/x', value: 'y' },
    ]);
    expect(await pbx.shared!.list('cb/')).toEqual([
      { key: 'cb/79161234567', value: '101|1767000000000' },
      { key: 'cb/79160000000', value: '102|1' },
    ]);
    await pbx.shared!.remove('cb/79160000000');
    await Promise.resolve();
    expect(events.at(-1)).toEqual({ type: 'shared.changed', at: NOON, key: 'cb/79160000000', value: null });
    expect(await pbx.shared!.list('cb/')).toEqual([{ key: 'cb/79161234567', value: '101|1767000000000' }]);
    // A folder goes quietly (housekeeping); its neighbours and look-alikes stay.
    await pbx.shared!.publish('wu/20261129/a', 'x');
    await pbx.shared!.publish('wu/202611290/b', 'y');
    await Promise.resolve();
    const announced = events.length;
    await pbx.shared!.removeTree('wu/20261129');
    await Promise.resolve();
    expect(events.length).toBe(announced);
    expect(await pbx.shared!.list('wu/')).toEqual([{ key: 'wu/202611290/b', value: 'y' }]);
    await expect(pbx.shared!.publish('cb/x', 'x'.repeat(901))).rejects.toEqual(refused(/one line/));
    await expect(pbx.shared!.publish('cb/x', 'a\nb')).rejects.toEqual(refused(/one line/));
    await expect(pbx.shared!.publish('bad key', 'v')).rejects.toEqual(refused(/shared key/));
    // A change published just before close is not announced after it.
    const count = events.length;
    const late = pbx.shared!.publish('cb/late', 'v');
    const closing = pbx.close();
    await late;
    await closing;
    await Promise.resolve();
    expect(events.length).toBe(count);
  });

  it('a throwing listener does not stop the others or the switchboard', async () => {
    const clock = new ManualClock(NOON);
    const errors: unknown[] = [];
    const pbx = createDemoPbxConnector(
      { config: DemoPbxConfigSchema.parse({ seed: SEED, utcOffsetMinutes: 180 }), secret: null, agent: { extension: '101', name: '' }, slaSeconds: 20, now: () => clock.now() },
      { clock, onListenerError: (error) => errors.push(error) },
    );
    const seen: PbxEvent[] = [];
    pbx.onEvent(() => {
      throw new Error('boom');
    });
    const off = pbx.onEvent((event) => seen.push(event));
    await pbx.connect();
    clock.advance(10_000);
    expect(seen.length).toBeGreaterThan(0);
    expect(errors.length).toBe(seen.length);
    off();
    const count = seen.length;
    clock.advance(600_000);
    expect(seen.length).toBe(count);
    await pbx.close();
  });
});

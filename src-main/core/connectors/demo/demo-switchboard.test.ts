import { describe, expect, it } from 'vitest';
import { PbxSnapshotSchema, type AgentState, type PbxSnapshot, type QueueCounters } from '../../../../src-shared/pbx/pbx-model';
import { seededRandom } from '../../../../src-shared/random/seeded-random';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { PbxError, type MonitorMode, type PbxEvent } from '../pbx/pbx-connector';
import { DEMO_SWITCHBOARD_LOAD_TEST, MAX_WAITING, DemoSwitchboard, DemoSwitchboardConfigSchema, demoClinicCallerPicker, type DemoSwitchboardConfig } from './demo-switchboard';
import { syntheticPatient } from '../../demo/synthetic-patients';

/** 12:00 Moscow time (UTC+3) on the synthetic world's day: outside the morning peak. */
const NOON = Date.UTC(2026, 10, 2, 9, 0, 0);
/** 09:00 Moscow time: the morning peak starts. */
const NINE = Date.UTC(2026, 10, 2, 6, 0, 0);
const SLA = 20;

function run(seed: number, overrides: Partial<DemoSwitchboardConfig> = {}, start = NOON) {
  const clock = new ManualClock(start);
  const events: PbxEvent[] = [];
  const config = DemoSwitchboardConfigSchema.parse({ seed, utcOffsetMinutes: 180, ...overrides });
  const board = new DemoSwitchboard({
    config,
    clock,
    random: seededRandom(seed),
    slaSeconds: SLA,
    desk: { extension: '101', name: 'Оператор (этот стол)' },
    pickCallerNumber: demoClinicCallerPicker({ patients: 2_000, seed: 1 }),
    emit: (event) => events.push(event),
  });
  return { clock, events, board };
}

const LEGAL: Record<AgentState, readonly AgentState[]> = {
  ready: ['ringing', 'paused', 'offline'],
  paused: ['ready', 'paused', 'ringing'],
  ringing: ['talking', 'ready', 'paused'],
  talking: ['wrap-up'],
  'wrap-up': ['ready', 'paused', 'ringing'],
  offline: ['ready', 'paused'],
};

function delta(after: QueueCounters, before: QueueCounters): Omit<QueueCounters, 'queue'> {
  return {
    offered: after.offered - before.offered,
    answered: after.answered - before.answered,
    abandoned: after.abandoned - before.abandoned,
    answeredWithinSla: after.answeredWithinSla - before.answeredWithinSla,
    waitSecTotal: after.waitSecTotal - before.waitSecTotal,
    longestWaitSec: after.longestWaitSec,
    talks: after.talks - before.talks,
    talkSecTotal: after.talkSecTotal - before.talkSecTotal,
  };
}

/** Every caller leaves once, agents move only along legal transitions, counters moved exactly as the events say. */
function checkInvariants(before: PbxSnapshot, after: PbxSnapshot, events: readonly PbxEvent[]): void {
  const joined = events.filter((e) => e.type === 'queue.joined');

  // Every caller leaves exactly once; the ones still waiting have not left.
  const left = new Map<string, string[]>();
  for (const e of events) if (e.type === 'queue.left') left.set(e.callId, [...(left.get(e.callId) ?? []), e.reason]);
  for (const reasons of left.values()) expect(reasons.length).toBe(1);
  const waitingNow = new Set(after.callers.map((c) => c.callId));
  const waitingBefore = new Set(before.callers.map((c) => c.callId));
  for (const j of joined) expect(left.has(j.callId) !== waitingNow.has(j.callId)).toBe(true);
  const joinedIds = new Set(joined.map((j) => j.callId));
  for (const id of left.keys()) expect(joinedIds.has(id) || waitingBefore.has(id)).toBe(true);
  for (const e of events) {
    if (e.type === 'queue.abandoned') expect(left.get(e.callId)).toEqual(['abandoned']);
    if (e.type === 'call.answered' && e.waitSec !== null) expect(left.get(e.callId)).toEqual(['answered']);
  }

  // Agent states follow legal transitions from the opening board.
  const state = new Map(before.agents.map((a) => [a.extension, a.state] as const));
  for (const e of events) {
    if (e.type !== 'agent.status') continue;
    const from = state.get(e.extension);
    expect(from, `agent ${e.extension}`).toBeDefined();
    expect(LEGAL[from as AgentState], `${e.extension}: ${from} → ${e.state}`).toContain(e.state);
    expect(e.pauseReason !== null).toBe(e.state === 'paused');
    state.set(e.extension, e.state);
  }
  for (const agent of after.agents) expect(agent.state).toBe(state.get(agent.extension));

  // Counters moved exactly as the events say.
  for (const queue of ['zapis', 'spravka']) {
    const d = delta(after.counters.find((c) => c.queue === queue)!, before.counters.find((c) => c.queue === queue)!);
    const of = <T extends PbxEvent['type']>(type: T) => events.filter((e): e is Extract<PbxEvent, { type: T }> => e.type === type && 'queue' in e && e.queue === queue);
    const answered = of('call.answered').filter((e) => e.waitSec !== null);
    const talks = of('call.ended').filter((e) => e.answered);
    expect(d.offered).toBe(of('queue.joined').length);
    expect(d.answered).toBe(answered.length);
    expect(d.abandoned).toBe(of('queue.abandoned').length);
    expect(d.waitSecTotal).toBe(answered.reduce((sum, e) => sum + (e.waitSec ?? 0), 0));
    expect(d.answeredWithinSla).toBeLessThanOrEqual(d.answered);
    expect(d.talks).toBe(talks.length);
    expect(d.talkSecTotal).toBe(talks.reduce((sum, e) => sum + (e.talkSec ?? 0), 0));
    const c = after.counters.find((x) => x.queue === queue)!;
    expect(c.answered + c.abandoned).toBeLessThanOrEqual(c.offered);
    expect(c.offered - c.answered - c.abandoned).toBe(after.callers.filter((x) => x.queue === queue).length);
  }
}

describe('DemoSwitchboard', () => {
  const SEED = 20_261_102;

  it(`opens with callers waiting (some past the SLA), calls under way, today's counters, and hang-ups within 3 s (seed ${SEED})`, () => {
    const { clock, events, board } = run(SEED);
    const opening = PbxSnapshotSchema.parse(board.snapshot());
    expect(opening.callers.length).toBe(5);
    expect(opening.callers.filter((c) => opening.at - c.joinedAt > SLA * 1000).length).toBeGreaterThanOrEqual(2);
    expect(opening.agents.filter((a) => a.state === 'talking').length).toBeGreaterThanOrEqual(3);
    expect(opening.agents.filter((a) => a.state === 'ready').length).toBeGreaterThanOrEqual(1);
    const paused = opening.agents.filter((a) => a.state === 'paused').map((a) => a.pauseReason);
    expect(paused).toEqual(expect.arrayContaining(['Обед', 'Обучение', 'Документы']));
    // Open since 08:00, four hours at ~90/h: a believable morning.
    const offered = opening.counters.reduce((sum, c) => sum + c.offered, 0);
    expect(offered).toBeGreaterThan(300);
    expect(offered).toBeLessThan(600);
    for (const c of opening.counters) expect(c.answered + c.abandoned).toBeLessThanOrEqual(c.offered);

    board.start();
    clock.advance(3_000);
    expect(events.filter((e) => e.type === 'queue.abandoned').length).toBe(2);
    clock.advance(2_000);
    expect(PbxSnapshotSchema.parse(board.snapshot()).callers.length).toBeGreaterThan(0);
  });

  it(`the desk's agent starts paused with «Документы» and no call rings it (seed ${SEED})`, () => {
    const { clock, events, board } = run(SEED, { arrivalsPerHour: 600 });
    const desk = board.snapshot().agents.find((a) => a.extension === '101');
    expect(desk).toMatchObject({ state: 'paused', pauseReason: 'Документы', queues: ['zapis', 'spravka'], call: null });
    board.start();
    clock.advance(20 * 60_000);
    expect(events.some((e) => 'extension' in e && e.extension === '101')).toBe(false);
    board.stop();
  });

  for (const seed of [SEED, 7, 424_242]) {
    it(`over a simulated hour keeps every invariant: arrivals ≈ rate, every caller leaves once, legal states, counters = events (seed ${seed})`, () => {
      const { clock, events, board } = run(seed);
      const before = PbxSnapshotSchema.parse(board.snapshot());
      board.start();
      for (let s = 0; s < 3_600; s += 10) {
        clock.advance(10_000);
        PbxSnapshotSchema.parse(board.snapshot());
      }
      const after = PbxSnapshotSchema.parse(board.snapshot());

      const joined = events.filter((e) => e.type === 'queue.joined');
      expect(joined.length).toBeGreaterThan(55);
      expect(joined.length).toBeLessThan(130);
      checkInvariants(before, after, events);

      // Callers are answered and some give up; agents pause now and then; a ring goes unanswered.
      expect(events.filter((e) => e.type === 'call.answered').length).toBeGreaterThan(30);
      expect(events.some((e) => e.type === 'queue.abandoned')).toBe(true);
      expect(events.filter((e) => e.type === 'agent.status' && e.state === 'paused').length).toBeGreaterThan(0);
      // Events are in time order.
      for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
      board.stop();
      expect(clock.pending()).toEqual([]);
    });
  }

  it(`rings the longest-ready agent: ring 2–6 s, talk, about 20 s of wrap-up, ready (seed ${SEED})`, () => {
    const { clock, events, board } = run(SEED, { arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0, ringNoAnswerRate: 0, pauseRate: 0, patienceSec: 86_400 });
    board.start();
    const ready = board.snapshot().agents.filter((a) => a.state === 'ready' && a.queues.includes('spravka')).sort((a, b) => a.since - b.since);
    expect(ready.length).toBeGreaterThanOrEqual(2);
    const callId = board.addCaller('+79161234567', 'spravka');
    const ring = events.find((e) => e.type === 'call.ringing' && e.callId === callId);
    expect(ring).toMatchObject({ extension: ready[0]!.extension, queue: 'spravka', number: '+79161234567' });
    while (!events.some((e) => e.type === 'call.ended' && e.callId === callId)) clock.runNext();
    const of = (type: PbxEvent['type']) => events.find((e) => e.type === type && 'callId' in e && e.callId === callId)!;
    const answered = of('call.answered');
    const ended = of('call.ended');
    expect(answered.at - ring!.at).toBeGreaterThanOrEqual(2_000);
    expect(answered.at - ring!.at).toBeLessThanOrEqual(6_000);
    expect(ended).toMatchObject({ answered: true, extension: ready[0]!.extension });
    const ext = ready[0]!.extension;
    const statuses = () => events.filter((e): e is Extract<PbxEvent, { type: 'agent.status' }> => e.type === 'agent.status' && e.extension === ext);
    expect(statuses().map((e) => e.state)).toEqual(['ringing', 'talking', 'wrap-up']);
    const wrap = statuses()[2]!;
    while (statuses().length < 4) clock.runNext();
    expect(statuses()[3]!.state).toBe('ready');
    expect(statuses()[3]!.at - wrap.at).toBeGreaterThanOrEqual(15_000);
    expect(statuses()[3]!.at - wrap.at).toBeLessThanOrEqual(25_000);
    board.stop();
  });

  it(`a ring nobody answers raises agent.ringNoAnswer and the caller goes to the next agent (seed ${SEED})`, () => {
    const { clock, events, board } = run(SEED, { arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0, ringNoAnswerRate: 1, patienceSec: 86_400 });
    board.start();
    const callId = board.addCaller('+79161234567', 'spravka');
    clock.advance(15_000);
    const rna = events.find((e) => e.type === 'agent.ringNoAnswer');
    expect(rna).toMatchObject({ callId, queue: 'spravka', ringMs: 15_000 });
    const rings = events.filter((e) => e.type === 'call.ringing' && e.callId === callId);
    expect(rings.length).toBe(2);
    expect(rings[1]).not.toMatchObject({ extension: (rna as { extension: string }).extension });
    board.stop();
  });

  it(`arrivals double in the morning peak, 09:00–11:00 local time (seed ${SEED})`, () => {
    const { clock, events, board } = run(SEED, { patienceSec: 30 }, NINE);
    board.start();
    clock.advance(2 * 3_600_000);
    const joins = events.filter((e) => e.type === 'queue.joined').length;
    expect(joins).toBeGreaterThan(2 * 180 - 80);
    expect(joins).toBeLessThan(2 * 180 + 80);
    board.stop();
  });

  it('the same seed replays the same events; another seed does not', () => {
    const a = run(99);
    const b = run(99);
    const c = run(100);
    for (const r of [a, b, c]) {
      r.board.start();
      r.clock.advance(30 * 60_000);
    }
    expect(a.events.length).toBeGreaterThan(100);
    expect(b.events).toEqual(a.events);
    expect(c.events).not.toEqual(a.events);
  });

  it('the controls add a caller and make a waiting caller hang up', () => {
    const { events, board } = run(5, { arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0 });
    board.start();
    for (const agent of board.snapshot().agents) if (agent.state !== 'offline') board.pause(agent.extension, 'Обед');
    const callId = board.addCaller('+79160000001', 'zapis');
    expect(board.snapshot().callers).toMatchObject([{ callId, number: '+79160000001', queue: 'zapis', position: 1 }]);
    expect(board.abandon(callId)).toBe(true);
    expect(board.abandon(callId)).toBe(false);
    expect(events.slice(-3).map((e) => e.type)).toEqual(['queue.abandoned', 'queue.left', 'call.ended']);
    expect(() => board.addCaller('+7916', 'nope')).toThrow(/No such queue/);
    expect(() => board.addCaller('not a number', 'zapis')).toThrow(/Invalid/);
    board.stop();
  });

  it('callers are mostly the demo clinic’s patients', () => {
    const pick = demoClinicCallerPicker({ patients: 500, seed: 3 });
    const random = seededRandom(1);
    const phones = new Set<string>();
    for (let i = 0; i < 500; i++) for (const phone of syntheticPatient(i, 3).phones) phones.add(phone.e164);
    const numbers = Array.from({ length: 400 }, () => pick(random));
    const known = numbers.filter((n) => phones.has(n)).length;
    expect(known / numbers.length).toBeGreaterThan(0.75);
    expect(known).toBeLessThan(numbers.length);
  });

  it('a load-test board (200 agents, ~500 callers, ~50 events/s) keeps every invariant and handles two minutes quickly', () => {
    const { clock, events, board } = run(11, DEMO_SWITCHBOARD_LOAD_TEST);
    const before = PbxSnapshotSchema.parse(board.snapshot());
    expect(before.agents.length).toBe(201);
    expect(before.callers.length).toBe(500);
    board.start();
    const started = performance.now();
    clock.advance(120_000);
    const elapsed = performance.now() - started;
    const after = PbxSnapshotSchema.parse(board.snapshot());
    expect(after.callers.length).toBeGreaterThan(350);
    expect(events.length / 120).toBeGreaterThan(40);
    expect(elapsed).toBeLessThan(3_000);
    checkInvariants(before, after, events);
    board.stop();
    expect(clock.pending()).toEqual([]);
  });

  it(`a monitor session per supervisor: started at once on the agent's call, its mode switched, stopped by the supervisor or with the call (seed ${SEED})`, () => {
    const { clock, events, board } = run(SEED, { arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0, ringNoAnswerRate: 0, pauseRate: 0, patienceSec: 86_400 });
    board.start();
    const talking = board.snapshot().agents.filter((a) => a.state === 'talking' && a.call);
    const [first, second] = talking as [(typeof talking)[number], (typeof talking)[number]];
    board.monitor('9000', first.extension, 'listen');
    expect(events.at(-1)).toEqual({ type: 'monitor.started', at: NOON, supervisorExtension: '9000', extension: first.extension, callId: first.call!.callId });
    expect(board.monitorOf('9000')).toEqual({ extension: first.extension, callId: first.call!.callId, mode: 'listen' });
    const count = events.length;
    board.monitorMode('9000', 'barge');
    expect(board.monitorOf('9000')).toMatchObject({ mode: 'barge' });
    expect(events.length).toBe(count); // a PBX says nothing about a mode
    expect(() => board.monitor('9000', second.extension, 'listen')).toThrow(/9000 is already monitoring/);
    board.monitor('9001', second.extension, 'whisper');
    board.stopMonitor('9001');
    expect(events.at(-1)).toEqual({ type: 'monitor.stopped', at: NOON, supervisorExtension: '9001', extension: second.extension });
    expect(board.snapshot().agents.find((a) => a.extension === second.extension)).toMatchObject({ state: 'talking' });
    expect(() => board.stopMonitor('9001')).toThrow(/9001 is not monitoring any call/);
    expect(() => board.monitorMode('9001', 'listen')).toThrow(/9001 is not monitoring any call/);

    // The agent's call ends: the session ends with it, right after the call.
    while (!events.some((e) => e.type === 'call.ended' && e.extension === first.extension)) clock.runNext();
    const end = events.findIndex((e) => e.type === 'call.ended' && e.extension === first.extension);
    expect(events[end + 1]).toEqual({ type: 'monitor.stopped', at: events[end]!.at, supervisorExtension: '9000', extension: first.extension });
    expect(board.monitorOf('9000')).toBeNull();
    expect(() => board.monitor('9000', first.extension, 'listen')).toThrow(/not on a call/);
    expect(() => board.monitor('9000', '999', 'listen')).toThrow(/Interface not found/);
    expect(() => board.monitor(second.extension, second.extension, 'listen')).toThrow(/cannot monitor its own call/);
    board.stop();
  });

  it(`a transfer to the desk's own agent: the first agent's leg ends, the desk rings and answers with the caller's number, same call id; the queue counts one talk (seed ${SEED})`, () => {
    const { clock, events, board } = run(SEED, { arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0, ringNoAnswerRate: 0, pauseRate: 0, patienceSec: 86_400 });
    board.start();
    const callId = board.addCaller('+79161234567', 'spravka');
    const ring = events.find((e) => e.type === 'call.ringing' && e.callId === callId) as Extract<PbxEvent, { type: 'call.ringing' }>;
    while (!events.some((e) => e.type === 'call.answered' && e.callId === callId)) clock.runNext();
    const agent = ring.extension;
    board.monitor('9000', agent, 'whisper');
    clock.advance(4_000);
    board.unpause('101');
    const before = board.snapshot().counters.find((c) => c.queue === 'spravka')!;
    const from = events.length;
    const at = Math.round(clock.now());
    board.transfer(agent, '101');
    expect(events.slice(from)).toEqual([
      { type: 'call.ended', at, callId, number: '+79161234567', extension: agent, queue: null, answered: true, talkSec: expect.any(Number) },
      { type: 'monitor.stopped', at, supervisorExtension: '9000', extension: agent },
      { type: 'agent.status', at, extension: agent, state: 'wrap-up', pauseReason: null },
      { type: 'call.ringing', at, callId, number: '+79161234567', extension: '101', queue: 'spravka' },
      { type: 'agent.status', at, extension: '101', state: 'ringing', pauseReason: null },
    ]);
    clock.advance(3_000);
    expect(events.find((e) => e.type === 'call.answered' && e.extension === '101')).toEqual({ type: 'call.answered', at: at + 3_000, callId, number: '+79161234567', extension: '101', queue: 'spravka', waitSec: null });
    while (!events.some((e) => e.type === 'call.ended' && e.extension === '101')) clock.runNext();
    const ends = events.filter((e): e is Extract<PbxEvent, { type: 'call.ended' }> => e.type === 'call.ended' && e.callId === callId);
    expect(ends.map((e) => [e.extension, e.queue])).toEqual([
      [agent, null],
      ['101', 'spravka'],
    ]);
    const after = board.snapshot().counters.find((c) => c.queue === 'spravka')!;
    expect(after.talks - before.talks).toBe(1);
    // The whole talk, both legs.
    expect(after.talkSecTotal - before.talkSecTotal).toBe(ends[1]!.talkSec);
    expect(ends[1]!.talkSec).toBeGreaterThan(ends[0]!.talkSec!);
    board.stop();
  });

  it('a supervisor pauses and unpauses any logged-in agent, a simulated one too', () => {
    const { clock, events, board } = run(SEED, { arrivalsPerHour: 0, initialCallers: 0, openingAbandons: 0, pauseRate: 0 });
    board.start();
    const opening = board.snapshot().agents;
    const ready = opening.find((a) => a.state === 'ready')!;
    const simPaused = opening.find((a) => a.state === 'paused' && a.extension !== '101')!;
    const talking = opening.find((a) => a.state === 'talking')!;
    board.pause(ready.extension, 'Обучение');
    expect(events.at(-1)).toEqual({ type: 'agent.status', at: NOON, extension: ready.extension, state: 'paused', pauseReason: 'Обучение' });
    // The simulation's own pause is lifted; a talking agent pauses after its call and wrap-up.
    board.unpause(simPaused.extension);
    expect(events.at(-1)).toMatchObject({ type: 'agent.status', extension: simPaused.extension, state: 'ready', pauseReason: null });
    board.pause(talking.extension, 'Обед');
    expect(board.snapshot().agents.find((a) => a.extension === talking.extension)).toMatchObject({ state: 'talking' });
    // A supervisor's pause does not end by itself, as the simulation's own pauses do.
    clock.advance(3_600_000);
    const now = board.snapshot().agents;
    expect(now.find((a) => a.extension === ready.extension)).toMatchObject({ state: 'paused', pauseReason: 'Обучение' });
    expect(now.find((a) => a.extension === talking.extension)).toMatchObject({ state: 'paused', pauseReason: 'Обед' });
    expect(events.filter((e) => e.type === 'agent.status' && e.extension === talking.extension).map((e) => (e as { state: string }).state)).toEqual(['wrap-up', 'paused']);
    board.unpause(ready.extension);
    expect(events.at(-1)).toMatchObject({ type: 'agent.status', extension: ready.extension, state: 'ready', pauseReason: null });
    const offline = opening.find((a) => a.state === 'offline')!;
    expect(() => board.pause(offline.extension, 'Обед')).toThrow(/not logged in/);
    board.stop();
  });

  for (const seed of [SEED, 8]) {
    it(`a supervisor listening in, switching, stopping, transferring and pausing at random keeps every invariant; sessions end with their calls; same seed, same events (seed ${seed})`, () => {
      const play = () => {
        const { clock, events, board } = run(seed);
        const before = PbxSnapshotSchema.parse(board.snapshot());
        board.start();
        const random = seededRandom(seed + 1);
        const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
        const modes: MonitorMode[] = ['listen', 'whisper', 'barge'];
        let refusals = 0;
        for (let s = 0; s < 1_800; s += 5) {
          clock.advance(5_000);
          const agents = board.snapshot().agents;
          const talking = agents.filter((a) => a.state === 'talking');
          const ready = agents.filter((a) => a.state === 'ready');
          const r = random();
          try {
            if (r < 0.25) board.monitor(pick(['9000', '9001'])!, pick(talking)?.extension ?? '999', pick(modes)!);
            else if (r < 0.35) board.monitorMode(pick(['9000', '9001'])!, pick(modes)!);
            else if (r < 0.45) board.stopMonitor(pick(['9000', '9001'])!);
            else if (r < 0.55) board.transfer(pick(talking)?.extension ?? '999', pick(ready)?.extension ?? '999');
            else if (r < 0.6) board.pause(pick(agents)!.extension, 'Обед');
            else if (r < 0.7) board.unpause(pick(agents)!.extension);
          } catch (error) {
            expect(error).toBeInstanceOf(PbxError);
            expect((error as PbxError).kind).toBe('refused');
            refusals++;
          }
        }
        const after = PbxSnapshotSchema.parse(board.snapshot());
        board.stop();
        return { before, after, events, refusals };
      };
      const { before, after, events, refusals } = play();
      checkInvariants(before, after, events);
      expect(refusals).toBeGreaterThan(0);
      const open = new Map<string, { extension: string; callId: string | null }>();
      let started = 0;
      let withCall = 0;
      const talkingOn = new Map<string, string>(before.agents.flatMap((a) => (a.state === 'talking' && a.call ? [[a.extension, a.call.callId] as const] : [])));
      for (const [i, e] of events.entries()) {
        if (e.type === 'call.answered') talkingOn.set(e.extension, e.callId);
        if (e.type === 'monitor.started') {
          expect(open.has(e.supervisorExtension)).toBe(false);
          expect(talkingOn.get(e.extension)).toBe(e.callId);
          open.set(e.supervisorExtension, { extension: e.extension, callId: e.callId });
          started++;
        }
        if (e.type === 'monitor.stopped') {
          expect(open.get(e.supervisorExtension)?.extension).toBe(e.extension);
          open.delete(e.supervisorExtension);
        }
        if (e.type === 'call.ended' && e.extension !== null) {
          talkingOn.delete(e.extension);
          // Whoever listened in on it is off it right after.
          const listeners = [...open].filter(([, session]) => session.extension === e.extension && session.callId === e.callId).map(([supervisor]) => supervisor);
          const next = events.slice(i + 1, i + 1 + listeners.length);
          expect(next.map((n) => (n.type === 'monitor.stopped' ? n.supervisorExtension : n.type)).sort()).toEqual(listeners.sort());
          withCall += listeners.length;
        }
      }
      expect(started).toBeGreaterThan(10);
      expect(withCall).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'call.ended' && e.queue === null && e.extension !== null && events.some((x) => x.type === 'call.ringing' && x.callId === e.callId && x.at === e.at))).toBe(true); // a transfer happened
      expect(play().events).toEqual(events);
    });
  }

  it(`never holds more than ${MAX_WAITING} waiting callers (the board's limit is 5,000)`, () => {
    const { clock, board } = run(12, { agents: 0, initialCallers: 4_000, openingAbandons: 0, arrivalsPerHour: 100_000, patienceSec: 86_400 });
    board.start();
    expect(() => board.addCaller('+79160000001', 'zapis')).toThrow(/full/);
    clock.advance(60_000);
    expect(PbxSnapshotSchema.parse(board.snapshot()).callers.length).toBe(MAX_WAITING);
    board.stop();
  });
});

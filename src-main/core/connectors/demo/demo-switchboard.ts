import { z } from 'zod';
import { emptyCounters, type AgentState, type PbxSnapshot, type QueueAgent, type QueueCaller, type QueueCounters } from '../../../../src-shared/pbx/pbx-model';
import type { Random } from '../../../../src-shared/random/seeded-random';
import type { Clock } from '../../../../src-shared/time/clock';
import { syntheticMobile, syntheticPatient } from '../../demo/synthetic-patients';
import { PbxError, type MonitorMode, type PbxEvent } from '../pbx/pbx-connector';
import { countAbandoned, countAnswered, countOffered, countTalk } from '../../../../src-shared/pbx/queue-counting';

/**
 * The living demo switchboard: the embedded default PBX as a deterministic simulation on an
 * injected clock and one seeded random stream. Two queues («Запись», «Справочная»), a dozen
 * agents and this desk's own agent; callers arrive as a Poisson stream (twice as many 09:00–11:00
 * local time), wait, are rung to the longest-ready agent of their queue or hang up after their
 * patience; agents talk, do after-call work and pause now and then. Everything it does is told as
 * the PBX connector's domain events, in order, and {@link DemoSwitchboard.snapshot} is the same
 * state as a board.
 *
 * Every event is O(1) over maps (ready agents per queue and waiting callers per queue keep
 * insertion order, which is readiness order and arrival order); only an abandoning caller's
 * position is a scan of its own queue.
 */

export const DEMO_QUEUES = [
  { id: 'zapis', name: 'Запись' },
  { id: 'spravka', name: 'Справочная' },
] as const;
export type DemoQueueId = (typeof DEMO_QUEUES)[number]['id'];

/** Pause reasons of the simulated agents, with how often they are picked and how long they last (minutes). */
const PAUSES: readonly { reason: string; weight: number; minMin: number; maxMin: number }[] = [
  { reason: 'Документы', weight: 5, minMin: 2, maxMin: 6 },
  { reason: 'Обед', weight: 2, minMin: 25, maxMin: 40 },
  { reason: 'Обучение', weight: 2, minMin: 10, maxMin: 20 },
];
/** The desk's own agent starts paused with this reason, so it takes no call before the operator says Ready. */
export const DESK_START_PAUSE = 'Документы';
export const DESK_DEFAULT_EXTENSION = '101';
export const DESK_DEFAULT_NAME = 'Оператор (этот стол)';

/** Settings of the demo switchboard; every field has a default, so `{}` is a working clinic. */
export const DemoSwitchboardConfigSchema = z
  .object({
    seed: z.number().int().default(1).meta({ title: 'Seed (the same day for the same number)', title_ru: 'Зерно (одно число — один и тот же день)' }),
    /** Mean arrivals per hour across both queues (outside the morning peak). */
    arrivalsPerHour: z.number().min(0).max(100_000).default(90).meta({ title: 'Calls per hour', title_ru: 'Звонков в час' }),
    /** Arrival rate multiplier 09:00–11:00 local time. */
    morningPeakFactor: z.number().min(1).max(10).default(2).meta({ title: 'Morning peak (09–11) ×', title_ru: 'Утренний пик (09–11), ×' }),
    /** Share of the callers who want «Запись»; the rest call «Справочная». */
    zapisShare: z.number().min(0).max(1).default(0.65).meta({ title: 'Share of callers for «Запись»', title_ru: 'Доля звонков в «Запись»' }),
    /** Mean patience of a waiting caller (exponential), seconds. */
    patienceSec: z.number().min(1).max(86_400).default(60).meta({ title: 'Caller patience, s', title_ru: 'Терпение звонящего, с' }),
    /** Callers already waiting at connect (some past the SLA). */
    initialCallers: z.number().int().min(0).max(4_000).default(5).meta({ title: 'Callers waiting at start', title_ru: 'Ожидают при запуске' }),
    /** Of those, how many hang up within the first ~2 s, so a new user sees callback tasks at once. */
    openingAbandons: z.number().int().min(0).max(20).default(2).meta({ title: 'Of them, hang up at once', title_ru: 'Из них сразу кладут трубку' }),
    /** Simulated agents (extensions 201…), besides the desk's own. */
    agents: z.number().int().min(0).max(1_500).default(12).meta({ title: 'Simulated operators', title_ru: 'Имитируемых операторов' }),
    /** Mean talk time of a queue call (log-normal), seconds. */
    talkSec: z.number().min(5).max(3_600).default(150).meta({ title: 'Mean talk time, s', title_ru: 'Средний разговор, с' }),
    /** After-call work (`wrap-up`), seconds (±25%). */
    wrapUpSec: z.number().min(0).max(600).default(20).meta({ title: 'After-call work, s', title_ru: 'Обработка после звонка, с' }),
    /** Share of offers a simulated agent lets ring out (`agent.ringNoAnswer` after {@link RING_TIMEOUT_MS}). */
    ringNoAnswerRate: z.number().min(0).max(1).default(0.04).meta({ title: 'Share of rings not answered', title_ru: 'Доля вызовов без ответа оператора' }),
    /** Chance a simulated agent pauses after a call. */
    pauseRate: z.number().min(0).max(1).default(0.06).meta({ title: 'Chance of a pause after a call', title_ru: 'Вероятность паузы после звонка' }),
    /** The demo "picks up the desk phone" this long after a call rings the desk's agent. */
    deskAnswerSec: z.number().min(0).max(60).default(3).meta({ title: 'The demo answers the desk phone after, s', title_ru: 'Демо снимает трубку через, с' }),
    /** Mean talk of the desk's agent (±25%), unless it hangs up first. */
    deskTalkSec: z.number().min(1).max(3_600).default(60).meta({ title: 'Mean talk on the desk phone, s', title_ru: 'Средний разговор на этом месте, с' }),
    /** Local time for the morning peak and "open since 08:00", as minutes east of UTC; null: the machine's zone. */
    utcOffsetMinutes: z.number().int().min(-720).max(840).nullable().default(null).meta({ title: 'Clinic UTC offset, min (empty: this computer)', title_ru: 'Смещение от UTC, мин (пусто — как на компьютере)' }),
    /** Start with today's counters as if the clinic had been open since 08:00 (seeded, not simulated). */
    prefillCounters: z.boolean().default(true).meta({ title: 'Start with today’s counters filled', title_ru: 'Начать с заполненными счётчиками дня' }),
  })
  .strict();
export type DemoSwitchboardConfig = z.infer<typeof DemoSwitchboardConfigSchema>;

/**
 * A switchboard for benches: 200 agents on short calls, arrivals a little beyond what they can
 * answer and patient callers, so ~500 wait at any time and ~50 events a second flow.
 */
export const DEMO_SWITCHBOARD_LOAD_TEST: Partial<DemoSwitchboardConfig> = {
  agents: 200,
  arrivalsPerHour: 25_000,
  patienceSec: 300,
  initialCallers: 500,
  talkSec: 20,
  wrapUpSec: 5,
};

/** A queue call rings this long before an agent who does not pick up is passed over. */
export const RING_TIMEOUT_MS = 15_000;
/** Callers waiting in both queues at most (the board holds 5,000): beyond it an arrival gets busy and never joins. */
export const MAX_WAITING = 4_000;
/** A simulated agent answers an outbound call's leg, and its callee answers, after this long. */
const OUTBOUND_PICKUP_MS = 2_000;
const OUTBOUND_TALK_SEC = 90;

export interface DemoSwitchboardOptions {
  config: DemoSwitchboardConfig;
  clock: Clock;
  random: Random;
  /** `settings.queue.slaSeconds`: a call answered within it counts as `answeredWithinSla`. */
  slaSeconds: number;
  /** This desk's agent. */
  desk: { extension: string; name: string };
  /** A caller's number; the lead wires it to the demo clinic's patients ({@link demoClinicCallerPicker}). */
  pickCallerNumber: (random: Random) => string;
  emit: (event: PbxEvent) => void;
}

type Activity = 'idle' | 'ringing' | 'talking' | 'wrap-up';

interface Agent {
  readonly extension: string;
  readonly name: string;
  readonly queues: readonly QueueState[];
  readonly desk: boolean;
  offline: boolean;
  /** The agent's pause; it shows (state `paused`) once the agent has no call and no after-call work. */
  pauseReason: string | null;
  activity: Activity;
  call: Call | null;
  /** The ring, talk or wrap-up timer. */
  timer: unknown;
  /** End of a pause the simulation took (not one a command set). */
  pauseTimer: unknown;
  /** What the last `agent.status` said. */
  state: AgentState;
  reported: string | null;
  since: number;
  inReady: boolean;
}

interface Call {
  readonly id: string;
  readonly seq: number;
  readonly number: string;
  readonly queue: QueueState | null;
  /** When it joined the queue; null for an outbound call. */
  readonly joinedAt: number | null;
  /** Still in the queue (not yet answered, abandoned or ended). */
  waiting: boolean;
  agent: Agent | null;
  /** Since when the current agent leg rings or talks. */
  legSince: number;
  /** Answered at least once (talk counted at the end). */
  answered: boolean;
  /** Talk time of earlier legs (before a transfer). */
  talkMsBefore: number;
  abandonTimer: unknown;
}

/** A supervisor's phone on an agent's call (the demo's ChanSpy). */
interface MonitorSession {
  readonly supervisor: string;
  readonly agent: Agent;
  readonly callId: string;
  mode: MonitorMode;
}

interface QueueState {
  readonly id: string;
  readonly name: string;
  /** Waiting callers in arrival order (ringing ones too: a caller leaves the queue when answered). */
  readonly waiting: Map<string, Call>;
  /** Ready agents, longest-ready first. */
  readonly ready: Map<string, Agent>;
  readonly counters: QueueCounters;
}

/** Tests and the demo's own controls: put a caller in a queue, make one hang up. */
export interface DemoSwitchboardControls {
  /** A caller joins `queue` now; returns the call id. */
  addCaller(number: string, queue?: string): string;
  /** The waiting caller `callId` hangs up now; false when it is not waiting. */
  abandon(callId: string): boolean;
  /** Changes the arrival rate from now on. */
  setArrivalsPerHour(rate: number): void;
}

// The dozen agents of the demo clinic: [extension offset, name, queues, opening state].
type Opening = 'talking' | 'outbound' | 'wrap-up' | 'ready' | 'offline' | `paused:${string}`;
const DEMO_AGENTS: readonly (readonly [string, readonly DemoQueueId[], Opening])[] = [
  ['Смирнова Елена', ['zapis', 'spravka'], 'talking'],
  ['Кузнецова Ольга', ['zapis', 'spravka'], 'talking'],
  ['Попова Наталья', ['zapis', 'spravka'], 'wrap-up'],
  ['Васильева Татьяна', ['zapis', 'spravka'], 'paused:Обед'],
  ['Петров Алексей', ['zapis'], 'talking'],
  ['Соколова Анна', ['zapis'], 'paused:Обучение'],
  ['Михайлова Ирина', ['zapis'], 'talking'],
  ['Новикова Мария', ['zapis'], 'outbound'],
  ['Фёдорова Светлана', ['zapis'], 'paused:Документы'],
  ['Морозов Дмитрий', ['spravka'], 'ready'],
  ['Волкова Юлия', ['spravka'], 'ready'],
  ['Алексеева Екатерина', ['spravka'], 'offline'],
];
const MORE_SURNAMES = ['Лебедева', 'Семёнова', 'Егорова', 'Павлова', 'Козлова', 'Степанова', 'Николаева', 'Орлова', 'Андреева', 'Макарова', 'Никитина', 'Захарова'];
const MORE_NAMES = ['Анастасия', 'Марина', 'Людмила', 'Галина', 'Дарья', 'Ксения', 'Валентина', 'Надежда', 'Виктория', 'Полина', 'Софья', 'Алина'];
const MEMBERSHIPS: readonly (readonly DemoQueueId[])[] = [['zapis', 'spravka'], ['zapis'], ['spravka'], ['zapis']];

const CALL_NUMBER = /^[0-9A-Za-z+*#._-]{1,64}$/;

/**
 * A caller picker over the demo clinic's patients (`DemoMis` of the same `patients` and `seed`):
 * `knownShare` of the calls come from a patient's own first phone, so the queue view shows
 * cached names; the rest are numbers the clinic does not know.
 */
export function demoClinicCallerPicker(options: { patients?: number; seed?: number; knownShare?: number } = {}): (random: Random) => string {
  const patients = Math.max(1, options.patients ?? 20_000);
  const seed = options.seed ?? 1;
  const knownShare = options.knownShare ?? 0.85;
  return (random) => {
    if (random() < knownShare) {
      const index = Math.floor(random() * patients);
      return syntheticPatient(index, seed).phones[0]?.e164 ?? `+7${syntheticMobile(index, seed)}`;
    }
    return `+79${String(Math.floor(random() * 1_000_000_000)).padStart(9, '0')}`;
  };
}

export class DemoSwitchboard implements DemoSwitchboardControls {
  private readonly config: DemoSwitchboardConfig;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly sla: number;
  private readonly emit: (event: PbxEvent) => void;
  private readonly pickNumber: (random: Random) => string;
  private readonly queues = new Map<string, QueueState>();
  private readonly agents = new Map<string, Agent>();
  private readonly calls = new Map<string, Call>();
  private readonly timers = new Set<unknown>();
  /** Monitor sessions by the supervisor's extension. */
  private readonly monitors = new Map<string, MonitorSession>();
  private readonly idPrefix: string;
  private nextSeq = 1;
  private arrivalsPerHour: number;
  private arrivalTimer: unknown = null;
  private running = false;
  private stopped = false;

  constructor(options: DemoSwitchboardOptions) {
    this.config = options.config;
    this.clock = options.clock;
    this.random = options.random;
    this.sla = options.slaSeconds;
    this.emit = options.emit;
    this.pickNumber = options.pickCallerNumber;
    this.arrivalsPerHour = options.config.arrivalsPerHour;
    const now = this.now();
    this.idPrefix = `dq${now.toString(36)}`;
    for (const { id, name } of DEMO_QUEUES) this.queues.set(id, { id, name, waiting: new Map(), ready: new Map(), counters: emptyCounters(id) });
    this.build(options.desk, now);
  }

  /** Starts the day: timers for everything under way, the opening hang-ups, the arrivals. Idempotent. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    for (const agent of this.agents.values()) this.resume(agent);
    const callers = [...this.calls.values()].filter((call) => call.waiting);
    const opening = Math.min(this.config.openingAbandons, callers.length);
    // The latest arrivals hang up first, all within 2 s: before any ring (≥ 2 s) can be answered.
    callers.forEach((call, index) => {
      const fromEnd = callers.length - 1 - index;
      const delay = fromEnd < opening ? 500 + Math.round((1_400 * (opening - 1 - fromEnd)) / Math.max(1, opening)) : this.patienceMs();
      call.abandonTimer = this.schedule(delay, () => this.abandonCall(call));
    });
    for (const queue of this.queues.values()) this.dispatchQueue(queue);
    this.scheduleArrival();
  }

  /** Stops every timer; nothing happens after it. */
  stop(): void {
    this.running = false;
    this.stopped = true;
    for (const handle of this.timers) this.clock.clearTimeout(handle);
    this.timers.clear();
    this.arrivalTimer = null;
    this.monitors.clear();
  }

  snapshot(): PbxSnapshot {
    const callers: QueueCaller[] = [];
    for (const queue of this.queues.values()) {
      let position = 0;
      for (const call of queue.waiting.values()) callers.push({ callId: call.id, number: call.number, queue: queue.id, position: ++position, joinedAt: call.joinedAt ?? 0 });
    }
    const agents: QueueAgent[] = [];
    for (const agent of this.agents.values()) {
      const call = agent.call;
      agents.push({
        extension: agent.extension,
        name: agent.name,
        state: agent.state,
        since: agent.since,
        pauseReason: agent.reported,
        queues: agent.queues.map((queue) => queue.id),
        call: call ? { callId: call.id, number: call.number, queue: call.queue?.id ?? null, since: call.legSince } : null,
      });
    }
    return {
      at: this.now(),
      queues: DEMO_QUEUES.map(({ id, name }) => ({ id, name })),
      callers,
      agents,
      counters: [...this.queues.values()].map((queue) => ({ ...queue.counters })),
    };
  }

  // ——— commands (the PBX connector's, by extension) ———

  pause(extension: string, reason: string): void {
    const agent = this.loggedIn(extension);
    this.cancel(agent.pauseTimer);
    agent.pauseTimer = null;
    agent.pauseReason = reason;
    // A queue call ringing a pausing agent goes back to the queue; after-call work ends; a talk goes on.
    const withdrawn = agent.activity === 'ringing' && agent.call?.waiting ? agent.call : null;
    if (withdrawn || agent.activity === 'wrap-up') this.freeAgent(agent);
    if (withdrawn) withdrawn.agent = null;
    this.refresh(agent);
    if (withdrawn?.queue) this.dispatchQueue(withdrawn.queue);
  }

  unpause(extension: string): void {
    const agent = this.loggedIn(extension);
    this.cancel(agent.pauseTimer);
    agent.pauseTimer = null;
    agent.pauseReason = null;
    this.refresh(agent);
    this.dispatchAgent(agent);
  }

  originate(extension: string, number: string): string {
    const agent = this.loggedIn(extension);
    if (agent.activity === 'ringing' || agent.activity === 'talking') throw new PbxError('refused', `Extension ${extension} is busy`);
    if (!CALL_NUMBER.test(number)) throw new PbxError('refused', 'Invalid number to dial');
    if (agent.activity === 'wrap-up') this.freeAgent(agent);
    const call = this.newCall(number, null, null);
    this.ring(call, agent, agent.desk ? this.config.deskAnswerSec * 1000 : OUTBOUND_PICKUP_MS, false);
    return call.id;
  }

  hangup(extension: string): void {
    const agent = this.known(extension);
    const call = agent.call;
    if (!call) throw new PbxError('refused', `No call on extension ${extension}`);
    if (agent.activity === 'talking') return this.endTalk(call);
    // Ringing: a queue caller stays in the queue (declined); any other call is over.
    this.freeAgent(agent);
    call.agent = null;
    if (call.waiting) {
      // Declined: the caller stays in the queue, offered to whoever is ready longest (this agent last).
      this.refresh(agent, false, false);
      if (call.queue) this.dispatchQueue(call.queue);
      this.refresh(agent);
      this.dispatchAgent(agent);
      return;
    }
    this.calls.delete(call.id);
    const talkSec = call.answered ? Math.round(call.talkMsBefore / 1000) : null;
    this.send({ type: 'call.ended', at: this.now(), callId: call.id, number: call.number, extension, queue: call.queue?.id ?? null, answered: call.answered, talkSec });
    if (call.answered && call.queue) this.countTalk(call.queue, talkSec ?? 0);
    this.refresh(agent);
    this.dispatchAgent(agent);
  }

  /**
   * Blind: the talking call moves to `target` (any agent on the board, the desk's own too), which
   * must be ready. As a PBX tells it: the first agent's leg ends (`call.ended`, its talk so far,
   * no queue: the queue's talk is counted once, when the call ends) and it goes to wrap-up; the
   * target rings and answers with the caller's number under the same call id.
   */
  transfer(extension: string, target: string): void {
    const agent = this.known(extension);
    const call = agent.call;
    if (!call || agent.activity !== 'talking') throw new PbxError('refused', `No call to transfer on extension ${extension}`);
    const to = this.agents.get(target);
    if (!to) throw new PbxError('refused', `Interface not found: ${target}`);
    if (to === agent) throw new PbxError('refused', 'Cannot transfer a call to the same extension');
    if (to.state !== 'ready') throw new PbxError('refused', `Extension ${target} is not ready (${to.state}); the call stays on ${extension}`);
    const now = this.now();
    const legMs = now - call.legSince;
    call.talkMsBefore += legMs;
    this.cancel(agent.timer);
    agent.call = null;
    call.agent = null;
    this.send({ type: 'call.ended', at: now, callId: call.id, number: call.number, extension, queue: null, answered: true, talkSec: Math.round(legMs / 1000) });
    this.endMonitors(agent);
    this.wrapUp(agent);
    this.ring(call, to, to.desk ? this.config.deskAnswerSec * 1000 : this.uniform(2_000, 6_000), false);
  }

  /**
   * `supervisor`'s phone joins the call `extension` is talking on (listen, whisper or barge):
   * `monitor.started` at once; the session ends on {@link stopMonitor} or with the agent's call.
   */
  monitor(supervisor: string, extension: string, mode: MonitorMode): void {
    const agent = this.known(extension);
    if (supervisor === extension) throw new PbxError('refused', `Extension ${extension} cannot monitor its own call`);
    const call = agent.call;
    if (agent.activity !== 'talking' || !call) throw new PbxError('refused', `Extension ${extension} is not on a call`);
    const running = this.monitors.get(supervisor);
    if (running) throw new PbxError('refused', `Extension ${supervisor} is already monitoring ${running.agent.extension}; stop that first`);
    this.monitors.set(supervisor, { supervisor, agent, callId: call.id, mode });
    this.send({ type: 'monitor.started', at: this.now(), supervisorExtension: supervisor, extension, callId: call.id });
  }

  /** Switches `supervisor`'s running session to `mode` (a PBX says nothing: the mode is not in its events). */
  monitorMode(supervisor: string, mode: MonitorMode): void {
    this.session(supervisor).mode = mode;
  }

  stopMonitor(supervisor: string): void {
    this.endMonitor(this.session(supervisor));
  }

  /** `supervisor`'s session now, or null. */
  monitorOf(supervisor: string): { extension: string; callId: string; mode: MonitorMode } | null {
    const session = this.monitors.get(supervisor);
    return session ? { extension: session.agent.extension, callId: session.callId, mode: session.mode } : null;
  }

  // ——— controls ———

  addCaller(number: string, queue: string = 'zapis'): string {
    const state = this.queues.get(queue);
    if (!state) throw new PbxError('refused', `No such queue: ${queue}`);
    if (!CALL_NUMBER.test(number)) throw new PbxError('refused', 'Invalid caller number');
    if (this.waitingCount() >= MAX_WAITING) throw new PbxError('refused', 'The queues are full');
    return this.join(number, state).id;
  }

  abandon(callId: string): boolean {
    const call = this.calls.get(callId);
    if (!call?.waiting) return false;
    this.abandonCall(call);
    return true;
  }

  setArrivalsPerHour(rate: number): void {
    this.arrivalsPerHour = Math.max(0, rate);
    this.cancel(this.arrivalTimer);
    this.arrivalTimer = null;
    this.scheduleArrival();
  }

  // ——— the opening state ———

  private build(desk: { extension: string; name: string }, now: number): void {
    const both = [...this.queues.values()];
    const deskAgent = this.addAgent(desk.extension, desk.name, both, true, now);
    deskAgent.pauseReason = DESK_START_PAUSE;
    this.refresh(deskAgent, true);
    if (this.config.prefillCounters) this.prefill(now);

    // Callers waiting now, oldest first; the first ones past the SLA.
    const callerCount = Math.max(this.config.initialCallers, this.config.openingAbandons);
    const longest = (this.sla * 2.5 + 20) * 1000;
    const waits = Array.from({ length: callerCount }, (_, i) => Math.max(1_000, Math.round((longest * (callerCount - i)) / callerCount) - Math.round(this.random() * 3_000)));
    // A few callers wait in «Запись», where nobody is ready at the opening; a crowd is spread over both queues.
    const queueFor = (): QueueState => this.queue(callerCount <= 12 || this.random() < this.config.zapisShare ? 'zapis' : 'spravka');
    const callers = waits.map((wait) => ({ joinedAt: now - wait, queue: queueFor() }));
    callers.sort((a, b) => a.joinedAt - b.joinedAt);
    for (const { joinedAt, queue } of callers) {
      const call = this.newCall(this.number(), queue, joinedAt);
      queue.waiting.set(call.id, call);
      countOffered(queue.counters);
    }

    for (let i = 0; i < this.config.agents; i++) {
      const extension = String(201 + i);
      if (extension === desk.extension) continue;
      const [name, queueIds, opening] = i < DEMO_AGENTS.length ? (DEMO_AGENTS[i] as (typeof DEMO_AGENTS)[number]) : this.generatedAgent(i);
      const agent = this.addAgent(extension, name, queueIds.map((id) => this.queue(id)), false, now);
      this.open(agent, opening, now);
    }
    // Ready lists in readiness order (the opening states were drawn in extension order).
    for (const queue of this.queues.values()) {
      const ready = [...queue.ready.values()].sort((a, b) => a.since - b.since);
      queue.ready.clear();
      for (const agent of ready) queue.ready.set(agent.extension, agent);
    }
  }

  private generatedAgent(i: number): readonly [string, readonly DemoQueueId[], Opening] {
    const name = `${MORE_SURNAMES[i % MORE_SURNAMES.length] ?? 'Лебедева'} ${MORE_NAMES[Math.floor(i / MORE_SURNAMES.length) % MORE_NAMES.length] ?? 'Анна'}`;
    const r = this.random();
    const opening: Opening = r < 0.45 ? 'talking' : r < 0.6 ? 'ready' : r < 0.7 ? 'wrap-up' : r < 0.9 ? `paused:${this.pauseKind().reason}` : 'offline';
    return [name, MEMBERSHIPS[i % MEMBERSHIPS.length] ?? ['zapis'], opening];
  }

  private open(agent: Agent, opening: Opening, now: number): void {
    if (opening === 'offline') {
      agent.offline = true;
    } else if (opening === 'talking' || opening === 'outbound') {
      const queue = opening === 'outbound' ? null : (agent.queues[Math.floor(this.random() * agent.queues.length)] ?? null);
      const talkingFor = Math.round(this.uniform(5_000, 120_000));
      const waited = Math.round(this.uniform(3_000, 40_000));
      const call = this.newCall(this.number(), queue, queue ? now - talkingFor - waited : null);
      call.waiting = false;
      call.answered = true;
      call.agent = agent;
      call.legSince = now - talkingFor;
      agent.call = call;
      agent.activity = 'talking';
      if (queue) {
        countOffered(queue.counters);
        this.countAnswer(queue, waited);
      }
    } else if (opening === 'wrap-up') {
      agent.activity = 'wrap-up';
    } else if (opening.startsWith('paused:')) {
      agent.pauseReason = opening.slice('paused:'.length);
    }
    this.refresh(agent, true);
    agent.since = now - Math.round(this.uniform(5_000, 300_000));
    if (agent.call) agent.since = agent.call.legSince;
  }

  /** Timers for an agent's opening state (at least 8 s away, so the opening stays as it is for a moment). */
  private resume(agent: Agent): void {
    if (agent.activity === 'talking' && agent.call) {
      const call = agent.call;
      const remaining = 8_000 + (call.queue ? this.talkMs() * 0.6 : this.uniform(10_000, 60_000));
      agent.timer = this.schedule(remaining, () => this.endTalk(call));
    } else if (agent.activity === 'wrap-up') {
      agent.timer = this.schedule(this.uniform(8_000, 20_000), () => this.afterWork(agent));
    } else if (agent.pauseReason !== null && !agent.desk) {
      const kind = PAUSES.find((p) => p.reason === agent.pauseReason) ?? PAUSES[0];
      const remaining = kind ? this.uniform(kind.minMin * 20_000, kind.maxMin * 40_000) : 60_000;
      agent.pauseTimer = this.schedule(remaining, () => this.pauseOver(agent));
    }
    this.refresh(agent);
  }

  /** Today's counters as if the clinic had been open since 08:00 (plausible, seeded; not simulated). */
  private prefill(now: number): void {
    const minutes = this.localMinutes(now);
    const open = Math.min(12 * 60, Math.max(0, minutes - 8 * 60)) / 60;
    const peak = Math.max(0, Math.min(open, 3) - 1);
    const hours = open + peak * (this.config.morningPeakFactor - 1);
    for (const queue of this.queues.values()) {
      const share = queue.id === 'zapis' ? this.config.zapisShare : 1 - this.config.zapisShare;
      const offered = Math.round(this.arrivalsPerHour * share * hours * this.uniform(0.9, 1.1));
      const abandoned = Math.round(offered * this.uniform(0.04, 0.09));
      const answered = offered - abandoned;
      const c = queue.counters;
      c.offered += offered;
      c.abandoned += abandoned;
      c.answered += answered;
      c.answeredWithinSla += Math.round(answered * this.uniform(0.72, 0.88));
      c.waitSecTotal += Math.round(answered * this.uniform(12, 26));
      c.longestWaitSec = Math.max(c.longestWaitSec, offered > 0 ? Math.round(this.uniform(150, 320)) : 0);
      c.talks += answered;
      c.talkSecTotal += Math.round(answered * this.config.talkSec * this.uniform(0.9, 1.1));
    }
  }

  // ——— the simulation ———

  private scheduleArrival(): void {
    if (!this.running || this.arrivalsPerHour <= 0) return;
    // Thinning: draw at the peak rate, keep an arrival with probability rate(t) / peak rate.
    const peakPerMs = (this.arrivalsPerHour * this.config.morningPeakFactor) / 3_600_000;
    this.arrivalTimer = this.schedule(Math.max(1, Math.round(this.exp(1 / peakPerMs))), () => {
      this.arrivalTimer = null;
      if (this.random() * this.config.morningPeakFactor < this.rateFactor(this.now()) && this.waitingCount() < MAX_WAITING) {
        this.join(this.number(), this.queue(this.random() < this.config.zapisShare ? 'zapis' : 'spravka'));
      }
      this.scheduleArrival();
    });
  }

  private join(number: string, queue: QueueState): Call {
    const now = this.now();
    const call = this.newCall(number, queue, now);
    queue.waiting.set(call.id, call);
    countOffered(queue.counters);
    this.send({ type: 'queue.joined', at: now, callId: call.id, number, queue: queue.id, position: queue.waiting.size });
    call.abandonTimer = this.schedule(this.patienceMs(), () => this.abandonCall(call));
    this.dispatchQueue(queue);
    return call;
  }

  private abandonCall(call: Call): void {
    const queue = call.queue;
    if (!call.waiting || !queue) return;
    const now = this.now();
    const position = this.positionOf(call);
    const waitMs = now - (call.joinedAt ?? now);
    const waitSec = Math.round(waitMs / 1000);
    this.leaveQueue(call);
    this.calls.delete(call.id);
    countAbandoned(queue.counters, waitSec);
    const agent = call.agent;
    call.agent = null;
    if (agent) this.freeAgent(agent);
    this.send({ type: 'queue.abandoned', at: now, callId: call.id, number: call.number, queue: queue.id, position, waitSec });
    this.send({ type: 'queue.left', at: now, callId: call.id, number: call.number, queue: queue.id, reason: 'abandoned' });
    this.send({ type: 'call.ended', at: now, callId: call.id, number: call.number, extension: null, queue: queue.id, answered: false, talkSec: null });
    if (agent) {
      this.refresh(agent);
      this.dispatchAgent(agent);
    }
  }

  private dispatchQueue(queue: QueueState): void {
    if (!this.running) return;
    for (;;) {
      const agent = first(queue.ready);
      if (!agent) return;
      const call = this.nextCaller(queue);
      if (!call) return;
      this.offer(call, agent);
    }
  }

  private dispatchAgent(agent: Agent): void {
    if (!this.running || agent.state !== 'ready') return;
    let best: Call | null = null;
    for (const queue of agent.queues) {
      const call = this.nextCaller(queue);
      if (call && (!best || (call.joinedAt ?? 0) < (best.joinedAt ?? 0) || ((call.joinedAt ?? 0) === (best.joinedAt ?? 0) && call.seq < best.seq))) best = call;
    }
    if (best) this.offer(best, agent);
  }

  /** The first waiting caller not ringing anyone (only ringing callers are skipped: a short scan). */
  private nextCaller(queue: QueueState): Call | null {
    for (const call of queue.waiting.values()) if (!call.agent) return call;
    return null;
  }

  private offer(call: Call, agent: Agent): void {
    if (agent.desk) return this.ring(call, agent, this.config.deskAnswerSec * 1000, false);
    const noAnswer = this.random() < this.config.ringNoAnswerRate;
    this.ring(call, agent, noAnswer ? RING_TIMEOUT_MS : this.uniform(2_000, 6_000), noAnswer);
  }

  private ring(call: Call, agent: Agent, afterMs: number, noAnswer: boolean): void {
    const now = this.now();
    agent.activity = 'ringing';
    agent.call = call;
    call.agent = agent;
    call.legSince = now;
    this.send({ type: 'call.ringing', at: now, callId: call.id, number: call.number, extension: agent.extension, queue: call.queue?.id ?? null });
    this.refresh(agent);
    agent.timer = this.schedule(afterMs, () => (noAnswer ? this.ringNoAnswer(call, agent) : this.answer(call, agent)));
  }

  private ringNoAnswer(call: Call, agent: Agent): void {
    const now = this.now();
    this.freeAgent(agent);
    call.agent = null;
    if (call.queue) this.send({ type: 'agent.ringNoAnswer', at: now, extension: agent.extension, callId: call.id, number: call.number, queue: call.queue.id, ringMs: now - call.legSince });
    // Others ready longer get the caller first; then this agent is ready again, last in line.
    this.refresh(agent, false, false);
    if (call.queue) this.dispatchQueue(call.queue);
    this.refresh(agent);
    this.dispatchAgent(agent);
  }

  private answer(call: Call, agent: Agent): void {
    const now = this.now();
    agent.timer = null;
    agent.activity = 'talking';
    call.legSince = now;
    const queue = call.queue;
    let waitSec: number | null = null;
    const fromQueue = call.waiting;
    if (fromQueue && queue) {
      const waitMs = now - (call.joinedAt ?? now);
      waitSec = Math.round(waitMs / 1000);
      this.leaveQueue(call);
      this.countAnswer(queue, waitMs);
    }
    call.answered = true;
    this.send({ type: 'call.answered', at: now, callId: call.id, number: call.number, extension: agent.extension, queue: queue?.id ?? null, waitSec });
    if (fromQueue && queue) this.send({ type: 'queue.left', at: now, callId: call.id, number: call.number, queue: queue.id, reason: 'answered' });
    this.refresh(agent);
    const talkMs = agent.desk ? this.config.deskTalkSec * 1000 * this.uniform(0.75, 1.25) : queue ? this.talkMs() : this.exp(OUTBOUND_TALK_SEC * 1000) + 5_000;
    agent.timer = this.schedule(talkMs, () => this.endTalk(call));
  }

  private endTalk(call: Call): void {
    const agent = call.agent;
    if (!agent) return;
    const now = this.now();
    this.cancel(agent.timer);
    const talkSec = Math.round((call.talkMsBefore + now - call.legSince) / 1000);
    agent.call = null;
    call.agent = null;
    this.calls.delete(call.id);
    this.send({ type: 'call.ended', at: now, callId: call.id, number: call.number, extension: agent.extension, queue: call.queue?.id ?? null, answered: true, talkSec });
    if (call.queue) this.countTalk(call.queue, talkSec);
    this.endMonitors(agent);
    this.wrapUp(agent);
  }

  private wrapUp(agent: Agent): void {
    agent.activity = 'wrap-up';
    this.refresh(agent);
    agent.timer = this.schedule(this.config.wrapUpSec * 1000 * this.uniform(0.75, 1.25), () => this.afterWork(agent));
  }

  private afterWork(agent: Agent): void {
    agent.timer = null;
    agent.activity = 'idle';
    // A simulated agent pauses now and then, but not while its queues have callers nobody is ringing.
    const busy = agent.queues.some((queue) => this.nextCaller(queue) !== null);
    if (!agent.desk && agent.pauseReason === null && this.random() < this.config.pauseRate && !busy) {
      const kind = this.pauseKind();
      agent.pauseReason = kind.reason;
      agent.pauseTimer = this.schedule(this.uniform(kind.minMin, kind.maxMin) * 60_000, () => this.pauseOver(agent));
    }
    this.refresh(agent);
    this.dispatchAgent(agent);
  }

  private pauseOver(agent: Agent): void {
    agent.pauseTimer = null;
    agent.pauseReason = null;
    this.refresh(agent);
    this.dispatchAgent(agent);
  }

  // ——— state ———

  /** Brings the agent's state up to date: emits `agent.status` when it changed, keeps the ready lists. */
  private refresh(agent: Agent, silent = false, mayBeReady = true): void {
    const state: AgentState = agent.offline ? 'offline' : agent.activity !== 'idle' ? agent.activity : agent.pauseReason !== null ? 'paused' : 'ready';
    const reported = state === 'paused' ? agent.pauseReason : null;
    const ready = state === 'ready' && mayBeReady;
    if (ready !== agent.inReady) {
      for (const queue of agent.queues) {
        if (ready) queue.ready.set(agent.extension, agent);
        else queue.ready.delete(agent.extension);
      }
      agent.inReady = ready;
    }
    if (state === agent.state && reported === agent.reported) return;
    const now = this.now();
    if (state !== agent.state) agent.since = now;
    agent.state = state;
    agent.reported = reported;
    if (!silent) this.send({ type: 'agent.status', at: now, extension: agent.extension, state, pauseReason: reported });
  }

  private session(supervisor: string): MonitorSession {
    const session = this.monitors.get(supervisor);
    if (!session) throw new PbxError('refused', `Extension ${supervisor} is not monitoring any call`);
    return session;
  }

  private endMonitor(session: MonitorSession): void {
    this.monitors.delete(session.supervisor);
    this.send({ type: 'monitor.stopped', at: this.now(), supervisorExtension: session.supervisor, extension: session.agent.extension });
  }

  /** The agent's call left it (ended, transferred): whoever listened in is off it. */
  private endMonitors(agent: Agent): void {
    for (const session of [...this.monitors.values()]) if (session.agent === agent) this.endMonitor(session);
  }

  /** The agent's ring, talk or wrap-up is over (no event: the caller of this says what comes next). */
  private freeAgent(agent: Agent): void {
    this.cancel(agent.timer);
    agent.timer = null;
    agent.activity = 'idle';
    agent.call = null;
  }

  private leaveQueue(call: Call): void {
    call.waiting = false;
    this.cancel(call.abandonTimer);
    call.abandonTimer = null;
    call.queue?.waiting.delete(call.id);
  }

  private countAnswer(queue: QueueState, waitMs: number): void {
    countAnswered(queue.counters, Math.round(waitMs / 1000), this.sla);
  }

  private countTalk(queue: QueueState, talkSec: number): void {
    countTalk(queue.counters, talkSec);
  }

  private waitingCount(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.waiting.size;
    return count;
  }

  private positionOf(call: Call): number {
    let position = 0;
    for (const id of call.queue?.waiting.keys() ?? []) {
      position++;
      if (id === call.id) return position;
    }
    return Math.max(1, position);
  }

  private addAgent(extension: string, name: string, queues: QueueState[], desk: boolean, now: number): Agent {
    const agent: Agent = { extension, name, queues, desk, offline: false, pauseReason: null, activity: 'idle', call: null, timer: null, pauseTimer: null, state: 'offline', reported: null, since: now, inReady: false };
    this.agents.set(extension, agent);
    return agent;
  }

  private newCall(number: string, queue: QueueState | null, joinedAt: number | null): Call {
    const seq = this.nextSeq++;
    const call: Call = { id: `${this.idPrefix}-${seq}`, seq, number, queue, joinedAt, waiting: queue !== null, agent: null, legSince: this.now(), answered: false, talkMsBefore: 0, abandonTimer: null };
    this.calls.set(call.id, call);
    return call;
  }

  private known(extension: string): Agent {
    const agent = this.agents.get(extension);
    if (!agent) throw new PbxError('refused', 'Interface not found');
    return agent;
  }

  private loggedIn(extension: string): Agent {
    const agent = this.known(extension);
    if (agent.offline) throw new PbxError('refused', `Extension ${extension} is not logged in`);
    return agent;
  }

  private queue(id: DemoQueueId): QueueState {
    const queue = this.queues.get(id);
    if (!queue) throw new Error(`demo switchboard: no queue ${id}`);
    return queue;
  }

  private number(): string {
    const number = this.pickNumber(this.random);
    return CALL_NUMBER.test(number) ? number : `+79${String(Math.floor(this.random() * 1_000_000_000)).padStart(9, '0')}`;
  }

  private pauseKind(): (typeof PAUSES)[number] {
    const total = PAUSES.reduce((sum, p) => sum + p.weight, 0);
    let r = this.random() * total;
    for (const kind of PAUSES) {
      r -= kind.weight;
      if (r < 0) return kind;
    }
    return PAUSES[0] as (typeof PAUSES)[number];
  }

  /** Log-normal talk time with mean `talkSec` (σ = 0.6), between a tenth and 8× the mean (15 s … 20 min by default). */
  private talkMs(): number {
    const sigma = 0.6;
    const mu = Math.log(this.config.talkSec * 1000) - (sigma * sigma) / 2;
    const u1 = Math.max(1e-12, this.random());
    const u2 = this.random();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const meanMs = this.config.talkSec * 1000;
    return Math.min(meanMs * 8, Math.max(meanMs / 10, Math.exp(mu + sigma * normal)));
  }

  /**
   * A caller's patience: exponential with mean `patienceSec`, shifted so nobody hangs up in the
   * first few seconds (a third of the mean, at most 10 s) — plain exponential would drop ~6% of
   * the callers while their agent's phone is still ringing.
   */
  private patienceMs(): number {
    const meanMs = this.config.patienceSec * 1000;
    const floorMs = Math.min(10_000, meanMs / 3);
    return floorMs + this.exp(meanMs - floorMs);
  }

  private exp(meanMs: number): number {
    return -Math.log(1 - this.random()) * meanMs;
  }

  private uniform(min: number, max: number): number {
    return min + (max - min) * this.random();
  }

  private rateFactor(at: number): number {
    const minutes = this.localMinutes(at);
    return minutes >= 9 * 60 && minutes < 11 * 60 ? this.config.morningPeakFactor : 1;
  }

  private localMinutes(at: number): number {
    const offset = this.config.utcOffsetMinutes ?? -new Date(at).getTimezoneOffset();
    const minutes = Math.floor(at / 60_000) + offset;
    return ((minutes % 1_440) + 1_440) % 1_440;
  }

  private schedule(ms: number, fn: () => void): unknown {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (this.running) fn();
    }, Math.max(0, Math.round(ms)));
    this.timers.add(handle);
    return handle;
  }

  private cancel(handle: unknown): void {
    if (handle === null || handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.timers.delete(handle);
  }

  private send(event: PbxEvent): void {
    this.emit(event);
  }

  private now(): number {
    return Math.round(this.clock.now());
  }
}

function first<V>(map: Map<string, V>): V | undefined {
  for (const value of map.values()) return value;
  return undefined;
}

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../../../src-shared/ipc/contract';
import { DEFAULT_PAUSE_REASONS, DEFAULT_SETTINGS, DEFAULT_WRAP_UP_CATEGORIES, type Settings } from '../../../src-shared/settings/settings-schema';
import { seededRandom, type Random } from '../../../src-shared/random/seeded-random';
import { ManualClock } from '../../../src-shared/time/manual-clock';
import { createCore } from '../core';
import { syntheticPatient } from '../demo/synthetic-patients';
import { createHostLogger } from '../host-logger';
import type { Logger, LogContext } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { MemorySettingsStorage } from '../settings/settings-storage';
import { censusGrowth, takeCensus, type CensusEntry, type CensusGrowth } from './soak-census';
import { trackResources } from './soak-resources';
import { countVerdict, memoryVerdict, RESOURCE_SLACK, slope, type SeriesVerdict } from './soak-verdict';

/** The desk's agent on the demo switchboard (its default seat). */
const DESK_EXTENSION = '101';
/** Simulated time moves in steps of this much; the core's timers on the PBX clock fire within each. */
const STEP_MS = 1_000;
/** The demo clinic changes this often in simulated time (the desk's default, `evolveIntervalMs`). */
const EVOLVE_EVERY_MS = 20_000;
/** The journal pane's list (`JOURNAL_LIMIT` of the renderer's call journal). */
const JOURNAL_LIMIT = 200;
/** Every how many calls the operator also does something else (prime steps, so they rarely coincide). */
const TRANSFER_EVERY = 10;
const SEARCH_EVERY = 7;
const JOURNAL_FILTER_EVERY = 11;
const CALLBACK_EVERY = 23;
const PAUSE_EVERY = 149;
/** A desk call rings and talks for ~10 s; one on screen this long never ended. */
const STALE_CALL_MS = 10 * 60_000;
/** The desk takes a call every ~14 s; this long without one is a stuck run, not a quiet queue. */
const STALL_MS = 30 * 60_000;
/** The renderer reports input to the core at most this often (real time: `ACTIVITY_PING_MS` in the renderer's session actions). */
const ACTIVITY_PING_MS = 10_000;
/** A pause lasts this long in simulated time. */
const PAUSE_MS = 4 * 60_000;
/** Request errors that are a state of the desk, not a fault: the PBX said no, another desk took the task. */
const EXPECTED_ERRORS = new Set(['PBX_REFUSED', 'CALLBACK_TAKEN']);

/**
 * The demo switchboard of the soak: busy enough that a caller always waits for the desk, which
 * takes a call every ~14 s of simulated time (2 s ring, ~8 s talk, ~4 s after-call work), so
 * 2,000 calls are about an eight-hour shift.
 */
const SOAK_SWITCHBOARD = { arrivalsPerHour: 480, morningPeakFactor: 1, patienceSec: 90, deskAnswerSec: 2, deskTalkSec: 8, wrapUpSec: 4 };

/** A deliberate leak, for the test that shows the rules catch one (never set by `npm run soak`). */
export interface SoakLeak {
  /** Bytes kept per call (a string in the JS heap). */
  bytesPerCall?: number;
  /** Window subscriptions to the event bus never removed, per call. */
  listenersPerCall?: number;
  /** Real timers left armed per call (unref'd, never cleared until the end). */
  timersPerCall?: number;
}

export interface ShiftSoakOptions {
  /** Calls the desk takes (ring to wrap-up). */
  calls: number;
  /** Seeds the clinic, the switchboard and the operator's choices. */
  seed: number;
  /** Calls before the baseline (default: a tenth of the calls, 50 to 200). */
  warmUpCalls?: number;
  /** Samples after warm-up, the first one being the baseline (default 40, fewer for short runs). */
  samples?: number;
  /** Patients of the demo clinic (default 20,000, the desk's default). */
  patients?: number;
  /** The demo MIS's round trip (default 2 ms: real timers, no waiting). */
  misLatencyMs?: number;
  /** A data folder to use (default: a new temporary one, removed at the end). */
  dataDir?: string;
  /** A full garbage collection (`global.gc` under `--expose-gc`). */
  gc: () => void;
  /** Progress and sample lines. */
  log?: (line: string) => void;
  leak?: SoakLeak;
  /** The run gives up (with an error) past this much real time (default 30 min). */
  maxWallMs?: number;
  /** A folder to write V8 heap snapshots to, at the baseline and at the end (for finding what grew; slow). */
  heapSnapshots?: string;
}

/** One sample: taken at a call boundary, with nothing in flight, after a full GC. */
export interface SoakSample {
  /** Calls finished (wrap-up saved) when it was taken. */
  calls: number;
  /** Simulated minutes since the shift began. */
  simMinutes: number;
  wallMs: number;
  heapUsedMb: number;
  /** V8's reserved heap (used and free): what the heap adds to the RSS. */
  heapTotalMb: number;
  rssMb: number;
  externalMb: number;
  /** V8 contexts detached but not collected (a leaked vm context or worker shows here). */
  detachedContexts: number;
  /** Listener counts: the event bus, the process, and every emitter, abort signal and `*listeners` Set the census reaches. */
  listeners: Record<string, number>;
  /** `process.getActiveResourcesInfo()` by type: the handles and timers that keep the loop alive. */
  resources: Record<string, number>;
  /** Async resources created since the run began and not destroyed, by type, unref'd timers included (`soak-resources.ts`). */
  asyncResources: Record<string, number>;
  /** Bytes of the desk's files. */
  files: Record<string, number>;
  /** journal.db rows per table, the outbox by state, cache.db cards, the demo MIS's change log. */
  rows: Record<string, number>;
  /** What the simulated window holds: calls on screen (ringing or talking), those older than {@link STALE_CALL_MS} (a ring that never ended), work in flight. */
  window: Record<string, number>;
  /** Records in the demo PBX's shared store (the PBX's database, here in the desk's process). */
  pbxRecords: number;
  /** Heap and RSS less what the embedded demo clinic's own data added since the baseline (see {@link SimulationCost}). */
  deskHeapMb?: number;
  deskRssMb?: number;
}

/**
 * What the embedded demo systems keep in the desk's heap for each thing they simulate, measured
 * at the end of the run in the same process: the demo MIS's change log keeps every change (a
 * card per change), and the demo PBX's shared store every record (a wrap-up per call). In a
 * clinic both live on other servers; the soak judges the desk's own memory without them.
 */
export interface SimulationCost {
  bytesPerMisChange: number;
  bytesPerPbxRecord: number;
  /** Changes and records measured (the larger, the steadier). */
  misChanges: number;
  pbxRecords: number;
}

export interface ShiftSoakReport {
  seed: number;
  calls: number;
  warmUpCalls: number;
  wallMs: number;
  simulatedHours: number;
  /** Samples before the baseline: at start (0 calls) and at the end of the warm-up. */
  samples: SoakSample[];
  /** Index in `samples` of the baseline (first sample after warm-up). */
  baselineIndex: number;
  memory: SeriesVerdict[];
  counts: SeriesVerdict[];
  /** The embedded demo systems' bytes per change and per record (subtracted for the desk's own memory). */
  simulation: SimulationCost;
  /** Rows and files per call after warm-up (least squares), for the tables that grow with calls. */
  perCall: Record<string, number>;
  /** Collections reachable from the core that grew between baseline and end. */
  grownCollections: CensusGrowth[];
  requests: Record<string, number>;
  /** Mean wall time per request, ms (dispatch to answer). */
  requestMeanMs: Record<string, number>;
  /** Real time spent sampling (census, GC, file sizes): not the desk's. */
  samplingMs: number;
  /** `name:CODE` of requests that failed; only {@link EXPECTED_ERRORS} codes are not a fault. */
  requestErrors: Record<string, number>;
  events: Record<string, number>;
  /** Warnings and errors the desk logged, by event name. */
  logged: Record<string, number>;
  activity: Record<string, number>;
  ok: boolean;
  /** Why not ok, one line each. */
  failures: string[];
}

interface RingingCall {
  callId: string;
  number: string;
  startedAt: number;
  answeredAt: number | null;
  /** The card the pop showed (the wrap-up's patient). */
  misId: string | null;
  transferred: boolean;
  /** The callback task this call is the call-back of. */
  callbackId: string | null;
}

const MB = 1024 * 1024;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A logger that writes the desk's log as the hosts do (`<dataDir>/logs/desk.log`) and counts warnings and errors by event. */
function countingLogger(inner: Logger, counts: Map<string, number>): Logger {
  // A service's name (never data) says which one failed to start or stop.
  const count = (level: string, event: string, context?: LogContext) => {
    const key = `${level} ${event}${typeof context?.service === 'string' ? `(${context.service})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  return {
    debug: (event: string, context?: LogContext) => inner.debug(event, context),
    info: (event: string, context?: LogContext) => inner.info(event, context),
    warn: (event: string, context?: LogContext) => {
      count('warn', event, context);
      inner.warn(event, context);
    },
    error: (event: string, context?: LogContext) => {
      count('error', event, context);
      inner.error(event, context);
    },
  };
}

function increment(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function sizeOf(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
  } catch {
    return 0;
  }
}

/** The start of the simulated shift: 08:00 local time today (the switchboard's morning peak follows). */
function shiftStart(): number {
  const start = new Date();
  start.setHours(8, 0, 0, 0);
  return start.getTime();
}

/**
 * An eight-hour shift in compressed time on a real core and the demo clinic (see README.md): the
 * living demo switchboard rings this desk's agent in CTI mode on a simulated clock, and a
 * simulated window answers every `pbx:call` with the requests the renderer sends — the pop
 * (`app.attention`, `screenPop.lookup` / `refresh` / `show`, `patients.history`), the call
 * journal (`calls.record`, `calls.recent`), the wrap-up (`booking.forCall`, `calls.wrapUp`, then
 * the outbox delivers it to the demo MIS) — and now and then a transfer at the PBX, a search, a
 * call-back from the worklist, a pause. The demo MIS changes every 20 simulated seconds, so the
 * pull engine applies deltas throughout. After warm-up it samples memory (after a full GC),
 * listeners, handles and timers, files and rows, and judges them by `soak-verdict.ts`.
 */
export async function runShiftSoak(options: ShiftSoakOptions): Promise<ShiftSoakReport> {
  const log = options.log ?? (() => undefined);
  const totalCalls = options.calls;
  const warmUpCalls = options.warmUpCalls ?? Math.min(200, Math.max(50, Math.round(totalCalls / 10)));
  if (totalCalls <= warmUpCalls) throw new Error(`the soak needs more calls (${totalCalls}) than its warm-up (${warmUpCalls})`);
  const sampleCount = Math.max(4, Math.min(options.samples ?? 40, totalCalls - warmUpCalls));
  const sampleEvery = (totalCalls - warmUpCalls) / (sampleCount - 1);
  const maxWallMs = options.maxWallMs ?? 30 * 60_000;
  const resourceTracker = trackResources();
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rg-shift-soak-'));
  const random: Random = seededRandom(options.seed);
  const clock = new ManualClock(shiftStart());
  const shiftBegan = clock.now();

  const logged = new Map<string, number>();
  const logger = countingLogger(createHostLogger(dataDir, { stderr: false }), logged);
  const settings: Settings = {
    ...structuredClone(DEFAULT_SETTINGS),
    connectors: {
      mis: { id: 'demo', config: { patients: options.patients ?? 20_000, seed: options.seed, latencyMs: options.misLatencyMs ?? 2, evolveIntervalMs: 0 } },
      pbx: { id: 'demo', config: { seed: options.seed, ...SOAK_SWITCHBOARD } },
    },
  };
  const core = createCore({
    host: 'web',
    version: 'soak',
    dataDir,
    settingsStorage: new MemorySettingsStorage(settings),
    secrets: new KeyFileSecretStore(join(dataDir, 'secrets'), logger),
    logger,
    pbxClock: clock,
  });

  const requests = new Map<string, number>();
  /** Wall time from dispatch to answer, summed per request (MIS round trips and journal commits included). */
  const requestMs = new Map<string, number>();
  const requestErrors = new Map<string, number>();
  const events = new Map<string, number>();
  const activity = new Map<string, number>();
  const inflight = new Set<Promise<void>>();
  const ringing = new Map<string, RingingCall>();
  const leaked: unknown[] = [];
  const leakTimers: ReturnType<typeof setTimeout>[] = [];
  const leakedListeners: (() => void)[] = [];
  let completed = 0;
  let outboxReloading = false;
  let outboxReloadAgain = false;
  let pausedUntil: number | null = null;
  let lastInputReported = 0;
  /** The callback task whose call-back the PBX is about to ring this desk with. */
  let pendingCallback: string | null = null;
  const context = { host: 'web' as const, client: 'soak' };

  /** One request as the renderer's bridge sends it; a refusal is thrown with its code. */
  async function request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    increment(requests, name);
    const sent = performance.now();
    const result = await core.dispatcher.dispatch(name, input, context);
    increment(requestMs, name, performance.now() - sent);
    if (!result.ok) {
      increment(requestErrors, `${name}:${result.error.code}`);
      throw Object.assign(new Error(`${name}: ${result.error.code}`), { code: result.error.code });
    }
    return result.value as RequestOutput<N>;
  }

  /** Work the window started: the main loop waits for all of it before time moves on. */
  function track(work: () => Promise<unknown>): void {
    const running = work().then(
      () => undefined,
      // A refusal is already counted by `request`; anything else is a fault of the run.
      (error: unknown) => {
        if (!(error instanceof Error && 'code' in error)) increment(requestErrors, `driver:${error instanceof Error ? error.message.slice(0, 80) : String(error)}`);
      },
    );
    inflight.add(running);
    void running.finally(() => inflight.delete(running));
  }

  async function settle(): Promise<void> {
    for (let turn = 0; turn < 10_000; turn++) {
      await nextTurn();
      if (inflight.size === 0) {
        await nextTurn();
        if (inflight.size === 0) return;
      } else {
        await Promise.race(inflight);
      }
    }
    throw new Error('the desk never went quiet (work kept coming for 10,000 turns)');
  }

  // ——— the simulated window: what the renderer does on each event ———

  function onRinging(event: EventPayload<'pbx:call'>): void {
    if (ringing.has(event.callId)) return;
    const call: RingingCall = { callId: event.callId, number: event.number, startedAt: clock.now(), answeredAt: null, misId: null, transferred: false, callbackId: pendingCallback };
    pendingCallback = null;
    ringing.set(event.callId, call);
    track(async () => {
      await request('app.attention', { reason: 'ringing' });
      const pop = await request('screenPop.lookup', { callId: call.callId, number: call.number, source: 'pbx' });
      increment(activity, pop.matches.length > 0 ? 'pop known caller' : 'pop unknown caller');
      const numberKey = pop.numberKey;
      const refresh = numberKey !== null && pop.withheld === undefined ? request('screenPop.refresh', { callId: call.callId, numberKey }) : null;
      const card = pop.matches.find((match) => match.misId === pop.chosenMisId) ?? pop.matches[0];
      if (card) {
        call.misId = card.misId;
        await request('screenPop.show', { callId: call.callId, misId: card.misId, chosen: pop.matches.length > 1, ...(numberKey ? { numberKey } : {}) });
        await request('patients.history', { misId: card.misId });
      }
      if (refresh) increment(activity, `pop refresh ${(await refresh).status}`);
    });
  }

  function onAnswered(event: EventPayload<'pbx:call'>): void {
    const call = ringing.get(event.callId);
    if (!call) return;
    call.answeredAt = clock.now();
    // Now and then the operator transfers the caller on the desk phone (at the PBX, as a hardware phone does) a few seconds in.
    if ((completed + 1) % TRANSFER_EVERY === 0 && call.callbackId === null) {
      clock.setTimeout(() => track(() => transfer(call)), 3_000);
    }
  }

  async function transfer(call: RingingCall): Promise<void> {
    if (!ringing.has(call.callId) || call.answeredAt === null) return;
    const target = core.pbx.view().board.agents.find((agent) => agent.state === 'ready' && agent.extension !== DESK_EXTENSION);
    if (!target) {
      increment(activity, 'transfer skipped (nobody ready)');
      return;
    }
    try {
      await core.pbx.command('transfer', (connector) => connector.transfer({ extension: DESK_EXTENSION, target: target.extension, mode: 'blind' }));
      call.transferred = true;
      increment(activity, 'transfer');
    } catch {
      increment(activity, 'transfer refused');
    }
  }

  function onEnded(event: EventPayload<'pbx:call'>): void {
    const call = ringing.get(event.callId);
    if (!call) return;
    ringing.delete(event.callId);
    const endedAt = clock.now();
    // Each step as the renderer takes it, on its own: a refusal is counted (and fails the run), the shift goes on.
    track(async () => {
      try {
        const iso = (ms: number) => new Date(ms).toISOString();
        await request('calls.record', {
          id: call.callId,
          direction: 'incoming',
          number: call.number,
          displayName: '',
          startedAt: iso(call.startedAt),
          answeredAt: call.answeredAt === null ? null : iso(call.answeredAt),
          endedAt: iso(endedAt),
          outcome: call.answeredAt === null ? 'missed' : 'answered',
        }).catch(() => undefined);
        await request('calls.recent', { limit: JOURNAL_LIMIT, filter: 'all' }).catch(() => undefined);
        if (call.answeredAt !== null) await wrapUp(call).catch(() => undefined);
        if (call.callbackId !== null) {
          await request('callbacks.complete', { id: call.callbackId, outcome: call.answeredAt === null ? 'noAnswer' : 'reached' }).catch(() => undefined);
          increment(activity, 'callback completed');
        }
      } finally {
        completed += 1;
      }
      await afterCall();
    });
  }

  async function wrapUp(call: RingingCall): Promise<void> {
    operatorInput();
    const forCall = await request('booking.forCall', { callId: call.callId });
    const roll = random();
    const outcome = call.transferred ? 'transferred' : forCall.prefill ? 'booked' : roll < 0.5 ? 'information' : roll < 0.8 ? 'booked' : roll < 0.95 ? 'callback' : 'wrong-number';
    const category = DEFAULT_WRAP_UP_CATEGORIES[Math.floor(random() * DEFAULT_WRAP_UP_CATEGORIES.length)]!;
    const note = random() < 0.6 ? `Пациент уточнил время приёма, звонок ${completed + 1}. Перезвонить при изменении расписания.` : '';
    await request('calls.wrapUp', { callId: call.callId, misId: call.misId, category, outcome, note, acwSec: 4 + Math.floor(random() * 20) });
    await request('calls.recent', { limit: JOURNAL_LIMIT, filter: 'all' });
    increment(activity, `wrap-up ${outcome}`);
  }

  /**
   * The operator typed (the wrap-up, a search): the window tells the core someone is at the desk,
   * at most every 10 s of real time as the renderer does (`session-actions.ts`), so the idle lock
   * never falls on a working desk.
   */
  function operatorInput(): void {
    const now = Date.now();
    if (now - lastInputReported < ACTIVITY_PING_MS) return;
    lastInputReported = now;
    track(() => request('session.activity', {}));
  }

  /** What the operator does between calls, now and then. */
  async function afterCall(): Promise<void> {
    const n = completed;
    if (options.leak) plantLeak(options.leak);
    if (n % SEARCH_EVERY === 0) await search();
    if (n % JOURNAL_FILTER_EVERY === 0) {
      await request('calls.recent', { limit: JOURNAL_LIMIT, filter: n % 2 === 0 ? 'missed' : 'today' });
      await request('journal.status', {});
    }
    if (n % CALLBACK_EVERY === 0 && pendingCallback === null) await callBack();
    if (n % PAUSE_EVERY === 0 && pausedUntil === null) {
      const reason = DEFAULT_PAUSE_REASONS[Math.floor(random() * DEFAULT_PAUSE_REASONS.length)]!;
      await request('agent.setStatus', { state: 'paused', reason }).catch(() => undefined);
      pausedUntil = clock.now() + PAUSE_MS;
      increment(activity, 'pause');
    }
  }

  /** The cashier's box: a name, a phone's last digits or a birth date of a clinic patient; the first card opened. */
  async function search(): Promise<void> {
    operatorInput();
    const patient = syntheticPatient(Math.floor(random() * (options.patients ?? 20_000)), options.seed);
    const kind = Math.floor(random() * 3);
    const query = kind === 0 ? patient.surname.slice(0, 4) : kind === 1 ? (patient.phones[0]?.e164.slice(-7) ?? patient.surname) : patient.birthDate.split('-').reverse().join('.');
    const found = await request('patients.search', { query, limit: 50, offset: 0 });
    const first = found.items[0];
    if (first) await request('patients.get', { misId: first.misId, reason: 'search', callId: null });
    increment(activity, 'search');
  }

  /** The worklist: the oldest open task is called back through the PBX (CTI), its outcome recorded when that call ends. */
  async function callBack(): Promise<void> {
    const list = await request('callbacks.list', {});
    const task = list.tasks.find((candidate) => candidate.state === 'open');
    if (!task) return;
    // The PBX rings this desk while the request runs: the ring must know it is this task's call-back.
    pendingCallback = task.id;
    try {
      const via = await request('callbacks.callBack', { id: task.id });
      increment(activity, via.via === 'pbx' ? 'callback dialled' : 'callback on the softphone');
    } catch {
      increment(activity, 'callback refused');
    }
    // Not rung (refused, or a softphone desk): the next call is not a call-back.
    if (pendingCallback === task.id) pendingCallback = null;
  }

  function reloadUndelivered(): void {
    if (outboxReloading) {
      outboxReloadAgain = true;
      return;
    }
    outboxReloading = true;
    track(async () => {
      try {
        do {
          outboxReloadAgain = false;
          await request('outbox.undelivered', {});
        } while (outboxReloadAgain);
      } finally {
        outboxReloading = false;
      }
    });
  }

  function plantLeak(leak: SoakLeak): void {
    // A flat string in the JS heap (a Buffer's bytes would live outside it; `repeat` and `padEnd` build a tiny rope).
    if (leak.bytesPerCall) leaked.push(Buffer.alloc(leak.bytesPerCall, 120).toString('latin1'));
    for (let i = 0; i < (leak.listenersPerCall ?? 0); i++) leakedListeners.push(core.events.subscribe(() => undefined));
    for (let i = 0; i < (leak.timersPerCall ?? 0); i++) leakTimers.push(setTimeout(() => undefined, 3_600_000).unref());
  }

  const onWindowEvent = <E extends EventName>(name: E, payload: EventPayload<E>): void => {
    increment(events, name);
    if (name === 'pbx:call') {
      const call = payload as EventPayload<'pbx:call'>;
      if (call.event === 'ringing') onRinging(call);
      else if (call.event === 'answered') onAnswered(call);
      else onEnded(call);
    } else if (name === 'outbox:changed') {
      reloadUndelivered();
    }
  };

  /** What the desk and the switchboard looked like when calls stopped coming (no numbers: states and counts). */
  function stallReport(): string {
    const view = core.pbx.view();
    const agent = view.board.agents.find((candidate) => candidate.extension === DESK_EXTENSION);
    const calls = [...ringing.values()].map((call) => (call.answeredAt === null ? 'ringing' : 'talking'));
    return JSON.stringify({
      live: view.live,
      agent: agent ? { state: agent.state, pauseReason: agent.pauseReason, onCall: agent.call !== null } : null,
      waiting: view.board.callers.length,
      windowCalls: calls,
      inflight: inflight.size,
      pausedUntil: pausedUntil === null ? null : Math.round((pausedUntil - clock.now()) / 1000),
      refusals: toRecord(requestErrors),
    });
  }

  // ——— sampling ———

  const samples: SoakSample[] = [];
  let censusAtBaseline: Map<string, CensusEntry> | null = null;
  let lastCensus: Map<string, CensusEntry> = new Map();
  const started = performance.now();
  let samplingMs = 0;

  function tableCounts(): Record<string, number> {
    const rows: Record<string, number> = {};
    const db = core.journal.stores?.db;
    if (db) {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
      for (const { name } of tables) rows[`journal.${name}`] = (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
      for (const { state, n } of db.prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state').all() as { state: string; n: number }[]) rows[`journal.outbox.${state}`] = n;
    }
    rows['cache.cards'] = core.cache.status().cards;
    rows['demo-mis.changes'] = core.demoClinic?.mis?.lastSequence ?? 0;
    return rows;
  }

  function listenerCounts(census: Map<string, CensusEntry>): Record<string, number> {
    const { windows, internal } = core.events.listenerCounts();
    const counts: Record<string, number> = {
      'eventBus.windows': windows,
      'eventBus.internal': internal,
      process: process.eventNames().reduce((sum, name) => sum + process.listenerCount(name), 0),
    };
    for (const entry of census.values()) {
      if (entry.kind === 'emitter' || entry.kind === 'abort-signal' || /listeners$/i.test(entry.path)) counts[entry.path] = entry.size;
    }
    return counts;
  }

  async function sample(): Promise<SoakSample> {
    const began = performance.now();
    try {
      const pbxRecords = (await core.pbx.shared?.list(''))?.length ?? 0;
      return takeSample(pbxRecords);
    } finally {
      samplingMs += performance.now() - began;
    }
  }

  function takeSample(pbxRecords: number): SoakSample {
    const census = takeCensus({ core });
    lastCensus = census;
    options.gc();
    options.gc();
    const memory = process.memoryUsage();
    const resources: Record<string, number> = {};
    for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
    const taken: SoakSample = {
      calls: completed,
      simMinutes: round((clock.now() - shiftBegan) / 60_000),
      wallMs: Math.round(performance.now() - started),
      heapUsedMb: round(memory.heapUsed / MB, 2),
      heapTotalMb: round(memory.heapTotal / MB, 2),
      rssMb: round(memory.rss / MB, 2),
      externalMb: round(memory.external / MB, 2),
      detachedContexts: getHeapStatistics().number_of_detached_contexts,
      listeners: listenerCounts(census),
      resources,
      asyncResources: resourceTracker.live(),
      files: {
        'cache.db': sizeOf(join(dataDir, 'cache.db')),
        'cache.db-wal': sizeOf(join(dataDir, 'cache.db-wal')),
        'journal.db': sizeOf(join(dataDir, 'journal.db')),
        'journal.db-wal': sizeOf(join(dataDir, 'journal.db-wal')),
        logs: sizeOf(join(dataDir, 'logs')),
        'demo-mis': sizeOf(join(dataDir, 'demo-mis')),
      },
      rows: tableCounts(),
      window: { calls: ringing.size, stale: [...ringing.values()].filter((call) => clock.now() - call.startedAt > STALE_CALL_MS).length, inflight: inflight.size },
      pbxRecords,
    };
    samples.push(taken);
    log(formatSample(taken));
    return taken;
  }

  // ——— the shift ———

  /**
   * The heap the embedded demo systems keep per thing they simulate, measured after the last
   * sample: records put into the demo PBX's store, then changes made in the demo MIS (last, with
   * no await in between, so the pull engine does not apply them meanwhile), each between two full GCs.
   */
  async function measureSimulation(): Promise<SimulationCost> {
    const heap = () => {
      options.gc();
      options.gc();
      return process.memoryUsage().heapUsed;
    };
    const shared = core.pbx.shared;
    const records = shared ? await shared.list('') : [];
    const model = records.find((record) => record.key.startsWith('wu/')) ?? records[0];
    let bytesPerPbxRecord = 0;
    const pbxRecords = 1_000;
    if (shared && model) {
      const before = heap();
      // Keys as long as the model's, under a folder no service reads.
      const key = (i: number) => `soak/${String(i).padStart(Math.max(4, model.key.length - 5), '0')}`;
      // Each value its own string, as every real record's is (a shared one would be counted once).
      for (let i = 0; i < pbxRecords; i++) await shared.publish(key(i), [...model.value].join(''));
      await settle();
      bytesPerPbxRecord = Math.max(0, (heap() - before) / pbxRecords);
      await shared.removeTree('soak');
    }
    const demo = core.demoClinic?.mis;
    const misChanges = 500;
    let bytesPerMisChange = 0;
    if (demo) {
      const before = heap();
      const sequence = demo.lastSequence;
      demo.evolve(misChanges);
      bytesPerMisChange = Math.max(0, (heap() - before) / Math.max(1, demo.lastSequence - sequence));
    }
    return { bytesPerMisChange: Math.round(bytesPerMisChange), bytesPerPbxRecord: Math.round(bytesPerPbxRecord), misChanges, pbxRecords };
  }

  let simulation: SimulationCost | undefined;
  let unsubscribeWindow: (() => void) | null = null;
  let finished = false;
  try {
    await core.start();
    unsubscribeWindow = core.events.subscribe(onWindowEvent);
    const demo = core.demoClinic?.mis;
    if (!demo) throw new Error('the soak needs the demo clinic as its MIS');
    // The first sync fills the cache before the shift (a desk opened in the morning has its cards).
    for (const deadline = Date.now() + 120_000; core.cache.fill?.state !== 'complete'; ) {
      if (Date.now() > deadline) throw new Error(`the first sync did not finish in 120 s (${core.cache.status().cards} cards)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const deadline = Date.now() + 30_000; !core.pbx.view().live; ) {
      if (Date.now() > deadline) throw new Error('the demo switchboard did not come up in 30 s');
      clock.advance(100);
      await settle();
    }
    log(`soak: desk up in ${Math.round(performance.now() - started)} ms (${core.cache.status().cards} cards), shift of ${totalCalls} calls, warm-up ${warmUpCalls}, seed ${options.seed}`);
    await request('agent.setStatus', { state: 'ready' });
    await sample();
    let nextEvolveAt = clock.now() + EVOLVE_EVERY_MS;
    let nextSample = warmUpCalls;
    let lastCall = { completed, at: clock.now() };
    while (completed < totalCalls) {
      if (performance.now() - started > maxWallMs) throw new Error(`the soak ran past ${Math.round(maxWallMs / 60_000)} min with ${completed} of ${totalCalls} calls`);
      if (completed !== lastCall.completed) lastCall = { completed, at: clock.now() };
      else if (clock.now() - lastCall.at > STALL_MS) throw new Error(`the desk took no call for ${STALL_MS / 60_000} simulated minutes after call ${completed}: ${stallReport()}`);
      clock.advance(STEP_MS);
      if (clock.now() >= nextEvolveAt) {
        demo.evolve(1);
        nextEvolveAt += EVOLVE_EVERY_MS;
      }
      if (pausedUntil !== null && clock.now() >= pausedUntil) {
        pausedUntil = null;
        track(() => request('agent.setStatus', { state: 'ready' }));
      }
      await settle();
      if (completed >= nextSample) {
        await sample();
        if (censusAtBaseline === null) {
          censusAtBaseline = lastCensus;
          if (options.heapSnapshots) log(`soak: heap snapshot ${writeHeapSnapshot(join(options.heapSnapshots, 'baseline.heapsnapshot'))}`);
        }
        nextSample = Math.min(totalCalls, Math.round(warmUpCalls + sampleEvery * (samples.length - 1)));
        if (nextSample <= completed) nextSample = completed + 1;
      }
    }
    if (samples.at(-1)?.calls !== completed) await sample();
    simulation = await measureSimulation();
    if (options.heapSnapshots) log(`soak: heap snapshot ${writeHeapSnapshot(join(options.heapSnapshots, 'end.heapsnapshot'))}`);
    finished = true;
  } finally {
    unsubscribeWindow?.();
    for (const off of leakedListeners) off();
    for (const timer of leakTimers) clearTimeout(timer);
    await core.stop();
    resourceTracker.stop();
    // A run that broke keeps its folder: the desk's log is the evidence.
    if (ownDir && finished) rmSync(dataDir, { recursive: true, force: true });
    else if (!finished) log(`soak: the data folder is kept: ${dataDir}`);
  }
  const wallMs = Math.round(performance.now() - started);
  return judge({
    seed: options.seed,
    calls: completed,
    warmUpCalls,
    wallMs,
    simulatedHours: round((clock.now() - shiftBegan) / 3_600_000, 2),
    samples,
    simulation: simulation ?? { bytesPerMisChange: 0, bytesPerPbxRecord: 0, misChanges: 0, pbxRecords: 0 },
    censusAtBaseline: censusAtBaseline ?? new Map(),
    censusAtEnd: lastCensus,
    requests,
    requestMs,
    samplingMs: Math.round(samplingMs),
    requestErrors,
    events,
    logged,
    activity,
    leaked: leaked.length,
  });
}

function formatSample(sample: SoakSample): string {
  const resources = Object.entries(sample.resources)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${type}=${n}`)
    .join(',');
  return (
    `soak sample calls=${sample.calls} sim=${sample.simMinutes}min wall=${sample.wallMs}ms heap=${sample.heapUsedMb}MB of ${sample.heapTotalMb}MB rss=${sample.rssMb}MB (outside V8 ${round(sample.rssMb - sample.heapTotalMb - sample.externalMb, 1)}MB) ext=${sample.externalMb}MB ` +
    `bus=${sample.listeners['eventBus.windows']}/${sample.listeners['eventBus.internal']} resources=${resources} ` +
    `cache.db=${round(sample.files['cache.db']! / MB, 2)}MB+wal ${round(sample.files['cache.db-wal']! / MB, 2)}MB journal.db=${round(sample.files['journal.db']! / MB, 2)}MB+wal ${round(sample.files['journal.db-wal']! / MB, 2)}MB ` +
    `calls=${sample.rows['journal.calls'] ?? 0} outbox pending=${sample.rows['journal.outbox.pending'] ?? 0} cards=${sample.rows['cache.cards']} onScreen=${sample.window.calls} stale=${sample.window.stale}`
  );
}

const toRecord = (map: Map<string, number>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));

function judge(run: {
  seed: number;
  calls: number;
  warmUpCalls: number;
  wallMs: number;
  simulatedHours: number;
  samples: SoakSample[];
  simulation: SimulationCost;
  censusAtBaseline: Map<string, CensusEntry>;
  censusAtEnd: Map<string, CensusEntry>;
  requests: Map<string, number>;
  requestMs: Map<string, number>;
  samplingMs: number;
  requestErrors: Map<string, number>;
  events: Map<string, number>;
  logged: Map<string, number>;
  activity: Map<string, number>;
  leaked: number;
}): ShiftSoakReport {
  const baselineIndex = run.samples.findIndex((sample) => sample.calls >= run.warmUpCalls);
  const judged = run.samples.slice(baselineIndex);
  const failures: string[] = [];
  const series = (name: string, value: (sample: SoakSample) => number | undefined) => ({ name, values: judged.map((sample) => value(sample) ?? 0) });
  // The desk's own memory: less what the demo MIS's change log and the demo PBX's store took on since the baseline.
  const first = judged[0]!;
  for (const sample of run.samples) {
    const simulatedMb =
      (((sample.rows['demo-mis.changes'] ?? 0) - (first.rows['demo-mis.changes'] ?? 0)) * run.simulation.bytesPerMisChange + (sample.pbxRecords - first.pbxRecords) * run.simulation.bytesPerPbxRecord) / MB;
    sample.deskHeapMb = round(sample.heapUsedMb - simulatedMb, 2);
    sample.deskRssMb = round(sample.rssMb - simulatedMb, 2);
  }
  const memory = [
    memoryVerdict(series('desk heap', (s) => s.deskHeapMb)),
    memoryVerdict(series('desk rss', (s) => s.deskRssMb)),
    memoryVerdict(series('heapUsed (with the demo MIS and PBX data)', (s) => s.heapUsedMb)),
    memoryVerdict(series('rss (with the demo MIS and PBX data)', (s) => s.rssMb)),
  ];
  const countNames = new Set<string>();
  for (const sample of judged) {
    for (const name of Object.keys(sample.listeners)) countNames.add(`listeners ${name}`);
    for (const name of Object.keys(sample.resources)) countNames.add(`resources ${name}`);
    for (const name of Object.keys(sample.asyncResources)) countNames.add(`async ${name}`);
  }
  const counts = [
    ...[...countNames].sort().map((name) => {
      const [kind, key] = [name.slice(0, name.indexOf(' ')), name.slice(name.indexOf(' ') + 1)];
      if (kind === 'listeners') return countVerdict(series(name, (s) => s.listeners[key]));
      return countVerdict(series(name, (s) => (kind === 'resources' ? s.resources[key] : s.asyncResources[key])), RESOURCE_SLACK);
    }),
    countVerdict(series('detached V8 contexts', (s) => s.detachedContexts)),
    countVerdict(series('outbox undelivered (pending+inflight+failed)', (s) => (s.rows['journal.outbox.pending'] ?? 0) + (s.rows['journal.outbox.inflight'] ?? 0) + (s.rows['journal.outbox.failed'] ?? 0))),
  ];
  // A call on screen for ten simulated minutes (calls last ~10 s) is a ring that never ended: none may be.
  const stale = judged.map((sample) => sample.window.stale ?? 0);
  counts.push({ name: 'window: calls on screen for 10 simulated minutes (never ended)', baseline: stale[0] ?? 0, end: Math.max(...stale), growth: 0, ok: Math.max(...stale) === 0, rule: 'none, at any sample' });
  // The totals are reported; the desk's own memory is judged.
  for (const verdict of [...memory.slice(0, 2), ...counts]) {
    if (!verdict.ok) failures.push(`${verdict.name} grew: ${round(verdict.baseline, 2)} → ${round(verdict.end, 2)} (${verdict.rule})`);
  }
  const perCall: Record<string, number> = {};
  const calls = judged.map((sample) => sample.calls);
  const keys = new Set<string>();
  for (const sample of judged) for (const key of [...Object.keys(sample.rows), ...Object.keys(sample.files).map((name) => `bytes ${name}`)]) keys.add(key);
  for (const key of [...keys].sort()) {
    const values = judged.map((sample) => (key.startsWith('bytes ') ? (sample.files[key.slice(6)] ?? 0) : (sample.rows[key] ?? 0)));
    perCall[key] = round(slope(calls, values), 3);
  }
  const unexpected = [...run.requestErrors].filter(([key]) => !EXPECTED_ERRORS.has(key.slice(key.lastIndexOf(':') + 1)));
  if (unexpected.length > 0) failures.push(`requests failed: ${unexpected.map(([key, n]) => `${key}×${n}`).join(', ')}`);
  const errorsLogged = [...run.logged].filter(([key]) => key.startsWith('error '));
  if (errorsLogged.length > 0) failures.push(`the desk logged errors: ${errorsLogged.map(([key, n]) => `${key}×${n}`).join(', ')}`);
  return {
    seed: run.seed,
    calls: run.calls,
    warmUpCalls: run.warmUpCalls,
    wallMs: run.wallMs,
    simulatedHours: run.simulatedHours,
    samples: run.samples,
    baselineIndex,
    memory,
    counts,
    simulation: run.simulation,
    perCall,
    grownCollections: censusGrowth(run.censusAtBaseline, run.censusAtEnd),
    requests: toRecord(run.requests),
    requestMeanMs: Object.fromEntries([...run.requests].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => [name, round((run.requestMs.get(name) ?? 0) / n, 2)])),
    samplingMs: run.samplingMs,
    requestErrors: toRecord(run.requestErrors),
    events: toRecord(run.events),
    logged: toRecord(run.logged),
    activity: toRecord(run.activity),
    ok: failures.length === 0,
    failures,
  };
}

/** The report as `figure soak …` lines (the project's figure format) plus the verdicts. */
export function formatSoakReport(report: ShiftSoakReport): string {
  const lines: string[] = [];
  const baseline = report.samples[report.baselineIndex]!;
  const end = report.samples.at(-1)!;
  lines.push(`figure soak seed=${report.seed} calls=${report.calls} warmUp=${report.warmUpCalls} simulated=${report.simulatedHours}h wall=${(report.wallMs / 1000).toFixed(1)}s (${(report.wallMs / report.calls).toFixed(1)} ms/call)`);
  report.memory.forEach((verdict, index) => {
    const judged = index < 2 ? (verdict.ok ? 'ok' : 'FAIL') : 'reported';
    lines.push(`figure soak ${verdict.name} baseline=${verdict.baseline.toFixed(2)}MB end=${verdict.end.toFixed(2)}MB growth=${(verdict.growth * 100).toFixed(1)}% ${judged} (${verdict.rule})`);
  });
  lines.push(
    `figure soak embedded demo data: ${report.simulation.bytesPerMisChange} B per demo MIS change (${(end.rows['demo-mis.changes'] ?? 0) - (baseline.rows['demo-mis.changes'] ?? 0)} changes after warm-up), ` +
      `${report.simulation.bytesPerPbxRecord} B per demo PBX record (${end.pbxRecords - baseline.pbxRecords} records after warm-up)`,
  );
  lines.push(`figure soak memory at warm-up end: heap=${baseline.heapUsedMb}MB rss=${baseline.rssMb}MB; at the end: heap=${end.heapUsedMb}MB rss=${end.rssMb}MB (desk's own: heap=${end.deskHeapMb}MB rss=${end.deskRssMb}MB)`);
  for (const verdict of report.counts) {
    lines.push(`figure soak count ${verdict.name} baseline=${verdict.baseline} end=${verdict.end} ${verdict.ok ? 'ok' : 'FAIL'}`);
  }
  const files = (sample: SoakSample) =>
    Object.entries(sample.files)
      .map(([name, bytes]) => `${name}=${round(bytes / MB, 2)}MB`)
      .join(' ');
  lines.push(`figure soak files at warm-up end: ${files(baseline)}`);
  lines.push(`figure soak files at the end: ${files(end)}`);
  const perCall = Object.entries(report.perCall).filter(([, value]) => value !== 0);
  lines.push(`figure soak per call (after warm-up): ${perCall.map(([key, value]) => `${key}=${value}`).join(' ')}`);
  const flat = Object.entries(report.perCall)
    .filter(([, value]) => value === 0)
    .map(([key]) => key);
  lines.push(`figure soak flat: ${flat.join(' ')}`);
  lines.push(`figure soak requests: ${Object.entries(report.requests).map(([name, n]) => `${name}=${n}`).join(' ')}`);
  lines.push(`figure soak request mean ms: ${Object.entries(report.requestMeanMs).map(([name, ms]) => `${name}=${ms}`).join(' ')}`);
  lines.push(`figure soak sampling took ${(report.samplingMs / 1000).toFixed(1)}s of the wall time`);
  lines.push(`figure soak events: ${Object.entries(report.events).map(([name, n]) => `${name}=${n}`).join(' ')}`);
  lines.push(`figure soak activity: ${Object.entries(report.activity).map(([name, n]) => `${name}=${n}`).join(' ')}`);
  if (Object.keys(report.requestErrors).length > 0) lines.push(`figure soak refusals: ${Object.entries(report.requestErrors).map(([name, n]) => `${name}=${n}`).join(' ')}`);
  if (Object.keys(report.logged).length > 0) lines.push(`figure soak logged: ${Object.entries(report.logged).map(([name, n]) => `${name}=${n}`).join(' ')}`);
  lines.push(`figure soak desk heap by sample (MB): ${report.samples.map((sample) => `${sample.calls}:${sample.deskHeapMb}`).join(' ')}`);
  lines.push(`figure soak desk rss by sample (MB): ${report.samples.map((sample) => `${sample.calls}:${sample.deskRssMb}`).join(' ')}`);
  for (const grown of report.grownCollections.slice(0, 15)) lines.push(`figure soak grown ${grown.kind} ${grown.path}: ${grown.before} → ${grown.after}`);
  lines.push(report.ok ? `soak: PASS (seed ${report.seed})` : `soak: FAIL (seed ${report.seed})\n${report.failures.map((failure) => `  - ${failure}`).join('\n')}`);
  return lines.join('\n');
}

/** Whether a folder exists (the CLI's `--data-dir`). */
export function folderExists(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

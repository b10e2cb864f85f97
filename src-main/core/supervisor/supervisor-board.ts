import type { CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import { emptyCounters, queueFigures, type PbxSnapshot, type QueueAgent, type QueueCaller, type QueueCounters } from '../../../src-shared/pbx/pbx-model';
import type { Settings, SupervisorPatientNames, SupervisorSettings } from '../../../src-shared/settings/settings-schema';
import type {
  AlertKind,
  CallbackKpi,
  MonitorSession,
  OverrunLevel,
  QueueKpi,
  SupervisorAgent,
  SupervisorAlert,
  SupervisorBoard,
} from '../../../src-shared/supervisor/supervisor-model';
import type { SupervisorLedger } from './supervisor-ledger';

/** Most alerts a board carries (the contract's limit). */
const ALERTS_MAX = 400;

/**
 * A cached patient's name as the board may show it (`supervisor.patientNames`): whole, as
 * initials («Иванова А. П.»: the surname and the first letter of each other name), or not at all.
 */
export function boardName(full: string | null, mode: SupervisorPatientNames): string | null {
  if (full === null || mode === 'none') return null;
  const words = full.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  if (mode === 'full') return words.join(' ').slice(0, 200);
  const [surname, ...given] = words;
  return [surname!, ...given.map((word) => `${Array.from(word)[0]!.toLocaleUpperCase('ru')}.`)].join(' ').slice(0, 200);
}

/** How long a pause or after-call work has run against the thresholds. */
export function overrun(agent: Pick<QueueAgent, 'state' | 'since'>, thresholds: SupervisorSettings, now: number): OverrunLevel {
  const elapsed = now - agent.since;
  if (agent.state === 'paused') {
    if (elapsed >= thresholds.pauseRedMinutes * 60_000) return 'red';
    if (elapsed >= thresholds.pauseAmberMinutes * 60_000) return 'amber';
  }
  if (agent.state === 'wrap-up') {
    if (elapsed >= thresholds.wrapUpRedSeconds * 1_000) return 'red';
    if (elapsed >= thresholds.wrapUpAmberSeconds * 1_000) return 'amber';
  }
  return 'ok';
}

/**
 * What a queue's live part shows, as Asterisk's `QueueSummary` counts it: `Callers` (waiting
 * now), `LongestHoldTime` (whole seconds since the longest-waiting caller joined), `LoggedIn`
 * (members whose device is not unavailable: every state but `offline`) and `Available` (not
 * paused, not busy, not in after-call work: `ready`). `queue` null: every queue and agent.
 */
export function liveFigures(snapshot: Pick<PbxSnapshot, 'callers' | 'agents'>, queue: string | null, now: number) {
  const callers = queue === null ? snapshot.callers : snapshot.callers.filter((caller) => caller.queue === queue);
  const agents = queue === null ? snapshot.agents : snapshot.agents.filter((agent) => agent.queues.includes(queue));
  const oldest = callers.reduce<QueueCaller | null>((first, caller) => (first === null || caller.joinedAt < first.joinedAt ? caller : first), null);
  return {
    waitingNow: callers.length,
    longestWaitNowSec: oldest === null ? 0 : Math.max(0, Math.floor((now - oldest.joinedAt) / 1000)),
    agentsLoggedIn: agents.filter((agent) => agent.state !== 'offline').length,
    agentsAvailable: agents.filter((agent) => agent.state === 'ready').length,
    oldestJoinedAt: oldest?.joinedAt ?? null,
  };
}

function sumCounters(all: readonly QueueCounters[]): QueueCounters {
  const total = emptyCounters('*');
  for (const c of all) {
    total.offered += c.offered;
    total.answered += c.answered;
    total.abandoned += c.abandoned;
    total.answeredWithinSla += c.answeredWithinSla;
    total.waitSecTotal += c.waitSecTotal;
    total.longestWaitSec = Math.max(total.longestWaitSec, c.longestWaitSec);
    total.talks += c.talks;
    total.talkSecTotal += c.talkSecTotal;
  }
  return total;
}

function kpi(queue: string | null, name: string, counters: QueueCounters, live: ReturnType<typeof liveFigures>): QueueKpi {
  const figures = queueFigures(counters);
  return {
    queue,
    name: name.slice(0, 80),
    waitingNow: live.waitingNow,
    longestWaitNowSec: live.longestWaitNowSec,
    longestWaitingSince: live.oldestJoinedAt,
    agentsLoggedIn: live.agentsLoggedIn,
    agentsAvailable: live.agentsAvailable,
    offered: counters.offered,
    answered: counters.answered,
    abandoned: counters.abandoned,
    answeredWithinSla: counters.answeredWithinSla,
    slaPercent: figures.slaPercent === null ? null : Math.min(100, figures.slaPercent),
    avgWaitSec: figures.avgWaitSec,
    avgTalkSec: figures.avgTalkSec,
    longestWaitTodaySec: counters.longestWaitSec,
  };
}

/**
 * When each alert began: a condition keeps the time it was first seen (or, for a long wait, the
 * instant the caller crossed the threshold) while it holds, and is forgotten when it stops.
 */
export class AlertTracker {
  private readonly since = new Map<string, number>();

  evaluate(conditions: readonly { kind: AlertKind; queue: string | null; value: number; threshold: number; holds: boolean; startedAt?: number }[], now: number): SupervisorAlert[] {
    const alerts: SupervisorAlert[] = [];
    const holding = new Set<string>();
    for (const condition of conditions) {
      if (!condition.holds) continue;
      const id = `${condition.kind}\u0000${condition.queue ?? ''}`;
      holding.add(id);
      let since = this.since.get(id);
      if (since === undefined) {
        since = Math.round(Math.min(now, condition.startedAt ?? now));
        this.since.set(id, since);
      }
      alerts.push({ kind: condition.kind, queue: condition.queue, value: condition.value, threshold: condition.threshold, since });
    }
    for (const id of [...this.since.keys()]) if (!holding.has(id)) this.since.delete(id);
    return alerts.slice(0, ALERTS_MAX);
  }

  clear(): void {
    this.since.clear();
  }
}

/**
 * The missed-call worklist's figures for the day starting at `dayStart` — the seed clinic's
 * "100% processed": a task counts as processed when it was closed (reached, got through, or
 * closed as a wrong number / not needed), in time when within `slaMinutes` of the first missed
 * call. The percentage is over the tasks already decided — closed, or open past their SLA — so
 * a task still inside its SLA is neither a success nor a failure yet (null: none decided).
 */
export function callbackKpi(tasks: readonly CallbackTask[], slaMinutes: number, dayStart: number, now: number): CallbackKpi {
  const today = tasks.filter((task) => task.firstAt >= dayStart);
  const closed = today.filter((task) => task.state === 'done');
  const closedWithinSla = closed.filter((task) => (task.closedAt ?? Infinity) <= task.firstAt + slaMinutes * 60_000);
  const active = tasks.filter((task) => task.state !== 'done');
  const overdueToday = today.filter((task) => task.state !== 'done' && task.dueAt <= now).length;
  const decided = closed.length + overdueToday;
  return {
    slaMinutes,
    tasksToday: today.length,
    closedWithinSla: closedWithinSla.length,
    closed: closed.length,
    open: active.length,
    overdue: active.filter((task) => task.dueAt <= now).length,
    percentWithinSla: decided === 0 ? null : (100 * closedWithinSla.length) / decided,
  };
}

export interface BoardInputs {
  now: number;
  day: string;
  dayStart: number;
  connector: string;
  live: boolean;
  snapshot: PbxSnapshot;
  supervisorExtension: string | null;
  settings: Settings;
  ledger: SupervisorLedger;
  /** Open and claimed tasks, and those closed today. */
  callbacks: readonly CallbackTask[];
  monitor: MonitorSession | null;
  can: SupervisorBoard['can'];
  /** The cached patient's full name for a number, or null. */
  patientName(number: string): string | null;
  alerts: AlertTracker;
}

/** The supervisor's board as of `now` (docs/architecture.md, "Supervisor"). */
export function buildBoard(input: BoardInputs): SupervisorBoard {
  const { now, snapshot, settings, ledger } = input;
  const thresholds = settings.supervisor;
  const agents: SupervisorAgent[] = snapshot.agents.map((agent) => {
    const figures = ledger.agents.get(agent.extension);
    const call = agent.call;
    return {
      extension: agent.extension,
      name: agent.name,
      state: agent.state,
      since: Math.round(agent.since),
      pauseReason: agent.pauseReason,
      level: overrun(agent, thresholds, now),
      queues: agent.queues,
      call: call && {
        callId: call.callId,
        number: call.number,
        patientName: call.number === '' ? null : boardName(input.patientName(call.number), thresholds.patientNames),
        queue: call.queue,
        since: Math.round(call.since),
      },
      handledToday: figures?.handled ?? 0,
      avgHandleSec: figures && figures.handles > 0 ? figures.handleSecTotal / figures.handles : null,
      overdueCallbacks: input.callbacks.filter((task) => task.state === 'claimed' && task.claimedBy?.extension === agent.extension && task.dueAt <= now).length,
      monitoredBy: input.monitor && input.monitor.agent.extension === agent.extension ? { extension: input.monitor.supervisorExtension, mode: input.monitor.mode } : null,
    };
  });

  const names = new Map(snapshot.queues.map((queue) => [queue.id, queue.name]));
  for (const id of ledger.queues.keys()) if (!names.has(id)) names.set(id, id);
  const queueIds = [...names.keys()].slice(0, 200);
  const conditions: Parameters<AlertTracker['evaluate']>[0][number][] = [];
  const queues = queueIds.map((id) => {
    const live = liveFigures(snapshot, id, now);
    const row = kpi(id, names.get(id) ?? id, ledger.queues.get(id) ?? emptyCounters(id), live);
    conditions.push(
      { kind: 'waitingCallers', queue: id, value: row.waitingNow, threshold: thresholds.alertWaitingCallers, holds: thresholds.alertWaitingCallers > 0 && row.waitingNow >= thresholds.alertWaitingCallers },
      {
        kind: 'longestWait',
        queue: id,
        value: row.longestWaitNowSec,
        threshold: thresholds.alertLongestWaitSeconds,
        holds: thresholds.alertLongestWaitSeconds > 0 && row.longestWaitNowSec >= thresholds.alertLongestWaitSeconds,
        ...(live.oldestJoinedAt !== null && { startedAt: live.oldestJoinedAt + thresholds.alertLongestWaitSeconds * 1000 }),
      },
      slaCondition(id, row, thresholds),
    );
    return row;
  });
  const totalLive = liveFigures(snapshot, null, now);
  const total = kpi(null, '', sumCounters(queueIds.map((id) => ledger.queues.get(id) ?? emptyCounters(id))), totalLive);
  conditions.push(
    { kind: 'waitingCallers', queue: null, value: total.waitingNow, threshold: thresholds.alertWaitingCallers, holds: thresholds.alertWaitingCallers > 0 && total.waitingNow >= thresholds.alertWaitingCallers },
    slaCondition(null, total, thresholds),
  );

  return {
    live: input.live,
    connector: input.connector.slice(0, 64),
    at: Math.round(now),
    day: input.day,
    slaSeconds: settings.queue.slaSeconds,
    supervisorExtension: input.supervisorExtension,
    agents,
    queues,
    total,
    hourly: ledger.hourly(),
    waiting: ledger.waiting(),
    categories: ledger.categories(),
    callbacks: callbackKpi(input.callbacks, settings.callbacks.slaMinutes, input.dayStart, now),
    thresholds,
    alerts: input.alerts.evaluate(conditions, now),
    monitor: input.monitor,
    can: input.can,
  };
}

function slaCondition(queue: string | null, row: QueueKpi, thresholds: SupervisorSettings) {
  return {
    kind: 'slaBelowTarget' as const,
    queue,
    value: row.slaPercent ?? 100,
    threshold: thresholds.slaTargetPercent,
    holds: thresholds.slaTargetPercent > 0 && row.slaPercent !== null && row.slaPercent < thresholds.slaTargetPercent,
  };
}

/**
 * The next instant the board changes by time alone (no event): a pause or after-call work turning
 * amber or red, a caller's wait crossing the alert threshold, a callback falling due. Null: none.
 */
export function nextTimedChange(snapshot: Pick<PbxSnapshot, 'agents' | 'callers'>, callbacks: readonly CallbackTask[], thresholds: SupervisorSettings, now: number): number | null {
  let next = Infinity;
  const consider = (at: number) => {
    if (at > now && at < next) next = at;
  };
  for (const agent of snapshot.agents) {
    if (agent.state === 'paused') {
      consider(agent.since + thresholds.pauseAmberMinutes * 60_000);
      consider(agent.since + thresholds.pauseRedMinutes * 60_000);
    } else if (agent.state === 'wrap-up') {
      consider(agent.since + thresholds.wrapUpAmberSeconds * 1_000);
      consider(agent.since + thresholds.wrapUpRedSeconds * 1_000);
    }
  }
  if (thresholds.alertLongestWaitSeconds > 0) for (const caller of snapshot.callers) consider(caller.joinedAt + thresholds.alertLongestWaitSeconds * 1_000);
  for (const task of callbacks) if (task.state !== 'done') consider(task.dueAt);
  return next === Infinity ? null : next;
}

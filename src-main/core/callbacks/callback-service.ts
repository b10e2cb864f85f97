import { CALLBACK_LIST_MAX, type CallbackList, type CallbackOutcome, type CallbackReason, type CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import { systemClock, type Clock } from '../../../src-shared/time/clock';
import type { PbxEvent } from '../connectors/pbx/pbx-connector';
import type { PbxHostService } from '../connectors/pbx/pbx-host-service';
import type { EventBus } from '../events/event-bus';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import { normalizePhone } from '../patients/phone-normalisation';
import type { Service } from '../services/service-registry';
import { agentRef, callFingerprint, decodeRecord, encodeRecord, foldMissedCall, mergeRecords, sameRecord, withStatus, type TaskRecord } from './callback-record';

/** Shared keys: `cb/<task id>`. */
const KEY_PREFIX = 'cb/';
const PUSH_INTERVAL_MS = 100;
/** Every desk sees the PBX's own events; one of them, at random within this, writes the durable copy. */
const PBX_ORIGIN_PUBLISH_SPREAD_MS = 1_500;
const RING_NO_ANSWER_REMEMBERED = 500;
/**
 * The other desks' copies remembered (newest kept): enough for a day's worklist (the list shows
 * at most 2,000 tasks); a copy forgotten costs at most one needless publish, never a wrong task.
 */
const REMOTE_COPIES_KEPT = 2_000;

export interface CallbackServiceOptions {
  journal: JournalService;
  pbx: PbxHostService;
  events: EventBus;
  logger: Logger;
  settings: () => Settings;
  /** A local change was queued: the outbox sender drains it now. */
  wakeOutbox: () => void;
  clock?: Clock;
  random?: () => number;
  /** How many of the other desks' copies are remembered (default {@link REMOTE_COPIES_KEPT}; tests use a few). */
  remoteCopiesKept?: number;
}

/** The call a desk journalled, as far as the worklist cares. */
export interface JournalledCall {
  id: string;
  number: string;
  direction: 'incoming' | 'outgoing';
  outcome: 'answered' | 'missed' | 'rejected' | 'failed' | 'lost';
  endedAt: number;
}

/**
 * The shared missed-call worklist (docs/architecture.md, "PBX, queue and callbacks"): one task
 * per number for every abandoned queue call, missed or declined direct call, lost call and
 * wrap-up asking for a call back. Tasks live in journal.db; every change travels to the other
 * desks through the PBX's shared channel (and back: the durable copy is how a desk that restarts
 * recovers the current claims). A task closes by itself when that number gets through to any
 * operator; an operator's outcome goes to the MIS through the outbox.
 */
export class CallbackService implements Service {
  readonly name = 'callbacks';
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly pending = new Map<string, unknown>();
  private readonly lastRemote = new Map<string, TaskRecord>();
  private readonly ringNoAnswer = new Set<string>();
  private pushTimer: unknown = null;
  private unsubscribes: (() => void)[] = [];
  /** What the pushed list depends on besides the tasks: the SLA (due times) and this desk's agent ("mine"). */
  private listBasis: string;

  constructor(private readonly options: CallbackServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.listBasis = this.basis();
  }

  /**
   * The settings changed: a new SLA moves every due time and a new agent changes which claims
   * are this desk's, so windows get the list again (read live; nothing to restart).
   */
  settingsChanged(): void {
    const basis = this.basis();
    if (basis === this.listBasis) return;
    this.listBasis = basis;
    if (this.unsubscribes.length > 0) this.schedulePush();
  }

  private basis(): string {
    return JSON.stringify([this.options.settings().callbacks.slaMinutes, this.options.pbx.agent?.extension ?? null]);
  }

  start(): void {
    const { pbx } = this.options;
    this.unsubscribes = [pbx.onEvent((event) => this.onPbxEvent(event)), pbx.onConnected(() => void this.recover())];
    this.importRequests();
  }

  stop(): void {
    for (const off of this.unsubscribes) off();
    this.unsubscribes = [];
    for (const timer of this.pending.values()) this.clock.clearTimeout(timer);
    this.pending.clear();
    if (this.pushTimer !== null) this.clock.clearTimeout(this.pushTimer);
    this.pushTimer = null;
  }

  list(): CallbackList {
    const settings = this.options.settings();
    const stores = this.options.journal.require('the callback worklist cannot be listed');
    const today = new Date(this.clock.now());
    today.setHours(0, 0, 0, 0);
    // A worklist nobody worked for days can outgrow what one list carries: the oldest open tasks are listed, the rest counted.
    const listed = stores.callbacks.list(today.getTime(), CALLBACK_LIST_MAX);
    const tasks = listed.tasks.map((task) => this.view(task, settings));
    const openNotListed = listed.openTotal - tasks.filter((task) => task.state !== 'done').length;
    const now = this.clock.now();
    tasks.sort((a, b) => {
      const rank = (t: CallbackTask) => (t.state === 'done' ? 2 : t.dueAt <= now ? 0 : 1);
      return rank(a) - rank(b) || (a.state === 'done' ? (b.closedAt ?? 0) - (a.closedAt ?? 0) : a.dueAt - b.dueAt);
    });
    return { tasks, slaMinutes: settings.callbacks.slaMinutes, shared: this.options.pbx.sharesRecords, ...(openNotListed > 0 ? { openNotListed } : {}) };
  }

  claim(id: string): CallbackTask {
    const me = this.me();
    const task = this.require(id);
    if (task.state === 'done') throw new DeskError('CALLBACK_NOT_FOUND', 'This callback is already done.');
    if (task.state === 'claimed') {
      if (task.claimedBy?.extension === me.extension) return this.view(task);
      throw new DeskError('CALLBACK_TAKEN', `${task.claimedBy?.name || task.claimedBy?.extension || 'Another operator'} is already calling this number back.`);
    }
    return this.view(this.change(withStatus(task, me.extension, { state: 'claimed', claimedBy: me, claimedAt: this.clock.now() }), 'desk', 'claimed'));
  }

  release(id: string): CallbackTask {
    const me = this.me();
    const task = this.require(id);
    if (task.state !== 'claimed' || task.claimedBy?.extension !== me.extension) return this.view(task);
    return this.view(this.change(withStatus(task, me.extension, { state: 'open', claimedBy: null, claimedAt: null }), 'desk', 'released'));
  }

  /**
   * A supervisor hands the task to `agent`: claimed in that agent's name on every desk (through
   * the shared record, like any claim), whoever had it before. A done task stays done
   * (`CALLBACK_NOT_FOUND`); the agent's own claim is left as it is.
   */
  reassign(id: string, agent: { extension: string; name: string }): CallbackTask {
    const task = this.require(id);
    if (task.state === 'done') throw new DeskError('CALLBACK_NOT_FOUND', 'This callback is already done.');
    if (task.state === 'claimed' && task.claimedBy?.extension === agent.extension) return this.view(task);
    // The writer is this desk (the supervisor's), for the last-writer-wins tie-break between desks.
    const writer = this.options.pbx.agent?.extension ?? 'supervisor';
    return this.view(this.change(withStatus(task, writer, { state: 'claimed', claimedBy: agentRef(agent), claimedAt: this.clock.now() }), 'desk', 'reassigned'));
  }

  /** Open and claimed tasks, and those closed since `since` (ms): the supervisor's figures. */
  tasksSince(since: number): CallbackTask[] {
    const settings = this.options.settings();
    return this.options.journal
      .require('the callback worklist cannot be read')
      .callbacks.list(since)
      .tasks.map((task) => this.view(task, settings));
  }

  /** Claims when open, then calls back through the PBX (CTI) or tells the renderer to dial. */
  async callBack(id: string): Promise<{ via: 'pbx' | 'softphone'; number: string }> {
    const task = this.claim(id);
    if (this.options.pbx.callsBackViaPbx) {
      await this.options.pbx.originate(task.number);
      this.options.logger.info('callbacks.call-back', { via: 'pbx' });
      return { via: 'pbx', number: task.number };
    }
    this.options.logger.info('callbacks.call-back', { via: 'softphone' });
    return { via: 'softphone', number: task.number };
  }

  complete(id: string, outcome: CallbackOutcome): CallbackTask {
    const me = this.me();
    const task = this.require(id);
    if (task.state === 'done') return this.view(task);
    if (task.state === 'claimed' && task.claimedBy?.extension !== me.extension) {
      throw new DeskError('CALLBACK_TAKEN', `${task.claimedBy?.name || task.claimedBy?.extension} is calling this number back; only they can record the outcome.`);
    }
    const at = this.clock.now();
    const next =
      outcome === 'noAnswer'
        ? withStatus(task, me.extension, { state: 'open', claimedBy: null, claimedAt: null, attempts: task.attempts + 1, outcome })
        : withStatus(task, me.extension, {
            state: 'done',
            outcome,
            closedBy: outcome === 'reached' ? 'operatorReached' : 'operatorClosed',
            closedByAgent: me,
            closedAt: at,
          });
    const saved = this.change(next, 'desk', 'outcome', (stores) => {
      stores.outbox.enqueue(
        'callback-outcome',
        { number: next.number, outcome, reasons: next.reasons, count: next.count, firstAt: next.firstAt, at, agent: me.extension },
        { idempotencyKey: `callback:${next.id}:${next.episode}:${next.version}` },
      );
    });
    this.options.wakeOutbox();
    return this.view(saved);
  }

  /** A call this desk's softphone journalled (`calls.record`). */
  onCallJournalled(call: JournalledCall): void {
    if (call.number === '') return;
    if (call.direction === 'incoming' && call.outcome === 'answered') {
      const me = this.options.pbx.agent;
      this.closeGotThrough(call.number, me ? agentRef(me) : { extension: 'desk', name: '' }, call.endedAt);
      return;
    }
    // With a PBX that reports direct calls itself, its own event raises the task (once, on every desk).
    const pbxSees = this.options.pbx.connectorId !== 'demo' && this.options.pbx.shared !== null;
    if (call.direction === 'incoming' && (call.outcome === 'missed' || call.outcome === 'rejected') && !pbxSees) {
      this.raise({ number: call.number, callId: call.id, reason: call.outcome, queue: null, at: call.endedAt }, 'desk');
    }
    if (call.outcome === 'lost') this.raise({ number: call.number, callId: call.id, reason: 'lost', queue: null, at: call.endedAt }, 'desk');
  }

  /** A wrap-up asked for a call back (its `callback_requests` row is committed). */
  onCallbackRequested(): void {
    this.importRequests();
  }

  /**
   * The MIS refused a visit booked for the patient on `number` (the slot was taken meanwhile):
   * the patient is owed a call with another time. One task per number, like every other reason;
   * the same refusal raised twice counts once.
   */
  onBookingRejected(input: { number: string; bookingId: string; at: number }): void {
    try {
      this.raise({ number: input.number, callId: `booking:${input.bookingId}`, reason: 'bookingRejected', queue: null, at: input.at }, 'desk');
    } catch (error) {
      this.options.logger.warn('callbacks.booking-rejected-not-raised', { error: error instanceof DeskError ? error.code : 'unknown' });
    }
  }

  private onPbxEvent(event: PbxEvent): void {
    try {
      switch (event.type) {
        case 'agent.ringNoAnswer':
          if (this.ringNoAnswer.size >= RING_NO_ANSWER_REMEMBERED) this.ringNoAnswer.clear();
          this.ringNoAnswer.add(event.callId);
          return;
        case 'queue.abandoned': {
          this.raise({ number: event.number, callId: event.callId, reason: 'abandoned', queue: event.queue, at: event.at }, 'pbx');
          if (this.ringNoAnswer.delete(event.callId)) this.raise({ number: event.number, callId: event.callId, reason: 'ringNoAnswer', queue: event.queue, at: event.at }, 'pbx');
          return;
        }
        case 'call.missed':
          this.raise({ number: event.number, callId: event.callId, reason: event.reason, queue: null, at: event.at }, 'pbx');
          return;
        case 'call.answered': {
          this.ringNoAnswer.delete(event.callId);
          const agent = this.options.pbx.board.agent(event.extension);
          this.closeGotThrough(event.number, { extension: event.extension, name: agent?.name ?? '' }, event.at);
          return;
        }
        case 'shared.changed':
          if (event.key.startsWith(KEY_PREFIX) && event.value !== null) this.applyRemote(event.value);
          return;
        default:
          return;
      }
    } catch (error) {
      // The journal may be closed (a damaged journal.db): the phone and the queue carry on.
      this.options.logger.warn('callbacks.event-not-applied', { event: event.type, error: error instanceof DeskError ? error.code : error instanceof Error ? error.name : 'unknown' });
    }
  }

  private raise(input: { number: string; callId: string; reason: CallbackReason; queue: string | null; at: number }, origin: 'pbx' | 'desk'): void {
    if (input.number === '') return;
    const id = taskId(input.number);
    const stores = this.options.journal.require('the callback task was not saved');
    const current = stores.callbacks.get(id);
    const next = foldMissedCall(current, { id, number: input.number, callId: callFingerprint(input.callId), reason: input.reason, queue: input.queue, at: input.at });
    if (current !== null && sameRecord(current, next)) return;
    this.change(next, origin, 'raised');
  }

  /** The number got through to `agent`: its task is done (the patient called again), unless that agent is the one calling back. */
  private closeGotThrough(number: string, agent: { extension: string; name: string }, at: number): void {
    if (number === '') return;
    const stores = this.options.journal.require('the callback task was not closed');
    const task = stores.callbacks.get(taskId(number));
    if (!task || task.state === 'done' || at < task.firstAt) return;
    if (task.state === 'claimed' && task.claimedBy?.extension === agent.extension) return;
    // Every desk sees this event and writes the same close (same version, the answering agent as writer).
    const next = withStatus(task, agent.extension, { state: 'done', closedBy: 'patientGotThrough', closedByAgent: agentRef(agent), closedAt: at, outcome: null });
    this.change(next, 'pbx', 'got-through');
  }

  private applyRemote(value: string): void {
    const remote = decodeRecord(value);
    if (remote === null) {
      this.options.logger.warn('callbacks.shared-record-refused', { length: value.length });
      return;
    }
    this.rememberRemote(remote);
    const stores = this.options.journal.require('the shared callback task was not applied');
    const current = stores.callbacks.get(remote.id);
    const merged = current === null ? remote : mergeRecords(current, remote);
    this.options.logger.info('callbacks.remote', { state: remote.state, version: remote.version, merged: merged.state, changed: current === null || !sameRecord(current, merged) });
    if (current !== null && sameRecord(current, merged)) return;
    stores.callbacks.transaction(() => {
      stores.callbacks.put(merged, this.clock.now());
      if (merged.state === 'done') stores.callbacks.closeRequests(merged.number);
    });
    this.schedulePush();
  }

  /**
   * The shared copy last seen of a task, newest last: bounded, so a desk that runs for weeks does
   * not keep one per number ever owed a call (the shift soak found it growing with every task).
   */
  private rememberRemote(remote: TaskRecord): void {
    this.lastRemote.delete(remote.id);
    this.lastRemote.set(remote.id, remote);
    if (this.lastRemote.size > (this.options.remoteCopiesKept ?? REMOTE_COPIES_KEPT)) this.lastRemote.delete(this.lastRemote.keys().next().value!);
  }

  /** After every (re)connect: take in what the other desks did meanwhile, then publish what this desk did. */
  private async recover(): Promise<void> {
    const shared = this.options.pbx.shared;
    if (!shared) return;
    try {
      const records = await shared.list(KEY_PREFIX);
      for (const { value } of records) this.applyRemote(value);
      const stores = this.options.journal.require('the callback tasks were not recovered');
      for (const task of stores.callbacks.active()) {
        const remote = this.lastRemote.get(task.id);
        if (!remote || !sameRecord(mergeRecords(remote, task), remote)) await shared.publish(`${KEY_PREFIX}${task.id}`, encodeRecord(task));
      }
      this.options.logger.info('callbacks.recovered', { records: records.length });
    } catch (error) {
      this.options.logger.warn('callbacks.recover-failed', { error: error instanceof Error ? error.name : 'unknown' });
    }
  }

  /** Saves a change (with `alsoInTransaction`), pushes the list, and publishes it to the other desks. */
  private change(next: TaskRecord, origin: 'pbx' | 'desk', what: string, alsoInTransaction?: (stores: ReturnType<JournalService['require']>) => void): TaskRecord {
    const stores = this.options.journal.require('the callback task was not saved');
    stores.callbacks.transaction(() => {
      stores.callbacks.put(next, this.clock.now());
      if (next.state === 'done') stores.callbacks.closeRequests(next.number);
      alsoInTransaction?.(stores);
    });
    this.options.logger.info('callbacks.changed', { change: what, state: next.state, count: next.count });
    this.schedulePush();
    this.publish(next, origin);
    return next;
  }

  private publish(task: TaskRecord, origin: 'pbx' | 'desk'): void {
    const previous = this.pending.get(task.id);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    const send = () => {
      this.pending.delete(task.id);
      const shared = this.options.pbx.shared;
      if (!shared) return;
      const stores = this.options.journal.require('the callback task was not published');
      const current = stores.callbacks.get(task.id);
      if (!current) return;
      const remote = this.lastRemote.get(task.id);
      // Another desk already wrote this (or newer): nothing to add.
      if (origin === 'pbx' && remote && sameRecord(mergeRecords(remote, current), remote)) return;
      shared.publish(`${KEY_PREFIX}${task.id}`, encodeRecord(current)).catch((error: unknown) => {
        this.options.logger.warn('callbacks.publish-failed', { error: error instanceof Error ? error.name : 'unknown' });
      });
    };
    if (origin === 'desk') send();
    else this.pending.set(task.id, this.clock.setTimeout(send, Math.floor(this.random() * PBX_ORIGIN_PUBLISH_SPREAD_MS)));
  }

  private importRequests(): void {
    try {
      const stores = this.options.journal.require('the callback requests were not read');
      for (const request of stores.callbacks.openRequests()) {
        this.raise({ number: request.number, callId: `wrapup:${request.callId}`, reason: 'requested', queue: null, at: request.createdAt }, 'desk');
      }
    } catch (error) {
      this.options.logger.warn('callbacks.requests-not-read', { error: error instanceof DeskError ? error.code : 'unknown' });
    }
  }

  private require(id: string): TaskRecord {
    const task = this.options.journal.require('the callback worklist is not available').callbacks.get(id);
    if (!task) throw new DeskError('CALLBACK_NOT_FOUND', 'This callback task does not exist (any more).');
    return task;
  }

  private me(): { extension: string; name: string } {
    const agent = this.options.pbx.agent;
    if (!agent) throw new DeskError('PBX_UNAVAILABLE', 'This desk has no agent extension: set agent.extension (or the SIP URI) in the settings to work callbacks.');
    return agentRef(agent);
  }

  private view(task: TaskRecord, settings = this.options.settings()): CallbackTask {
    const mine = this.options.pbx.agent?.extension;
    return {
      id: task.id,
      number: task.number,
      patientName: this.options.pbx.patientName(task.number),
      state: task.state,
      count: task.count,
      reasons: task.reasons,
      lastReason: task.lastReason,
      queue: task.queue,
      firstAt: task.firstAt,
      lastAt: task.lastAt,
      dueAt: task.firstAt + settings.callbacks.slaMinutes * 60_000,
      attempts: task.attempts,
      claimedBy: task.claimedBy,
      claimedAt: task.claimedAt,
      mine: task.claimedBy !== null && task.claimedBy.extension === mine,
      outcome: task.outcome,
      closedBy: task.closedBy,
      closedByAgent: task.closedByAgent,
      closedAt: task.closedAt,
    };
  }

  private schedulePush(): void {
    if (this.pushTimer !== null) return;
    this.pushTimer = this.clock.setTimeout(() => {
      this.pushTimer = null;
      try {
        this.options.events.emit('callbacks:changed', this.list());
      } catch (error) {
        this.options.logger.warn('callbacks.push-failed', { error: error instanceof DeskError ? error.code : 'unknown' });
      }
    }, PUSH_INTERVAL_MS);
  }
}

/** One task per number: E.164 when the number is a phone number, else the number as the PBX gave it. */
export function taskId(number: string): string {
  return normalizePhone(number)?.e164 ?? number;
}

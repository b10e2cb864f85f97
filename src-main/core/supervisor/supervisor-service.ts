import type { AuditActor } from '../access/session-service';
import { createHash } from 'node:crypto';
import type { AgentStatusRequest } from '../../../src-shared/pbx/pbx-contract';
import type { QueueAgent } from '../../../src-shared/pbx/pbx-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import { addDays, clinicDate, clinicInstant } from '../../../src-shared/schedule/clinic-time';
import type { Settings, SettingsPatch, SupervisorSettingsPatch } from '../../../src-shared/settings/settings-schema';
import type { MonitorMode, MonitorSession, SupervisorBoard, TransferContext } from '../../../src-shared/supervisor/supervisor-model';
import { systemClock, type Clock } from '../../../src-shared/time/clock';
import { agentRef, callFingerprint } from '../callbacks/callback-record';
import type { CallbackService } from '../callbacks/callback-service';
import type { PbxCapability, PbxEvent } from '../connectors/pbx/pbx-connector';
import type { PbxHostService } from '../connectors/pbx/pbx-host-service';
import type { Db } from '../db/open-database';
import type { EventBus } from '../events/event-bus';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import type { Service } from '../services/service-registry';
import { AlertTracker, buildBoard, nextTimedChange } from './supervisor-board';
import { SupervisorLedger, SupervisorStore, WrapUpCategorySchema } from './supervisor-ledger';
import { encodeTransfer, TRANSFER_KEEP_MS, TRANSFER_KEY_PREFIX, TransferInbox, transferKey } from './transfer-inbox';

/** Shared keys of the desks' wrap-ups: `wu/<clinic day YYYYMMDD>/<hash of desk and call>`. */
export const WRAP_UP_KEY_PREFIX = 'wu/';
/** How many days back a supervisor desk removes old wrap-up records from the PBX. */
const OLD_WRAP_UP_DAYS = 7;
const WRAP_UP_KEY = /^wu\/(\d{8})\/[\x21-\x7E]{1,180}$/;
/** `supervisor:changed` at most this often. */
const PUSH_INTERVAL_MS = 250;
/** Today's figures reach journal.db within this (and at stop). */
const FLUSH_INTERVAL_MS = 2_000;
/** A monitor session asked for that the PBX has not started by then is given up. */
export const MONITOR_CONNECT_TIMEOUT_MS = 30_000;
/** Days of figures kept in journal.db (older ones are dropped when the desk starts). */
const KEEP_DAYS = 62;
/** Wrap-ups saved while the PBX link was down, published when it is back. */
const PENDING_WRAP_UPS_MAX = 500;

export interface SupervisorServiceOptions {
  pbx: PbxHostService;
  callbacks: CallbackService;
  journal: JournalService;
  events: EventBus;
  logger: Logger;
  /** Who the audit log names for a supervisor's action (the signed-in person); without it, the agent's extension. */
  auditActor?: () => AuditActor;
  /** The current settings (role, thresholds, the clinic's time zone), read live. */
  settings: () => Settings;
  /** Saves a settings patch (the thresholds); throws `SETTINGS_MANAGED` for provisioned ones. */
  updateSettings: (patch: SettingsPatch) => void;
  /** What the configured PBX connector can do (its manifest). */
  capabilities: readonly PbxCapability[];
  clock?: Clock;
}

interface Session extends MonitorSession {
  timer: unknown;
}

/**
 * The supervisor's pane in main (docs/architecture.md, "Supervisor"). On a supervisor desk it
 * counts today's figures from the PBX connector's events (a {@link SupervisorLedger} kept in
 * journal.db, reset at the clinic's midnight, topped up from the PBX's own totals after every
 * (re)connect), builds the board and pushes `supervisor:changed` on changes, and runs the
 * actions: monitor (listen / whisper / barge), transfer with context, pause another agent, hand
 * a callback to another operator — each audited. On every desk, whatever its role, it publishes
 * this desk's wrap-ups (`wu/…`) for the supervisors' category counts and keeps the transfer
 * contexts (`tx/…`) sent to this desk's agent for its screen pop.
 */
export class SupervisorService implements Service {
  readonly name = 'supervisor';
  private readonly clock: Clock;
  private readonly inbox: TransferInbox;
  private readonly alerts = new AlertTracker();
  private ledger: SupervisorLedger | null = null;
  private store: SupervisorStore | null = null;
  private session: Session | null = null;
  private pendingWrapUps: { key: string; category: string }[] = [];
  private readonly txRemovals = new Map<string, unknown>();
  private unsubscribes: (() => void)[] = [];
  private pushTimer: unknown = null;
  private flushTimer: unknown = null;
  private sampleTimer: unknown = null;
  private midnightTimer: unknown = null;
  private timedTimer: { at: number; handle: unknown } | null = null;
  private started = false;
  private journalWarned = false;

  constructor(private readonly options: SupervisorServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.inbox = new TransferInbox(() => this.clock.now());
  }

  start(): void {
    const { pbx, events } = this.options;
    this.started = true;
    this.unsubscribes = [
      pbx.onEvent((event) => this.onPbxEvent(event)),
      pbx.onConnected(() => void this.onConnected()),
      // The queue board and the worklist push on their own changes: the board follows them.
      events.subscribeInternal((name) => {
        if (name === 'queue:changed' || name === 'callbacks:changed') this.schedulePush();
      }),
    ];
    this.settingsChanged();
  }

  stop(): void {
    this.started = false;
    for (const off of this.unsubscribes) off();
    this.unsubscribes = [];
    this.deactivate();
    if (this.session) this.clock.clearTimeout(this.session.timer);
    this.session = null;
    for (const timer of this.txRemovals.values()) this.clock.clearTimeout(timer);
    this.txRemovals.clear();
    this.inbox.clear();
  }

  /** The role or a threshold may have changed: a supervisor desk counts and pushes, another does not. */
  settingsChanged(): void {
    if (!this.started) return;
    if (this.isSupervisor()) {
      if (this.ledger === null) this.activate();
      else {
        // The clinic's zone may have changed: its day and its midnight with it.
        this.rollDay();
        this.scheduleMidnight();
      }
      this.schedulePush();
    } else if (this.ledger !== null) {
      this.deactivate();
    }
  }

  private isSupervisor(): boolean {
    return this.options.settings().role === 'supervisor';
  }

  // ---- the day's figures ----------------------------------------------------------------------

  private today(now = this.clock.now()): string {
    return clinicDate(now, this.options.settings().schedule.timeZone);
  }

  /** Starts counting: today's figures from journal.db, topped up from the PBX's totals when it is connected. */
  private activate(): void {
    const day = this.today();
    this.ledger = this.loadDay(day);
    const store = this.storeNow();
    if (store) {
      try {
        const dropped = store.pruneBefore(addDays(day, -KEEP_DAYS));
        if (dropped > 0) this.options.logger.info('supervisor.old-figures-dropped', { rows: dropped });
      } catch (error) {
        this.options.logger.warn('supervisor.prune-failed', { error: errorName(error) });
      }
    }
    this.options.logger.info('supervisor.counting', { day });
    if (this.options.pbx.view().live) {
      this.reconcile();
      this.takeSample();
      void this.catchUpWrapUps();
    }
    this.scheduleSample();
    this.scheduleMidnight();
  }

  private deactivate(): void {
    this.flush();
    this.ledger = null;
    this.alerts.clear();
    for (const timer of [this.pushTimer, this.flushTimer, this.sampleTimer, this.midnightTimer, this.timedTimer?.handle]) {
      if (timer !== null && timer !== undefined) this.clock.clearTimeout(timer);
    }
    this.pushTimer = this.flushTimer = this.sampleTimer = this.midnightTimer = null;
    this.timedTimer = null;
  }

  private loadDay(day: string): SupervisorLedger {
    const store = this.storeNow();
    if (!store) return new SupervisorLedger(day);
    try {
      const { ledger, skipped } = SupervisorLedger.fromRows(day, store.load(day));
      if (skipped > 0) this.options.logger.warn('supervisor.figures-skipped', { rows: skipped });
      return ledger;
    } catch (error) {
      this.options.logger.warn('supervisor.figures-not-loaded', { error: errorName(error) });
      return new SupervisorLedger(day);
    }
  }

  /** journal.db's figures store while the journal is open (null: counted in memory only, said once in the log). */
  private storeNow(): SupervisorStore | null {
    const db: Db | undefined = this.options.journal.stores?.db;
    if (!db) {
      if (!this.journalWarned) this.options.logger.warn('supervisor.figures-in-memory', { reason: 'journal not open' });
      this.journalWarned = true;
      return null;
    }
    if (this.store?.db !== db) this.store = new SupervisorStore(db);
    return this.store;
  }

  /** The clinic's midnight passed: today's figures start from nothing (yesterday's stay in journal.db). */
  private rollDay(): void {
    const ledger = this.ledger;
    if (!ledger) return;
    const day = this.today();
    if (ledger.day === day) return;
    this.flush();
    this.ledger = this.loadDay(day);
    this.alerts.clear();
    this.options.logger.info('supervisor.new-day', { day });
    this.scheduleMidnight();
    this.schedulePush();
    void this.removeOldWrapUps(day);
  }

  private scheduleMidnight(): void {
    if (this.midnightTimer !== null) this.clock.clearTimeout(this.midnightTimer);
    const ledger = this.ledger;
    if (!ledger) return;
    const next = clinicInstant(addDays(ledger.day, 1), 0, this.options.settings().schedule.timeZone);
    this.midnightTimer = this.clock.setTimeout(
      () => {
        this.midnightTimer = null;
        this.rollDay();
        // A zone change may leave the day as it was: the timer still follows the clinic's clock.
        if (this.midnightTimer === null) this.scheduleMidnight();
      },
      Math.max(1, next - this.clock.now() + 1),
    );
  }

  /** One reading of the callers waiting a minute, at each minute's start. */
  private scheduleSample(): void {
    if (this.sampleTimer !== null) this.clock.clearTimeout(this.sampleTimer);
    const now = this.clock.now();
    const next = (Math.floor(now / 60_000) + 1) * 60_000;
    this.sampleTimer = this.clock.setTimeout(() => {
      this.sampleTimer = null;
      this.rollDay();
      this.takeSample();
      if (this.ledger) this.scheduleSample();
    }, next - now);
  }

  private takeSample(): void {
    const ledger = this.ledger;
    const view = this.options.pbx.view();
    if (!ledger || !view.live) return;
    if (ledger.sample(this.clock.now(), view.board.callers.length)) this.changed();
  }

  /**
   * After a (re)connect: the PBX's own totals of today, as the snapshot brought them into the
   * board's counters, are taken where they are higher than ours — calls this desk missed while it
   * was off or its link was down (see {@link SupervisorLedger.reconcile}). Only when the snapshot
   * is of the same clinic day.
   */
  private reconcile(): void {
    const ledger = this.ledger;
    if (!ledger) return;
    const snapshot = this.options.pbx.board.snapshot();
    if (snapshot.at > 0 && this.today(snapshot.at) !== ledger.day) return;
    if (ledger.reconcile(snapshot.counters)) {
      this.options.logger.info('supervisor.pbx-totals-taken', { queues: snapshot.counters.length });
      this.changed();
    }
  }

  /** A figure changed: written within {@link FLUSH_INTERVAL_MS}, pushed within {@link PUSH_INTERVAL_MS}. */
  private changed(): void {
    this.schedulePush();
    if (this.flushTimer !== null) return;
    this.flushTimer = this.clock.setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, FLUSH_INTERVAL_MS);
  }

  private flush(): void {
    const ledger = this.ledger;
    if (!ledger || !ledger.hasDirty) return;
    const store = this.storeNow();
    if (!store) return;
    const rows = ledger.takeDirty();
    try {
      store.save(ledger.day, rows, this.clock.now());
    } catch (error) {
      this.options.logger.warn('supervisor.figures-not-saved', { rows: rows.length, error: errorName(error) });
    }
  }

  // ---- PBX events ---------------------------------------------------------------------------

  private onPbxEvent(event: PbxEvent): void {
    try {
      if (event.type === 'shared.changed') return this.onShared(event.key, event.value);
      if (event.type === 'monitor.started' || event.type === 'monitor.stopped') return this.onMonitorEvent(event);
      if (event.type === 'call.ended') this.endSessionWithCall(event.extension, event.callId);
      if (!this.ledger) return;
      this.rollDay();
      const board = this.options.pbx.board;
      const changed = this.ledger.apply(event, {
        slaSeconds: this.options.settings().queue.slaSeconds,
        timeZone: this.options.settings().schedule.timeZone,
        agent: (extension) => board.agent(extension),
      });
      if (changed) this.changed();
      // A caller joining may be the minute's peak (the minute timer alone would miss a burst).
      if (event.type === 'queue.joined') this.takeSample();
    } catch (error) {
      this.options.logger.warn('supervisor.event-not-applied', { event: event.type, error: errorName(error) });
    }
  }

  private onShared(key: string, value: string | null): void {
    if (value === null) return;
    if (key.startsWith(TRANSFER_KEY_PREFIX)) {
      const result = this.inbox.receive(value, this.options.pbx.agentExtension);
      // Never the value: it holds a number and a note.
      if (result === 'invalid') this.options.logger.warn('supervisor.transfer-context-refused', { length: value.length });
      else if (result === 'kept') this.options.logger.info('supervisor.transfer-context-received');
      return;
    }
    if (key.startsWith(WRAP_UP_KEY_PREFIX)) this.countWrapUp(key, value);
  }

  /** One desk's wrap-up from the shared record, counted once by its key, when it is of today. */
  private countWrapUp(key: string, category: string): void {
    if (!this.ledger) return;
    this.rollDay();
    const ledger = this.ledger;
    const match = WRAP_UP_KEY.exec(key);
    const checked = WrapUpCategorySchema.safeParse(category);
    if (!match || !checked.success) {
      this.options.logger.warn('supervisor.wrap-up-refused', { keyLength: key.length, length: category.length });
      return;
    }
    if (match[1] !== compactDay(ledger.day)) return;
    if (ledger.wrapUp(key, checked.data)) this.changed();
  }

  /** After every (re)connect: wrap-ups saved meanwhile go out; a supervisor takes in today's and the PBX's totals. */
  private async onConnected(): Promise<void> {
    await this.publishPendingWrapUps();
    if (!this.ledger) return;
    this.rollDay();
    this.reconcile();
    this.takeSample();
    await this.catchUpWrapUps();
  }

  private async catchUpWrapUps(): Promise<void> {
    const shared = this.options.pbx.shared;
    const ledger = this.ledger;
    if (!shared || !ledger) return;
    await this.removeOldWrapUps(ledger.day);
    try {
      const records = await shared.list(`${WRAP_UP_KEY_PREFIX}${compactDay(ledger.day)}/`);
      for (const { key, value } of records) this.countWrapUp(key, value);
      this.options.logger.info('supervisor.wrap-ups-recovered', { records: records.length });
    } catch (error) {
      this.options.logger.warn('supervisor.wrap-ups-not-recovered', { error: errorName(error) });
    }
  }

  /**
   * Housekeeping on the PBX: the wrap-up records of the week before `today` are removed (one
   * `DBDelTree` a day), so AstDB does not grow day after day; the figures live in journal.db.
   * A supervisor desk does it after every connect and at the clinic's midnight.
   */
  private async removeOldWrapUps(today: string): Promise<void> {
    const shared = this.options.pbx.shared;
    if (!shared) return;
    for (let back = 1; back <= OLD_WRAP_UP_DAYS; back++) {
      try {
        await shared.removeTree(`${WRAP_UP_KEY_PREFIX}${compactDay(addDays(today, -back))}`);
      } catch (error) {
        this.options.logger.warn('supervisor.old-wrap-ups-not-removed', { error: errorName(error) });
        return;
      }
    }
  }

  // ---- wrap-ups of this desk -------------------------------------------------------------------

  /**
   * This desk saved a wrap-up (any role): published for the supervisors' counts under
   * `wu/<clinic day>/<hash of this desk's agent and the call>` (two operators wrapping up the same
   * PBX call count twice, one desk saving twice counts once). A supervisor desk counts its own at
   * once; without a shared channel only this desk's wrap-ups reach its board.
   */
  onWrapUpSaved(wrapUp: { callId: string; category: string; savedAt: number }): void {
    const day = this.today(wrapUp.savedAt);
    const desk = this.options.pbx.agentExtension ?? 'desk';
    const key = `${WRAP_UP_KEY_PREFIX}${compactDay(day)}/${createHash('sha256').update(`${desk}\u0000${wrapUp.callId}`).digest('hex').slice(0, 20)}`;
    const checked = WrapUpCategorySchema.safeParse(wrapUp.category);
    if (!checked.success) return;
    if (this.ledger) {
      this.rollDay();
      if (this.ledger.day === day && this.ledger.wrapUp(key, checked.data)) this.changed();
    }
    void this.publishWrapUp(key, checked.data);
  }

  private async publishWrapUp(key: string, category: string): Promise<void> {
    const shared = this.options.pbx.shared;
    if (!shared) {
      if (this.options.pbx.sharesRecords) this.keepForLater(key, category);
      return;
    }
    try {
      await shared.publish(key, category);
    } catch (error) {
      this.options.logger.warn('supervisor.wrap-up-not-published', { error: errorName(error) });
      this.keepForLater(key, category);
    }
  }

  private keepForLater(key: string, category: string): void {
    if (this.pendingWrapUps.length >= PENDING_WRAP_UPS_MAX) this.pendingWrapUps.shift();
    this.pendingWrapUps.push({ key, category });
  }

  private async publishPendingWrapUps(): Promise<void> {
    const pending = this.pendingWrapUps;
    this.pendingWrapUps = [];
    for (const { key, category } of pending) await this.publishWrapUp(key, category);
  }

  // ---- transfer contexts for this desk ----------------------------------------------------------

  /** The transfer context a supervisor sent this desk's agent for a caller's number (2 minutes), or null. */
  transferFor(number: string): TransferContext | null {
    return this.inbox.find(number);
  }

  // ---- the board ------------------------------------------------------------------------------

  board(): SupervisorBoard {
    if (this.ledger === null && this.started && this.isSupervisor()) this.activate();
    this.rollDay();
    const settings = this.options.settings();
    const now = this.clock.now();
    const ledger = this.ledger ?? new SupervisorLedger(this.today(now));
    const dayStart = clinicInstant(ledger.day, 0, settings.schedule.timeZone);
    const view = this.options.pbx.view();
    let callbacks: ReturnType<CallbackService['tasksSince']> = [];
    try {
      callbacks = this.options.callbacks.tasksSince(dayStart);
    } catch (error) {
      this.options.logger.warn('supervisor.callbacks-unavailable', { error: errorName(error) });
    }
    const caps = this.options.capabilities;
    const board = buildBoard({
      now,
      day: ledger.day,
      dayStart,
      connector: view.connector,
      live: view.live,
      snapshot: view.board,
      supervisorExtension: this.options.pbx.agentExtension,
      settings,
      ledger,
      callbacks,
      monitor: this.sessionView(),
      can: { monitor: caps.includes('monitor'), transfer: caps.includes('transfer'), pause: caps.includes('agentStatus') },
      patientName: (number) => this.options.pbx.patientName(number),
      alerts: this.alerts,
    });
    this.scheduleTimedChange(nextTimedChange(view.board, callbacks, settings.supervisor, now));
    return board;
  }

  private schedulePush(): void {
    if (this.pushTimer !== null || !this.started || !this.isSupervisor()) return;
    this.pushTimer = this.clock.setTimeout(() => {
      this.pushTimer = null;
      if (!this.started || !this.isSupervisor()) return;
      try {
        this.options.events.emit('supervisor:changed', this.board());
      } catch (error) {
        this.options.logger.warn('supervisor.push-failed', { error: errorName(error) });
      }
    }, PUSH_INTERVAL_MS);
  }

  /** A pause turning amber, a wait crossing its alert, a callback falling due: pushed then, with no event to say so. */
  private scheduleTimedChange(at: number | null): void {
    if (this.timedTimer?.at === at) return;
    if (this.timedTimer) this.clock.clearTimeout(this.timedTimer.handle);
    this.timedTimer = null;
    if (at === null || !this.isSupervisor()) return;
    const handle = this.clock.setTimeout(
      () => {
        this.timedTimer = null;
        this.schedulePush();
      },
      Math.max(1, at - this.clock.now() + 1),
    );
    this.timedTimer = { at, handle };
  }

  // ---- actions --------------------------------------------------------------------------------

  /**
   * Connects this desk's phone (the supervisor's extension) to the call `extension` is on. A
   * session on the same agent switches its mode (`monitorMode`); one on another agent is stopped
   * first. The session is `connecting` until the PBX says the spy started.
   */
  async monitor(extension: string, mode: MonitorMode): Promise<void> {
    const { pbx } = this.options;
    const me = this.supervisorExtension('listen to a call');
    this.requireCapability('monitor', 'listen to calls');
    if (extension === me) throw new DeskError('PBX_REFUSED', 'The supervisor cannot listen to their own extension.');
    const agent = this.requireAgent(extension);
    const call = agent.call;
    if (!call) throw new DeskError('PBX_REFUSED', `Agent ${extension} has no call to listen to.`);
    const current = this.session;
    const sameCall = current !== null && current.agent.extension === extension && current.supervisorExtension === me;
    let switched = sameCall && current.mode === mode;
    if (sameCall && !switched) {
      try {
        await pbx.command('monitorMode', (c) => c.monitorMode({ supervisorExtension: me, mode }));
        current.mode = mode;
        switched = true;
      } catch (error) {
        // A spy that cannot switch in place (a feature code's ChanSpy without `d`): start it again in the new mode.
        if (!(error instanceof DeskError) || error.code !== 'PBX_REFUSED') throw error;
        this.options.logger.info('supervisor.monitor-mode-by-restart', { extension, mode });
      }
    }
    if (!switched) {
      if (current) {
        await this.hangUpSpy(current);
        this.endSession('switched');
      }
      // Set before the command: the PBX may say the spy started before the command's answer.
      const session: Session = {
        state: 'connecting',
        mode,
        supervisorExtension: me,
        agent: agentRef(agent),
        callId: call.callId,
        number: call.number,
        since: this.clock.now(),
        timer: null,
      };
      session.timer = this.clock.setTimeout(() => {
        if (this.session !== session || session.state !== 'connecting') return;
        this.options.logger.warn('supervisor.monitor-not-started', { extension, waitedMs: MONITOR_CONNECT_TIMEOUT_MS });
        this.endSession('timeout');
      }, MONITOR_CONNECT_TIMEOUT_MS);
      this.session = session;
      try {
        await pbx.command('monitor', (c) => c.monitor({ supervisorExtension: me, extension, mode }));
      } catch (error) {
        if (this.session === session) this.endSession('refused');
        throw error;
      }
    }
    this.audit(`supervisor.${mode}`, { callId: call.callId, reason: `agent ${extension}, mode ${mode}` });
    this.options.logger.info('supervisor.monitor', { extension, mode });
    this.schedulePush();
  }

  /** Ends this desk's monitor session (hangs up the supervisor's spying leg); nothing to end is fine. */
  async stopMonitor(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await this.hangUpSpy(session);
    if (this.session === session) this.endSession('stopped');
    this.audit('supervisor.stop', { callId: session.callId, reason: `agent ${session.agent.extension}, mode ${session.mode}` });
  }

  /**
   * Hangs up the supervisor's spying leg. A PBX that refuses (the leg is gone already) or is not
   * connected leaves nothing to stop: the session ends all the same. A timeout is an error.
   */
  private async hangUpSpy(session: Session): Promise<void> {
    try {
      await this.options.pbx.command('stopMonitor', (c) => c.stopMonitor({ supervisorExtension: session.supervisorExtension }));
    } catch (error) {
      if (!(error instanceof DeskError) || (error.code !== 'PBX_REFUSED' && error.code !== 'PBX_UNAVAILABLE')) throw error;
      this.options.logger.info('supervisor.monitor-already-gone', { code: error.code });
    }
  }

  /**
   * Sends the call `extension` is on to `target` (blind), with the card and a note for the
   * target's screen pop: the context is published first (`tx/<number>`), then the transfer.
   * The target must be a ready agent on the board.
   */
  async transfer(input: { extension: string; target: string; misId: string | null; note: string }): Promise<void> {
    const { pbx, logger } = this.options;
    const me = pbx.agent;
    if (!me) throw new DeskError('PBX_UNAVAILABLE', "This desk has no agent extension: set agent.extension (or the SIP URI) in the settings to transfer calls.");
    this.requireCapability('transfer', 'transfer calls');
    const agent = this.requireAgent(input.extension);
    const call = agent.call;
    if (!call) throw new DeskError('PBX_REFUSED', `Agent ${input.extension} has no call to transfer.`);
    if (input.target === input.extension) throw new DeskError('PBX_REFUSED', `The call is already with agent ${input.target}.`);
    const target = pbx.board.agent(input.target);
    if (!target || target.state !== 'ready') {
      const why = target ? `is ${target.state}` : 'is not on the queue board';
      throw new DeskError('PBX_REFUSED', `Agent ${input.target} ${why}: a call is transferred only to a ready agent.`);
    }
    const context: TransferContext = { number: call.number, misId: input.misId, note: input.note, from: agentRef(me), to: input.target, at: this.clock.now() };
    const key = transferKey(call.number);
    let sent = false;
    if (key !== null && pbx.sharesRecords) {
      try {
        await pbx.command('shared.publish', async (c) => {
          if (!c.shared) throw new DeskError('PBX_UNAVAILABLE', 'no shared channel');
          await c.shared.publish(key, encodeTransfer(context));
        });
        sent = true;
        this.removeLater(key);
      } catch (error) {
        // The call matters more than the note: it is transferred without it.
        logger.warn('supervisor.transfer-context-not-sent', { error: error instanceof DeskError ? error.code : errorName(error) });
      }
    }
    await pbx.command('transfer', (c) => c.transfer({ extension: input.extension, target: input.target, mode: 'blind' }));
    this.audit('supervisor.transfer', { misId: input.misId, callId: call.callId, reason: `agent ${input.extension} to ${input.target}${sent ? '' : ', without context'}` });
    logger.info('supervisor.transferred', { extension: input.extension, target: input.target, context: sent });
  }

  /** The context's shared record is removed once the target has had its time with it. */
  private removeLater(key: string): void {
    const previous = this.txRemovals.get(key);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    this.txRemovals.set(
      key,
      this.clock.setTimeout(() => {
        this.txRemovals.delete(key);
        this.options.pbx.shared?.remove(key).catch(() => undefined);
      }, TRANSFER_KEEP_MS),
    );
  }

  /** Pauses (with a reason) or unpauses another agent on the PBX. */
  async setAgentStatus(request: AgentStatusRequest & { extension: string }): Promise<void> {
    this.requireCapability('agentStatus', 'pause agents');
    const { extension } = request;
    this.requireAgent(extension);
    if (request.state === 'ready') {
      await this.options.pbx.command('unpause', (c) => c.unpause({ extension }));
      this.audit('supervisor.unpause', { reason: `agent ${extension}` });
    } else {
      const reason = request.reason;
      await this.options.pbx.command('pause', (c) => c.pause({ extension, reason }));
      this.audit('supervisor.pause', { reason: `agent ${extension}, reason ${reason}` });
    }
    this.options.logger.info('supervisor.agent-status-sent', { extension, state: request.state });
  }

  /** Hands a callback task to another operator: claimed in their name on every desk. */
  reassignCallback(id: string, extension: string): void {
    const agent = this.requireAgent(extension);
    const task = this.options.callbacks.reassign(id, agentRef(agent));
    // The task's id is the caller's number: the audit names it by its fingerprint only.
    this.audit('supervisor.reassign', { reason: `callback ${callFingerprint(id)} to agent ${extension}` });
    this.options.logger.info('supervisor.callback-reassigned', { extension, state: task.state });
    this.schedulePush();
  }

  /** The board's thresholds, in this desk's settings (group `supervisor`). */
  setThresholds(patch: SupervisorSettingsPatch): void {
    this.options.updateSettings({ supervisor: patch });
  }

  // ---- the monitor session ----------------------------------------------------------------------

  private onMonitorEvent(event: Extract<PbxEvent, { type: 'monitor.started' | 'monitor.stopped' }>): void {
    const session = this.session;
    // The PBX does not say the mode: only a session this desk asked for is shown.
    if (!session || event.supervisorExtension !== session.supervisorExtension) return;
    if (event.type === 'monitor.stopped') {
      this.endSession('pbx');
      return;
    }
    session.state = 'active';
    session.since = Math.round(event.at);
    if (event.callId !== null) session.callId = event.callId;
    if (event.extension !== session.agent.extension) {
      const agent = this.options.pbx.board.agent(event.extension);
      session.agent = agentRef(agent ?? { extension: event.extension, name: '' });
    }
    this.clock.clearTimeout(session.timer);
    this.schedulePush();
  }

  private endSessionWithCall(extension: string | null, callId: string): void {
    const session = this.session;
    if (!session || extension !== session.agent.extension) return;
    if (session.callId !== null && session.callId !== callId) return;
    this.endSession('call-ended');
  }

  private endSession(why: string): void {
    const session = this.session;
    if (!session) return;
    this.clock.clearTimeout(session.timer);
    this.session = null;
    this.options.logger.info('supervisor.monitor-ended', { why });
    this.schedulePush();
  }

  private sessionView(): MonitorSession | null {
    const session = this.session;
    if (!session) return null;
    const { timer: _timer, ...view } = session;
    return { ...view, agent: { ...view.agent } };
  }

  // ---- helpers --------------------------------------------------------------------------------

  private supervisorExtension(what: string): string {
    const extension = this.options.pbx.agentExtension;
    if (!extension) throw new DeskError('PBX_UNAVAILABLE', `This desk has no agent extension of its own to ${what} with: set agent.extension (or the SIP URI) in the settings.`);
    return extension;
  }

  private requireCapability(capability: PbxCapability, what: string): void {
    if (!this.options.capabilities.includes(capability)) throw new DeskError('PBX_REFUSED', `This PBX connector (${this.options.pbx.connectorId}) cannot ${what}.`);
  }

  private requireAgent(extension: string): QueueAgent {
    if (!this.options.pbx.view().live) throw new DeskError('PBX_UNAVAILABLE', 'The PBX is not connected; try again when the status bar shows it online.');
    const agent = this.options.pbx.board.agent(extension);
    if (!agent) throw new DeskError('PBX_REFUSED', `Agent ${extension} is not on the queue board.`);
    return agent;
  }

  /** One hash-chained audit entry for a supervisor's action: who (`supervisor:<extension>`), what, which call. */
  private audit(action: string, details: { misId?: string | null; callId?: string | null; reason: string }): void {
    const extension = this.options.pbx.agentExtension;
    try {
      // A signed-in person is named as such; an open desk names its agent's extension.
      const person = this.options.auditActor?.();
      const who = person?.actorName ? person : { actor: extension ? `supervisor:${extension}` : `role:${this.options.settings().role}` };
      this.options.journal.audit({ ...who, action, misId: details.misId ?? null, callId: details.callId ?? null, reason: details.reason });
    } catch (error) {
      this.options.logger.warn('supervisor.audit-failed', { action, error: errorName(error) });
    }
  }
}

/** `2026-12-07` → `20261207`. */
function compactDay(day: string): string {
  return day.replaceAll('-', '');
}

function errorName(error: unknown): string {
  return error instanceof DeskError ? error.code : error instanceof Error ? error.name : 'unknown';
}

import { backoffDelay, type BackoffPolicy } from '../../../../src-shared/time/backoff';
import type { Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
import { MisError } from '../mis/mis-connector';
import { PluginRemoteError, PluginToHostMessageSchema, type HostToPluginMessage, type RemoteError } from './plugin-rpc';
import type { PluginTransport, PluginTransportFactory } from './plugin-transport';

/** Why a plugin was stopped and is being restarted. */
export type PluginFaultReason = 'crashed' | 'hung' | 'flooded' | 'start-failed';

/**
 * A plugin's state as `status-mis` shows it: `running` (answering), `restarting` (stopped after a
 * fault, the next start in `retryInMs`), `failed` (too many faults in a row, or a config it
 * refuses: still retried, at the longest interval), `stopped` (released).
 */
export interface PluginStateEvent {
  id: string;
  /** Which connector made from the plugin (the running one and a settings trial each have a worker). */
  instance: number;
  state: 'running' | 'restarting' | 'failed' | 'stopped';
  reason: PluginFaultReason | null;
  /** What happened, in the host's words (`more than 1000 messages a second`); never patient data from the host's side. */
  detail: string | null;
  retryInMs: number | null;
  /** Faults within the last {@link FAULT_WINDOW_MS}. */
  faults: number;
}

/** What a plugin may do before it counts as flooding (per second, fixed one-second windows). */
export interface PluginLimits {
  maxMessagesPerSecond: number;
  maxLogsPerSecond: number;
  /** Longest message text; an answer beyond it (a 9 MB page) stops the plugin. */
  maxMessageChars: number;
  /** Calls waiting for an answer at once; beyond it a call fails at once (never an unbounded queue). */
  maxPendingCalls: number;
  /** V8 old-generation heap of the worker. */
  heapMb: number;
}

export const DEFAULT_PLUGIN_LIMITS: PluginLimits = {
  maxMessagesPerSecond: 1_000,
  maxLogsPerSecond: 100,
  maxMessageChars: 8 * 1024 * 1024,
  maxPendingCalls: 64,
  heapMb: 256,
};

/** Restarts: 1 s, 2 s, 4 s … capped at 60 s (the desk's one backoff rule, `src-shared/time/backoff.ts`). */
export const PLUGIN_RESTART_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000, jitter: 'none' };
/** Faults are counted over this window; the backoff grows with them and decays after a quiet spell. */
export const FAULT_WINDOW_MS = 5 * 60_000;
/** This many faults within the window make the plugin `failed`. */
export const FAILED_AFTER_FAULTS = 5;
/** How long a start (import + `createConnector`) may take. */
export const PLUGIN_START_TIMEOUT_MS = 10_000;

export interface PluginSupervisorOptions {
  id: string;
  instance: number;
  /** The start message: the plugin's main file URL, config, folders. */
  start: Extract<HostToPluginMessage, { type: 'start' }>;
  transport: PluginTransportFactory;
  clock: Clock;
  logger: Logger;
  onState?: (event: PluginStateEvent) => void;
  limits?: Partial<PluginLimits>;
  backoff?: BackoffPolicy;
  startTimeoutMs?: number;
}

interface PendingCall {
  method: string;
  text: string;
  timeoutMs: number;
  sent: boolean;
  timer: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** How the last start ended, for the "start plugin" diagnostic step. */
export type PluginStartOutcome = { ok: true } | { ok: false; reason: PluginFaultReason; stage: 'load' | 'config' | null; message: string };

const REASON_TEXT: Record<PluginFaultReason, string> = {
  crashed: 'crashed',
  hung: 'stopped answering',
  flooded: 'flooded the desk with messages',
  'start-failed': 'could not start',
};

/**
 * Runs one plugin isolated and keeps it running (docs/connector-sdk.md, "Isolation"): starts it
 * through a {@link PluginTransport}, sends calls with a timeout each, validates every message it
 * posts, and stops it when it crashes (the thread ends), hangs (a call outlives its timeout — a
 * busy loop can only be terminated), floods (too many messages or log lines a second, a message
 * over the size limit, a malformed message, an answer to a call never made) or cannot start.
 * Then it restarts it with capped exponential backoff; while it waits, calls fail at once with
 * `MisError('unreachable')`, so the desk's phone, search and screen pop never wait on a broken plugin.
 */
export class PluginSupervisor {
  private readonly limits: PluginLimits;
  private readonly backoff: BackoffPolicy;
  private readonly startTimeoutMs: number;
  private phase: 'idle' | 'starting' | 'running' | 'waiting' | 'released' = 'idle';
  private transport: PluginTransport | null = null;
  /** Bumped at every start and every stop: events of an older transport are ignored. */
  private generation = 0;
  private nextCallId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private faultTimes: number[] = [];
  private lastFault: { reason: PluginFaultReason; detail: string; stage: 'load' | 'config' | null } | null = null;
  private startTimer: unknown = null;
  private restartTimer: unknown = null;
  private restartAt = 0;
  private windowStart = 0;
  private messagesInWindow = 0;
  private logsInWindow = 0;
  private startWaiters: ((outcome: PluginStartOutcome) => void)[] = [];

  /** Which connector made from the plugin this worker serves (see {@link PluginStateEvent.instance}). */
  get instance(): number {
    return this.options.instance;
  }

  constructor(private readonly options: PluginSupervisorOptions) {
    this.limits = { ...DEFAULT_PLUGIN_LIMITS, ...options.limits };
    this.backoff = options.backoff ?? PLUGIN_RESTART_BACKOFF;
    this.startTimeoutMs = options.startTimeoutMs ?? PLUGIN_START_TIMEOUT_MS;
  }

  /** `running`, `starting`, `waiting` (to restart), `idle` (not started) or `released`. */
  get state(): 'idle' | 'starting' | 'running' | 'waiting' | 'released' {
    return this.phase;
  }

  /** Starts the plugin (once; later starts are the supervisor's own restarts). */
  start(): void {
    if (this.phase === 'idle') this.launch();
  }

  /** Resolves when the current (or next, while waiting) start has an outcome; at once when running or after a fault. */
  startOutcome(): Promise<PluginStartOutcome> {
    if (this.phase === 'idle') this.launch();
    if (this.phase === 'running') return Promise.resolve({ ok: true });
    if (this.phase === 'starting') return new Promise((resolve) => this.startWaiters.push(resolve));
    const fault = this.lastFault;
    return Promise.resolve(
      fault === null ? { ok: false, reason: 'start-failed', stage: null, message: 'The plugin was released.' } : { ok: false, reason: fault.reason, stage: fault.stage, message: fault.detail },
    );
  }

  /**
   * Calls `method` in the plugin. Resolves with its (unvalidated) answer; rejects with
   * {@link PluginRemoteError} for an error the plugin threw, `MisError('timeout')` past
   * `timeoutMs` (and the plugin is restarted), `MisError('unreachable')` when it is not running.
   */
  call(method: string, args: unknown[], timeoutMs: number): Promise<unknown> {
    if (this.phase === 'idle') this.launch();
    if (this.phase === 'released') return Promise.reject(new MisError('unreachable', `The plugin "${this.options.id}" was released.`));
    if (this.phase === 'waiting') return Promise.reject(this.notRunningError());
    if (this.pending.size >= this.limits.maxPendingCalls) {
      return Promise.reject(new MisError('unreachable', `The plugin "${this.options.id}" has ${this.pending.size} calls waiting; try again shortly.`));
    }
    let text: string;
    const id = this.nextCallId++;
    try {
      text = JSON.stringify({ type: 'call', id, method, args } satisfies HostToPluginMessage);
    } catch (error) {
      return Promise.reject(new MisError('protocol', `The call ${method} could not be sent to the plugin: ${error instanceof Error ? error.message : String(error)}`));
    }
    return new Promise((resolve, reject) => {
      const call: PendingCall = { method, text, timeoutMs, sent: false, timer: null, resolve, reject };
      call.timer = this.options.clock.setTimeout(() => this.onCallTimeout(id), timeoutMs);
      this.pending.set(id, call);
      if (this.phase === 'running') this.send(call);
    });
  }

  /** Stops the plugin and every restart; pending calls fail `unreachable`. */
  async release(): Promise<void> {
    if (this.phase === 'released') return;
    this.phase = 'released';
    this.generation++;
    this.clearTimers();
    this.rejectPending(() => new MisError('unreachable', `The plugin "${this.options.id}" was released.`));
    this.settleStart({ ok: false, reason: 'start-failed', stage: null, message: 'The plugin was released.' });
    const transport = this.transport;
    this.transport = null;
    this.emit({ state: 'stopped', reason: null, detail: null, retryInMs: null });
    await transport?.terminate().catch(() => undefined);
  }

  private launch(): void {
    this.phase = 'starting';
    const generation = ++this.generation;
    this.windowStart = this.options.clock.now();
    this.messagesInWindow = 0;
    this.logsInWindow = 0;
    let transport: PluginTransport;
    try {
      transport = this.options.transport({ id: this.options.id, heapMb: this.limits.heapMb });
    } catch (error) {
      this.fault('start-failed', `its worker could not be made: ${error instanceof Error ? error.message : String(error)}`, 'load');
      return;
    }
    this.transport = transport;
    transport.onMessage((message) => {
      if (generation === this.generation) this.guarded(() => this.onMessage(message));
    });
    transport.onOutput((text) => {
      if (generation === this.generation) this.guarded(() => this.onOutput(text));
    });
    transport.onExit((detail) => {
      if (generation !== this.generation) return;
      this.fault(this.phase === 'starting' ? 'start-failed' : 'crashed', `its worker ended: ${detail}`, null);
    });
    this.startTimer = this.options.clock.setTimeout(() => {
      this.startTimer = null;
      if (generation === this.generation && this.phase === 'starting') this.fault('start-failed', `it did not start within ${seconds(this.startTimeoutMs)}`, null);
    }, this.startTimeoutMs);
    try {
      transport.post(JSON.stringify(this.options.start));
    } catch (error) {
      this.fault('start-failed', `its config could not be sent: ${error instanceof Error ? error.message : String(error)}`, 'config');
    }
  }

  /** Whatever a plugin posts, the host never throws out of its handler: a failure there stops the plugin instead. */
  private guarded(handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.options.logger.error('plugin.message-handling-failed', { plugin: this.options.id, error });
      this.fault('flooded', `its message could not be handled: ${error instanceof Error ? error.message : String(error)}`, null);
    }
  }

  private onMessage(raw: unknown): void {
    if (!this.countMessage()) return;
    if (typeof raw !== 'string') return this.fault('flooded', 'it posted a message that is not the SDK’s JSON text', null);
    if (raw.length > this.limits.maxMessageChars) {
      return this.fault('flooded', `it posted a message of ${(raw.length / 1024 / 1024).toFixed(1)} M characters (the limit is ${(this.limits.maxMessageChars / 1024 / 1024).toFixed(0)} M)`, null);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.fault('flooded', 'it posted a message that is not JSON', null);
    }
    const parsed = PluginToHostMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.fault('flooded', `it posted a malformed message (${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'})`, null);
    }
    const message = parsed.data;
    switch (message.type) {
      case 'log':
        if (++this.logsInWindow > this.limits.maxLogsPerSecond) return this.fault('flooded', `it logged more than ${this.limits.maxLogsPerSecond} lines a second`, null);
        this.options.logger[message.level](`plugin.${message.event}`, { ...message.context, plugin: this.options.id });
        return;
      case 'ready':
        if (this.phase !== 'starting') return this.fault('flooded', 'it said "ready" twice', null);
        this.onReady();
        return;
      case 'start-failed':
        if (this.phase !== 'starting') return this.fault('flooded', 'it reported a failed start while running', null);
        return this.fault('start-failed', describeStartFailure(message.stage, message.error), message.stage);
      case 'result': {
        const call = this.pending.get(message.id);
        if (!call || !call.sent) return this.fault('flooded', `it answered call ${message.id}, which was never made or already ended`, null);
        this.pending.delete(message.id);
        this.options.clock.clearTimeout(call.timer);
        if (message.ok) call.resolve(message.value);
        else call.reject(new PluginRemoteError(call.method, message.error));
        return;
      }
    }
  }

  private onOutput(text: string): void {
    if (!this.countMessage()) return;
    // Stream chunks coalesce: count the lines in each, not the chunks.
    this.logsInWindow += Math.max(1, text.split('\n').length - 1);
    if (this.logsInWindow > this.limits.maxLogsPerSecond) return this.fault('flooded', `it wrote more than ${this.limits.maxLogsPerSecond} lines a second to its console`, null);
    this.options.logger.debug('plugin.console', { plugin: this.options.id, output: text.slice(0, 300) });
  }

  /** Counts a message in the current one-second window; false (and the plugin stopped) past the limit. */
  private countMessage(): boolean {
    const now = this.options.clock.now();
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now;
      this.messagesInWindow = 0;
      this.logsInWindow = 0;
    }
    if (++this.messagesInWindow > this.limits.maxMessagesPerSecond) {
      this.fault('flooded', `it posted more than ${this.limits.maxMessagesPerSecond} messages a second`, null);
      return false;
    }
    return true;
  }

  private onReady(): void {
    this.phase = 'running';
    if (this.startTimer !== null) this.options.clock.clearTimeout(this.startTimer);
    this.startTimer = null;
    this.options.logger.info('plugin.running', { plugin: this.options.id, faults: this.faultTimes.length });
    this.emit({ state: 'running', reason: null, detail: null, retryInMs: null });
    this.settleStart({ ok: true });
    for (const call of this.pending.values()) if (!call.sent) this.send(call);
  }

  private send(call: PendingCall): void {
    call.sent = true;
    try {
      this.transport?.post(call.text);
    } catch (error) {
      this.fault('crashed', `a call could not be posted to it: ${error instanceof Error ? error.message : String(error)}`, null);
    }
  }

  private onCallTimeout(id: number): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    call.reject(new MisError('timeout', `The plugin "${this.options.id}" did not answer ${call.method} within ${seconds(call.timeoutMs)}.`));
    // A call never sent was waiting for a start, which has its own timeout.
    if (call.sent && this.phase === 'running') this.fault('hung', `${call.method} took longer than ${seconds(call.timeoutMs)}`, null);
  }

  /** Stops the current worker and schedules the next start. */
  private fault(reason: PluginFaultReason, detail: string, stage: 'load' | 'config' | null): void {
    if (this.phase === 'released' || this.phase === 'waiting') return;
    this.generation++;
    const transport = this.transport;
    this.transport = null;
    void transport?.terminate().catch(() => undefined);
    this.clearTimers();
    const now = this.options.clock.now();
    this.faultTimes = [...this.faultTimes.filter((at) => now - at < FAULT_WINDOW_MS), now];
    this.lastFault = { reason, detail, stage };
    // A config the plugin refuses will not change by restarting: only at the longest interval.
    const failed = this.faultTimes.length >= FAILED_AFTER_FAULTS || stage === 'config';
    const retryInMs = failed ? this.backoff.capMs : backoffDelay({ ...this.backoff, jitter: 'none' }, this.faultTimes.length);
    this.phase = 'waiting';
    this.restartAt = now + retryInMs;
    this.restartTimer = this.options.clock.setTimeout(() => {
      this.restartTimer = null;
      if (this.phase === 'waiting') this.launch();
    }, retryInMs);
    this.rejectPending(() => this.notRunningError());
    this.settleStart({ ok: false, reason, stage, message: detail });
    this.options.logger.warn('plugin.fault', { plugin: this.options.id, reason, detail, retryInMs, faults: this.faultTimes.length });
    this.emit({ state: failed ? 'failed' : 'restarting', reason, detail, retryInMs });
  }

  private notRunningError(): MisError {
    const fault = this.lastFault;
    const wait = Math.max(0, this.restartAt - this.options.clock.now());
    const why = fault ? ` after it ${REASON_TEXT[fault.reason]} (${fault.detail})` : '';
    return new MisError('unreachable', `The plugin "${this.options.id}" stopped${why}; it restarts in ${seconds(wait)}.`);
  }

  private rejectPending(error: () => unknown): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) {
      this.options.clock.clearTimeout(call.timer);
      call.reject(error());
    }
  }

  private settleStart(outcome: PluginStartOutcome): void {
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const waiter of waiters) waiter(outcome);
  }

  private clearTimers(): void {
    if (this.startTimer !== null) this.options.clock.clearTimeout(this.startTimer);
    if (this.restartTimer !== null) this.options.clock.clearTimeout(this.restartTimer);
    this.startTimer = null;
    this.restartTimer = null;
  }

  private emit(event: Omit<PluginStateEvent, 'id' | 'instance' | 'faults'>): void {
    try {
      this.options.onState?.({ id: this.options.id, instance: this.options.instance, faults: this.faultTimes.length, ...event });
    } catch (error) {
      this.options.logger.error('plugin.state-listener-failed', { plugin: this.options.id, error });
    }
  }
}

function describeStartFailure(stage: 'load' | 'config', error: RemoteError): string {
  const message = error.message.length > 400 ? `${error.message.slice(0, 399)}…` : error.message;
  return stage === 'config' ? `it refused its config: ${message}` : `its main file could not be loaded: ${message}`;
}

function seconds(ms: number): string {
  return ms >= 1_000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

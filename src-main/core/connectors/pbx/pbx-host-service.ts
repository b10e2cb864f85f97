import type { QueueView, AgentStatusRequest } from '../../../../src-shared/pbx/pbx-contract';
import { DeskError } from '../../../../src-shared/ipc/errors';
import type { Settings } from '../../../../src-shared/settings/settings-schema';
import type { StatusDetail } from '../../../../src-shared/status/system-status';
import { backoffDelay, type BackoffPolicy } from '../../../../src-shared/time/backoff';
import { sleep, systemClock, type Clock } from '../../../../src-shared/time/clock';
import type { EventBus } from '../../events/event-bus';
import type { Logger } from '../../log/logger';
import { QueueBoard } from '../../queue/queue-board';
import type { Service } from '../../services/service-registry';
import { StartupError } from '../../startup/startup-error';
import type { StatusService } from '../../status/status-service';
import { DemoPbx } from '../demo/demo-pbx';
import { PbxError, type PbxConnector, type PbxConnectorManifest, type PbxConnectorContext, type PbxEvent, type PbxSharedChannel } from './pbx-connector';
import { agentIdentity } from './agent-identity';
import { pbxConfigProblems } from './pbx-config-check';

type AgentIdentity = ReturnType<typeof agentIdentity>;

/** A PBX connector the desk can run: its manifest and its factory. */
export interface PbxConnectorRegistration {
  manifest: PbxConnectorManifest;
  create(context: PbxConnectorContext<unknown>, clock: Clock): PbxConnector;
}

export interface PbxHostOptions {
  /**
   * The current settings, read live: the SLA, the ring-no-answer limit, the role, and the agent
   * identity (taken up by `settingsChanged()`). The connector and its config are read once, at start.
   */
  settings: () => Settings;
  /** The PBX secret from the secret store (null: none stored). */
  secret: string | null;
  registry: Readonly<Record<string, PbxConnectorRegistration>>;
  status: StatusService;
  events: EventBus;
  logger: Logger;
  /** "Surname Given Patronymic" of the cached patient with this number, or null. */
  patientNameByNumber(number: string): string | null;
  clock?: Clock;
  random?: () => number;
  /** Per-command and connect timeout (ms). */
  commandTimeoutMs?: number;
  /** How often the queue view is pushed at most (ms). */
  pushIntervalMs?: number;
}

/** Capped backoff with full jitter: seventeen desks must not hit a PBX coming back all at once. */
const RECONNECT: BackoffPolicy = { baseMs: 1_000, capMs: 30_000, jitter: 'full' };
/** A wrong password will not fix itself: retry slowly (IT may fix it on the PBX side). */
const AFTER_AUTH_FAILURE_MS = 60_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 8_000;
const DEFAULT_PUSH_INTERVAL_MS = 150;
const NAME_CACHE_MAX = 5_000;
/** A desk phone has a few calls at once (a ring, a talk, one on hold); more are stale and forgotten. */
const CTI_CALLS_MAX = 50;
/** Why a session ends when the agent identity changed (run() connects again at once). */
const RECONNECT_FOR_AGENT = 'reconnecting with the new agent identity';
/** The demo switchboard's seat for a desk with no extension configured. */
export const DEMO_DESK_EXTENSION = '101';
/** The pause reason an agent gets after too many unanswered queue rings in a row. */
export const NO_ANSWER_PAUSE_REASON = 'не отвечает';

const DETAIL_OF: Record<PbxError['kind'], StatusDetail> = {
  auth: 'pbxWrongPassword',
  unreachable: 'pbxUnreachable',
  timeout: 'pbxTimeout',
  protocol: 'pbxProtocol',
  refused: 'pbxProtocol',
  notSupported: 'pbxProtocol',
};

/**
 * Supervises the configured PBX connector (docs/architecture.md, "PBX, queue and callbacks"):
 * validates its config at start (a bad field stops the desk naming it), connects, resyncs the
 * queue board from a full snapshot after every (re)connect (AMI has no replay), reconnects with
 * capped, jittered backoff, puts a timeout on every command, and reports the true `status-pbx`.
 * Pushes the board to windows (`queue:changed`, coalesced) and, in CTI mode (no softphone),
 * this desk's rings as `pbx:call`. Other services listen to its domain events.
 * Settings apply without a restart (`settingsChanged()`): the SLA, the ring-no-answer limit and
 * the role are read live; a new agent identity reconnects the connector with it at once. Only
 * another connector (`connectors.pbx`) waits for a restart.
 */
export class PbxHostService implements Service {
  readonly name = 'pbx';
  /** The demo's CTI trigger (`demo.simulate` pbx-ringing …), present while the demo PBX runs. */
  readonly demo: DemoPbx | null;
  readonly board: QueueBoard;
  readonly connectorId: string;
  private readonly registration: PbxConnectorRegistration | null;
  private readonly config: unknown;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly pushIntervalMs: number;
  /** `connectors.pbx` as the desk started with it: a change needs a restart. */
  private readonly startedChoice: string;
  private identity: AgentIdentity;
  /** The SLA the last pushed view carried (a change is pushed). */
  private viewSla: number;
  private restartNeededLogged = false;
  /** Aborts the current session (its connect, resync or service); null between sessions. */
  private sessionAbort: AbortController | null = null;
  /** Aborts the current backoff wait; null when not waiting. */
  private backoffAbort: AbortController | null = null;
  /** The current session was closed for a new identity: connect again without a backoff. */
  private reconnectNow = false;
  private connector: PbxConnector | null = null;
  private live = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private pushTimer: unknown = null;
  private readonly listeners = new Set<(event: PbxEvent) => void>();
  private readonly connectedListeners = new Set<() => void>();
  private readonly names = new Map<string, string | null>();
  private readonly noAnswerInRow = new Map<string, number>();
  /** CTI: this desk's calls from their `ringing` to their `ended` (at most {@link CTI_CALLS_MAX}, oldest dropped). */
  private readonly ctiCalls = new Map<string, { number: string; extension: string; answered: boolean }>();

  constructor(private readonly options: PbxHostOptions) {
    const settings = options.settings();
    this.connectorId = settings.connectors.pbx.id;
    this.startedChoice = JSON.stringify(settings.connectors.pbx);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.pushIntervalMs = options.pushIntervalMs ?? DEFAULT_PUSH_INTERVAL_MS;
    this.identity = this.identityOf(settings);
    this.viewSla = settings.queue.slaSeconds;
    this.board = new QueueBoard(() => options.settings().queue.slaSeconds);
    this.registration = options.registry[this.connectorId] ?? null;
    this.demo = this.connectorId === 'demo' ? new DemoPbx((event) => options.events.emit('pbx:call', event)) : null;
    if (this.registration) {
      const problems = pbxConfigProblems(this.registration.manifest, settings.connectors.pbx.config);
      if (problems !== null) throw new StartupError(`the PBX connector "${this.connectorId}" settings are invalid: ${problems}`);
      this.config = this.registration.manifest.configSchema.parse(settings.connectors.pbx.config);
    } else {
      this.config = null;
    }
  }

  /** Whether claims travel through the PBX to the other desks. */
  get sharesRecords(): boolean {
    return this.registration?.manifest.capabilities.includes('shared') ?? false;
  }

  /** The shared record channel while connected (null: not connected, or the PBX has none). */
  get shared(): PbxSharedChannel | null {
    return this.live ? (this.connector?.shared ?? null) : null;
  }

  /** This desk's agent extension (null: none configured). */
  get agentExtension(): string | null {
    return this.identity.extension;
  }

  get agent(): { extension: string; name: string } | null {
    const { extension, name } = this.identity;
    return extension ? { extension, name } : null;
  }

  /** Whether a call back goes through the PBX (CTI desk with a PBX that can originate). */
  get callsBackViaPbx(): boolean {
    return this.identity.ctiMode && this.identity.extension !== null && (this.registration?.manifest.capabilities.includes('originate') ?? false);
  }

  /**
   * The settings changed (saved or provisioned). A new agent identity (`agent.*`, or the SIP URI
   * and server it falls back on) is taken up at once: the view is pushed with the new extension
   * and, when what the connector was given changed, the session is closed so the run loop
   * connects again at once with the new `agent`. A new SLA is pushed. Another PBX connector
   * (`connectors.pbx`) needs a restart: logged once, the desk keeps running the one it has.
   */
  settingsChanged(): void {
    if (this.stopped) return;
    const settings = this.options.settings();
    if (!this.restartNeededLogged && JSON.stringify(settings.connectors.pbx) !== this.startedChoice) {
      this.restartNeededLogged = true;
      this.options.logger.warn('pbx.restart-needed', { running: this.connectorId, configured: settings.connectors.pbx.id });
    }
    const before = this.identity;
    const next = this.identityOf(settings);
    const agentChanged = next.extension !== before.extension || next.name !== before.name;
    if (agentChanged || next.ctiMode !== before.ctiMode) {
      this.identity = next;
      this.options.logger.info('pbx.agent-changed', { extensionChanged: next.extension !== before.extension, ctiMode: next.ctiMode });
    }
    if (next.extension !== before.extension) this.noAnswerInRow.clear();
    if (next.extension !== before.extension || settings.queue.slaSeconds !== this.viewSla) this.pushNow();
    if (agentChanged) this.reconnect();
  }

  /** This desk's agent as the settings say; the demo switchboard seats an unconfigured desk as its agent 101. */
  private identityOf(settings: Settings): AgentIdentity {
    const identity = agentIdentity(settings);
    return { ...identity, extension: identity.extension ?? (this.connectorId === 'demo' ? DEMO_DESK_EXTENSION : null) };
  }

  /** Closes the current session (or cuts a backoff short) so the run loop connects again now. */
  private reconnect(): void {
    if (this.loop === null || this.stopped) return;
    if (this.sessionAbort) {
      this.reconnectNow = true;
      this.sessionAbort.abort();
    } else {
      this.backoffAbort?.abort();
    }
  }

  start(): void {
    if (!this.registration) {
      this.options.status.report('pbx', 'disabled', 'connectorNotAvailable');
      return;
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.backoffAbort?.abort();
    if (this.pushTimer !== null) this.clock.clearTimeout(this.pushTimer);
    this.pushTimer = null;
    const connector = this.connector;
    this.connector = null;
    await connector?.close().catch(() => undefined);
    await this.loop;
  }

  /** Domain events, after the board applied them. */
  onEvent(listener: (event: PbxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after every (re)connect once the board is resynced (recover shared records then). */
  onConnected(listener: () => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  view(): QueueView {
    const board = this.board.snapshot();
    const patientNames: Record<string, string> = {};
    for (const number of this.board.numbers()) {
      const name = this.nameOf(number);
      if (name !== null) patientNames[number] = name;
    }
    return {
      connector: this.connectorId,
      live: this.live,
      board,
      patientNames,
      agentExtension: this.identity.extension,
      slaSeconds: this.options.settings().queue.slaSeconds,
    };
  }

  /** The cache changed: names may have too. */
  forgetNames(): void {
    this.names.clear();
    this.schedulePush();
  }

  async setAgentStatus(request: AgentStatusRequest): Promise<void> {
    const extension = this.requireExtension();
    if (request.state === 'ready') await this.command('unpause', (c) => c.unpause({ extension }));
    else await this.command('pause', (c) => c.pause({ extension, reason: request.reason }));
    this.options.logger.info('pbx.agent-status-sent', { state: request.state });
  }

  /** Rings this desk's phone and dials `number` (a call back in CTI mode). */
  async originate(number: string): Promise<void> {
    const extension = this.requireExtension();
    await this.command('originate', (c) => c.originate({ extension, number }));
  }

  /** Runs a command on the connected connector with the host's timeout; errors are `DeskError`s. */
  async command<T>(name: string, run: (connector: PbxConnector) => Promise<T>): Promise<T> {
    const connector = this.connector;
    if (!connector || !this.live) throw new DeskError('PBX_UNAVAILABLE', 'The PBX is not connected; try again when the status bar shows it online.');
    try {
      return await withTimeout(run(connector), this.timeoutMs, this.clock, () => new PbxError('timeout', `the PBX did not answer ${name} within ${this.timeoutMs / 1000} s`));
    } catch (error) {
      const pbx = error instanceof PbxError ? error : new PbxError('protocol', error instanceof Error ? error.message : String(error));
      this.options.logger.warn('pbx.command-failed', { command: name, kind: pbx.kind });
      if (pbx.kind === 'timeout') throw new DeskError('PBX_TIMEOUT', `The PBX did not answer in time (${name}).`);
      // The PBX's own words are the message: the window shows them as the reason.
      if (pbx.kind === 'refused') throw new DeskError('PBX_REFUSED', pbx.message.slice(0, 300));
      throw new DeskError('PBX_UNAVAILABLE', `The PBX could not do ${name}: ${pbx.message}`);
    }
  }

  private requireExtension(): string {
    const { extension } = this.identity;
    if (!extension) throw new DeskError('PBX_UNAVAILABLE', "This desk has no agent extension: set agent.extension (or the SIP URI) in the settings.");
    return extension;
  }

  private async run(): Promise<void> {
    const { status, logger } = this.options;
    let attempt = 0;
    let everOnline = false;
    let lost = false;
    while (!this.stopped) {
      status.report('pbx', lost ? 'reconnecting' : 'connecting', lost ? 'pbxConnectionLost' : null);
      let failure: PbxError;
      try {
        failure = await this.session();
        everOnline = true;
        attempt = 0;
      } catch (error) {
        failure = error instanceof PbxError ? error : new PbxError('protocol', error instanceof Error ? error.message : String(error));
      }
      this.goDark();
      if (this.stopped) return;
      if (this.reconnectNow) {
        // Closed on purpose for a new agent identity: connect again at once, no backoff.
        this.reconnectNow = false;
        lost = false;
        logger.info('pbx.reconnect-for-agent');
        continue;
      }
      lost = everOnline;
      attempt += 1;
      const delay = failure.kind === 'auth' ? AFTER_AUTH_FAILURE_MS : backoffDelay(RECONNECT, attempt, this.random);
      if (failure.kind === 'auth') status.report('pbx', 'failed', 'pbxWrongPassword');
      else status.report('pbx', everOnline ? 'reconnecting' : 'offline', DETAIL_OF[failure.kind]);
      logger.warn('pbx.link-down', { kind: failure.kind, attempt, retryInMs: delay });
      // A stop, or a new agent identity (connect with it now), ends the wait early.
      const backoff = new AbortController();
      this.backoffAbort = backoff;
      await sleep(this.clock, delay, backoff.signal);
      this.backoffAbort = null;
    }
  }

  /** One connection: connect, resync, serve events until it drops. Resolves with why it dropped. */
  private async session(): Promise<PbxError> {
    const registration = this.registration!;
    const connector = registration.create(
      {
        config: this.config,
        secret: this.options.secret,
        agent: { extension: this.identity.extension ?? '', name: this.identity.name },
        slaSeconds: this.options.settings().queue.slaSeconds,
        now: () => this.clock.now(),
      },
      this.clock,
    );
    this.connector = connector;
    let resolveDrop: (error: PbxError) => void = () => undefined;
    const dropped = new Promise<PbxError>((resolve) => (resolveDrop = resolve));
    const buffered: PbxEvent[] = [];
    let syncing = true;
    const unsubscribe = [
      connector.onEvent((event) => {
        if (syncing) buffered.push(event);
        else this.handle(event);
      }),
      connector.onDisconnect((error) => resolveDrop(error)),
    ];
    // A stop, or a new agent identity, ends the session: `sessionAbort` carries both.
    const sessionAbort = new AbortController();
    this.sessionAbort = sessionAbort;
    const onStop = () => sessionAbort.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    const onAbort = () => resolveDrop(new PbxError('unreachable', this.reconnectNow ? RECONNECT_FOR_AGENT : 'stopped'));
    sessionAbort.signal.addEventListener('abort', onAbort, { once: true });
    try {
      // A stop does not wait for a PBX that does not answer the login (or the snapshot).
      await withTimeout(connector.connect(), this.timeoutMs, this.clock, () => new PbxError('timeout', 'the PBX did not answer the login in time'), sessionAbort.signal);
      const snapshot = await withTimeout(connector.snapshot(), this.timeoutMs, this.clock, () => new PbxError('timeout', 'the PBX did not send its state in time'), sessionAbort.signal);
      this.board.reset(snapshot);
      const present = new Set(snapshot.callers.map((caller) => caller.callId));
      syncing = false;
      for (const event of buffered.splice(0)) {
        // A join the snapshot already holds is not a second caller.
        if (event.type === 'queue.joined' && present.has(event.callId)) continue;
        this.handle(event);
      }
      this.live = true;
      this.options.status.report('pbx', 'online');
      this.options.logger.info('pbx.online', { connector: this.connectorId, agents: snapshot.agents.length, waiting: snapshot.callers.length });
      this.pushNow();
      for (const listener of this.connectedListeners) {
        try {
          listener();
        } catch (error) {
          this.options.logger.error('pbx.connected-listener-failed', { error: error instanceof Error ? error.name : 'unknown' });
        }
      }
      return await dropped;
    } catch (error) {
      // A failed connect or resync closes this connection; run() decides when to try again.
      throw error instanceof PbxError ? error : new PbxError('protocol', error instanceof Error ? error.message : String(error));
    } finally {
      this.abort.signal.removeEventListener('abort', onStop);
      sessionAbort.signal.removeEventListener('abort', onAbort);
      if (this.sessionAbort === sessionAbort) this.sessionAbort = null;
      for (const off of unsubscribe) off();
      if (this.connector === connector) this.connector = null;
      await connector.close().catch(() => undefined);
    }
  }

  private goDark(): void {
    if (!this.live && this.board.snapshot().agents.length === 0) return;
    this.live = false;
    this.board.clear();
    this.pushNow();
  }

  private handle(event: PbxEvent): void {
    const changed = this.board.apply(event);
    if (changed) this.schedulePush();
    this.cti(event);
    this.watchNoAnswer(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger.error('pbx.event-listener-failed', { event: event.type, error: error instanceof Error ? error.name : 'unknown' });
      }
    }
  }

  /**
   * CTI mode: this desk's own rings reach the renderer as `pbx:call` (the screen pop). A ring
   * that ends elsewhere ends on the desk too: the caller hung up while the desk phone rang (the
   * PBX's `call.ended` then names no agent), another agent answered it, or a direct call rang out
   * (`call.missed`) — otherwise the pop would ring on screen for ever (found by the shift soak).
   * A call this desk answered ends only with this desk's own `call.ended`.
   */
  private cti(event: PbxEvent): void {
    const { ctiMode, extension } = this.identity;
    if (!ctiMode || extension === null) return;
    const own = 'extension' in event && event.extension === extension;
    switch (event.type) {
      case 'call.ringing':
        if (!own || event.number === '') return;
        this.trackCti(event.callId, { number: event.number, extension, answered: false });
        return this.emitCti('ringing', event.callId, event.number, extension);
      case 'call.answered':
        if (!own) return this.endRing(event.callId);
        this.trackCti(event.callId, { number: event.number, extension, answered: true });
        if (event.number !== '') this.emitCti('answered', event.callId, event.number, extension);
        return;
      case 'call.ended':
        if (!own) return this.endRing(event.callId);
        this.ctiCalls.delete(event.callId);
        if (event.number !== '') this.emitCti('ended', event.callId, event.number, extension);
        return;
      case 'call.missed':
        if (own) this.endRing(event.callId);
        return;
      default:
        return;
    }
  }

  private trackCti(callId: string, call: { number: string; extension: string; answered: boolean }): void {
    this.ctiCalls.delete(callId);
    this.ctiCalls.set(callId, call);
    if (this.ctiCalls.size > CTI_CALLS_MAX) this.ctiCalls.delete(this.ctiCalls.keys().next().value!);
  }

  /** A call that rang this desk, unanswered here, is over or taken elsewhere: its ring ends on the desk. */
  private endRing(callId: string): void {
    const call = this.ctiCalls.get(callId);
    if (!call || call.answered) return;
    this.ctiCalls.delete(callId);
    this.emitCti('ended', callId, call.number, call.extension);
  }

  private emitCti(event: 'ringing' | 'answered' | 'ended', callId: string, number: string, extension: string): void {
    this.options.events.emit('pbx:call', { event, callId, number, extension });
  }

  /** N unanswered queue rings in a row pause this desk's agent ("не отвечает"), as contact centres expect. */
  private watchNoAnswer(event: PbxEvent): void {
    const settings = this.options.settings();
    const limit = settings.callbacks.pauseAfterRingNoAnswer;
    if (event.type === 'call.answered') this.noAnswerInRow.delete(event.extension);
    if (event.type !== 'agent.ringNoAnswer' || limit === 0) return;
    const own = event.extension === this.identity.extension;
    if (!own && settings.role !== 'supervisor') return;
    const count = (this.noAnswerInRow.get(event.extension) ?? 0) + 1;
    this.noAnswerInRow.set(event.extension, count);
    if (count < limit) return;
    this.noAnswerInRow.delete(event.extension);
    this.options.logger.warn('pbx.agent-paused-no-answer', { extension: event.extension, rings: count });
    void this.command('pause', (c) => c.pause({ extension: event.extension, reason: NO_ANSWER_PAUSE_REASON })).catch(() => undefined);
  }

  /** The cached patient's name for a number (memoised until the cache changes). */
  patientName(number: string): string | null {
    return this.nameOf(number);
  }

  private nameOf(number: string): string | null {
    if (this.names.has(number)) return this.names.get(number)!;
    let name: string | null;
    try {
      name = this.options.patientNameByNumber(number);
    } catch {
      name = null;
    }
    if (this.names.size >= NAME_CACHE_MAX) this.names.clear();
    this.names.set(number, name);
    return name;
  }

  private schedulePush(): void {
    if (this.pushTimer !== null || this.stopped) return;
    this.pushTimer = this.clock.setTimeout(() => {
      this.pushTimer = null;
      this.pushNow();
    }, this.pushIntervalMs);
  }

  private pushNow(): void {
    if (this.stopped) return;
    const view = this.view();
    this.viewSla = view.slaSeconds;
    this.options.events.emit('queue:changed', view);
  }
}

/**
 * Resolves or rejects with `work`, or rejects with `timeout()` after `ms` on `clock`, or at once
 * (`unreachable: stopped`) when `signal` aborts.
 */
function withTimeout<T>(work: Promise<T>, ms: number, clock: Clock, timeout: () => Error, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(new PbxError('unreachable', 'stopped'));
    };
    const timer = clock.setTimeout(() => {
      done();
      reject(timeout());
    }, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

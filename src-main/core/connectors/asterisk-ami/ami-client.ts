import { connect as netConnect } from 'node:net';
import type { Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
import { PbxError } from '../pbx/pbx-connector';
import { AmiParser, type AmiMessage } from './ami-parser';

/**
 * A TCP client of the Asterisk Manager Interface: connect (with a timeout), banner, `Login`
 * (`Events: on`), an optional session event filter, actions correlated by `ActionID` (an
 * `EventList: start` answer gathers its list events until the `…Complete` event), `Ping`.
 * Every failure is a {@link PbxError}; header values with CR/LF/NUL are refused, never sent.
 */

/** What the client needs of a socket (a `net.Socket` has it all; tests may pass a fake). */
export interface AmiSocket {
  write(data: string): unknown;
  end(): unknown;
  destroy(): unknown;
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

export type AmiSocketFactory = (host: string, port: number) => AmiSocket;

export const defaultSocketFactory: AmiSocketFactory = (host, port) => {
  const socket = netConnect({ host, port });
  socket.setNoDelay(true);
  return socket;
};

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  clock: Clock;
  socketFactory?: AmiSocketFactory;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Socket connect + banner + login; default 10 s. */
  connectTimeoutMs?: number;
  /** Default per-action timeout; default 10 s. */
  actionTimeoutMs?: number;
  /**
   * Events this session wants (`Filter` whitelist); null or empty: all. When the AMI user may
   * not use `Filter` (it needs write=system) the session goes on unfiltered and says so in the log.
   */
  eventWhitelist?: readonly string[] | null;
  /** Prefix of this session's ActionIDs (unique per desk, so another session's echo is not ours). */
  actionIdPrefix?: string;
}

export type AmiHeaders = Record<string, string | number | boolean> | readonly (readonly [string, string])[];

export interface AmiActionResult {
  response: AmiMessage;
  /** The list events of an `EventList` answer (without the `…Complete` event). */
  events: AmiMessage[];
  /** The `…Complete` event, or the awaited event (`awaitEvent`). */
  final: AmiMessage | null;
}

export interface AmiActionOptions {
  timeoutMs?: number;
  /** After a Success, wait for this event with the same ActionID too (`OriginateResponse`). */
  awaitEvent?: string;
}

interface Pending {
  id: string;
  name: string;
  response: AmiMessage | null;
  events: AmiMessage[];
  awaitEvent: string | null;
  timer: unknown;
  resolve(result: AmiActionResult): void;
  reject(error: PbxError): void;
}

/** Longest line Asterisk reads from a client (`mansession_session.inbuf` is 1025 bytes). */
export const AMI_MAX_LINE_BYTES = 1024;
const MAX_LIST_EVENTS = 20_000;
const LATE_IDS_KEPT = 256;
const KEY = /^[A-Za-z][A-Za-z0-9_()-]{0,63}$/;

/**
 * The `Filter` regex for an event whitelist. A legacy filter is a POSIX extended regex run over
 * the whole event text, which starts `Event: <name>\r\n` (main/manager.c: action_filter →
 * manager_add_filter, match_eventdata; the event text is built in __manager_event_sessions_va).
 * Include filters only = "drop everything else". `^` and `[[:space:]]` anchor the name, so
 * `Hangup` does not let `HangupRequest` through. Needs write=system (Filter is registered with
 * EVENT_FLAG_SYSTEM); list items of actions are not events and are never filtered.
 */
export function eventFilterRegex(events: readonly string[]): string {
  return `^Event: (${events.join('|')})[[:space:]]`;
}

/** Serialises an action; throws a {@link PbxError} (`protocol`) for a header that cannot be sent safely. */
export function encodeAction(name: string, actionId: string, headers: AmiHeaders): string {
  const pairs: readonly (readonly [string, string])[] = Array.isArray(headers)
    ? (headers as readonly (readonly [string, string])[])
    : Object.entries(headers as Record<string, string | number | boolean>).map(([k, v]) => [k, String(v)] as const);
  const lines: string[] = [];
  for (const [key, value] of [['Action', name] as const, ['ActionID', actionId] as const, ...pairs]) {
    if (!KEY.test(key)) throw new PbxError('protocol', `AMI header name "${key.replace(/[^\x20-\x7E]/g, '?')}" is not allowed; the ${name} command was not sent`);
    if (/[\r\n\0]/.test(value)) throw new PbxError('protocol', `AMI header ${key} contains a line break or NUL; the ${name} command was not sent`);
    const line = `${key}: ${value}`;
    if (Buffer.byteLength(line, 'utf8') + 2 > AMI_MAX_LINE_BYTES) throw new PbxError('protocol', `AMI header ${key} is longer than Asterisk reads (${AMI_MAX_LINE_BYTES} bytes); the ${name} command was not sent`);
    lines.push(line);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

function describeSocketError(error: Error & { code?: string }, where: string): PbxError {
  const code = error.code ?? '';
  if (code === 'ETIMEDOUT') return new PbxError('timeout', `host unreachable: ${where} did not answer (timeout)`, { cause: error });
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused (is AMI enabled on this port?)'
      : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
        ? 'no route to host'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host name not found'
          : code || error.message;
  return new PbxError('unreachable', `host unreachable: ${where}: ${why}`, { cause: error });
}

export class AmiClient {
  private socket: AmiSocket | null = null;
  private readonly parser = new AmiParser();
  private readonly pending = new Map<string, Pending>();
  /** ActionIDs that timed out: their late answers are dropped. */
  private readonly late = new Set<string>();
  private nextId = 1;
  private connected = false;
  private closing = false;
  private closeReported = false;
  private readonly eventListeners = new Set<(message: AmiMessage) => void>();
  private readonly closeListeners = new Set<(error: PbxError) => void>();
  private bannerWaiter: (() => void) | null = null;
  private connectFailure: ((error: PbxError) => void) | null = null;
  private readonly prefix: string;
  private readonly where: string;
  /** Whether the session event filter is on (false: the user may not set one, or none wanted). */
  filtered = false;

  constructor(private readonly options: AmiClientOptions) {
    this.prefix = options.actionIdPrefix ?? `reg-${Math.random().toString(36).slice(2, 8)}-`;
    this.where = `${options.host}:${options.port}`;
  }

  get parserStats() {
    return this.parser.stats;
  }

  /** Connects, reads the banner, logs in and sets the event filter. Rejects with a {@link PbxError}. */
  async connect(): Promise<{ banner: string }> {
    if (this.socket) throw new PbxError('protocol', 'AMI client already connected');
    const { clock } = this.options;
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    let timer: unknown = null;
    try {
      await new Promise<void>((resolve, reject) => {
        this.connectFailure = reject;
        timer = clock.setTimeout(() => reject(new PbxError('timeout', `host unreachable: ${this.where} did not answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
        this.bannerWaiter = resolve;
        this.open();
      });
      clock.clearTimeout(timer);
      try {
        await this.action(
          'Login',
          { Username: this.options.username, Secret: this.options.secret, Events: 'on' },
          { timeoutMs },
        );
      } catch (error) {
        if (error instanceof PbxError && error.kind === 'refused') {
          throw new PbxError('auth', `wrong AMI password or user for ${this.options.username}@${this.where} (${error.message})`, { cause: error });
        }
        throw error;
      }
      this.connected = true;
      this.connectFailure = null;
      await this.applyFilter();
      return { banner: this.parser.banner ?? '' };
    } catch (error) {
      clock.clearTimeout(timer);
      this.connectFailure = null;
      this.teardown();
      throw error instanceof PbxError ? error : new PbxError('protocol', String(error), { cause: error });
    }
  }

  /** Sends an action and resolves with its answer; `Response: Error` rejects `refused` with the PBX's message. */
  action(name: string, headers: AmiHeaders = {}, options: AmiActionOptions = {}): Promise<AmiActionResult> {
    const socket = this.socket;
    if (!socket || this.closing) return Promise.reject(new PbxError('unreachable', 'not connected to AMI'));
    const id = `${this.prefix}${this.nextId++}`;
    let wire: string;
    try {
      wire = encodeAction(name, id, headers);
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.options.actionTimeoutMs ?? 10_000;
    return new Promise<AmiActionResult>((resolve, reject) => {
      const pending: Pending = {
        id,
        name,
        response: null,
        events: [],
        awaitEvent: options.awaitEvent?.toLowerCase() ?? null,
        timer: null,
        resolve,
        reject,
      };
      pending.timer = this.options.clock.setTimeout(() => {
        this.pending.delete(id);
        this.rememberLate(id);
        reject(new PbxError('timeout', `AMI ${name}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, pending);
      socket.write(wire);
    });
  }

  /** Round trip of a `Ping`, in ms. */
  async ping(timeoutMs?: number): Promise<number> {
    const started = this.options.clock.now();
    await this.action('Ping', {}, timeoutMs === undefined ? {} : { timeoutMs });
    return Math.max(0, this.options.clock.now() - started);
  }

  /** Every event not belonging to a pending list, in arrival order. Returns an unsubscribe. */
  onEvent(listener: (message: AmiMessage) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** The connection dropped after `connect()` resolved; called once. Not called after `close()`. */
  onClose(listener: (error: PbxError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Logs off (best effort) and closes; pending actions reject. */
  async close(): Promise<void> {
    if (!this.socket) return;
    this.closing = true;
    const socket = this.socket;
    try {
      if (this.connected) socket.write(encodeAction('Logoff', `${this.prefix}logoff`, {}));
    } catch {
      // the socket is going anyway
    }
    this.teardown();
  }

  private open(): void {
    const socket = (this.options.socketFactory ?? defaultSocketFactory)(this.options.host, this.options.port);
    this.socket = socket;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => this.onSocketEnd(describeSocketError(error, this.where)));
    socket.on('close', () => this.onSocketEnd(new PbxError('unreachable', `connection to AMI at ${this.where} lost`)));
  }

  private async applyFilter(): Promise<void> {
    const events = this.options.eventWhitelist;
    if (!events || events.length === 0) return;
    try {
      await this.action('Filter', { Operation: 'Add', Filter: eventFilterRegex(events) });
      this.filtered = true;
      this.options.logger?.info('pbx.ami.filter', { events: events.length });
    } catch (error) {
      if (!(error instanceof PbxError) || error.kind !== 'refused') throw error;
      // `Filter` needs write=system (manager.c registers it with EVENT_FLAG_SYSTEM): "Permission denied".
      this.options.logger?.warn('pbx.ami.filterUnavailable', { reason: error.message, effect: 'every event is received and dropped here' });
    }
  }

  private onData(chunk: Buffer): void {
    for (const message of this.parser.feed(chunk)) this.dispatch(message);
    if (this.bannerWaiter && this.parser.banner !== null) {
      const waiter = this.bannerWaiter;
      this.bannerWaiter = null;
      waiter();
    }
  }

  private dispatch(message: AmiMessage): void {
    const id = message.actionId;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (message.response !== undefined && message.event === undefined) {
      // No such action (a late answer after a timeout, another session's id): not ours.
      if (!pending || pending.response) return;
      const status = message.response.toLowerCase();
      if (status === 'error' || status === 'failure') {
        this.finish(pending);
        pending.reject(new PbxError('refused', message.get('Message') || `${pending.name} refused`));
        return;
      }
      pending.response = message;
      const listStart = (message.get('EventList') ?? '').toLowerCase() === 'start';
      if (!listStart && !pending.awaitEvent) {
        this.finish(pending);
        pending.resolve({ response: message, events: [], final: null });
      }
      return;
    }
    if (message.event === undefined) return;
    if (pending?.response) {
      const event = message.event.toLowerCase();
      if (pending.awaitEvent && event === pending.awaitEvent) {
        this.finish(pending);
        const status = (message.get('Response') ?? 'Success').toLowerCase();
        if (status === 'failure' || status === 'error') {
          pending.reject(new PbxError('refused', `${pending.name} failed (reason ${message.get('Reason') ?? '?'})`));
        } else pending.resolve({ response: pending.response, events: pending.events, final: message });
        return;
      }
      if ((message.get('EventList') ?? '').toLowerCase() === 'complete') {
        this.finish(pending);
        pending.resolve({ response: pending.response, events: pending.events, final: message });
        return;
      }
      if (!pending.awaitEvent && pending.events.length < MAX_LIST_EVENTS) {
        pending.events.push(message);
        return;
      }
    }
    // A late list item of an action that timed out is not news.
    if (id !== undefined && this.late.has(id) && message.event.toLowerCase() !== 'userevent') return;
    for (const listener of [...this.eventListeners]) listener(message);
  }

  private finish(pending: Pending): void {
    this.options.clock.clearTimeout(pending.timer);
    this.pending.delete(pending.id);
  }

  private rememberLate(id: string): void {
    this.late.add(id);
    if (this.late.size > LATE_IDS_KEPT) {
      const oldest = this.late.values().next().value;
      if (oldest !== undefined) this.late.delete(oldest);
    }
  }

  private onSocketEnd(error: PbxError): void {
    if (this.connectFailure) {
      const fail = this.connectFailure;
      this.connectFailure = null;
      fail(error);
    }
    const wasConnected = this.connected && !this.closing;
    this.teardown(error);
    if (wasConnected && !this.closeReported) {
      this.closeReported = true;
      for (const listener of [...this.closeListeners]) listener(error);
    }
  }

  private teardown(error: PbxError = new PbxError('unreachable', 'AMI connection closed')): void {
    const socket = this.socket;
    this.connected = false;
    this.bannerWaiter = null;
    for (const pending of [...this.pending.values()]) {
      this.finish(pending);
      pending.reject(error);
    }
    if (socket) {
      this.closing = true;
      try {
        socket.end();
        socket.destroy();
      } catch {
        // already gone
      }
    }
  }
}

import { allRequests, events, isEventName, type EventName, type EventPayload, type RequestInput, type RequestName, type RequestOutput } from '../../src-shared/ipc/contract';
import { DeskError } from '../../src-shared/ipc/errors';
import { ServerFrameSchema, type ClientFrame } from '../../src-shared/ipc/wire';
import { backoffDelay, type BackoffPolicy } from '../../src-shared/time/backoff';
import { systemClock, type Clock } from '../../src-shared/time/clock';
import type { BridgeState, DeskClient } from './desk-client-types';

/** The part of the browser's WebSocket the client uses; tests inject a fake class. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketConstructor = new (url: string) => SocketLike;

export interface BridgeLogger {
  warn(message: string, details?: unknown): void;
}

export interface WsDeskClientOptions {
  /** Defaults to the browser's WebSocket. */
  Socket?: SocketConstructor;
  logger?: BridgeLogger;
  /** The reconnect and connect-timeout timers run on it; tests give a manual one. */
  clock?: Clock;
  /** Reconnect delays; the cap repeats forever. */
  backoff?: BackoffPolicy & { jitter: 'none' };
  /** How long one connection attempt may take before it counts as failed. */
  connectTimeoutMs?: number;
}

/**
 * 0.5 s, 1 s, 2 s, then every 3 s. The bridge is on loopback, so a probe costs nothing, and a
 * host restarted on the same fixed `--port` is found again within about 3 s. No jitter: each
 * tab reconnects to its own host.
 */
export const RECONNECT_BACKOFF: BackoffPolicy & { jitter: 'none' } = { baseMs: 500, capMs: 3_000, jitter: 'none' };

/**
 * An attempt that neither opens nor fails (a host that accepts the TCP connection but never
 * answers, e.g. frozen) is given up after this long, so queued requests never hang.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

const SOCKET_OPEN = 1;

interface PendingRequest {
  name: RequestName;
  frame: string;
  sent: boolean;
  resolve(value: unknown): void;
  reject(error: DeskError): void;
}

type AnyListener = (payload: unknown) => void;

/**
 * The browser host's side of the contract: every request is a `request` frame matched to its
 * `response` by id; pushed `event` frames go to listeners. If the socket drops, requests that
 * have not been answered fail with BRIDGE_DISCONNECTED (the caller decides whether to retry)
 * and the client reconnects with capped backoff, forever, until `close()`. No request waits
 * without bound: one made while a connection attempt runs waits for that attempt (itself
 * capped at CONNECT_TIMEOUT_MS); one made between attempts fails at once.
 */
export class WsDeskClient implements DeskClient {
  readonly kind = 'websocket' as const;

  private readonly Socket: SocketConstructor;
  private readonly logger: BridgeLogger;
  private readonly clock: Clock;
  private readonly backoff: BackoffPolicy & { jitter: 'none' };
  private readonly connectTimeoutMs: number;

  private socket: SocketLike | null = null;
  private state: BridgeState = 'connecting';
  private nextId = 1;
  private attempt = 0;
  private reconnectTimer: unknown = null;
  private connectTimer: unknown = null;
  private disposed = false;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly listeners = new Map<EventName, Set<AnyListener>>();
  private readonly stateListeners = new Set<(state: BridgeState) => void>();

  constructor(
    private readonly url: string,
    options: WsDeskClientOptions = {},
  ) {
    this.Socket = options.Socket ?? (globalThis.WebSocket as unknown as SocketConstructor);
    this.logger = options.logger ?? console;
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoff ?? RECONNECT_BACKOFF;
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.connect();
  }

  bridgeState(): BridgeState {
    return this.state;
  }

  onBridgeState(listener: (state: BridgeState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    if (this.disposed) {
      return Promise.reject(new DeskError('BRIDGE_DISCONNECTED', 'The connection to the desk service is closed.'));
    }
    if (this.socket === null) {
      // Between reconnect attempts: the desk service is known to be unreachable right now.
      return Promise.reject(new DeskError('BRIDGE_DISCONNECTED', 'The desk service is not reachable (stopped or restarting).'));
    }
    const id = this.nextId++;
    const frame: ClientFrame = { type: 'request', id, name, input };
    return new Promise<RequestOutput<N>>((resolve, reject) => {
      const entry: PendingRequest = {
        name,
        frame: JSON.stringify(frame),
        sent: false,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      this.pending.set(id, entry);
      const socket = this.socket;
      if (socket && socket.readyState === SOCKET_OPEN) this.send(socket, id, entry);
    });
  }

  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    const wrapped = listener as AnyListener;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  /** Closes the socket for good: no reconnect, pending requests fail. */
  close(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.reconnectTimer !== null) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearConnectTimer();
    const socket = this.socket;
    this.socket = null;
    this.failPending('The connection to the desk service was closed.');
    this.setState('closed');
    socket?.close(1000, 'client closed');
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.disposed) return;
    let socket: SocketLike;
    try {
      socket = new this.Socket(this.url);
    } catch (error) {
      this.logger.warn('bridge.connect-failed', { error: String(error) });
      this.failPending('Could not connect to the desk service.');
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.connectTimer = this.clock.setTimeout(() => {
      this.connectTimer = null;
      if (this.socket !== socket || socket.readyState === SOCKET_OPEN) return;
      this.logger.warn('bridge.connect-timeout', { ms: this.connectTimeoutMs });
      this.socket = null;
      try {
        socket.close();
      } catch {
        // Closing a socket that never opened may throw in some browsers; it is dropped either way.
      }
      this.failPending('The desk service did not answer.');
      this.scheduleReconnect();
    }, this.connectTimeoutMs);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.clearConnectTimer();
      this.attempt = 0;
      this.setState('open');
      for (const [id, entry] of this.pending) {
        if (!entry.sent) this.send(socket, id, entry);
      }
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.handleMessage(event.data);
    };
    socket.onerror = () => {
      // A close event always follows; that is where the state changes.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.clearConnectTimer();
      this.socket = null;
      this.failPending('The connection to the desk service was lost.');
      this.scheduleReconnect();
    };
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) this.clock.clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private scheduleReconnect(): void {
    if (this.disposed) return;
    this.attempt += 1;
    const delay = backoffDelay(this.backoff, this.attempt);
    this.setState('reconnecting');
    this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
  }

  private send(socket: SocketLike, id: number, entry: PendingRequest): void {
    try {
      socket.send(entry.frame);
      entry.sent = true;
    } catch (error) {
      this.logger.warn('bridge.send-failed', { id, error: String(error) });
      this.pending.delete(id);
      entry.reject(new DeskError('BRIDGE_DISCONNECTED', 'Could not send the request to the desk service.'));
    }
  }

  private failPending(message: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(new DeskError('BRIDGE_DISCONNECTED', message));
  }

  private handleMessage(data: unknown): void {
    if (typeof data !== 'string') {
      this.logger.warn('bridge.frame-ignored', { reason: 'not a text frame' });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      this.logger.warn('bridge.frame-ignored', { reason: 'not JSON' });
      return;
    }
    const parsed = ServerFrameSchema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn('bridge.frame-ignored', { reason: 'does not match the wire schema' });
      return;
    }
    const frame = parsed.data;
    if (frame.type === 'event') {
      this.dispatchEvent(frame.name, frame.payload);
      return;
    }
    const entry = this.pending.get(frame.id);
    if (!entry) {
      this.logger.warn('bridge.frame-ignored', { reason: 'response to an unknown request', id: frame.id });
      return;
    }
    this.pending.delete(frame.id);
    if (!frame.ok) {
      entry.reject(new DeskError(frame.error.code, frame.error.message));
      return;
    }
    const output = allRequests[entry.name].output.safeParse(frame.value);
    if (!output.success) {
      this.logger.warn('bridge.invalid-output', { name: entry.name });
      entry.reject(new DeskError('INVALID_OUTPUT', `The desk service sent an unexpected answer to ${entry.name}.`));
      return;
    }
    entry.resolve(output.data);
  }

  private dispatchEvent(name: string, payload: unknown): void {
    if (!isEventName(name)) {
      this.logger.warn('bridge.frame-ignored', { reason: 'unknown event', name });
      return;
    }
    const parsed = events[name].safeParse(payload);
    if (!parsed.success) {
      this.logger.warn('bridge.frame-ignored', { reason: 'event payload does not match the contract', name });
      return;
    }
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        listener(parsed.data);
      } catch (error) {
        this.logger.warn('bridge.listener-failed', { name, error: String(error) });
      }
    }
  }

  private setState(state: BridgeState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}

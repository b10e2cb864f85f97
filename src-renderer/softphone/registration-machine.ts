/**
 * The registration state machine of the desk's softphone: pure, no SIP.js, no timers of its own.
 *
 * Why a machine of our own: SIP.js 0.21 `Registerer` refuses a new REGISTER while a prior one is
 * unanswered (RFC 3261 §10.2: "a UA MUST NOT send a new registration until it has received a final
 * response … or the previous REGISTER request has timed out"), which after a transport loss can
 * block re-registration for 32 s (Timer F, RFC 3261 §17.1.2.2). The policy here (docs/architecture.md, "Softphone") never
 * waits for that: it disposes the Registerer and creates a new one, reconnects with capped backoff
 * and keeps trying for as long as the operator is logged in.
 *
 * The status bar shows {@link RegistrationSnapshot.state} in `data-state`; it is the only source
 * of truth for "registered".
 */
import { backoffDelay, type BackoffPolicy } from '../../src-shared/time/backoff';

/** What the status bar shows (exactly these strings go into `data-state`). */
export type RegistrationState = 'offline' | 'connecting' | 'registering' | 'registered' | 'reconnecting' | 'failed';

/** Why the machine is where it is; `null` when nothing needs explaining. */
export type RegistrationReason = 'wrong-password' | 'unknown-user' | 'unreachable' | 'rejected' | null;

/**
 * What the machine is doing inside `reconnecting`. The operator sees `reconnecting` until a
 * REGISTER succeeds again, so a transport that connects but cannot register does not flicker.
 */
export type ReconnectPhase = 'waiting' | 'connecting' | 'registering';

/** The machine's state; `since` is the clock time (ms) the visible `state` was entered. */
export interface RegistrationSnapshot {
  readonly state: RegistrationState;
  readonly since: number;
  readonly reason: RegistrationReason;
  /** Only meaningful in `reconnecting`; `null` elsewhere. */
  readonly phase: ReconnectPhase | null;
  /** Consecutive failed attempts since the last successful registration; drives the backoff. */
  readonly attempt: number;
  /** Whether the WebSocket (RFC 7118) is believed to be open. */
  readonly transportUp: boolean;
}

/** Events fed into the machine by the SIP adapter, the timers and the operator. */
export type RegistrationInput =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'transportConnected' }
  /** The WebSocket closed, or a connect attempt failed. */
  | { readonly type: 'transportLost' }
  /** A 2xx to REGISTER (RFC 3261 §10.3 step 8). */
  | { readonly type: 'registered' }
  /** A final non-2xx to REGISTER after SIP.js has already answered any digest challenge. */
  | { readonly type: 'registrationRejected'; readonly status: number }
  /** No final response to a REGISTER within {@link REGISTER_TIMEOUT_MS}: a stuck REGISTER. */
  | { readonly type: 'registrationTimedOut' }
  /** The SIP OPTIONS keep-alive got no answer: the socket is dead or half-open. */
  | { readonly type: 'keepAliveFailed' }
  /** The backoff timer requested by `scheduleReconnect` fired. */
  | { readonly type: 'reconnectDue' }
  /** A probe (`probeServer`) opened a WebSocket to the server: it is back, stop waiting. */
  | { readonly type: 'serverReachable' }
  /** A probe could not open a WebSocket: the server is still down. */
  | { readonly type: 'probeFailed' };

/** Side effects the adapter must carry out, in order. */
export type RegistrationCommand =
  | { readonly type: 'connectTransport' }
  | { readonly type: 'disconnectTransport' }
  /** Send a REGISTER (RFC 3261 §10.2) and report `registrationTimedOut` if nothing final comes back in `timeoutMs`. */
  | { readonly type: 'sendRegister'; readonly timeoutMs: number }
  /** Throw the current Registerer away (with its stuck transaction) and build a fresh one. */
  | { readonly type: 'disposeRegistererAndCreateNew' }
  /** Feed `reconnectDue` after `delayMs`. */
  | { readonly type: 'scheduleReconnect'; readonly delayMs: number }
  /** Best-effort REGISTER with `Expires: 0` (RFC 3261 §10.2.2) before going offline. */
  | { readonly type: 'unregister' }
  /**
   * After `delayMs`, try to open (and at once close) a WebSocket to the server — no SIP is sent —
   * and report `serverReachable` or `probeFailed`. Only while waiting out a backoff after the
   * server was unreachable.
   */
  | { readonly type: 'probeServer'; readonly delayMs: number };

/** How long a REGISTER may go unanswered before it counts as stuck (well under Timer F's 32 s). */
export const REGISTER_TIMEOUT_MS = 10_000;

/** The backoff ceiling: after 1, 2, 4, 8, 16 s every further attempt waits 30 s. */
export const MAX_BACKOFF_MS = 30_000;

/** Reconnect backoff: no jitter, a desk retries against its own PBX (and probes a refused one every second). */
export const RECONNECT_BACKOFF: BackoffPolicy & { jitter: 'none' } = { baseMs: 1_000, capMs: MAX_BACKOFF_MS, jitter: 'none' };

/** The delay before reconnect attempt `attempt` (0-based): 1, 2, 4, 8, 16, 30, 30 … s. */
export function backoffDelayMs(attempt: number): number {
  return backoffDelay(RECONNECT_BACKOFF, attempt + 1);
}

/**
 * How often a server that refused our socket is probed while we wait out the backoff. The
 * backoff spaces out REGISTERs (what costs the registrar); a refused TCP connect costs nothing,
 * and probing is what lets a desk be back within seconds of a PBX restart instead of waiting
 * out a 16 or 30 s step.
 */
export const PROBE_INTERVAL_MS = 1_000;

/** The machine before `start`. */
export function initialRegistration(now: number): RegistrationSnapshot {
  return { state: 'offline', since: now, reason: null, phase: null, attempt: 0, transportUp: false };
}

/** A transition's result: the next snapshot and the commands to run. */
export interface RegistrationStep {
  readonly snapshot: RegistrationSnapshot;
  readonly commands: readonly RegistrationCommand[];
}

function enter(
  prev: RegistrationSnapshot,
  now: number,
  next: Partial<RegistrationSnapshot> & Pick<RegistrationSnapshot, 'state'>,
): RegistrationSnapshot {
  // `since` moves only when the visible state changes: a retry inside `reconnecting` is not news.
  const since = next.state === prev.state ? prev.since : now;
  return { ...prev, reason: null, phase: null, ...next, since };
}

/** Is a REGISTER outstanding in this snapshot (so a response or a timeout is expected)? */
export function isRegistering(s: RegistrationSnapshot): boolean {
  return s.state === 'registering' || (s.state === 'reconnecting' && s.phase === 'registering');
}

/** Is the machine waiting for a transport connect attempt? */
function isConnecting(s: RegistrationSnapshot): boolean {
  return s.state === 'connecting' || (s.state === 'reconnecting' && s.phase === 'connecting');
}

/**
 * Go to `reconnecting` and wait out the next backoff step. The Registerer is always replaced,
 * because the old one may hold an unanswered REGISTER that would block the next one (RFC 3261 §10.2).
 */
function backOff(
  prev: RegistrationSnapshot,
  now: number,
  reason: RegistrationReason,
  dropTransport: boolean,
): RegistrationStep {
  const attempt = prev.state === 'reconnecting' ? prev.attempt + 1 : 0;
  const commands: RegistrationCommand[] = [{ type: 'disposeRegistererAndCreateNew' }];
  if (dropTransport && prev.transportUp) commands.push({ type: 'disconnectTransport' });
  const delayMs = backoffDelayMs(attempt);
  commands.push({ type: 'scheduleReconnect', delayMs });
  if (reason === 'unreachable' && delayMs > PROBE_INTERVAL_MS) commands.push({ type: 'probeServer', delayMs: PROBE_INTERVAL_MS });
  return {
    snapshot: enter(prev, now, {
      state: 'reconnecting',
      phase: 'waiting',
      reason,
      attempt,
      transportUp: dropTransport ? false : prev.transportUp,
    }),
    commands,
  };
}

const unchanged = (snapshot: RegistrationSnapshot): RegistrationStep => ({ snapshot, commands: [] });

/**
 * The transition function. Inputs that do not apply to the current state (a late response from a
 * disposed Registerer, a keep-alive failure while offline …) are ignored: no state change, no commands.
 */
export function transition(prev: RegistrationSnapshot, input: RegistrationInput, now: number): RegistrationStep {
  switch (input.type) {
    case 'start': {
      if (prev.state !== 'offline' && prev.state !== 'failed') return unchanged(prev);
      const commands: RegistrationCommand[] = [{ type: 'disposeRegistererAndCreateNew' }];
      if (prev.transportUp) {
        commands.push({ type: 'sendRegister', timeoutMs: REGISTER_TIMEOUT_MS });
        return { snapshot: enter(prev, now, { state: 'registering', attempt: 0 }), commands };
      }
      commands.push({ type: 'connectTransport' });
      return { snapshot: enter(prev, now, { state: 'connecting', attempt: 0 }), commands };
    }

    case 'stop': {
      if (prev.state === 'offline') return unchanged(prev);
      const commands: RegistrationCommand[] = [];
      // Un-REGISTER only when the registrar knows us; otherwise there is nothing to remove.
      if (prev.state === 'registered') commands.push({ type: 'unregister' });
      commands.push({ type: 'disposeRegistererAndCreateNew' });
      if (prev.transportUp || isConnecting(prev)) commands.push({ type: 'disconnectTransport' });
      return {
        snapshot: enter(prev, now, { state: 'offline', attempt: 0, transportUp: false }),
        commands,
      };
    }

    case 'transportConnected': {
      if (!isConnecting(prev)) {
        return unchanged(prev.state === 'offline' || prev.state === 'failed' ? prev : { ...prev, transportUp: true });
      }
      const commands: RegistrationCommand[] = [{ type: 'sendRegister', timeoutMs: REGISTER_TIMEOUT_MS }];
      if (prev.state === 'connecting') {
        return { snapshot: enter(prev, now, { state: 'registering', transportUp: true }), commands };
      }
      return {
        snapshot: enter(prev, now, { state: 'reconnecting', phase: 'registering', reason: prev.reason, transportUp: true }),
        commands,
      };
    }

    case 'transportLost': {
      if (prev.state === 'offline' || prev.state === 'failed') return unchanged({ ...prev, transportUp: false });
      if (prev.state === 'reconnecting' && prev.phase === 'waiting') {
        // Already waiting for the next attempt; nothing new to do.
        return unchanged({ ...prev, transportUp: false });
      }
      return backOff({ ...prev, transportUp: false }, now, 'unreachable', false);
    }

    case 'keepAliveFailed': {
      if (prev.state === 'offline' || prev.state === 'failed') return unchanged(prev);
      if (prev.state === 'reconnecting' && prev.phase === 'waiting') return unchanged(prev);
      // A dead keep-alive means a half-open socket: close it ourselves rather than trust it.
      return backOff(prev, now, 'unreachable', true);
    }

    case 'registered': {
      if (!isRegistering(prev) && prev.state !== 'registered') return unchanged(prev);
      return { snapshot: enter(prev, now, { state: 'registered', attempt: 0, transportUp: true }), commands: [] };
    }

    case 'registrationRejected': {
      if (!isRegistering(prev) && prev.state !== 'registered') return unchanged(prev);
      // SIP.js answers the first 401/407 challenge itself (RFC 3261 §22.2); a 401/403 reaching us
      // means the credentials were refused. Retrying would only hammer the registrar (and may get
      // the account banned by fail2ban-style guards), so stop and tell the operator.
      if (input.status === 401 || input.status === 403 || input.status === 407) {
        return failed(prev, now, 'wrong-password');
      }
      if (input.status === 404) return failed(prev, now, 'unknown-user');
      // 5xx, 423, 480 …: the registrar is there but not accepting us now; retry with backoff.
      return backOff(prev, now, 'rejected', false);
    }

    case 'registrationTimedOut': {
      if (!isRegistering(prev) && prev.state !== 'registered') return unchanged(prev);
      // A REGISTER nobody answers on an "open" WebSocket is the signature of a half-open socket:
      // drop both the Registerer and the transport and start over.
      return backOff(prev, now, 'unreachable', true);
    }

    case 'probeFailed': {
      if (!isWaitingForUnreachable(prev)) return unchanged(prev);
      return { snapshot: prev, commands: [{ type: 'probeServer', delayMs: PROBE_INTERVAL_MS }] };
    }

    case 'serverReachable':
    case 'reconnectDue': {
      if (prev.state !== 'reconnecting' || prev.phase !== 'waiting') return unchanged(prev);
      // A probe only cuts short a wait caused by an unreachable server; a registrar that answered
      // 5xx is up, and the backoff is what protects it.
      if (input.type === 'serverReachable' && prev.reason !== 'unreachable') return unchanged(prev);
      if (prev.transportUp) {
        return {
          snapshot: enter(prev, now, { state: 'reconnecting', phase: 'registering', reason: prev.reason }),
          commands: [{ type: 'sendRegister', timeoutMs: REGISTER_TIMEOUT_MS }],
        };
      }
      return {
        snapshot: enter(prev, now, { state: 'reconnecting', phase: 'connecting', reason: prev.reason }),
        commands: [{ type: 'connectTransport' }],
      };
    }
  }
}

function isWaitingForUnreachable(s: RegistrationSnapshot): boolean {
  return s.state === 'reconnecting' && s.phase === 'waiting' && s.reason === 'unreachable';
}

function failed(prev: RegistrationSnapshot, now: number, reason: RegistrationReason): RegistrationStep {
  const commands: RegistrationCommand[] = [{ type: 'disposeRegistererAndCreateNew' }];
  if (prev.transportUp) commands.push({ type: 'disconnectTransport' });
  return { snapshot: enter(prev, now, { state: 'failed', reason, attempt: 0, transportUp: false }), commands };
}

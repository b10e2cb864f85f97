import type { z } from 'zod';
import type { AgentState, PbxSnapshot } from '../../../../src-shared/pbx/pbx-model';

/**
 * The PBX connector contract (docs/architecture.md, "PBX, queue and callbacks"). A connector
 * talks to one switchboard and turns what it says into the desk's domain events and snapshots;
 * it never touches SQLite and never decides anything for the desk. The host
 * (`PbxHostService`) supervises it: timeouts on every command, reconnect with capped backoff
 * and jitter, a full resync from {@link PbxConnector.snapshot} after every (re)connect.
 */

/** Bumped when this interface changes incompatibly. */
export const PBX_CONNECTOR_API_VERSION = 1;

/**
 * What a connector can do. `shared`: it carries the desks' shared record (callback claims)
 * through the PBX itself; without it claims stay on the desk that made them.
 */
export type PbxCapability = 'queues' | 'agentStatus' | 'originate' | 'transfer' | 'hangup' | 'monitor' | 'shared';

export interface PbxConnectorManifest<Config = unknown> {
  /** Stable id (`demo`, `asterisk-ami`). */
  id: string;
  kind: 'pbx';
  version: string;
  apiVersion: number;
  capabilities: readonly PbxCapability[];
  /** Validates `settings.connectors.pbx.config`; a failure stops the desk with a line naming the field. */
  configSchema: z.ZodType<Config>;
}

/**
 * The domain events every connector raises. `callId` is the PBX's id of the whole call
 * (Asterisk: `Linkedid`), the same on every leg, so a queue call and the agent's leg of it
 * meet under one id. Times are ms since epoch, as the PBX reported them where it does.
 */
export type PbxEvent =
  /** A call offered to an agent's device (a queue call or a direct one). */
  | { type: 'call.ringing'; at: number; callId: string; number: string; extension: string; queue: string | null }
  /** An agent answered; `waitSec` is the caller's time in the queue (queue calls only). */
  | { type: 'call.answered'; at: number; callId: string; number: string; extension: string; queue: string | null; waitSec: number | null }
  /**
   * The call is over. `extension` is the agent who had it (null: nobody answered);
   * `talkSec` is the talk time of an answered call.
   */
  | { type: 'call.ended'; at: number; callId: string; number: string; extension: string | null; queue: string | null; answered: boolean; talkSec: number | null }
  /** A direct call to an agent ended unanswered (missed) or declined (rejected). */
  | { type: 'call.missed'; at: number; callId: string; number: string; extension: string; reason: 'missed' | 'rejected' }
  | { type: 'queue.joined'; at: number; callId: string; number: string; queue: string; position: number }
  /** The caller left the queue: answered, abandoned (hung up), or timed out / sent elsewhere. */
  | { type: 'queue.left'; at: number; callId: string; number: string; queue: string; reason: 'answered' | 'abandoned' | 'timeout' | 'other' }
  /** The caller hung up while waiting; `waitSec` is how long they held on. */
  | { type: 'queue.abandoned'; at: number; callId: string; number: string; queue: string; position: number; waitSec: number }
  /** An agent's state changed (from the PBX's own events: never what the desk asked for). */
  | { type: 'agent.status'; at: number; extension: string; state: AgentState; pauseReason: string | null }
  /** A queue call rang an agent who did not answer (Asterisk `AgentRingNoAnswer`). */
  | { type: 'agent.ringNoAnswer'; at: number; extension: string; callId: string; number: string; queue: string; ringMs: number }
  /**
   * A supervisor's phone started (or stopped) listening in on the call `extension` is on
   * (Asterisk: `ChanSpyStart` / `ChanSpyStop`, Spyer and Spyee channels). The mode is not in the
   * PBX's event: the supervisor service knows which one it asked for.
   */
  | { type: 'monitor.started'; at: number; supervisorExtension: string; extension: string; callId: string | null }
  | { type: 'monitor.stopped'; at: number; supervisorExtension: string; extension: string }
  /** A desk changed a shared record (value null: removed). */
  | { type: 'shared.changed'; at: number; key: string; value: string | null };

export type PbxEventType = PbxEvent['type'];

/** Why a connector is not connected, as the status bar says it. */
export type PbxErrorKind = 'auth' | 'unreachable' | 'timeout' | 'protocol' | 'refused' | 'notSupported';

/**
 * A failed connect or command. `auth` (wrong AMI password) is permanent until the settings
 * change: the host reports `failed` and retries slowly; the others are retried with backoff.
 * `refused` is the PBX saying no to a command (`Interface not found`): its message is shown.
 */
export class PbxError extends Error {
  constructor(
    readonly kind: PbxErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PbxError';
  }
}

export type MonitorMode = 'listen' | 'whisper' | 'barge';
export type TransferMode = 'blind' | 'attended';

/** Commands; every one resolves when the PBX accepted it and rejects with a {@link PbxError}. */
export interface PbxCommands {
  /** Rings `extension` and, when it answers, dials `number` (a callback from the operator's phone). */
  originate(request: { extension: string; number: string; callerName?: string }): Promise<void>;
  /** Moves the call on `extension` to `target` (blind: Redirect; attended: Atxfer). */
  transfer(request: { extension: string; target: string; mode: TransferMode }): Promise<void>;
  /** Hangs up the call `extension` is on. */
  hangup(request: { extension: string }): Promise<void>;
  /** Pauses the agent in all its queues with a reason (`QueuePause` … `Reason`). */
  pause(request: { extension: string; reason: string }): Promise<void>;
  unpause(request: { extension: string }): Promise<void>;
  /** Connects `supervisorExtension` to the call on `extension` in the given mode. */
  monitor(request: { supervisorExtension: string; extension: string; mode: MonitorMode }): Promise<void>;
  /**
   * Switches a running monitor session to `mode` (Asterisk: ChanSpy's `d` option reads DTMF 4
   * listen, 5 whisper, 6 barge; `PlayDTMF` with `Receive: yes` on the spying channel).
   */
  monitorMode(request: { supervisorExtension: string; mode: MonitorMode }): Promise<void>;
  /** Ends the monitor session of `supervisorExtension` (hangs up its spying leg). */
  stopMonitor(request: { supervisorExtension: string }): Promise<void>;
}

/**
 * The desks' shared record, carried by the PBX (Asterisk: AstDB under one family for the
 * durable copy, `UserEvent` for the live change every session sees). Keys are short paths
 * (`cb/79161234567`); values one line of at most {@link SHARED_VALUE_MAX} characters.
 */
export interface PbxSharedChannel {
  /** Stores the value durably, then tells every desk (itself too) with `shared.changed`. */
  publish(key: string, value: string): Promise<void>;
  /** Removes the record and tells every desk (value null). */
  remove(key: string): Promise<void>;
  /** Every durable record whose key starts with `prefix` (recovery after a (re)connect). */
  list(prefix: string): Promise<{ key: string; value: string }[]>;
  /**
   * Removes every durable record under the folder `folder` (`wu/20261205` removes
   * `wu/20261205/…`), quietly: housekeeping of records no desk watches any more. Nothing there is
   * not an error.
   */
  removeTree(folder: string): Promise<void>;
}

/** Longest shared value: AMI reads a client's line into a 1 KiB buffer. */
export const SHARED_VALUE_MAX = 900;

export interface PbxHealth {
  state: 'online' | 'degraded';
  latencyMs: number;
}

export interface PbxConnector extends PbxCommands {
  readonly manifest: PbxConnectorManifest;
  /**
   * Connects and logs in; resolves when events flow. Rejects with a {@link PbxError}
   * (`auth` for a wrong password, `unreachable` for a host that does not answer).
   */
  connect(): Promise<void>;
  /** The whole state now (queues, waiting callers, agents, today's counters). */
  snapshot(): Promise<PbxSnapshot>;
  health(): Promise<PbxHealth>;
  /** Domain events, in PBX order. Returns an unsubscribe. */
  onEvent(listener: (event: PbxEvent) => void): () => void;
  /** The connection dropped after `connect()` resolved (the host reconnects). */
  onDisconnect(listener: (error: PbxError) => void): () => void;
  /** Present when the manifest declares `shared`. */
  readonly shared: PbxSharedChannel | null;
  /** Closes the connection; no events after it resolves. */
  close(): Promise<void>;
}

/** Everything a connector factory gets: its validated config and the desk's identity. */
export interface PbxConnectorContext<Config> {
  config: Config;
  /** The AMI secret or equivalent, from the secret store (never in the settings file). */
  secret: string | null;
  /** This desk's agent. */
  agent: { extension: string; name: string };
  /** Desk settings a connector may need. */
  slaSeconds: number;
  now(): number;
}

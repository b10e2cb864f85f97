import type { z } from 'zod';
import type { BookingRejection, ScheduleStream } from '../../../../src-shared/schedule/schedule-model';

/**
 * The MIS connector contract (docs/architecture.md, "Connectors"). A connector only talks to the MIS and returns data;
 * it never touches SQLite — the core validates what it returns and applies it. That keeps a
 * broken or hostile connector from corrupting the cache: everything it hands over is `unknown`
 * until `PatientCardSchema` says otherwise.
 */

/**
 * Bumped when this interface changes incompatibly; a plugin declares the version it was built for.
 * 2: schedule streams (`streamChangesSince`), booking writes and their typed rejections.
 */
export const MIS_CONNECTOR_API_VERSION = 2;

/**
 * Optional abilities a connector declares, so the desk hides what the MIS cannot do:
 * `schedule` (the schedule streams), `booking` (the `booking.*` writes), `callLists` (the
 * `call-tasks` stream and `call-list.outcome` writes).
 */
export type MisCapability = 'changesSince' | 'getCard' | 'findByPhone' | 'search' | 'submit' | 'listAppointments' | 'schedule' | 'booking' | 'callLists';

/** What a MIS connector declares about itself; the config schema is rendered as its settings form. */
export interface MisConnectorManifest<Config = unknown> {
  /** Stable id (`demo`, `fhir-r4`, `onec-http`); used as the sync stream prefix. */
  id: string;
  kind: 'mis';
  /** The connector's own semver. */
  version: string;
  /** {@link MIS_CONNECTOR_API_VERSION} it implements. */
  apiVersion: number;
  capabilities: readonly MisCapability[];
  configSchema: z.ZodType<Config>;
}

/** Result of {@link MisConnector.health}. */
export interface MisHealth {
  /** `degraded`: reachable but slow or failing some calls. */
  state: 'online' | 'degraded';
  latencyMs: number;
}

/** One page of changes after a cursor. */
export interface MisChangesPage {
  /** Raw, UNVALIDATED card payloads: the core validates each with `PatientCardSchema`. */
  cards: unknown[];
  /** MIS ids of cards deleted in the MIS. */
  deletions: string[];
  /** Duplicates merged in the MIS: `from` disappears, `into` survives (and arrives in `cards`). */
  merges: { from: string; into: string }[];
  /** Opaque position after this page; store it with the page's data and pass it back next time. */
  nextCursor: string;
  /** More changes are waiting after `nextCursor`. */
  hasMore: boolean;
  /** Changes remaining from the requested cursor (inclusive of this page), when the MIS knows it. */
  total?: number;
}

/** One page of a schedule stream (`branches`, `doctors`, `services`, `slots`, `call-tasks`) after a cursor. */
export interface MisStreamPage {
  /** Raw, UNVALIDATED records: the core validates each with the stream's schema (`SCHEDULE_RECORD_SCHEMAS`). */
  records: unknown[];
  /** Ids of records gone from the stream (a doctor who left, a slot removed from the schedule). */
  removed: string[];
  /** Opaque position after this page; stored with the page's data in one transaction. */
  nextCursor: string;
  hasMore: boolean;
  total?: number;
}

/** What the desk asks of a schedule stream: its horizon, counted from the clinic's today. */
export interface MisStreamOptions {
  /** Clinic-local `YYYY-MM-DD`. */
  today: string;
  horizonDays: number;
}

/** A write from the outbox. The key was generated with the local change and is reused on every retry. */
export interface MisSubmission {
  idempotencyKey: string;
  kind: string;
  payload: unknown;
}

/** The MIS's answer to a write: `duplicate` means the key was seen before and nothing was applied again. */
export interface MisSubmitResult {
  status: 'applied' | 'duplicate';
  /** The MIS's reference of the applied write (same for the first submit and its duplicates). */
  ref: string;
  /** For `booking.create` / `booking.move`: the MIS's id of the appointment it made (same for duplicates). */
  appointmentId?: string;
}

/** How a MIS call failed. */
export type MisErrorKind = 'unreachable' | 'timeout' | 'rejected';

/**
 * A failed MIS call. `permanent` tells the outbox whether retrying can help: a rejection
 * (validation, unknown patient) never will, so it goes to the "not delivered" list with its
 * reason; unreachable and timeout are transient and retried with backoff.
 */
export class MisError extends Error {
  readonly permanent: boolean;
  /** For a rejected booking write: why, so the operator gets "slot taken" with alternatives, not a generic error. */
  readonly rejection: BookingRejection | null;

  constructor(
    readonly kind: MisErrorKind,
    message: string,
    options?: { cause?: unknown; permanent?: boolean; rejection?: BookingRejection },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MisError';
    this.permanent = options?.permanent ?? kind === 'rejected';
    this.rejection = options?.rejection ?? null;
  }
}

/** True when `error` is a {@link MisError} (also across module copies, by name and shape). */
export function isMisError(error: unknown): error is MisError {
  return (
    error instanceof MisError ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'MisError' && typeof (error as { permanent?: unknown }).permanent === 'boolean')
  );
}

/**
 * A MIS as the desk uses it. Every method may throw {@link MisError}; anything else thrown is
 * treated by the core as a transient failure of the connector.
 */
export interface MisConnector {
  readonly manifest: MisConnectorManifest;
  health(): Promise<MisHealth>;
  /** Changes after `cursor` (`null`: from the beginning, i.e. the first full sync), at most `limit` records. */
  changesSince(cursor: string | null, limit: number): Promise<MisChangesPage>;
  /** One raw card, or `null` when the MIS does not know the id. */
  getCard(misId: string): Promise<unknown>;
  /** Raw cards carrying this phone (as the caller ID arrived). */
  findByPhone(raw: string): Promise<unknown[]>;
  /** Raw cards matching a free-text query, as the MIS's own search understands it. */
  search(query: string): Promise<unknown[]>;
  /**
   * Applies a write at most once per idempotency key. Booking writes (`MIS_WRITE_KINDS`) are
   * refused with `MisError('rejected', …, { rejection })`: `slot-taken` above all.
   */
  submit(submission: MisSubmission): Promise<MisSubmitResult>;
  /** Changes of a schedule stream after `cursor` (`null`: from the start); present with the `schedule` capability. */
  streamChangesSince?(stream: ScheduleStream, cursor: string | null, limit: number, options: MisStreamOptions): Promise<MisStreamPage>;
}

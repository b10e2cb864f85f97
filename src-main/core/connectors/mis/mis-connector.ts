import type { z } from 'zod';
import type { ConnectorPreview, DiagnosticHint, DiagnosticStepId, MisCapability } from '../../../../src-shared/connectors/connector-model';
import type { BookingRejection, ScheduleStream } from '../../../../src-shared/schedule/schedule-model';
import type { Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';

export type { MisCapability };

/**
 * The MIS connector contract (docs/architecture.md, "Connectors"). A connector only talks to the MIS and returns data;
 * it never touches SQLite — the core validates what it returns and applies it. That keeps a
 * broken or hostile connector from corrupting the cache: everything it hands over is `unknown`
 * until `PatientCardSchema` says otherwise.
 */

/**
 * Bumped when this interface changes incompatibly; a plugin declares the version it was built for.
 * 2: schedule streams (`streamChangesSince`), booking writes and their typed rejections.
 * 3: the SDK — `pull` / `push` modes in the manifest, `title`, `diagnostics()`, `preview()`,
 *    `release()`, `onChanged()`, `pollIntervalMs`, page `origins`, error kinds `auth` and `protocol`.
 */
export const MIS_CONNECTOR_API_VERSION = 3;

/** What a MIS connector declares about itself; the config schema is rendered as its settings form. */
export interface MisConnectorManifest<Config = unknown> {
  /** Stable id (`demo`, `fhir-r4`, `onec-http`); used as the sync stream prefix. */
  id: string;
  kind: 'mis';
  /** The connector's own semver. */
  version: string;
  /** {@link MIS_CONNECTOR_API_VERSION} it implements. */
  apiVersion: number;
  /** The connector's name for people (`FHIR R4`, `1С:Медицина (HTTP-сервис, OData)`). */
  title?: string;
  /**
   * Optional abilities, so the desk hides what the MIS cannot do: `schedule` (the schedule
   * streams), `booking` (the `booking.*` writes), `callLists` (the `call-tasks` stream and
   * `call-list.outcome` writes), `findByPhone` (asked online for a caller the cache does not know).
   */
  capabilities: readonly MisCapability[];
  /** How it pulls: `cursor` (the MIS's own change cursor), `since` (changed after a time), `full` (whole exports, diffed). */
  pull?: 'cursor' | 'since' | 'full';
  /** How writes stay exactly-once: `idempotent` (the MIS dedupes by key), `natural-key` (the connector checks first), `none` (no writes). */
  push?: 'idempotent' | 'natural-key' | 'none';
  /** The config schema; its form is rendered from it (`.meta({ title, description, secret })`). */
  configSchema: z.ZodType<Config>;
  /** The config schema as JSON Schema, when the connector ships one (a plugin); otherwise made from `configSchema`. */
  jsonSchema?: unknown;
  /** The connector has `preview()` (a file source's first rows for the column mapping). */
  preview?: boolean;
}

/** What the desk gives a connector it creates. */
export interface MisConnectorContext<Config = unknown> {
  /** The config, validated by the manifest's schema, with its secrets put back from the secret store. */
  config: Config;
  /** A folder of the connector's own (state it keeps between runs, e.g. the spreadsheet's last import); never the desk's databases. */
  stateDir: string;
  logger: Logger;
  clock: Clock;
}

/** How a connector is registered: its manifest and a factory. */
export interface MisConnectorRegistration {
  manifest: MisConnectorManifest;
  create(context: MisConnectorContext<unknown>): MisConnector;
}

/**
 * One step of "test connection" as a connector declares it: the core runs them in order, stops
 * at the first failure and numbers them ({@link runDiagnostics}). `run` resolves with what it saw
 * (`HTTP 200, FHIR 4.0.1`) or throws {@link DiagnosticFailure}; any other error fails the step
 * with its message.
 */
export interface DiagnosticCheck {
  step: DiagnosticStepId;
  run(): Promise<string | { detail: string; warning: true }>;
}

/** A failed diagnostic step: what happened and what to check. */
export class DiagnosticFailure extends Error {
  constructor(
    readonly hint: DiagnosticHint,
    detail: string,
  ) {
    super(detail);
    this.name = 'DiagnosticFailure';
  }
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
  /**
   * Where each card came from, parallel to `cards` (`patients.csv line 17`): a card refused by
   * validation is quarantined with it, so the clinic can find the row. Never patient data.
   */
  origins?: (string | null)[];
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

/**
 * A full export of the MIS's cards as of one position of its change log: the first sync's bulk
 * path (`docs/architecture.md`, "First sync"). The desk writes the pages into a fresh cache file
 * off its main thread and swaps the file in with `cursor`; the changes after `cursor` then come
 * by {@link MisConnector.changesSince} as usual. A card that changed while the export ran may come
 * in its newer state: the replayed change is then an equal version and skipped.
 */
export interface MisFullExport {
  /** Where the deltas continue once the export is loaded (an opaque `changesSince` cursor). */
  readonly cursor: string;
  /** Cards in the export, when the MIS knows (the progress bar and its ETA). */
  readonly total?: number;
  /** The next page of raw, UNVALIDATED cards (at most the page size asked); `done` with the last one. May throw {@link MisError}. */
  next(): Promise<{ cards: unknown[]; done: boolean }>;
  /** The desk stopped early (cancelled, the desk stopping): release what the export holds. */
  close?(): void;
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

/**
 * How a MIS call failed. `auth`: the MIS refused the desk's credentials or permissions (401 /
 * 403) — transient to the outbox (IT fixes the password), `failed` on the status bar;
 * `protocol`: it answered with something the connector cannot read (malformed JSON, an HTML
 * page) — transient.
 */
export type MisErrorKind = 'unreachable' | 'timeout' | 'rejected' | 'auth' | 'protocol';

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
  /**
   * The first sync's bulk path: every card as of now, in large pages, with the cursor the deltas
   * continue from. Optional: without it the first sync pages through {@link changesSince}.
   */
  fullExport?(options: { pageSize: number }): Promise<MisFullExport>;
  /** The steps of "test connection", in order (see {@link DiagnosticCheck}); without it the desk runs `health`. */
  diagnostics?(): DiagnosticCheck[];
  /** The first rows of a file source, for the column mapping (`preview: true` in the form). */
  preview?(): Promise<ConnectorPreview>;
  /** How often the desk polls `changesSince` once up to date (the config's `syncIntervalSec`). */
  readonly pollIntervalMs?: number;
  /** Releases what the connector holds (a folder watch, a worker, keep-alive sockets); called by the link that made it. */
  release?(): Promise<void>;
  /** Tells the desk the source changed (a new export dropped in the folder): it pulls now instead of at the next poll. */
  onChanged?(listener: () => void): () => void;
}

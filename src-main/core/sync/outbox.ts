import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open-database';
import { isMisError, type MisConnector, type MisError, type MisSubmitResult } from '../connectors/mis/mis-connector';
import type { Random } from '../../../src-shared/random/seeded-random';
import { backoffDelay, type BackoffPolicy } from '../../../src-shared/time/backoff';
import { sleep, systemClock, type Clock } from '../../../src-shared/time/clock';

/** Lifecycle of an outbox row (the CHECK constraint of journal migration 0001). */
export type OutboxState = 'pending' | 'inflight' | 'delivered' | 'failed';

/** One write waiting for (or done with) the MIS. */
export interface OutboxItem {
  id: number;
  /** Generated with the local change, reused on every retry: the MIS applies it once. */
  idempotencyKey: string;
  kind: string;
  payload: unknown;
  state: OutboxState;
  /** Submits started so far (counted at claim time, so a crash mid-submit counts too). */
  attempts: number;
  nextAttemptAt: number;
  /** Why the last attempt failed; shown in the "not delivered" panel. */
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

interface OutboxRow {
  id: number;
  idempotency_key: string;
  kind: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface OutboxOptions {
  now?: () => number;
  /** Idempotency key generator; `crypto.randomUUID` unless a test pins it. */
  newKey?: () => string;
}

/** Longest kind accepted; kinds are code identifiers (`wrapup`, `booking-request`), not data. */
const MAX_KIND_LENGTH = 64;
const MAX_ERROR_LENGTH = 500;

/**
 * The outbox of writes to the MIS over journal.db's `outbox` table (docs/architecture.md, "Sync and outbox").
 *
 * Invariants:
 * - `enqueue` only runs inside the caller's transaction, so a local change and its outbox row
 *   commit or roll back together (no write the MIS never hears of, no phantom write);
 * - the idempotency key is generated at enqueue and never changes, so every retry of an item
 *   is the same write to the MIS;
 * - nothing is dropped: an item ends `delivered`, or `failed` with its reason in the visible
 *   "not delivered" list until someone retries it;
 * - `inflight` rows found at start-up (the desk died mid-submit) go back to `pending`; the
 *   reused key makes the resubmit harmless if the MIS had already applied it.
 */
export class Outbox {
  private readonly now: () => number;
  private readonly newKey: () => string;
  private readonly s;

  constructor(
    private readonly db: Db,
    options: OutboxOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.newKey = options.newKey ?? randomUUID;
    this.s = {
      insert: db.prepare<[string, string, string, number, number, number], OutboxRow>(
        `INSERT INTO outbox (idempotency_key, kind, payload, state, attempts, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', 0, ?, ?, ?) RETURNING *`,
      ),
      recover: db.prepare<[number]>(`UPDATE outbox SET state = 'pending', updated_at = ? WHERE state = 'inflight'`),
      claim: db.prepare<[number, number, number], OutboxRow>(
        `UPDATE outbox SET state = 'inflight', attempts = attempts + 1, updated_at = ?
         WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)
         RETURNING *`,
      ),
      delivered: db.prepare<[number, number]>(`UPDATE outbox SET state = 'delivered', last_error = NULL, updated_at = ? WHERE id = ? AND state = 'inflight'`),
      reschedule: db.prepare<[number, string, number, number]>(
        `UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'inflight'`,
      ),
      failed: db.prepare<[string, number, number]>(`UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND state = 'inflight'`),
      retry: db.prepare<[number, number, number]>(`UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'failed'`),
      undelivered: db.prepare<[], OutboxRow>(`SELECT * FROM outbox WHERE state <> 'delivered' ORDER BY created_at, id`),
      byId: db.prepare<[number], OutboxRow>('SELECT * FROM outbox WHERE id = ?'),
      counts: db.prepare<[], { pending: number; failed: number }>(
        `SELECT coalesce(sum(state IN ('pending', 'inflight')), 0) AS pending, coalesce(sum(state = 'failed'), 0) AS failed FROM outbox WHERE state <> 'delivered'`,
      ),
      nextDue: db.prepare<[], number | null>(`SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'`).pluck(),
    };
  }

  /**
   * Adds a write for the MIS with a fresh idempotency key. Call it inside the transaction of
   * the local change it belongs to:
   * `journalDb.transaction(() => { saveWrapUp(); outbox.enqueue('wrapup', payload) })()`.
   *
   * `idempotencyKey` is for a write whose identity is fixed by what it belongs to (a call's
   * wrap-up: one per call), so even a re-created outbox row is the same write to the MIS.
   *
   * @throws Error when called outside a transaction (that is how writes get lost), when the
   *   kind is empty or too long, or when the payload is not JSON-serialisable.
   */
  enqueue(kind: string, payload: unknown, options: { idempotencyKey?: string } = {}): OutboxItem {
    if (!this.db.inTransaction) {
      throw new Error('Outbox.enqueue must run inside the transaction of the local change it belongs to.');
    }
    if (typeof kind !== 'string' || kind.length === 0 || kind.length > MAX_KIND_LENGTH) {
      throw new Error(`An outbox kind must be 1–${MAX_KIND_LENGTH} characters.`);
    }
    const json = JSON.stringify(payload);
    if (typeof json !== 'string') throw new Error('An outbox payload must be JSON-serialisable.');
    const now = this.now();
    const key = options.idempotencyKey ?? this.newKey();
    if (key.length === 0 || key.length > 128) throw new Error('An idempotency key must be 1–128 characters.');
    return toItem(this.s.insert.get(key, kind, json, now, now, now)!);
  }

  /** Start-up: rows left `inflight` by a crash go back to `pending`. Returns how many. */
  recoverInflight(): number {
    return this.s.recover.run(this.now()).changes;
  }

  /** Moves up to `limit` due `pending` items to `inflight` (attempts + 1) and returns them. */
  claimDue(limit: number): OutboxItem[] {
    const now = this.now();
    return this.db.transaction(() => this.s.claim.all(now, now, Math.max(1, Math.floor(limit))).map(toItem)).immediate().sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  /** The MIS applied (or had already applied) the item. False when it was not in flight (nothing changed). */
  markDelivered(id: number): boolean {
    return this.s.delivered.run(this.now(), id).changes === 1;
  }

  /** A transient failure: back to `pending`, due again in `delayMs`. */
  reschedule(id: number, reason: string, delayMs: number): void {
    const now = this.now();
    this.s.reschedule.run(now + Math.max(0, delayMs), reason.slice(0, MAX_ERROR_LENGTH), now, id);
  }

  /** A permanent failure: kept as `failed` with the reason, for the "not delivered" panel. False when it was not in flight. */
  markFailed(id: number, reason: string): boolean {
    return this.s.failed.run(reason.slice(0, MAX_ERROR_LENGTH), this.now(), id).changes === 1;
  }

  /**
   * Runs `work` in a transaction of journal.db (a savepoint when one is already open), so a
   * settled item's mark and what its domain records about the result commit together.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Everything not yet delivered (pending, in flight, failed), oldest first: the visible panel. */
  listUndelivered(): OutboxItem[] {
    return this.s.undelivered.all().map(toItem);
  }

  /** How many items the sender is still trying (pending or in flight) and how many failed for good. */
  counts(): { pending: number; failed: number } {
    const row = this.s.counts.get();
    return { pending: row?.pending ?? 0, failed: row?.failed ?? 0 };
  }

  /** The retry button: a `failed` item becomes due now, with the same key. False if it was not failed. */
  retry(id: number): boolean {
    const now = this.now();
    return this.s.retry.run(now, now, id).changes === 1;
  }

  /** One item, or `null`. */
  get(id: number): OutboxItem | null {
    const row = this.s.byId.get(id);
    return row ? toItem(row) : null;
  }

  /** When the earliest pending item is due (epoch ms), or `null` when none is pending. */
  nextDueAt(): number | null {
    return this.s.nextDue.get() ?? null;
  }
}

function toItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface OutboxSenderOptions {
  outbox: Outbox;
  connector: Pick<MisConnector, 'submit'>;
  /** Default: base 1 s, cap 5 min, full jitter (docs/architecture.md, "Sync and outbox"). */
  backoff?: BackoffPolicy;
  /** Items claimed per batch. */
  batchSize?: number;
  /** Longest sleep when nothing is due (new items also wake the loop via {@link OutboxSender.wake}). */
  idleMs?: number;
  /** The clock it sleeps on between drains; tests give their own so they never wait. */
  clock?: Clock;
  /** The backoff's jitter source, `[0, 1)`; tests pin it. */
  random?: Random;
  /**
   * Called after each drain of the running loop that settled at least one item, so the desk
   * can tell the UI the outbox moved without polling it.
   */
  onDrained?: (result: DrainResult) => void;
  /**
   * What a domain records when an item settles for good, run in the journal transaction that
   * marks it (see {@link OutboxSettle}). Not called for a transient failure (the item retries).
   */
  settle?: OutboxSettle;
  /** A settle hook threw: its writes were rolled back, the item's mark stands. */
  onSettleError?: (item: OutboxItem, error: unknown) => void;
}

/**
 * Hooks told once per item when it settles: `delivered` with the MIS's answer (an `applied` or
 * a `duplicate`, the same to the domain), `failed` with the permanent refusal and the reason
 * stored for the "not delivered" panel. Each runs inside the journal transaction that marks the
 * item, in a savepoint of its own: the domain's change and the mark commit together (a crash
 * between them is impossible), and a hook that throws only undoes its own writes, never the
 * mark. A hook runs only when the mark changed the row, so it runs exactly once per settlement
 * (a retried failed item that is then delivered settles again, as `delivered`).
 */
export interface OutboxSettle {
  delivered(item: OutboxItem, result: MisSubmitResult): void;
  failed(item: OutboxItem, error: MisError, reason: string): void;
}

/** What one {@link OutboxSender.drainOnce} did. */
export interface DrainResult {
  delivered: number;
  rescheduled: number;
  failed: number;
}

export const OUTBOX_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000, jitter: 'full' };

/** The sender's clock and jitter source, as a host passes them through for tests (`outboxClock`). */
export type SenderClock = Pick<OutboxSenderOptions, 'clock' | 'random'>;

/**
 * Drains the outbox into the MIS: claims due items, submits each with its stored key, marks it
 * delivered, reschedules it with capped exponential backoff and full jitter on a transient
 * error, or marks it failed with the reason on a permanent one (a `rejected` MisError).
 * Any other thrown error is treated as transient: a connector bug must not lose a write.
 */
export class OutboxSender {
  private readonly backoff: BackoffPolicy;
  private readonly clock: Clock;
  private readonly random: Random;
  private stopController: AbortController | null = null;
  private wakeController: AbortController | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: OutboxSenderOptions) {
    this.backoff = options.backoff ?? OUTBOX_BACKOFF;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /** Submits every item due now, one at a time (the MIS sees a desk's writes in order). */
  async drainOnce(): Promise<DrainResult> {
    const result: DrainResult = { delivered: 0, rescheduled: 0, failed: 0 };
    const { outbox, connector } = this.options;
    for (;;) {
      const batch = outbox.claimDue(this.options.batchSize ?? 20);
      if (batch.length === 0) return result;
      for (const item of batch) {
        try {
          const answer = await connector.submit({ idempotencyKey: item.idempotencyKey, kind: item.kind, payload: item.payload });
          this.settled(item, () => outbox.markDelivered(item.id), (settle) => settle.delivered(item, answer));
          result.delivered += 1;
        } catch (error) {
          const reason = describeError(error);
          if (isMisError(error) && error.permanent) {
            this.settled(item, () => outbox.markFailed(item.id, reason), (settle) => settle.failed(item, error, reason));
            result.failed += 1;
          } else {
            outbox.reschedule(item.id, reason, backoffDelay(this.backoff, item.attempts, this.random));
            result.rescheduled += 1;
          }
        }
      }
      if (this.stopController?.signal.aborted) return result;
    }
  }

  /** Marks an item and, when the mark took, runs the settle hook in a savepoint of the same transaction. */
  private settled(item: OutboxItem, mark: () => boolean, hook: (settle: OutboxSettle) => void): void {
    const { outbox, settle } = this.options;
    if (!settle) {
      mark();
      return;
    }
    outbox.transaction(() => {
      if (!mark()) return;
      try {
        outbox.transaction(() => hook(settle));
      } catch (error) {
        try {
          this.options.onSettleError?.(item, error);
        } catch {
          // a failing report must not undo the mark
        }
      }
    });
  }

  /** Runs until {@link stop}: drain, then sleep until the next item is due (or a wake). */
  start(): void {
    if (this.running) return;
    this.stopController = new AbortController();
    const stop = this.stopController.signal;
    this.running = (async () => {
      while (!stop.aborted) {
        const drained = await this.drainOnce();
        if (drained.delivered + drained.rescheduled + drained.failed > 0) this.options.onDrained?.(drained);
        if (stop.aborted) break;
        const next = this.options.outbox.nextDueAt();
        const idle = this.options.idleMs ?? 30_000;
        const wait = next === null ? idle : Math.min(idle, Math.max(0, next - this.clock.now()));
        this.wakeController = new AbortController();
        const onStop = () => this.wakeController?.abort();
        stop.addEventListener('abort', onStop, { once: true });
        await sleep(this.clock, wait, this.wakeController.signal);
        stop.removeEventListener('abort', onStop);
      }
    })().finally(() => {
      this.running = null;
    });
  }

  /** A new item was enqueued (or retried): drain now instead of after the idle sleep. */
  wake(): void {
    this.wakeController?.abort();
  }

  /** Stops after the submit in progress; its row is settled before this resolves. */
  async stop(): Promise<void> {
    this.stopController?.abort();
    await this.running;
  }
}

/** The reason kept for the "not delivered" panel: `rejected: slot-taken: Слот уже занят` for a refused booking. */
function describeError(error: unknown): string {
  if (isMisError(error)) return error.rejection ? `${error.kind}: ${error.rejection}: ${error.message}` : `${error.kind}: ${error.message}`;
  return error instanceof Error ? `error: ${error.message}` : 'error: unknown failure';
}

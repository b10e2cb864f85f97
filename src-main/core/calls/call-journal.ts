import type { CallRecord, CallsFilter, WrapUpOutcome } from '../../../src-shared/calls/calls-contract';
import type { Db } from '../db/open-database';

interface CallRow {
  id: string;
  direction: CallRecord['direction'];
  number: string;
  display_name: string;
  started_at: number;
  answered_at: number | null;
  ended_at: number;
  outcome: CallRecord['outcome'];
  recorded_at: number;
}

interface ListedRow extends CallRow {
  w_mis_id: string | null;
  p_mis_id: string | null;
  category: string | null;
  w_outcome: WrapUpOutcome | null;
}

/** A journal row with what the desk learnt about the call (its wrap-up, the card shown for it). */
export interface ListedCall extends CallRecord {
  misId: string | null;
  category: string | null;
  wrapUpOutcome: WrapUpOutcome | null;
  durationSec: number | null;
}

export interface ListOptions {
  limit: number;
  filter: CallsFilter;
  /** Only this patient's calls (by wrap-up or by the card shown for the call). */
  misId?: string;
  /** Start of "today" (local midnight) in epoch ms, for the `today` filter. */
  todayStart: number;
}

const LISTED = `SELECT c.*, w.mis_id AS w_mis_id, p.mis_id AS p_mis_id, w.category, w.outcome AS w_outcome
  FROM calls c LEFT JOIN wrap_ups w ON w.call_id = c.id LEFT JOIN call_patients p ON p.call_id = c.id`;

export interface CallJournalOptions {
  /** Clock for `recorded_at`; `Date.now` unless a test pins it. */
  now?: () => number;
}

/**
 * The call journal over journal.db's `calls` table (journal migration 0002): every call the
 * desk's softphone saw end, one row per SIP.js session id.
 *
 * Invariants:
 * - recording is idempotent by call id: a second record of the same id changes nothing and
 *   says so, so the renderer may retry after a bridge reconnect;
 * - a record that breaks a constraint raises; it is never silently dropped (which is why the
 *   insert is `ON CONFLICT (id) DO NOTHING`, not `INSERT OR IGNORE`: the latter also swallows
 *   CHECK failures and would answer "already recorded" for a row that was never written);
 * - times are stored as epoch milliseconds (ISO strings with sub-millisecond digits come back
 *   with three); nothing derivable (durations) is stored.
 */
export class CallJournal {
  private readonly now: () => number;
  private readonly s;

  constructor(db: Db, options: CallJournalOptions = {}) {
    this.now = options.now ?? Date.now;
    this.s = {
      insert: db.prepare<[CallRow]>(
        `INSERT INTO calls (id, direction, number, display_name, started_at, answered_at, ended_at, outcome, recorded_at)
         VALUES (@id, @direction, @number, @display_name, @started_at, @answered_at, @ended_at, @outcome, @recorded_at)
         ON CONFLICT (id) DO NOTHING`,
      ),
      // Walks calls_started_at backwards and stops after `limit` rows: no sort, however long the journal.
      recent: db.prepare<[number], CallRow>('SELECT * FROM calls ORDER BY started_at DESC, id DESC LIMIT ?'),
      // One statement per filter, so each walks its own index newest first (pinned by EXPLAIN tests).
      listAll: db.prepare<[number], ListedRow>(`${LISTED} ORDER BY c.started_at DESC, c.id DESC LIMIT ?`),
      listSince: db.prepare<[number, number], ListedRow>(`${LISTED} WHERE c.started_at >= ? ORDER BY c.started_at DESC, c.id DESC LIMIT ?`),
      listOutcome: db.prepare<[string, number], ListedRow>(`${LISTED} WHERE c.outcome = ? ORDER BY c.started_at DESC, c.id DESC LIMIT ?`),
      listPatient: db.prepare<{ misId: string; since: number; outcome: string | null; limit: number }, ListedRow>(
        `${LISTED} WHERE c.id IN (SELECT call_id FROM wrap_ups WHERE mis_id = @misId UNION SELECT call_id FROM call_patients WHERE mis_id = @misId)
           AND c.started_at >= @since AND (@outcome IS NULL OR c.outcome = @outcome)
         ORDER BY c.started_at DESC, c.id DESC LIMIT @limit`,
      ),
    };
  }

  /**
   * Journals one finished call.
   *
   * @returns the record as stored (times normalised to milliseconds) when it was written now,
   *   null when a call with this id was already journalled (the stored record stands, even if
   *   this one differs).
   * @throws Error when a time is not a parseable ISO date-time, or a constraint of the table refuses the row.
   */
  record(call: CallRecord): CallRecord | null {
    const row: CallRow = {
      id: call.id,
      direction: call.direction,
      number: call.number,
      display_name: call.displayName,
      started_at: epochMs(call.startedAt),
      answered_at: call.answeredAt === null ? null : epochMs(call.answeredAt),
      ended_at: epochMs(call.endedAt),
      outcome: call.outcome,
      recorded_at: this.now(),
    };
    return this.s.insert.run(row).changes === 1 ? toRecord(row) : null;
  }

  /** The journal view: newest first, filtered, with each call's patient, category and wrap-up outcome. */
  list(options: ListOptions): ListedCall[] {
    const { limit, filter } = options;
    const outcome = filter === 'missed' ? 'missed' : filter === 'mine' ? 'answered' : null;
    const since = filter === 'today' ? options.todayStart : Number.MIN_SAFE_INTEGER;
    let rows: ListedRow[];
    if (options.misId !== undefined) rows = this.s.listPatient.all({ misId: options.misId, since, outcome, limit });
    else if (outcome !== null) rows = this.s.listOutcome.all(outcome, limit);
    else if (filter === 'today') rows = this.s.listSince.all(since, limit);
    else rows = this.s.listAll.all(limit);
    return rows.map((row) => {
      const record = toRecord(row);
      return {
        ...record,
        misId: row.w_mis_id ?? row.p_mis_id,
        category: row.category,
        wrapUpOutcome: row.w_outcome,
        durationSec: row.answered_at === null ? null : Math.max(0, Math.round((row.ended_at - row.answered_at) / 1000)),
      };
    });
  }

  /** The newest `limit` calls by start time, newest first. */
  recent(limit: number): CallRecord[] {
    return this.s.recent.all(limit).map(toRecord);
  }
}

function epochMs(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new Error('A call time is not an ISO date-time.');
  return ms;
}

function toRecord(row: CallRow): CallRecord {
  return {
    id: row.id,
    direction: row.direction,
    number: row.number,
    displayName: row.display_name,
    startedAt: new Date(row.started_at).toISOString(),
    answeredAt: row.answered_at === null ? null : new Date(row.answered_at).toISOString(),
    endedAt: new Date(row.ended_at).toISOString(),
    outcome: row.outcome,
  };
}

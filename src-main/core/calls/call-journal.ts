import type { CallRecord } from '../../../src-shared/ipc/contract';
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

import type { Db } from '../db/open-database';
import { TaskRecordSchema, type TaskRecord } from './callback-record';

/** Done tasks stay listed until the end of the day they closed; older ones are only history. */
const DONE_LISTED_MAX = 500;

/**
 * The callback tasks in journal.db (`callback_tasks`, migration 8): the desk's copy of the shared
 * worklist. A row that no longer parses (a damaged or foreign record) is skipped, never shown.
 */
export class CallbackStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      get: db.prepare<[string], string>('SELECT record FROM callback_tasks WHERE id = ?').pluck(),
      put: db.prepare<{ id: string; state: string; firstAt: number; closedAt: number | null; record: string; updatedAt: number }>(
        `INSERT INTO callback_tasks (id, state, first_at, closed_at, record, updated_at) VALUES (@id, @state, @firstAt, @closedAt, @record, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, first_at = excluded.first_at, closed_at = excluded.closed_at, record = excluded.record, updated_at = excluded.updated_at`,
      ),
      active: db.prepare<[], string>("SELECT record FROM callback_tasks WHERE state IN ('open', 'claimed') ORDER BY first_at").pluck(),
      activeOldest: db.prepare<[number], string>("SELECT record FROM callback_tasks WHERE state IN ('open', 'claimed') ORDER BY first_at LIMIT ?").pluck(),
      activeCount: db.prepare<[], number>("SELECT count(*) FROM callback_tasks WHERE state IN ('open', 'claimed')").pluck(),
      doneSince: db.prepare<[number, number], string>("SELECT record FROM callback_tasks WHERE state = 'done' AND closed_at >= ? ORDER BY closed_at DESC LIMIT ?").pluck(),
      requests: db.prepare<[], { call_id: string; number: string; created_at: number }>("SELECT call_id, number, created_at FROM callback_requests WHERE state = 'open' ORDER BY created_at, id"),
      closeRequests: db.prepare<[string]>("UPDATE callback_requests SET state = 'done' WHERE state = 'open' AND number = ?"),
    };
  }

  get(id: string): TaskRecord | null {
    const raw = this.s.get.get(id);
    return raw === undefined ? null : parse(raw);
  }

  put(task: TaskRecord, at: number): void {
    this.s.put.run({ id: task.id, state: task.state, firstAt: task.firstAt, closedAt: task.closedAt, record: JSON.stringify(task), updatedAt: at });
  }

  /**
   * Open and claimed tasks (the oldest first), then the done ones closed since `doneSince`: at most
   * `limit` in all, done ones only in the room the open ones leave (and at most 500). `openTotal`
   * counts every open and claimed task, listed or not.
   */
  list(doneSince: number, limit = Number.MAX_SAFE_INTEGER): { tasks: TaskRecord[]; openTotal: number } {
    const active = this.s.activeOldest.all(limit);
    const rows = [...active, ...this.s.doneSince.all(doneSince, Math.min(DONE_LISTED_MAX, limit - active.length))];
    return { tasks: rows.map(parse).filter((task): task is TaskRecord => task !== null), openTotal: this.s.activeCount.get() ?? 0 };
  }

  /** Open and claimed tasks only. */
  active(): TaskRecord[] {
    return this.s.active.all().map(parse).filter((task): task is TaskRecord => task !== null);
  }

  /** Wrap-ups that asked for a call back and are still open (`callback_requests`). */
  openRequests(): { callId: string; number: string; createdAt: number }[] {
    return this.s.requests.all().map((row) => ({ callId: row.call_id, number: row.number, createdAt: row.created_at }));
  }

  /** The task for this number closed: its wrap-up requests are done too. */
  closeRequests(number: string): void {
    this.s.closeRequests.run(number);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}

function parse(raw: string): TaskRecord | null {
  try {
    const parsed = TaskRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

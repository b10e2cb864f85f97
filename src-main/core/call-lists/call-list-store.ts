import type { Db } from '../db/open-database';
import { StoredCallListTaskSchema, type StoredCallListTask } from './call-list-record';

/**
 * The outbound call lists' tasks in journal.db (`call_list_tasks`, migration 10): this desk's
 * copy of each list, with the status the desks share. A row that no longer parses (a damaged or
 * foreign record) is skipped, never shown.
 */
export class CallListStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      get: db.prepare<[string], string>('SELECT record FROM call_list_tasks WHERE id = ?').pluck(),
      put: db.prepare<{ id: string; listId: string; sourceKey: string; state: string; position: number; nextAttemptAt: number | null; record: string; updatedAt: number }>(
        `INSERT INTO call_list_tasks (id, list_id, source_key, state, position, next_attempt_at, record, updated_at)
         VALUES (@id, @listId, @sourceKey, @state, @position, @nextAttemptAt, @record, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET list_id = excluded.list_id, source_key = excluded.source_key, state = excluded.state, position = excluded.position,
           next_attempt_at = excluded.next_attempt_at, record = excluded.record, updated_at = excluded.updated_at`,
      ),
      remove: db.prepare<[string]>('DELETE FROM call_list_tasks WHERE id = ?'),
      list: db.prepare<[string], string>('SELECT record FROM call_list_tasks WHERE list_id = ? ORDER BY position, id').pluck(),
      bySource: db.prepare<[string], string>('SELECT record FROM call_list_tasks WHERE source_key = ?').pluck(),
      nextDue: db.prepare<[number], number | null>("SELECT min(next_attempt_at) FROM call_list_tasks WHERE state = 'waiting' AND next_attempt_at > ?").pluck(),
    };
  }

  get(id: string): StoredCallListTask | null {
    const raw = this.s.get.get(id);
    return raw === undefined ? null : parse(raw);
  }

  put(task: StoredCallListTask, at: number): void {
    const { details, status } = task;
    this.s.put.run({
      id: status.id,
      listId: details.listId,
      sourceKey: `${details.kind}/${details.sourceId}`,
      state: status.state,
      position: details.position,
      nextAttemptAt: status.state === 'waiting' ? status.nextAttemptAt : null,
      record: JSON.stringify(task),
      updatedAt: at,
    });
  }

  remove(id: string): void {
    this.s.remove.run(id);
  }

  /** One list's tasks in its order. */
  list(listId: string): StoredCallListTask[] {
    return this.s.list.all(listId).map(parse).filter((task): task is StoredCallListTask => task !== null);
  }

  /** Every task made from the same slot or MIS task (on any day's list). */
  bySource(sourceKey: string): StoredCallListTask[] {
    return this.s.bySource.all(sourceKey).map(parse).filter((task): task is StoredCallListTask => task !== null);
  }

  /** The soonest retry still to come after `now` (epoch ms), or null. */
  nextRetryAfter(now: number): number | null {
    return this.s.nextDue.get(now) ?? null;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}

function parse(raw: string): StoredCallListTask | null {
  try {
    const parsed = StoredCallListTaskSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

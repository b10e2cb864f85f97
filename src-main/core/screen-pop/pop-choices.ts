import type { Db } from '../db/open-database';

/**
 * The screen pop's memory in journal.db (migration 0004): the card last picked for a shared
 * number, and the card that was on screen for each call (the call journal's patient).
 * Numbers are E.164 keys; nothing here is logged.
 */
export class PopChoices {
  private readonly s;
  private readonly db: Db;

  constructor(db: Db) {
    this.s = {
      // One primary-key probe (pinned by an EXPLAIN QUERY PLAN test).
      choice: db.prepare<[string], string>('SELECT mis_id FROM pop_choices WHERE number_key = ?').pluck(),
      remember: db.prepare<[string, string, number]>(
        `INSERT INTO pop_choices (number_key, mis_id, chosen_at) VALUES (?, ?, ?)
         ON CONFLICT (number_key) DO UPDATE SET mis_id = excluded.mis_id, chosen_at = excluded.chosen_at`,
      ),
      // The card now on screen for the call is the call's patient (the last one shown wins).
      linkCall: db.prepare<[string, string, string | null, number]>(
        `INSERT INTO call_patients (call_id, mis_id, number_key, shown_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (call_id) DO UPDATE SET mis_id = excluded.mis_id, number_key = coalesce(excluded.number_key, call_patients.number_key), shown_at = excluded.shown_at`,
      ),
      numberOfCall: db.prepare<[string], string | null>('SELECT number_key FROM call_patients WHERE call_id = ?').pluck(),
      forget: db.prepare<[string]>('DELETE FROM pop_choices WHERE mis_id = ?'),
    };
    this.db = db;
  }

  /** The MIS id last chosen for this number, or null. */
  chosen(numberKey: string): string | null {
    return this.s.choice.get(numberKey) ?? null;
  }

  remember(numberKey: string, misId: string, at: number): void {
    this.s.remember.run(numberKey, misId, at);
  }

  linkCall(callId: string, misId: string, numberKey: string | null, at: number): void {
    this.s.linkCall.run(callId, misId, numberKey, at);
  }

  /** Cards gone from the cache (deleted in the MIS, merged, or past retention) are no longer anyone's remembered choice. */
  forget(misIds: readonly string[]): void {
    this.db.transaction(() => {
      for (const misId of misIds) this.s.forget.run(misId);
    })();
  }

  numberOfCall(callId: string): string | null {
    return this.s.numberOfCall.get(callId) ?? null;
  }
}

import type { Migration } from '../migrate';

/**
 * Retention (docs/architecture.md, "Data"): when each card was last synced (the MIS delivered
 * it: inserted, updated, or sent again unchanged) and last opened (the desk showed it), so cards
 * neither opened nor synced for `privacy.cacheRetentionDays` can be purged; and which record a
 * quarantined row is about, so the purge (or a deletion from the MIS) takes that row with the card.
 *
 * Cheap on a big cache: the two columns are added with `ALTER TABLE … ADD COLUMN`, which
 * rewrites no row (a column with a constant default is O(1)); the card blobs are not touched.
 * Existing cards count as synced at the moment this step runs (the default is that instant, a
 * literal), so an upgrade never purges anything at once: each card then has the full period to
 * be opened or sent again. The one index the purge reads, on "last used" (the later of the two),
 * is built from the rows once (~1 s at a million cards); the bulk loader recreates it with the
 * other deferred indexes. Writers always set `synced_at` themselves.
 *
 * `quarantine.record_id` is filled for the rows already there from their reasons
 * (`… card 1000042: birthDate: …`), and `quarantine_at` lets the purge age rows out by time.
 */
export const migration0005CardRetention: Migration = {
  version: 5,
  name: 'card-retention',
  up(db) {
    const now = Math.trunc(Date.now());
    db.exec(`
      ALTER TABLE patients ADD COLUMN synced_at INTEGER NOT NULL DEFAULT ${now};
      ALTER TABLE patients ADD COLUMN opened_at INTEGER;
      CREATE INDEX patients_last_used ON patients (${LAST_USED_SQL});
      ALTER TABLE quarantine ADD COLUMN record_id TEXT;
    `);
    const rows = db.prepare<[], { id: number; reason: string }>('SELECT id, reason FROM quarantine').all();
    const setRecord = db.prepare<[string, number]>('UPDATE quarantine SET record_id = ? WHERE id = ?');
    for (const row of rows) {
      const recordId = quarantinedRecordId(row.reason);
      if (recordId !== null) setRecord.run(recordId, row.id);
    }
    db.exec(`
      CREATE INDEX quarantine_record ON quarantine (record_id) WHERE record_id IS NOT NULL;
      CREATE INDEX quarantine_at ON quarantine (at);
    `);
  },
};

/**
 * A card's "last used" instant as the purge index holds it: the later of its last sync and its
 * last opening. Queries must spell it exactly so (the planner matches the expression text).
 */
export const LAST_USED_SQL = 'max(synced_at, coalesce(opened_at, 0))';

/**
 * The card a quarantine reason of the patients stream names (`card 1000042: …`, after an
 * optional `patients.csv line 17: `), or null (`card without a valid misId: …`, other streams).
 */
export function quarantinedRecordId(reason: string): string | null {
  const match = /(?:^|: )card (\S{1,64}): /.exec(reason);
  return match ? match[1]! : null;
}

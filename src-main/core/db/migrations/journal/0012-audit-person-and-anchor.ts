import type { Migration } from '../migrate';

/** The shortest audit retention: an anchor may only cover entries at least this old when it is set (365 days). */
export const AUDIT_MIN_RETENTION_MS = 365 * 24 * 60 * 60 * 1_000;

/**
 * The audit log names the person, and keeps its own retention (docs/architecture.md, "Privacy
 * and security"):
 *
 * - `audit_log.actor_name` (the signed-in person's name as provisioned, ≤ 80 characters) and
 *   `audit_log.role` (`operator`, `supervisor`, `cashier`, `admin`); both null for entries
 *   written before this step and for a desk nobody is signed in to.
 * - `audit_anchor`: one row per retention purge, append-only — the seq and hash of the last
 *   entry removed (the chain is verified from there instead of from genesis), that entry's
 *   time, how many entries the purge removed and when. An anchor only moves forward, only
 *   onto an existing entry (with its hash) at least {@link AUDIT_MIN_RETENTION_MS} older than
 *   the purge.
 * - `audit_log_no_delete` is rebuilt to allow deleting the entries at or below the newest
 *   anchor and nothing else; `audit_log_no_update` still refuses every UPDATE.
 */
export const migration0012AuditPersonAndAnchor: Migration = {
  version: 12,
  name: 'audit-person-and-anchor',
  up(db) {
    db.exec(`
      ALTER TABLE audit_log ADD COLUMN actor_name TEXT CHECK (actor_name IS NULL OR length(actor_name) BETWEEN 1 AND 80);
      ALTER TABLE audit_log ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('operator', 'supervisor', 'cashier', 'admin'));

      CREATE TABLE audit_anchor (
        -- the last entry removed: the entries 1 … seq are gone, seq + 1 chains to hash
        seq      INTEGER PRIMARY KEY CHECK (seq >= 1),
        hash     TEXT    NOT NULL CHECK (length(hash) = 64),
        -- that entry's time, epoch ms
        entry_at INTEGER NOT NULL,
        -- entries this purge removed
        removed  INTEGER NOT NULL CHECK (removed >= 1),
        moved_at INTEGER NOT NULL
      ) STRICT;

      CREATE TRIGGER audit_anchor_forward BEFORE INSERT ON audit_anchor
      BEGIN
        SELECT RAISE(ABORT, 'audit_anchor only moves forward')
          WHERE NEW.seq <= coalesce((SELECT max(seq) FROM audit_anchor), 0);
        SELECT RAISE(ABORT, 'audit_anchor must name an entry of audit_log with its hash and time')
          WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash AND at = NEW.entry_at);
        SELECT RAISE(ABORT, 'audit_anchor may only cover entries older than the shortest retention')
          WHERE NEW.entry_at > NEW.moved_at - ${AUDIT_MIN_RETENTION_MS};
      END;
      CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON audit_anchor
      BEGIN
        SELECT RAISE(ABORT, 'audit_anchor is append-only: anchors cannot be changed');
      END;
      CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
      BEGIN
        SELECT RAISE(ABORT, 'audit_anchor is append-only: anchors cannot be deleted');
      END;

      DROP TRIGGER audit_log_no_delete;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      WHEN OLD.seq > coalesce((SELECT max(seq) FROM audit_anchor), 0)
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
      END;
    `);
  },
};

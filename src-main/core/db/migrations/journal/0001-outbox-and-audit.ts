import type { Migration } from '../migrate';

/**
 * The journal's first tables (docs/architecture.md: "Data", "Sync and outbox", "Privacy and security"): the outbox of writes to the MIS/PBX and the
 * append-only, hash-chained access audit log. Times are Unix epoch milliseconds.
 */
export const migration0001OutboxAndAudit: Migration = {
  version: 1,
  name: 'outbox-and-audit',
  up(db) {
    db.exec(`
      CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        -- generated with the local change and reused on every retry, so the MIS applies it once
        idempotency_key TEXT    NOT NULL UNIQUE,
        kind            TEXT    NOT NULL,
        payload         TEXT    NOT NULL CHECK (json_valid(payload)),
        state           TEXT    NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'inflight', 'delivered', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      ) STRICT;
      -- The sender's query: due pending items, oldest first.
      CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

      CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        actor     TEXT    NOT NULL,
        action    TEXT    NOT NULL,
        mis_id    TEXT,
        call_id   TEXT,
        reason    TEXT,
        -- hash of the previous entry (all zeros for the first) and of this entry including
        -- prev_hash: editing or removing any row breaks every later hash
        prev_hash TEXT    NOT NULL CHECK (length(prev_hash) = 64),
        hash      TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64)
      ) STRICT;
      CREATE INDEX audit_log_mis_id ON audit_log (mis_id, at) WHERE mis_id IS NOT NULL;

      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed');
      END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
      END;
    `);
  },
};

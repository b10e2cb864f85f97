import type { Migration } from '../migrate';

/**
 * Journals this desk had to set aside: the database key was lost or replaced, or
 * the file was damaged, so a fresh journal was started and the old one kept under a dated
 * name. What it held when last counted (undelivered writes, audit entries) comes from its
 * summary file, since the file itself may no longer be readable. Never deleted automatically;
 * `acknowledged_at` only stops the banner once someone has read it.
 */
export const migration0007KeptJournals: Migration = {
  version: 7,
  name: 'kept-journals',
  up(db) {
    db.exec(`
      CREATE TABLE kept_journals (
        id               INTEGER PRIMARY KEY,
        path             TEXT    NOT NULL CHECK (length(path) BETWEEN 1 AND 1000),
        reason           TEXT    NOT NULL CHECK (reason IN ('key-lost', 'damaged', 'unreadable')),
        kept_at          INTEGER NOT NULL,
        undelivered      INTEGER CHECK (undelivered IS NULL OR undelivered >= 0),
        audit_entries    INTEGER CHECK (audit_entries IS NULL OR audit_entries >= 0),
        counted_at       INTEGER,
        acknowledged_at  INTEGER
      ) STRICT;
    `);
  },
};

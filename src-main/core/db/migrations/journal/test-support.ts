import { openEncryptedDatabase, type Db } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate, type Migration } from '../migrate';
import { JOURNAL_MIGRATIONS } from './index';

/** A fresh encrypted journal migrated up to `version` (every step by default). Tests only. */
export function journalAt(version = JOURNAL_MIGRATIONS.length): Db {
  const db = openEncryptedDatabase({ path: tempDatabasePath(), key: randomKey(), dbName: 'journal', durability: 'full', cacheSizeMb: 2 });
  migrate(db, JOURNAL_MIGRATIONS.slice(0, version), 'journal');
  return db;
}

/** Applies one more step and returns the runner's report. */
export function applyStep(db: Db, step: Migration) {
  return migrate(db, JOURNAL_MIGRATIONS.slice(0, step.version), 'journal');
}

export function objectsOf(db: Db, table: string): string[] {
  return db
    .prepare<[string], string>("SELECT type || ':' || name FROM sqlite_master WHERE tbl_name = ? AND name NOT LIKE 'sqlite_%' ORDER BY 1")
    .pluck()
    .all(table);
}

export function isStrict(db: Db, table: string): boolean {
  return db.prepare<[string], number>("SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = ?").pluck().get(table) === 1;
}

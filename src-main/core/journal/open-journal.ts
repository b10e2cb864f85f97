import { JOURNAL_MIGRATIONS } from '../db/migrations/journal';
import { migrate } from '../db/migrations/migrate';
import { openEncryptedDatabase, type Db } from '../db/open-database';

export interface JournalDatabaseOptions {
  path: string;
  key: Buffer;
  /** Page cache; the journal is small, 16 MB is plenty. */
  cacheSizeMb?: number;
}

/**
 * Opens (creating and migrating) journal.db, whose stores `JournalService` then builds over it:
 * `openEncryptedDatabase` with the journal migrations, `synchronous=FULL` because this file holds
 * what only this desk knows (docs/architecture.md, "Data").
 *
 * @throws DatabaseError wrong key, corrupt, newer schema, read-only or missing folder.
 */
export function openJournalDatabase(options: JournalDatabaseOptions): Db {
  const db = openEncryptedDatabase({ path: options.path, key: options.key, dbName: 'journal', durability: 'full', cacheSizeMb: options.cacheSizeMb ?? 16 });
  try {
    migrate(db, JOURNAL_MIGRATIONS, 'journal');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

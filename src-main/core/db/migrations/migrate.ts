import { classifyDatabaseError, DatabaseError, type DatabaseName } from '../database-error';
import type { Db } from '../open-database';

/** One schema step. Files are numbered (`0001-patients.ts`) and never edited once released. */
export interface Migration {
  /** 1, 2, 3 … without gaps; becomes `PRAGMA user_version` when applied. */
  version: number;
  /** Short kebab-case name, shown in errors and logs. */
  name: string;
  /** Runs inside the runner's transaction; must not commit or change `user_version` itself. */
  up(db: Db): void;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Brings `db` to the newest schema in `migrations`, one transaction per step, recording the
 * step in `PRAGMA user_version` inside the same transaction (so a crash never leaves a
 * half-applied step marked as done).
 *
 * @throws DatabaseError `NEWER_VERSION` when the file was written by a newer build,
 *   `MIGRATION_FAILED` when a step throws (the step is rolled back; earlier steps stay).
 */
export function migrate(db: Db, migrations: readonly Migration[], dbName: DatabaseName): MigrationReport {
  assertWellFormed(migrations, dbName);
  const newest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const from = readUserVersion(db, dbName);
  if (from > newest) {
    throw new DatabaseError(
      'NEWER_VERSION',
      dbName,
      `This ${dbName} database was written by a newer Registratura (schema ${from}, this build knows ${newest}); update the app.`,
      'update-app',
    );
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    const step = db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      step.immediate();
    } catch (error) {
      const classified = classifyDatabaseError(error, dbName);
      if (classified) throw classified;
      throw new DatabaseError(
        'MIGRATION_FAILED',
        dbName,
        `Updating the ${dbName} database to schema ${migration.version} (${migration.name}) failed and was rolled back; the file is still at schema ${migration.version - 1}. Report this to support.`,
        'report-bug',
        { cause: error },
      );
    }
    applied.push(`${String(migration.version).padStart(4, '0')}-${migration.name}`);
  }
  return { from, to: Math.max(from, newest), applied };
}

/** `PRAGMA user_version`, with file-level failures classified. */
export function readUserVersion(db: Db, dbName: DatabaseName): number {
  try {
    return Number(db.pragma('user_version', { simple: true }));
  } catch (error) {
    throw classifyDatabaseError(error, dbName) ?? error;
  }
}

function assertWellFormed(migrations: readonly Migration[], dbName: DatabaseName): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`The ${dbName} migrations must be numbered 1, 2, 3 … in order; position ${index + 1} has version ${migration.version} (${migration.name}).`);
    }
  });
}

/**
 * Typed failures of the local databases. Each code maps to one recovery path the UI can
 * offer (docs/architecture.md, "Data": a clear, specific error and a recovery path, never a crash loop). Messages
 * name the file and the action; they never contain patient data or SQL.
 */
export type DatabaseErrorCode =
  | 'WRONG_KEY_OR_NOT_A_DATABASE'
  | 'CORRUPT'
  | 'DISK_FULL'
  | 'READ_ONLY'
  | 'NEWER_VERSION'
  | 'CANNOT_OPEN'
  | 'BUSY'
  | 'MIGRATION_FAILED';

/** Which of the two files; recovery differs: the cache is rebuilt, the journal never deleted. */
export type DatabaseName = 'cache' | 'journal';

/** What the desk can do about a {@link DatabaseError}. */
export type DatabaseRecovery = 'rebuild-cache' | 'restore-journal' | 'update-app' | 'free-disk-space' | 'fix-permissions' | 'retry-later' | 'report-bug';

/** A classified database failure with an actionable message and a recovery hint. */
export class DatabaseError extends Error {
  constructor(
    readonly code: DatabaseErrorCode,
    readonly dbName: DatabaseName,
    message: string,
    readonly recovery: DatabaseRecovery,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}

/** The shape of errors thrown by better-sqlite3 (SqliteError) and by Node's fs layer. */
interface CodedError {
  code?: unknown;
  message?: unknown;
}

const label = (dbName: DatabaseName) => (dbName === 'cache' ? 'patient cache (cache.db)' : 'call journal (journal.db)');

/**
 * Maps a SQLite or filesystem error to a {@link DatabaseError}; returns `null` for errors
 * that are not about the file itself (constraint violations, SQL mistakes), which callers rethrow.
 */
export function classifyDatabaseError(error: unknown, dbName: DatabaseName): DatabaseError | null {
  if (error instanceof DatabaseError) return error;
  const code = typeof (error as CodedError | null)?.code === 'string' ? ((error as CodedError).code as string) : '';
  const which = label(dbName);
  const cause = { cause: error };
  if (code === 'SQLITE_NOTADB') {
    return dbName === 'cache'
      ? new DatabaseError(
          'WRONG_KEY_OR_NOT_A_DATABASE',
          dbName,
          `The ${which} cannot be opened with this workstation's key, or it is not a database. It will be rebuilt from the MIS; nothing local is lost.`,
          'rebuild-cache',
          cause,
        )
      : new DatabaseError(
          'WRONG_KEY_OR_NOT_A_DATABASE',
          dbName,
          `The ${which} cannot be opened with this workstation's key, or it is not a database. It is kept untouched: restore the key (OS keychain) or the file from backup, or call support.`,
          'restore-journal',
          cause,
        );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return dbName === 'cache'
      ? new DatabaseError('CORRUPT', dbName, `The ${which} is damaged. It will be rebuilt from the MIS; nothing local is lost.`, 'rebuild-cache', cause)
      : new DatabaseError(
          'CORRUPT',
          dbName,
          `The ${which} is damaged. It is kept untouched for recovery: restore it from backup or call support.`,
          'restore-journal',
          cause,
        );
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new DatabaseError('DISK_FULL', dbName, `The disk holding the ${which} is full. Free some space, then retry.`, 'free-disk-space', cause);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new DatabaseError(
      'READ_ONLY',
      dbName,
      `The ${which} cannot be written: the file or its folder is read-only for this user. Fix the permissions of the data folder, then restart.`,
      'fix-permissions',
      cause,
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new DatabaseError(
      'BUSY',
      dbName,
      `The ${which} is locked by another connection (another window of the app, a backup tool, or an antivirus scan). Retry in a moment; if it persists, close other copies of the app.`,
      'retry-later',
      cause,
    );
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'ENOENT' || /directory does not exist/i.test(String((error as CodedError | null)?.message ?? ''))) {
    return new DatabaseError(
      'CANNOT_OPEN',
      dbName,
      `The ${which} cannot be opened: its folder is missing or not accessible. Check the data folder location and permissions.`,
      'fix-permissions',
      cause,
    );
  }
  return null;
}

/** Runs `fn`, turning file-level SQLite failures into {@link DatabaseError}s; other errors pass through. */
export function withDatabaseErrors<T>(dbName: DatabaseName, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw classifyDatabaseError(error, dbName) ?? error;
  }
}

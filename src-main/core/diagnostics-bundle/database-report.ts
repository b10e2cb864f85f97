import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheStatusView } from '../../../src-shared/cache/cache-contract';
import type { JournalStatus } from '../../../src-shared/journal/journal-contract';
import type { IntegrityVerdict } from '../cache/integrity-check';
import { CACHE_MIGRATIONS } from '../db/migrations/cache';
import { JOURNAL_MIGRATIONS } from '../db/migrations/journal';
import type { Db } from '../db/open-database';

/** What the bundle needs of the cache service. */
export interface CacheForDiagnostics {
  readonly path: string;
  readonly isOpen: boolean;
  status(): CacheStatusView;
  /** The lookup connection (throws when none is open). */
  require(): { readonly connection: Db };
  /** cache.db's background `quick_check`, run now (on its worker thread). */
  checkNow(): Promise<IntegrityVerdict>;
}

/** What the bundle needs of the journal service. */
export interface JournalForDiagnostics {
  readonly path: string;
  readonly stores: { readonly db: Db } | null;
  status(): JournalStatus;
}

/** One file's shape and health: sizes, pages, schema version and its integrity check. Never a row. */
export interface DatabaseFileReport {
  file: string;
  open: boolean;
  bytes: number | null;
  walBytes: number | null;
  schemaVersion: number | null;
  /** The newest schema this build knows (a file ahead of it was written by a newer desk). */
  schemaVersionExpected: number;
  pageSize: number | null;
  pageCount: number | null;
  freelistCount: number | null;
  journalMode: string | null;
  integrity: { verdict: 'ok' | 'damaged' | 'not-checked'; ms: number; detail: string | null };
  /** Why something could not be read (an error code), when it could not. */
  problem: string | null;
}

export interface DatabasesReport {
  sqlite: { version: string | null; multipleCiphers: string | null };
  cache: DatabaseFileReport;
  journal: DatabaseFileReport;
  /** Files set aside after damage or a lost key (`cache.db.damaged-<time>` …): names and sizes, for IT. */
  setAside: { name: string; bytes: number }[];
}

/**
 * cache.db and journal.db as support needs them — and nothing they hold: page counts, schema
 * versions, sizes, and a fresh `quick_check` of each (the cache's on its worker thread, as its
 * background check runs; the journal's, a few MB, on its own connection). A damaged cache found
 * here is handled as any damage is (set aside, rebuilt).
 */
export async function databasesReport(cache: CacheForDiagnostics, journal: JournalForDiagnostics, dataDir: string): Promise<DatabasesReport> {
  const cacheDb = cache.isOpen ? safe(() => cache.require().connection) : null;
  const journalDb = journal.stores?.db ?? null;
  const cacheIntegrity = await cache.checkNow().catch((error: unknown) => ({ verdict: 'not-checked' as const, ms: 0, reason: errorCode(error) }));
  return {
    sqlite: sqliteVersions(cacheDb ?? journalDb),
    cache: fileReport(cache.path, cacheDb, CACHE_MIGRATIONS.length, verdictOf(cacheIntegrity)),
    journal: fileReport(journal.path, journalDb, JOURNAL_MIGRATIONS.length, journalDb ? quickCheck(journalDb) : { verdict: 'not-checked', ms: 0, detail: 'not open' }),
    setAside: setAsideFiles(dataDir),
  };
}

function verdictOf(verdict: IntegrityVerdict): DatabaseFileReport['integrity'] {
  if (verdict.verdict === 'ok') return { verdict: 'ok', ms: verdict.ms, detail: null };
  if (verdict.verdict === 'damaged') return { verdict: 'damaged', ms: verdict.ms, detail: verdict.detail };
  return { verdict: 'not-checked', ms: verdict.ms, detail: verdict.reason };
}

/** `PRAGMA quick_check` on an open connection: `ok`, or the number of problems (their text names pages, never data). */
function quickCheck(db: Db): DatabaseFileReport['integrity'] {
  const started = Date.now();
  try {
    const rows = db.pragma('quick_check(5)') as Record<string, unknown>[];
    const problems = rows.map((row) => String(Object.values(row)[0])).filter((text) => text !== 'ok');
    const ms = Date.now() - started;
    return problems.length === 0 ? { verdict: 'ok', ms, detail: null } : { verdict: 'damaged', ms, detail: `quick_check: ${problems.length} problem(s)` };
  } catch (error) {
    const code = errorCode(error);
    return { verdict: code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' ? 'damaged' : 'not-checked', ms: Date.now() - started, detail: code };
  }
}

function fileReport(path: string, db: Db | null, expected: number, integrity: DatabaseFileReport['integrity']): DatabaseFileReport {
  const report: DatabaseFileReport = {
    file: path.split(/[\\/]/).at(-1) ?? path,
    open: db !== null,
    bytes: sizeOf(path),
    walBytes: sizeOf(`${path}-wal`),
    schemaVersion: null,
    schemaVersionExpected: expected,
    pageSize: null,
    pageCount: null,
    freelistCount: null,
    journalMode: null,
    integrity,
    problem: null,
  };
  if (!db) return report;
  try {
    report.schemaVersion = Number(db.pragma('user_version', { simple: true }));
    report.pageSize = Number(db.pragma('page_size', { simple: true }));
    report.pageCount = Number(db.pragma('page_count', { simple: true }));
    report.freelistCount = Number(db.pragma('freelist_count', { simple: true }));
    report.journalMode = String(db.pragma('journal_mode', { simple: true }));
  } catch (error) {
    report.problem = errorCode(error);
  }
  return report;
}

function sqliteVersions(db: Db | null): DatabasesReport['sqlite'] {
  const one = (sql: string): string | null => {
    if (!db) return null;
    try {
      return String(db.prepare(sql).pluck().get());
    } catch {
      return null;
    }
  };
  return { version: one('SELECT sqlite_version()'), multipleCiphers: one('SELECT sqlite3mc_version()') };
}

const SET_ASIDE = /^(?:cache|journal)\.db\.[a-z-]+-[0-9TZ-]+$/;

function setAsideFiles(dataDir: string): DatabasesReport['setAside'] {
  try {
    return readdirSync(dataDir)
      .filter((name) => SET_ASIDE.test(name))
      .sort()
      .map((name) => ({ name, bytes: sizeOf(join(dataDir, name)) ?? 0 }));
  } catch {
    return [];
  }
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

function safe<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : error instanceof Error ? error.name : 'unknown';
}

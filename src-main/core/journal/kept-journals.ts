import { existsSync, renameSync } from 'node:fs';
import type { KeptJournal } from '../../../src-shared/journal/journal-contract';
import type { Db } from '../db/open-database';
import { readJournalSummary, summaryPathOf, type JournalSummary } from './journal-summary';

export type KeptJournalReason = KeptJournal['reason'];

/** Most kept journals listed (a desk with more has a bigger problem than a list shows). */
const KEPT_LIST_LIMIT = 20;

interface KeptRow {
  id: number;
  path: string;
  reason: KeptJournalReason;
  kept_at: number;
  undelivered: number | null;
  audit_entries: number | null;
  counted_at: number | null;
  acknowledged_at: number | null;
}

/**
 * Moves journal.db (with its WAL, shared memory and summary) to a dated name beside it —
 * `journal.db.key-lost-2026-12-05T08-00-00-000Z` — and returns where it went and what its
 * summary said. journal.db is never deleted: it holds what only this desk knows.
 */
export function setJournalAside(journalPath: string, reason: KeptJournalReason, now: number): { path: string; summary: JournalSummary | null } {
  const summary = readJournalSummary(journalPath);
  const kept = `${journalPath}.${reason}-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(journalPath + suffix)) renameSync(journalPath + suffix, kept + suffix);
  }
  if (existsSync(summaryPathOf(journalPath))) renameSync(summaryPathOf(journalPath), summaryPathOf(kept));
  return { path: kept, summary };
}

/** The record, in the fresh journal, of the journals set aside before it (migration 0007). */
export class KeptJournals {
  private readonly s;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.s = {
      add: db.prepare<[string, string, number, number | null, number | null, number | null]>(
        'INSERT INTO kept_journals (path, reason, kept_at, undelivered, audit_entries, counted_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      list: db.prepare<[number], KeptRow>('SELECT * FROM kept_journals ORDER BY kept_at DESC, id DESC LIMIT ?'),
      acknowledge: db.prepare<[number, number]>('UPDATE kept_journals SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL'),
    };
  }

  add(kept: { path: string; reason: KeptJournalReason; keptAt: number; summary: JournalSummary | null }): void {
    const countedAt = kept.summary ? Date.parse(kept.summary.countedAt) : null;
    this.s.add.run(kept.path, kept.reason, kept.keptAt, kept.summary?.undelivered ?? null, kept.summary?.auditEntries ?? null, countedAt);
  }

  /** Newest first. */
  list(): KeptJournal[] {
    return this.s.list.all(KEPT_LIST_LIMIT).map((row) => ({
      id: row.id,
      path: row.path,
      reason: row.reason,
      keptAt: new Date(row.kept_at).toISOString(),
      undelivered: row.undelivered,
      auditEntries: row.audit_entries,
      countedAt: row.counted_at === null ? null : new Date(row.counted_at).toISOString(),
      acknowledged: row.acknowledged_at !== null,
    }));
  }

  /** @returns false when there is no such notice or it was already acknowledged. */
  acknowledge(id: number): boolean {
    return this.s.acknowledge.run(this.now(), id).changes === 1;
  }
}

import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Db } from '../db/open-database';
import { writeFileAtomic } from '../secrets/key-file-secret-store';

/**
 * What journal.db holds, in counts only, kept in a small plain file beside it
 * (`journal.db.summary.json`). The journal is encrypted: if its key is ever lost the file can
 * no longer be read, and this summary is then the only way to tell the user and IT what the
 * kept file still holds ("3 writes not delivered to the MIS, 120 audit entries"). Counts
 * only: no patient data, no payloads, no ids.
 */
export const JournalSummarySchema = z
  .object({
    version: z.literal(1),
    countedAt: z.iso.datetime(),
    /** Outbox items not (yet) delivered: pending, in flight or failed. */
    undelivered: z.number().int().nonnegative(),
    /** Entries of the append-only audit log. */
    auditEntries: z.number().int().nonnegative(),
  })
  .strict();
export type JournalSummary = z.infer<typeof JournalSummarySchema>;

/** The summary file of a journal file (also of a kept one: it moves with it). */
export function summaryPathOf(journalPath: string): string {
  return `${journalPath}.summary.json`;
}

/** Counts what the journal holds: two index reads, cheap at any size. */
export function countJournal(db: Db, now: () => number = Date.now): JournalSummary {
  const undelivered = db.prepare<[], number>("SELECT count(*) FROM outbox WHERE state IN ('pending', 'inflight', 'failed')").pluck().get() ?? 0;
  // The log is append-only (no deletes): its last sequence number is its length.
  const auditEntries = db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM audit_log').pluck().get() ?? 0;
  return { version: 1, countedAt: new Date(now()).toISOString(), undelivered, auditEntries };
}

/** The summary kept beside `journalPath`, or null when there is none or it cannot be read. */
export function readJournalSummary(journalPath: string): JournalSummary | null {
  const path = summaryPathOf(journalPath);
  if (!existsSync(path)) return null;
  try {
    const parsed = JournalSummarySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Keeps the summary of an open journal current: `touch()` after anything that changes the
 * counts (a write queued or delivered, a card audited) writes it once within `debounceMs`;
 * `flush()` writes it now (start, stop). A failed write is only a stale summary.
 */
export class JournalSummaryWriter {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: Db,
    private readonly journalPath: string,
    private readonly options: { debounceMs?: number; now?: () => number; onError?: (error: unknown) => void } = {},
  ) {}

  touch(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.options.debounceMs ?? 2_000);
    this.timer.unref?.();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.db.open) return;
    try {
      writeFileAtomic(summaryPathOf(this.journalPath), `${JSON.stringify(countJournal(this.db, this.options.now))}\n`);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

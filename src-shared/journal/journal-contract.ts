/**
 * journal.db as the desk has it: open or not, and the journals it had to set aside.
 */
import { z } from 'zod';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';

/** Why a journal was set aside: its key was lost or replaced, it could not be read, or it was damaged. */
export const KeptJournalReasonSchema = z.enum(['key-lost', 'unreadable', 'damaged']);

/** A journal.db this desk set aside and replaced with a fresh one; kept, never deleted automatically. */
export const KeptJournalSchema = z
  .object({
    id: z.number().int().positive(),
    /** Where the file is kept (a path on this desk, for IT). */
    path: z.string().min(1).max(1000),
    reason: KeptJournalReasonSchema,
    keptAt: z.iso.datetime(),
    /** Writes to the MIS it held that were not delivered, when last counted; null when never counted. */
    undelivered: z.number().int().nonnegative().nullable(),
    /** Access-audit entries it held, when last counted; null when never counted. */
    auditEntries: z.number().int().nonnegative().nullable(),
    /** When those counts were taken (the journal's summary file); null when unknown. */
    countedAt: z.iso.datetime().nullable(),
    /** Someone closed the notice (the file stays kept). */
    acknowledged: z.boolean(),
  })
  .strict();
export type KeptJournal = z.infer<typeof KeptJournalSchema>;

/** journal.db as the desk has it: open, or not (and why), plus the files it had to set aside. */
export const JournalStatusSchema = z
  .object({
    state: z.enum(['open', 'unavailable']),
    /** Why it is unavailable, safe to show; null when open. */
    problem: z.string().max(500).nullable(),
    kept: z.array(KeptJournalSchema).max(20),
  })
  .strict();
export type JournalStatus = z.infer<typeof JournalStatusSchema>;

export const journalRequests = {
  /** Whether journal.db is open, and the journals this desk had to set aside (lost key, damage). */
  'journal.status': { input: NoInput, output: JournalStatusSchema },
  /** The notice about a kept journal was read: it is no longer shown (the file stays). */
  'journal.acknowledgeKept': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: JournalStatusSchema,
  },
} as const satisfies RequestTable;

export const journalEvents = {
  /** journal.db opened, failed, or a kept journal's notice was acknowledged. */
  'journal:changed': JournalStatusSchema,
} as const satisfies EventTable;

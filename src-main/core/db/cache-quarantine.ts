/**
 * The cache's `quarantine` rows: records a connector sent that could not be applied, kept for
 * support. One place that turns an entry into a row, shared by `CacheRepository.quarantine`
 * (live file) and `CacheSnapshotWriter.quarantine` (a file being bulk-loaded), so both keep
 * the same excerpt of the same fields.
 */

/** A record a connector sent that could not be applied. */
export interface QuarantineEntry {
  stream: string;
  reason: string;
  /** Serialised offending record; only the first {@link QUARANTINE_EXCERPT_LENGTH} characters are kept. */
  payload: string;
  /** The record's id when it had a valid one (`1000042`): removing that card removes this row too. */
  recordId?: string | null;
}

/** Kept length of a quarantined payload: enough to diagnose, not a second copy of the MIS. */
export const QUARANTINE_EXCERPT_LENGTH = 2_000;

/** Kept length of a quarantine reason. */
export const QUARANTINE_REASON_LENGTH = 500;

/** Longest record id kept; a longer one is not an id a card can have, so the row names none. */
const MAX_RECORD_ID_LENGTH = 96;

/** SQL inserting one row; its parameters are {@link quarantineRowValues}. */
export const INSERT_QUARANTINE_SQL = 'INSERT INTO quarantine (stream, reason, payload_excerpt, at, record_id) VALUES (?, ?, ?, ?, ?)';

/** Parameters of {@link INSERT_QUARANTINE_SQL} for `entry` quarantined at `at` (epoch ms). */
export function quarantineRowValues(entry: QuarantineEntry, at: number): [stream: string, reason: string, payloadExcerpt: string, at: number, recordId: string | null] {
  const recordId = typeof entry.recordId === 'string' && entry.recordId.length <= MAX_RECORD_ID_LENGTH ? entry.recordId : null;
  return [entry.stream, entry.reason.slice(0, QUARANTINE_REASON_LENGTH), entry.payload.slice(0, QUARANTINE_EXCERPT_LENGTH), at, recordId];
}

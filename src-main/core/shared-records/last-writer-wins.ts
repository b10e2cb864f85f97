/**
 * The status rule of every record the desks share through the PBX (docs/architecture.md,
 * "PBX, queue and callbacks"): the callback worklist's tasks and the outbound call lists' tasks.
 *
 * Each change of a record's status part is written by one desk (`writer`, its agent extension)
 * one `version` on from the copy it changed. Two copies meet in {@link lastWriterWins}: the
 * higher version wins, then the higher writer, then (the same change written twice, or a close
 * racing it) the higher rank the record's own module gives. The pick is commutative, associative
 * and idempotent, so desks that see changes in any order, twice, or after a restart agree.
 */
export interface VersionedStatus {
  /** Bumped by every status change ({@link nextVersion}). */
  version: number;
  /** Who made the latest status change (an agent extension; `''` before the first). */
  writer: string;
}

/** A change of the status part by `writer`: one version on. */
export function nextVersion<T extends VersionedStatus>(record: T, writer: string, change: Partial<Omit<T, 'version' | 'writer'>>): T {
  return { ...record, ...change, version: record.version + 1, writer };
}

/**
 * The copy whose status stands: higher `version`, then higher `writer`, then higher `rank`.
 * `rank` must cover every status field (and order them totally), so that equal ranks mean equal
 * statuses and the pick never depends on which copy came first.
 */
export function lastWriterWins<T extends VersionedStatus>(a: T, b: T, rank: (record: T) => string): T {
  if (a.version !== b.version) return a.version > b.version ? a : b;
  if (a.writer !== b.writer) return a.writer > b.writer ? a : b;
  return rank(a) >= rank(b) ? a : b;
}

import type { CacheRepository } from '../db/cache-repository';

/**
 * The retention purge and the scrub that follows any removal, as bounded steps (the service
 * decides when they run: `PatientCacheService.purgeExpired`, `scrubSoon`). Every step is one
 * short transaction on the lookup connection; between two steps the caller's `giveWay` lets
 * screen pops and searches run, so a lookup never waits for more than one step.
 */

/** Cards removed per transaction: ~20 ms of work (an FTS delete costs ~0.4 ms at 200,000 cards), so a lookup waits at most that long. */
export const PURGE_BATCH = 50;

/** One day in milliseconds. */
export const DAY_MS = 24 * 60 * 60_000;

/** What a maintenance run works on, and how it gives way between steps. */
export interface MaintenanceContext {
  /** The repository of the file the run started on; null once that file was replaced or the cache stopped (the run ends). */
  repository(): CacheRepository | null;
  /** Resolves when the next step may run (after lookups waiting on the event loop, and a quiet spell after a ring). */
  giveWay(): Promise<void>;
}

/** What {@link purgeUnused} removed. */
export interface PurgeCounts {
  cards: number;
  quarantined: number;
}

/**
 * Removes, {@link PURGE_BATCH} at a time, every card neither synced nor opened since `cutoff`
 * (`CacheRepository.removeUnusedSince`: the same path as a deletion from the MIS), then the
 * quarantine rows written before it. `onRemoved` hears each batch's MIS ids after its commit.
 * Stops early (with what it did) when the file is replaced or the cache stops.
 */
export async function purgeUnused(context: MaintenanceContext, cutoff: number, onRemoved: (misIds: readonly string[]) => void): Promise<PurgeCounts> {
  const counts: PurgeCounts = { cards: 0, quarantined: 0 };
  for (;;) {
    await context.giveWay();
    const repository = context.repository();
    if (!repository) return counts;
    const misIds = repository.removeUnusedSince(cutoff, PURGE_BATCH);
    counts.cards += misIds.length;
    if (misIds.length > 0) onRemoved(misIds);
    if (misIds.length < PURGE_BATCH) break;
  }
  for (;;) {
    await context.giveWay();
    const repository = context.repository();
    if (!repository) return counts;
    const removed = repository.ageOutQuarantine(cutoff, PURGE_BATCH);
    counts.quarantined += removed;
    if (removed < PURGE_BATCH) break;
  }
  return counts;
}

/** What {@link scrubRemoved} did. */
export interface ScrubResult {
  /** The FTS index was rewritten and `name_terms` pruned (cards had been removed since the last scrub). */
  scrubbed: boolean;
  /** The WAL was checkpointed and truncated; false when a reader held it (try again later) or the run ended early. */
  checkpointed: boolean;
}

/**
 * Makes removed cards' text leave the file. Their rows are already zeroed (`secure_delete`); what
 * remains is in three places, cleared in order:
 * 1. the FTS index's older segments, which keep a removed row's words until merged — rewritten
 *    into one segment step by step (only when the file says cards were removed since the last scrub);
 * 2. `name_terms`, pruned to the words the rewritten index still holds;
 * 3. the WAL, whose older frames hold page images from before the removal — checkpointed into the
 *    file (overwriting the old pages there) and truncated to nothing.
 */
export async function scrubRemoved(context: MaintenanceContext): Promise<ScrubResult> {
  const result: ScrubResult = { scrubbed: false, checkpointed: false };
  let repository = context.repository();
  if (!repository) return result;
  const pending = repository.removalsPending();
  if (pending > 0) {
    let start = true;
    for (;;) {
      await context.giveWay();
      repository = context.repository();
      if (!repository) return result;
      const more = repository.scrubIndexStep(start);
      start = false;
      if (!more) break;
    }
    let after: string | null = null;
    do {
      await context.giveWay();
      repository = context.repository();
      if (!repository) return result;
      after = repository.pruneNameTermsStep(after);
    } while (after !== null);
    repository.clearRemovalsPending(pending);
    result.scrubbed = true;
  }
  await context.giveWay();
  repository = context.repository();
  if (!repository) return result;
  result.checkpointed = repository.checkpointTruncate();
  return result;
}

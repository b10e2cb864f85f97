/**
 * How today's queue counters count (docs/architecture.md, "PBX, queue and callbacks"): one rule
 * for the desk's board and for every connector that keeps counters of its own, so the numbers a
 * snapshot brings and the numbers events add up to never disagree.
 */
import type { QueueCounters } from './pbx-model';

/** A caller joined the queue. */
export function countOffered(counters: QueueCounters): void {
  counters.offered += 1;
}

/** A caller was answered after `waitSec` in the queue; within `slaSeconds` counts as in time. */
export function countAnswered(counters: QueueCounters, waitSec: number, slaSeconds: number): void {
  counters.answered += 1;
  counters.waitSecTotal += waitSec;
  counters.longestWaitSec = Math.max(counters.longestWaitSec, waitSec);
  if (waitSec <= slaSeconds) counters.answeredWithinSla += 1;
}

/** A caller hung up after `waitSec` in the queue. */
export function countAbandoned(counters: QueueCounters, waitSec: number): void {
  counters.abandoned += 1;
  counters.longestWaitSec = Math.max(counters.longestWaitSec, waitSec);
}

/** An answered queue call ended after `talkSec` of talk. */
export function countTalk(counters: QueueCounters, talkSec: number): void {
  counters.talks += 1;
  counters.talkSecTotal += talkSec;
}

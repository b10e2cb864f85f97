/**
 * Pure helpers of the queue view: the order rows are drawn in and the per-queue blocks. Cheap on
 * purpose — they run on every `queue:changed` (up to 500 callers and 200 agents, many a second).
 */
import { emptyCounters, queueFigures, type AgentState, type PbxSnapshot, type QueueAgent, type QueueCaller, type QueueFigures } from '../../../src-shared/pbx/pbx-model';

/** Every agent state, in the order the summary counts them. */
export const AGENT_STATES: readonly AgentState[] = ['ready', 'ringing', 'talking', 'wrap-up', 'paused', 'offline'];

/** Longest wait first (the caller next to lose patience on top); position breaks ties. */
export function sortCallers(callers: readonly QueueCaller[]): QueueCaller[] {
  return [...callers].sort((a, b) => a.joinedAt - b.joinedAt || a.position - b.position || (a.callId < b.callId ? -1 : 1));
}

const collators = new Map<string, Intl.Collator>();
function collatorOf(language: string): Intl.Collator {
  let collator = collators.get(language);
  if (!collator) collators.set(language, (collator = new Intl.Collator(language, { numeric: true, sensitivity: 'base' })));
  return collator;
}

/**
 * This desk's own agent first, the rest by name then extension: a stable order, so a row does
 * not jump when its agent changes state (the state is its colour, not its place).
 */
export function sortAgents(agents: readonly QueueAgent[], ownExtension: string | null, language: string): QueueAgent[] {
  const collator = collatorOf(language);
  return [...agents].sort((a, b) => {
    if (a.extension === ownExtension) return -1;
    if (b.extension === ownExtension) return 1;
    return collator.compare(a.name, b.name) || collator.compare(a.extension, b.extension);
  });
}

/** How many agents are in each state. */
export function countAgents(agents: readonly QueueAgent[]): Record<AgentState, number> {
  const counts: Record<AgentState, number> = { ready: 0, paused: 0, talking: 0, ringing: 0, 'wrap-up': 0, offline: 0 };
  for (const agent of agents) counts[agent.state]++;
  return counts;
}

export interface QueueBlock {
  id: string;
  name: string;
  /** Callers waiting in it now. */
  waiting: number;
  figures: QueueFigures;
}

/** One block per queue the PBX lists (in its order), then any queue that has counters only. */
export function queueBlocks(board: PbxSnapshot): QueueBlock[] {
  const counters = new Map(board.counters.map((entry) => [entry.queue, entry]));
  const waiting = new Map<string, number>();
  for (const caller of board.callers) waiting.set(caller.queue, (waiting.get(caller.queue) ?? 0) + 1);
  const ids = [...board.queues.map((queue) => queue.id), ...board.counters.map((entry) => entry.queue).filter((id) => !board.queues.some((queue) => queue.id === id))];
  const names = new Map(board.queues.map((queue) => [queue.id, queue.name]));
  return ids.map((id) => ({
    id,
    name: names.get(id) || id,
    waiting: waiting.get(id) ?? 0,
    figures: queueFigures(counters.get(id) ?? emptyCounters(id)),
  }));
}

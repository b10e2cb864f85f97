/**
 * The desk's state in one word, for the tray and its tooltip: can it take calls now? Derived
 * from what main already knows — the PBX link's indicator (`status.snapshot`) and this desk's
 * agent on the queue board (`queue.view`) — never kept as a flag of its own.
 */
import type { QueueView } from '../pbx/pbx-contract';
import type { CoreStatus } from '../status/system-status';

/**
 * `registered`: the PBX link is up and the agent is not paused; `reconnecting`: the link is
 * being (re)established; `offline`: no link (not configured, refused, unreachable); `paused`:
 * the link is up and this desk's agent is paused on the PBX (with its reason, when it gave one).
 */
export type DeskState = { state: 'registered' } | { state: 'reconnecting' } | { state: 'offline' } | { state: 'paused'; reason: string | null };

/** The desk's state from the PBX indicator and, when known, the queue board's view of this desk's agent. */
export function deskStateOf(status: Pick<CoreStatus, 'pbx'>, queue: Pick<QueueView, 'live' | 'board' | 'agentExtension'> | null): DeskState {
  switch (status.pbx.state) {
    case 'connecting':
    case 'reconnecting':
      return { state: 'reconnecting' };
    case 'online':
    case 'degraded':
      break;
    default:
      return { state: 'offline' };
  }
  const extension = queue?.live ? queue.agentExtension : null;
  const agent = extension === null ? undefined : queue?.board.agents.find((candidate) => candidate.extension === extension);
  if (agent?.state === 'paused') return { state: 'paused', reason: agent.pauseReason };
  return { state: 'registered' };
}

import { emptyCounters, type AgentState, type PbxSnapshot, type QueueAgent, type QueueCaller, type QueueCounters } from '../../../src-shared/pbx/pbx-model';
import { countAbandoned, countAnswered, countOffered, countTalk } from '../../../src-shared/pbx/queue-counting';
import type { PbxEvent } from '../connectors/pbx/pbx-connector';

/**
 * The live queue board: the last snapshot of the PBX with every domain event since applied to
 * it (docs/architecture.md, "PBX, queue and callbacks"). Maps, not arrays, so an event costs the
 * same with 500 callers waiting as with 5; `snapshot()` builds the arrays when the view asks.
 * The board only mirrors the PBX: an agent's state changes on the PBX's event, never on a
 * command the desk sent.
 */
export class QueueBoard {
  private queues = new Map<string, string>();
  private callers = new Map<string, QueueCaller>();
  private agents = new Map<string, QueueAgent>();
  private counters = new Map<string, QueueCounters>();
  private at = 0;
  /** Day (local date) the counters are for; they restart at midnight. */
  private day = '';

  constructor(private readonly slaSeconds: () => number) {}

  /** Replaces everything with the PBX's own snapshot (after every (re)connect). */
  reset(snapshot: PbxSnapshot): void {
    this.queues = new Map(snapshot.queues.map((queue) => [queue.id, queue.name]));
    this.callers = new Map(snapshot.callers.map((caller) => [caller.callId, { ...caller }]));
    this.agents = new Map(snapshot.agents.map((agent) => [agent.extension, { ...agent, queues: [...agent.queues], call: agent.call && { ...agent.call } }]));
    this.counters = new Map(snapshot.counters.map((counters) => [counters.queue, { ...counters }]));
    this.at = snapshot.at;
    this.day = dayOf(snapshot.at);
  }

  /** Empties the board (no PBX link: nothing is known, which is not "nobody waits"). */
  clear(): void {
    this.reset({ at: 0, queues: [], callers: [], agents: [], counters: [] });
  }

  agent(extension: string): QueueAgent | null {
    return this.agents.get(extension) ?? null;
  }

  /** The numbers on the board (waiting or talking), for the cached-name lookup. */
  numbers(): string[] {
    const numbers = new Set<string>();
    for (const caller of this.callers.values()) if (caller.number) numbers.add(caller.number);
    for (const agent of this.agents.values()) if (agent.call?.number) numbers.add(agent.call.number);
    return [...numbers];
  }

  /** Applies one domain event; returns false when it changed nothing the view shows. */
  apply(event: PbxEvent): boolean {
    this.at = Math.max(this.at, event.at);
    // By the latest time seen: an event stamped a moment before midnight that arrives after the
    // new day began must not roll the counters back (and wipe today's).
    this.rollDay(this.at);
    switch (event.type) {
      case 'queue.joined': {
        this.knowQueue(event.queue);
        this.callers.set(event.callId, { callId: event.callId, number: event.number, queue: event.queue, position: Math.max(1, event.position), joinedAt: event.at });
        countOffered(this.count(event.queue));
        return true;
      }
      case 'queue.left': {
        const caller = this.callers.get(event.callId);
        if (!caller) return false;
        this.callers.delete(event.callId);
        this.renumber(caller.queue, caller.position);
        return true;
      }
      case 'queue.abandoned': {
        countAbandoned(this.count(event.queue), event.waitSec);
        const caller = this.callers.get(event.callId);
        if (caller) {
          this.callers.delete(event.callId);
          this.renumber(caller.queue, caller.position);
        }
        return true;
      }
      case 'call.ringing':
        return this.setAgentCall(event.extension, 'ringing', { callId: event.callId, number: event.number, queue: event.queue, since: event.at }, event.at);
      case 'call.answered': {
        if (event.queue !== null && event.waitSec !== null) countAnswered(this.count(event.queue), event.waitSec, this.slaSeconds());
        const caller = this.callers.get(event.callId);
        if (caller) {
          this.callers.delete(event.callId);
          this.renumber(caller.queue, caller.position);
        }
        this.setAgentCall(event.extension, 'talking', { callId: event.callId, number: event.number, queue: event.queue, since: event.at }, event.at);
        return true;
      }
      case 'call.ended': {
        if (event.queue !== null && event.answered && event.talkSec !== null) countTalk(this.count(event.queue), event.talkSec);
        if (event.extension !== null) {
          const agent = this.agents.get(event.extension);
          if (agent?.call?.callId === event.callId) {
            // The agent's next state comes from the PBX's agent.status; until then it is free of this call.
            this.agents.set(event.extension, { ...agent, call: null });
          }
        }
        return true;
      }
      case 'call.missed': {
        const agent = this.agents.get(event.extension);
        if (agent?.call?.callId === event.callId) this.agents.set(event.extension, { ...agent, call: null });
        return agent !== undefined;
      }
      case 'agent.status': {
        const agent = this.agents.get(event.extension);
        if (!agent) return false;
        const keepsCall = event.state === 'talking' || event.state === 'ringing' || event.state === 'wrap-up';
        if (agent.state === event.state && agent.pauseReason === event.pauseReason && (keepsCall || agent.call === null)) return false;
        this.agents.set(event.extension, {
          ...agent,
          state: event.state,
          since: agent.state === event.state ? agent.since : event.at,
          pauseReason: event.state === 'paused' ? event.pauseReason : null,
          call: keepsCall ? agent.call : null,
        });
        return true;
      }
      case 'agent.ringNoAnswer': {
        const agent = this.agents.get(event.extension);
        if (agent?.call?.callId === event.callId) this.agents.set(event.extension, { ...agent, call: null });
        return agent !== undefined;
      }
      // A supervisor listening in changes nothing on the board (the supervisor's pane follows it).
      case 'monitor.started':
      case 'monitor.stopped':
      case 'shared.changed':
        return false;
    }
  }

  snapshot(): PbxSnapshot {
    return {
      at: this.at,
      queues: [...this.queues].map(([id, name]) => ({ id, name })),
      callers: [...this.callers.values()],
      agents: [...this.agents.values()],
      counters: [...this.counters.values()],
    };
  }

  private setAgentCall(extension: string, state: AgentState, call: QueueAgent['call'], at: number): boolean {
    const agent = this.agents.get(extension);
    if (!agent) return false;
    // A call is with one agent at a time: a transfer or a re-ring moves it.
    if (call) {
      for (const [other, holder] of this.agents) {
        if (other !== extension && holder.call?.callId === call.callId) this.agents.set(other, { ...holder, call: null });
      }
    }
    this.agents.set(extension, { ...agent, state, since: agent.state === state ? agent.since : at, pauseReason: null, call });
    return true;
  }

  private knowQueue(queue: string): void {
    if (!this.queues.has(queue)) this.queues.set(queue, queue);
  }

  private count(queue: string): QueueCounters {
    this.knowQueue(queue);
    let counters = this.counters.get(queue);
    if (!counters) {
      counters = emptyCounters(queue);
      this.counters.set(queue, counters);
    }
    return counters;
  }

  /** The callers behind one who left move up one place (as the PBX renumbers them). */
  private renumber(queue: string, leftPosition: number): void {
    for (const [callId, caller] of this.callers) {
      if (caller.queue === queue && caller.position > leftPosition) this.callers.set(callId, { ...caller, position: caller.position - 1 });
    }
  }

  private rollDay(at: number): void {
    const day = dayOf(at);
    if (this.day !== '' && day !== this.day) {
      for (const queue of this.counters.keys()) this.counters.set(queue, emptyCounters(queue));
    }
    this.day = day;
  }
}

function dayOf(at: number): string {
  const date = new Date(at);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

import type { AgentState, PbxSnapshot, QueueAgent, QueueCaller, QueueCounters } from '../../../../src-shared/pbx/pbx-model';
import { emptyCounters, ExtensionSchema, QueueIdSchema } from '../../../../src-shared/pbx/pbx-model';
import { SHARED_VALUE_MAX, type PbxEvent } from '../pbx/pbx-connector';
import { ExtensionResolver } from './ami-interfaces';
import type { AmiMessage } from './ami-parser';
import { cleanDecimal, cleanId, cleanInt, cleanNumber, cleanText, isTrue } from './ami-sanitize';
import { countAbandoned, countAnswered, countOffered, countTalk } from '../../../../src-shared/pbx/queue-counting';

/**
 * The switchboard as AMI tells it, and the domain events it raises (docs/architecture.md, "PBX,
 * queue and callbacks"). Pure: no I/O, time is passed in. Calls are keyed by `Linkedid` (a queue
 * call and the agent's leg share it); members become agents through the interface patterns.
 * A malformed event is repaired or dropped and counted; nothing here throws, and
 * {@link AmiSwitchboard.snapshot} always satisfies `PbxSnapshotSchema`.
 */

/** The events the mapper reads: the session's `Filter` whitelist (plus `UserEvent` for the shared record). */
export const AMI_EVENT_WHITELIST = [
  'QueueCallerJoin',
  'QueueCallerLeave',
  'QueueCallerAbandon',
  'AgentCalled',
  'AgentConnect',
  'AgentComplete',
  'AgentRingNoAnswer',
  'QueueMemberStatus',
  'QueueMemberPause',
  'QueueMemberPaused',
  'QueueMemberAdded',
  'QueueMemberRemoved',
  'DialBegin',
  'DialEnd',
  'Hangup',
  'OriginateResponse',
  'ChanSpyStart',
  'ChanSpyStop',
  'UserEvent',
] as const;

/** The `UserEvent:` name the desks' shared record travels under. */
export const SHARED_USER_EVENT = 'RegistraturaShared';
export const SHARED_KEY_MAX = 200;

export interface AmiMapperOptions {
  /** Queues to watch; empty: all. */
  queues: readonly string[];
  /** Queue id → display name. */
  queueNames: Readonly<Record<string, string>>;
  /** Interface patterns an extension appears under (member, state and device interfaces). */
  interfacePatterns: readonly string[];
  /** Extensions that take direct calls though in no queue (this desk's own). */
  extraExtensions?: readonly string[];
  slaSeconds: number;
}

export interface AmiMapperStats {
  events: number;
  /** Not for us: unknown events, unwatched queues, unmapped members. */
  ignored: number;
  /** Dropped for missing or invalid essentials. */
  malformed: number;
  /** Kept with a field fixed (non-numeric number → 0, hostile text cleaned). */
  repaired: number;
  /** Refused because a bound (queues, members, callers) was reached. */
  overCapacity: number;
  /** Internal faults caught (a bug: always 0 in the tests). */
  faults: number;
}

/** Device state numbers (include/asterisk/devicestate.h, `enum ast_device_state`). */
const enum Device {
  Unknown = 0,
  NotInUse = 1,
  InUse = 2,
  Busy = 3,
  Invalid = 4,
  Unavailable = 5,
  Ringing = 6,
  RingInUse = 7,
  OnHold = 8,
}

interface MemberQueue {
  paused: boolean;
  reason: string;
}

interface Ringing {
  callId: string;
  number: string;
  queue: string | null;
  since: number;
  uniqueid: string | null;
}

interface ActiveCall {
  callId: string;
  number: string;
  queue: string | null;
  since: number;
  uniqueid: string | null;
}

interface Member {
  extension: string;
  name: string;
  queues: Map<string, MemberQueue>;
  device: number;
  wrapupSec: number;
  ringing: Ringing | null;
  call: ActiveCall | null;
  wrapUntil: number;
  /** What was last reported. */
  state: AgentState | null;
  pauseReason: string | null;
  since: number;
}

interface Caller {
  number: string;
  position: number;
  joinedAt: number;
  uniqueid: string | null;
}

interface Queue {
  id: string;
  counters: QueueCounters;
  countersKnown: boolean;
  callers: Map<string, Caller>;
}

interface QueueCall {
  queue: string;
  number: string;
  callerUniqueid: string | null;
  answeredBy: string | null;
  abandoned: boolean;
  ended: boolean;
}

interface DirectLeg {
  extension: string;
  callId: string;
  number: string;
  answeredAt: number | null;
}

/** A running ChanSpy, by its spyer channel (Uniqueid, else name). */
interface Spy {
  supervisor: string;
  extension: string;
}

const MAX_QUEUES = 200;
const MAX_MEMBERS = 2_000;
const MAX_CALLERS = 5_000;
const MAX_MEMBER_QUEUES = 64;
const MAX_TRACKED = 10_000;
/** A wait or talk longer than this is not believed (a week, in s). */
const MAX_SECONDS = 7 * 24 * 3600;

/** Insertion-ordered map that forgets its oldest entries past `max`. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

function ms(now: number): number {
  return Number.isFinite(now) ? Math.max(0, Math.floor(now)) : 0;
}

function startOfNextDay(now: number): number {
  const d = new Date(now);
  d.setHours(24, 0, 0, 0);
  return d.getTime();
}

/** `00:01:05` → 65 (s); null when not that shape. */
function parseDuration(raw: string | undefined): number | null {
  const m = raw ? /^(\d{1,5}):(\d{2}):(\d{2})$/.exec(raw.trim()) : null;
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

export class AmiSwitchboard {
  readonly stats: AmiMapperStats = { events: 0, ignored: 0, malformed: 0, repaired: 0, overCapacity: 0, faults: 0 };
  readonly resolver: ExtensionResolver;
  private readonly watched: Set<string> | null;
  private readonly queues = new Map<string, Queue>();
  private readonly members = new Map<string, Member>();
  private readonly calls = new BoundedMap<string, QueueCall>(MAX_TRACKED);
  private readonly directLegs = new BoundedMap<string, DirectLeg>(MAX_TRACKED);
  private readonly spies = new BoundedMap<string, Spy>(MAX_TRACKED);
  private readonly extra: Set<string>;
  private callerCount = 0;
  private dayEnd: number | null = null;

  constructor(private readonly options: AmiMapperOptions) {
    this.resolver = new ExtensionResolver(options.interfacePatterns);
    this.watched = options.queues.length > 0 ? new Set(options.queues) : null;
    this.extra = new Set(options.extraExtensions ?? []);
  }

  /** Maps one AMI event; returns the domain events it raises (possibly none). Never throws. */
  handle(message: AmiMessage, now: number): PbxEvent[] {
    const out: PbxEvent[] = [];
    const at = ms(now);
    this.stats.events++;
    try {
      this.rollDay(at);
      this.dispatch(message, at, out);
    } catch {
      // A bug here must not take the connection down; the event is lost, the model stays.
      this.stats.faults++;
    }
    return out;
  }

  /** Re-derives states whose time ran out (wrap-up); returns the `agent.status` changes. */
  tick(now: number): PbxEvent[] {
    const out: PbxEvent[] = [];
    const at = ms(now);
    this.rollDay(at);
    for (const member of this.members.values()) this.refresh(member, at, out);
    return out;
  }

  /**
   * Rebuilds the model from the lists of a resync: `QueueStatus` (QueueParams, QueueMember,
   * QueueEntry), `QueueSummary`, `CoreShowChannels`. The lists are authoritative for the queues
   * they name; counters take the PBX's totals only where the model has none yet.
   */
  rebuild(lists: { queueStatus?: readonly AmiMessage[]; queueSummary?: readonly AmiMessage[]; channels?: readonly AmiMessage[] }, now: number): void {
    const at = ms(now);
    try {
      this.rollDay(at);
      this.rebuildLists(lists, at);
    } catch {
      this.stats.faults++;
    }
  }

  snapshot(now: number): PbxSnapshot {
    const at = ms(now);
    this.rollDay(at);
    const queues = [...this.queues.values()].slice(0, MAX_QUEUES);
    const callers: QueueCaller[] = [];
    for (const queue of queues) {
      const sorted = [...queue.callers.entries()].sort((a, b) => a[1].position - b[1].position);
      for (const [callId, c] of sorted) {
        callers.push({ callId, number: c.number, queue: queue.id, position: Math.max(1, c.position), joinedAt: Math.min(c.joinedAt, at) });
      }
    }
    const agents: QueueAgent[] = [];
    for (const member of this.members.values()) {
      const state = this.derive(member, at);
      const call = member.call ?? member.ringing;
      agents.push({
        extension: member.extension,
        name: member.name,
        state: state.state,
        since: member.state === state.state ? member.since : at,
        pauseReason: state.pauseReason,
        queues: [...member.queues.keys()],
        call: call ? { callId: call.callId, number: call.number, queue: call.queue, since: call.since } : null,
      });
    }
    agents.sort((a, b) => a.extension.localeCompare(b.extension));
    return {
      at,
      queues: queues.map((q) => ({ id: q.id, name: this.queueName(q.id) })),
      callers: callers.slice(0, MAX_CALLERS),
      agents: agents.slice(0, MAX_MEMBERS),
      counters: queues.map((q) => ({ ...q.counters })),
    };
  }

  /** The call `extension` is on (from events), for commands. */
  callOf(extension: string): { callId: string; uniqueid: string | null } | null {
    const member = this.members.get(extension);
    const call = member?.call ?? null;
    return call ? { callId: call.callId, uniqueid: call.uniqueid } : null;
  }

  // ---- events -------------------------------------------------------------------------------

  private dispatch(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const name = (m.event ?? '').toLowerCase();
    switch (name) {
      case 'queuecallerjoin':
        return this.onJoin(m, at, out);
      case 'queuecallerabandon':
        return this.onAbandon(m, at, out);
      case 'queuecallerleave':
        return this.onLeave(m, at, out);
      case 'agentcalled':
        return this.onAgentCalled(m, at, out);
      case 'agentringnoanswer':
        return this.onRingNoAnswer(m, at, out);
      case 'agentconnect':
        return this.onAgentConnect(m, at, out);
      case 'agentcomplete':
        return this.onAgentComplete(m, at, out);
      case 'queuemember':
      case 'queuememberstatus':
      case 'queuememberadded':
      case 'queuememberpause':
      case 'queuememberpaused':
        return this.onMember(m, at, out);
      case 'queuememberremoved':
        return this.onMemberRemoved(m, at, out);
      case 'dialbegin':
        return this.onDialBegin(m, at, out);
      case 'dialend':
        return this.onDialEnd(m, at, out);
      case 'hangup':
        return this.onHangup(m, at, out);
      case 'chanspystart':
        return this.onSpyStart(m, at, out);
      case 'chanspystop':
        return this.onSpyStop(m, at, out);
      case 'userevent':
        return this.onUserEvent(m, at, out);
      default:
        this.stats.ignored++;
    }
  }

  /** The watched queue the event names, created on first sight; null (counted) otherwise. */
  private queueOf(m: AmiMessage, create = true): Queue | null {
    const raw = m.get('Queue');
    const parsed = QueueIdSchema.safeParse(raw?.trim());
    if (!parsed.success) {
      this.stats.malformed++;
      return null;
    }
    const id = parsed.data;
    if (this.watched && !this.watched.has(id)) {
      this.stats.ignored++;
      return null;
    }
    let queue = this.queues.get(id);
    if (!queue && create) {
      if (this.queues.size >= MAX_QUEUES) {
        this.stats.overCapacity++;
        return null;
      }
      queue = { id, counters: emptyCounters(id), countersKnown: false, callers: new Map() };
      this.queues.set(id, queue);
    }
    return queue ?? null;
  }

  private callIdOf(m: AmiMessage): string | null {
    return cleanId(m.get('Linkedid')) ?? cleanId(m.get('Uniqueid'));
  }

  private number(m: AmiMessage, key = 'CallerIDNum'): string {
    const raw = m.get(key);
    const clean = cleanNumber(raw);
    if (raw !== undefined && clean !== raw.trim() && !/^<?unknown>?$/i.test(raw.trim())) this.stats.repaired++;
    return clean;
  }

  private seconds(m: AmiMessage, key: string): number {
    const raw = m.get(key);
    const value = cleanInt(raw, MAX_SECONDS);
    if (value === null) {
      if (raw !== undefined) this.stats.repaired++;
      return 0;
    }
    return value;
  }

  private onJoin(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const callId = this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    const queue = this.queueOf(m);
    if (!queue) return;
    const number = this.number(m);
    const position = cleanInt(m.get('Position'), MAX_CALLERS) ?? queue.callers.size + 1;
    if (!queue.callers.has(callId)) {
      if (this.callerCount >= MAX_CALLERS) return void this.stats.overCapacity++;
      this.callerCount++;
      countOffered(queue.counters);
    }
    queue.callers.set(callId, { number, position: Math.max(1, position), joinedAt: at, uniqueid: cleanId(m.get('Uniqueid')) });
    this.calls.set(callId, { queue: queue.id, number, callerUniqueid: cleanId(m.get('Uniqueid')), answeredBy: null, abandoned: false, ended: false });
    out.push({ type: 'queue.joined', at, callId, number, queue: queue.id, position: Math.max(1, position) });
  }

  private removeCaller(queue: Queue, callId: string): Caller | null {
    const caller = queue.callers.get(callId);
    if (!caller) return null;
    queue.callers.delete(callId);
    this.callerCount = Math.max(0, this.callerCount - 1);
    for (const other of queue.callers.values()) if (other.position > caller.position) other.position--;
    return caller;
  }

  private onAbandon(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const callId = this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    const queue = this.queueOf(m);
    if (!queue) return;
    const waitSec = this.seconds(m, 'HoldTime');
    const position = cleanInt(m.get('Position'), MAX_CALLERS) ?? queue.callers.get(callId)?.position ?? 1;
    const call = this.calls.get(callId);
    if (call?.abandoned) return; // a replayed event counts once
    const number = this.number(m);
    countAbandoned(queue.counters, waitSec);
    if (call) call.abandoned = true;
    else this.calls.set(callId, { queue: queue.id, number, callerUniqueid: cleanId(m.get('Uniqueid')), answeredBy: null, abandoned: true, ended: false });
    for (const member of this.members.values()) if (member.ringing?.callId === callId) this.clearRinging(member, at, out);
    out.push({ type: 'queue.abandoned', at, callId, number, queue: queue.id, position: Math.max(1, position), waitSec });
  }

  private onLeave(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const callId = this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    const queue = this.queueOf(m);
    if (!queue) return;
    const removed = this.removeCaller(queue, callId);
    const call = this.calls.get(callId);
    // Order on the wire (transcripts 02, 03, 05): QueueCallerAbandon before Leave; DialEnd ANSWER
    // before Leave, AgentConnect after it.
    const reason = call?.abandoned ? 'abandoned' : call?.answeredBy ? 'answered' : 'other';
    if (!removed && !call) this.stats.repaired++;
    out.push({ type: 'queue.left', at, callId, number: removed?.number ?? this.number(m), queue: queue.id, reason });
  }

  private memberFrom(m: AmiMessage, at: number, create: boolean): Member | null {
    const ext =
      this.resolver.fromInterface(m.get('Interface')) ?? this.resolver.fromInterface(m.get('Location')) ?? this.resolver.fromInterface(m.get('StateInterface'));
    if (!ext || !ExtensionSchema.safeParse(ext).success) {
      this.stats.ignored++;
      return null;
    }
    let member = this.members.get(ext);
    if (!member && create) {
      if (this.members.size >= MAX_MEMBERS) {
        this.stats.overCapacity++;
        return null;
      }
      member = {
        extension: ext,
        name: ext,
        queues: new Map(),
        device: Device.Unknown,
        wrapupSec: 0,
        ringing: null,
        call: null,
        wrapUntil: 0,
        state: null,
        pauseReason: null,
        since: at,
      };
      this.members.set(ext, member);
    }
    return member ?? null;
  }

  private onMember(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const queue = this.queueOf(m);
    if (!queue) return;
    const member = this.memberFrom(m, at, true);
    if (!member) return;
    this.applyMember(member, queue.id, m);
    this.refresh(member, at, out);
  }

  private applyMember(member: Member, queueId: string, m: AmiMessage): void {
    const name = cleanText(m.get('MemberName') ?? m.get('Name'));
    if (name) member.name = name;
    const status = cleanInt(m.get('Status'), 99);
    if (status !== null) member.device = status;
    else if (m.has('Status')) this.stats.repaired++;
    // The member's own wrapuptime (app_queue.c prints mem->wrapuptime; 0 = the queue's, which
    // AMI does not report): a queue-level wrap-up shows as ready.
    const wrap = cleanInt(m.get('Wrapuptime'), 3600);
    if (wrap !== null) member.wrapupSec = wrap;
    if (!member.queues.has(queueId) && member.queues.size >= MAX_MEMBER_QUEUES) return void this.stats.overCapacity++;
    const previous = member.queues.get(queueId);
    const paused = m.has('Paused') ? isTrue(m.get('Paused')) : (previous?.paused ?? false);
    const reason = paused ? cleanText(m.get('PausedReason') ?? previous?.reason) : '';
    member.queues.set(queueId, { paused, reason });
    // A device that is idle again has no call ringing or up (a missed Hangup must not stick).
    if (member.device === Device.NotInUse || member.device === Device.Unavailable || member.device === Device.Invalid) {
      member.ringing = null;
      member.call = null;
    }
  }

  private onMemberRemoved(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const queue = this.queueOf(m, false);
    if (!queue) return;
    const member = this.memberFrom(m, at, false);
    if (!member) return;
    member.queues.delete(queue.id);
    if (member.queues.size === 0 && !this.extra.has(member.extension)) {
      this.members.delete(member.extension);
      if (member.state !== 'offline') out.push({ type: 'agent.status', at, extension: member.extension, state: 'offline', pauseReason: null });
    } else this.refresh(member, at, out);
  }

  private onAgentCalled(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const callId = this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    const queue = this.queueOf(m);
    if (!queue) return;
    const member = this.memberFrom(m, at, true);
    if (!member) return;
    if (!member.queues.has(queue.id) && member.queues.size < MAX_MEMBER_QUEUES) member.queues.set(queue.id, { paused: false, reason: '' });
    const name = cleanText(m.get('MemberName'));
    if (name && member.name === member.extension) member.name = name;
    const number = this.number(m);
    member.ringing = { callId, number, queue: queue.id, since: at, uniqueid: cleanId(m.get('DestUniqueid')) };
    out.push({ type: 'call.ringing', at, callId, number, extension: member.extension, queue: queue.id });
    this.refresh(member, at, out);
  }

  private onRingNoAnswer(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const callId = this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    const queue = this.queueOf(m);
    if (!queue) return;
    const member = this.memberFrom(m, at, false);
    if (!member) return;
    const ringMs = cleanInt(m.get('RingTime'), MAX_SECONDS * 1000);
    if (ringMs === null) this.stats.repaired++;
    out.push({ type: 'agent.ringNoAnswer', at, extension: member.extension, callId, number: this.number(m), queue: queue.id, ringMs: ringMs ?? 0 });
    if (member.ringing?.callId === callId) this.clearRinging(member, at, out);
  }

  private onAgentConnect(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const callId = this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    const queue = this.queueOf(m);
    if (!queue) return;
    const member = this.memberFrom(m, at, true);
    if (!member) return;
    if (!member.queues.has(queue.id) && member.queues.size < MAX_MEMBER_QUEUES) member.queues.set(queue.id, { paused: false, reason: '' });
    const waitSec = this.seconds(m, 'HoldTime');
    const number = this.number(m);
    const call = this.calls.get(callId);
    if (call?.answeredBy === member.extension && member.call?.callId === callId) return; // replayed
    countAnswered(queue.counters, waitSec, this.options.slaSeconds);
    this.removeCaller(queue, callId);
    if (call) call.answeredBy = member.extension;
    else this.calls.set(callId, { queue: queue.id, number, callerUniqueid: cleanId(m.get('Uniqueid')), answeredBy: member.extension, abandoned: false, ended: false });
    member.ringing = null;
    member.call = { callId, number, queue: queue.id, since: at, uniqueid: cleanId(m.get('DestUniqueid')) };
    member.wrapUntil = 0;
    for (const other of this.members.values()) if (other !== member && other.ringing?.callId === callId) this.clearRinging(other, at, out);
    out.push({ type: 'call.answered', at, callId, number, extension: member.extension, queue: queue.id, waitSec });
    this.refresh(member, at, out);
  }

  private onAgentComplete(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const callId = this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    const queue = this.queueOf(m);
    if (!queue) return;
    const member = this.memberFrom(m, at, false);
    const extension = member?.extension ?? this.resolver.fromInterface(m.get('Interface'));
    const call = this.calls.get(callId);
    if (call?.ended) return; // replayed
    const talkSec = this.seconds(m, 'TalkTime');
    countTalk(queue.counters, talkSec);
    if (call) call.ended = true;
    out.push({ type: 'call.ended', at, callId, number: call?.number ?? this.number(m), extension: extension ?? null, queue: queue.id, answered: true, talkSec });
    if (member) {
      if (member.call?.callId === callId) member.call = null;
      const wrap = member.wrapupSec;
      if (wrap > 0 && !member.call) member.wrapUntil = at + wrap * 1000;
      this.refresh(member, at, out);
    }
  }

  private onDialBegin(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const destUniqueid = cleanId(m.get('DestUniqueid'));
    const extension = this.resolver.fromChannel(m.get('DestChannel'));
    if (!destUniqueid || !extension || !m.has('Channel')) return void this.stats.ignored++;
    const member = this.members.get(extension) ?? null;
    if (!member && !this.extra.has(extension)) return void this.stats.ignored++;
    const callId = cleanId(m.get('DestLinkedid')) ?? this.callIdOf(m);
    if (!callId) return void this.stats.malformed++;
    // The device leg of a queue call (a Local member dialling its phone) is not a direct call.
    if (member?.ringing?.callId === callId || member?.call?.callId === callId) return void this.stats.ignored++;
    const number = this.number(m);
    this.directLegs.set(destUniqueid, { extension, callId, number, answeredAt: null });
    if (member) member.ringing = { callId, number, queue: null, since: at, uniqueid: destUniqueid };
    out.push({ type: 'call.ringing', at, callId, number, extension, queue: null });
    if (member) this.refresh(member, at, out);
  }

  private onDialEnd(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const destUniqueid = cleanId(m.get('DestUniqueid'));
    if (!destUniqueid) return void this.stats.ignored++;
    const status = (m.get('DialStatus') ?? '').trim().toUpperCase();
    const leg = this.directLegs.get(destUniqueid);
    if (leg) {
      const member = this.members.get(leg.extension);
      if (status === 'ANSWER') {
        if (leg.answeredAt !== null) return;
        leg.answeredAt = at;
        if (member) {
          member.ringing = null;
          member.call = { callId: leg.callId, number: leg.number, queue: null, since: at, uniqueid: destUniqueid };
        }
        out.push({ type: 'call.answered', at, callId: leg.callId, number: leg.number, extension: leg.extension, queue: null, waitSec: null });
      } else if (status !== '' && leg.answeredAt === null) {
        this.directLegs.delete(destUniqueid);
        if (member?.ringing?.uniqueid === destUniqueid) member.ringing = null;
        out.push({ type: 'call.missed', at, callId: leg.callId, number: leg.number, extension: leg.extension, reason: status === 'BUSY' ? 'rejected' : 'missed' });
      }
      if (member) this.refresh(member, at, out);
      return;
    }
    // A queue leg: remember who answered (QueueCallerLeave comes before AgentConnect).
    const extension = this.resolver.fromChannel(m.get('DestChannel'));
    const member = extension ? this.members.get(extension) : undefined;
    if (!member) return void this.stats.ignored++;
    if (status === 'ANSWER') {
      const callId = member.ringing?.callId ?? cleanId(m.get('DestLinkedid'));
      const call = callId ? this.calls.get(callId) : undefined;
      if (call && !call.answeredBy) call.answeredBy = member.extension;
    } else if (member.ringing?.uniqueid === destUniqueid) this.clearRinging(member, at, out);
  }

  private onHangup(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const uniqueid = cleanId(m.get('Uniqueid'));
    if (!uniqueid) return void this.stats.malformed++;
    // A spying channel gone without its ChanSpyStop (an AMI Hangup while no media flowed, transcript 05's notes).
    for (const key of [uniqueid, cleanId(m.get('Channel'))]) {
      const spy = key ? this.spies.get(key) : undefined;
      if (!key || !spy) continue;
      this.spies.delete(key);
      out.push({ type: 'monitor.stopped', at, supervisorExtension: spy.supervisor, extension: spy.extension });
    }
    const leg = this.directLegs.get(uniqueid);
    if (leg) {
      this.directLegs.delete(uniqueid);
      if (leg.answeredAt !== null) {
        const talkSec = Math.min(MAX_SECONDS, Math.max(0, Math.round((at - leg.answeredAt) / 1000)));
        out.push({ type: 'call.ended', at, callId: leg.callId, number: leg.number, extension: leg.extension, queue: null, answered: true, talkSec });
      } else out.push({ type: 'call.missed', at, callId: leg.callId, number: leg.number, extension: leg.extension, reason: 'missed' });
    }
    for (const member of this.members.values()) {
      let changed = false;
      if (member.ringing?.uniqueid === uniqueid) {
        member.ringing = null;
        changed = true;
      }
      if (member.call?.uniqueid === uniqueid) {
        member.call = null;
        changed = true;
      }
      if (changed) this.refresh(member, at, out);
    }
    // The caller's channel: a queue call nobody answered ends here.
    const callId = this.callIdOf(m);
    const call = callId ? this.calls.get(callId) : undefined;
    if (callId && call && call.callerUniqueid === uniqueid) {
      const queue = this.queues.get(call.queue);
      if (queue) this.removeCaller(queue, callId);
      if (!call.answeredBy && !call.ended) {
        call.ended = true;
        out.push({ type: 'call.ended', at, callId, number: call.number, extension: null, queue: call.queue, answered: false, talkSec: null });
      }
      this.calls.delete(callId);
    }
  }

  /**
   * `ChanSpyStart` (transcripts 03 and 05): the Spyer channel is the supervisor's, the Spyee the
   * agent's; the call is the Spyee's Linkedid, the id the board knows the call by.
   */
  private onSpyStart(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const key = spyKey(m);
    const supervisor = spyerExtension(m.get('SpyerChannel'), m.get('SpyerCallerIDNum'), this.resolver);
    const extension = this.resolver.fromChannel(m.get('SpyeeChannel'));
    if (!key || !supervisor || !extension || !ExtensionSchema.safeParse(extension).success) return void this.stats.malformed++;
    const callId = cleanId(m.get('SpyeeLinkedid')) ?? this.members.get(extension)?.call?.callId ?? null;
    this.spies.set(key, { supervisor, extension });
    out.push({ type: 'monitor.started', at, supervisorExtension: supervisor, extension, callId });
  }

  /** `ChanSpyStop`: the spy that started on this Spyer channel (older Asterisk sends no Spyee fields here). */
  private onSpyStop(m: AmiMessage, at: number, out: PbxEvent[]): void {
    const key = spyKey(m);
    const known = key ? this.spies.get(key) : undefined;
    if (key) this.spies.delete(key);
    const supervisor = known?.supervisor ?? spyerExtension(m.get('SpyerChannel'), m.get('SpyerCallerIDNum'), this.resolver);
    const spyee = this.resolver.fromChannel(m.get('SpyeeChannel'));
    const extension = known?.extension ?? (spyee && ExtensionSchema.safeParse(spyee).success ? spyee : null);
    if (!supervisor || !extension) return void this.stats.malformed++;
    out.push({ type: 'monitor.stopped', at, supervisorExtension: supervisor, extension });
  }

  private onUserEvent(m: AmiMessage, at: number, out: PbxEvent[]): void {
    if ((m.get('UserEvent') ?? '').trim().toLowerCase() !== SHARED_USER_EVENT.toLowerCase()) return void this.stats.ignored++;
    const key = m.get('Key')?.trim() ?? '';
    if (key.length === 0 || key.length > SHARED_KEY_MAX || !/^[\x21-\x7E]+$/.test(key)) return void this.stats.malformed++;
    const removed = isTrue(m.get('Removed'));
    const value = m.get('Val') ?? '';
    if (!removed && (value.length > SHARED_VALUE_MAX || /[\p{Cc}]/u.test(value))) return void this.stats.malformed++;
    out.push({ type: 'shared.changed', at, key, value: removed ? null : value });
  }

  // ---- agents -------------------------------------------------------------------------------

  private clearRinging(member: Member, at: number, out: PbxEvent[]): void {
    member.ringing = null;
    this.refresh(member, at, out);
  }

  private derive(member: Member, at: number): { state: AgentState; pauseReason: string | null } {
    const queues = [...member.queues.values()];
    const paused = queues.length > 0 && queues.every((q) => q.paused);
    const pauseReason = paused ? (queues.find((q) => q.reason)?.reason ?? '') || null : null;
    const d = member.device;
    // A channel up on the agent's phone outweighs a stale device state.
    if (member.call) return { state: 'talking', pauseReason };
    if (d === Device.Invalid || d === Device.Unavailable) return { state: 'offline', pauseReason: paused ? pauseReason : null };
    if (d === Device.InUse || d === Device.Busy || d === Device.RingInUse || d === Device.OnHold) return { state: 'talking', pauseReason };
    if (member.ringing || d === Device.Ringing) return { state: 'ringing', pauseReason };
    if (paused) return { state: 'paused', pauseReason };
    if (member.wrapUntil > at) return { state: 'wrap-up', pauseReason: null };
    return { state: 'ready', pauseReason: null };
  }

  /** Reports the member's state when it changed. */
  private refresh(member: Member, at: number, out: PbxEvent[]): void {
    const next = this.derive(member, at);
    if (next.state === member.state && next.pauseReason === member.pauseReason) return;
    if (next.state !== member.state) member.since = at;
    member.state = next.state;
    member.pauseReason = next.pauseReason;
    out.push({ type: 'agent.status', at, extension: member.extension, state: next.state, pauseReason: next.pauseReason });
  }

  // ---- resync -------------------------------------------------------------------------------

  private rebuildLists(lists: { queueStatus?: readonly AmiMessage[]; queueSummary?: readonly AmiMessage[]; channels?: readonly AmiMessage[] }, at: number): void {
    const linkedOf = new Map<string, string>();
    for (const ch of lists.channels ?? []) {
      const uid = cleanId(ch.get('Uniqueid'));
      const linked = cleanId(ch.get('Linkedid'));
      if (uid && linked) linkedOf.set(uid, linked);
    }
    for (const item of lists.queueSummary ?? []) if ((item.event ?? '').toLowerCase() === 'queuesummary') this.queueOf(item);

    const listed = new Set<string>();
    const status = lists.queueStatus ?? [];
    for (const item of status) {
      if ((item.event ?? '').toLowerCase() !== 'queueparams') continue;
      const queue = this.queueOf(item);
      if (!queue) continue;
      listed.add(queue.id);
      if (!queue.countersKnown) this.baseline(queue, item);
    }
    // The list is the truth for the queues it names: memberships and waiting callers.
    for (const member of this.members.values()) for (const id of listed) member.queues.delete(id);
    for (const id of listed) {
      const queue = this.queues.get(id);
      if (!queue) continue;
      this.callerCount = Math.max(0, this.callerCount - queue.callers.size);
      queue.callers.clear();
    }
    for (const item of status) {
      const event = (item.event ?? '').toLowerCase();
      if (event === 'queuemember') {
        const queue = this.queueOf(item);
        const member = queue ? this.memberFrom(item, at, true) : null;
        if (queue && member) {
          this.applyMember(member, queue.id, item);
          if (member.state === null) {
            const derived = this.derive(member, at);
            member.state = derived.state;
            member.pauseReason = derived.pauseReason;
            member.since = at;
          }
        }
      } else if (event === 'queueentry') {
        const queue = this.queueOf(item);
        const uid = cleanId(item.get('Uniqueid'));
        if (!queue || !uid) continue;
        if (this.callerCount >= MAX_CALLERS) {
          this.stats.overCapacity++;
          continue;
        }
        const callId = linkedOf.get(uid) ?? uid;
        const wait = cleanInt(item.get('Wait'), MAX_SECONDS) ?? 0;
        const position = Math.max(1, cleanInt(item.get('Position'), MAX_CALLERS) ?? queue.callers.size + 1);
        if (!queue.callers.has(callId)) this.callerCount++;
        const number = cleanNumber(item.get('CallerIDNum'));
        queue.callers.set(callId, { number, position, joinedAt: Math.max(0, at - wait * 1000), uniqueid: uid });
        if (!this.calls.has(callId)) this.calls.set(callId, { queue: queue.id, number, callerUniqueid: uid, answeredBy: null, abandoned: false, ended: false });
      }
    }
    for (const [ext, member] of this.members) if (member.queues.size === 0 && !this.extra.has(ext)) this.members.delete(ext);
    if (lists.channels) this.rebuildCalls(lists.channels, at);
  }

  private baseline(queue: Queue, params: AmiMessage): void {
    const completed = cleanInt(params.get('Completed')) ?? 0;
    const abandoned = cleanInt(params.get('Abandoned')) ?? 0;
    const waiting = cleanInt(params.get('Calls')) ?? 0;
    const hold = cleanInt(params.get('Holdtime'), MAX_SECONDS) ?? 0;
    const talk = cleanInt(params.get('TalkTime'), MAX_SECONDS) ?? 0;
    const perf = Math.min(100, cleanDecimal(params.get('ServicelevelPerf')) ?? 0);
    queue.counters = {
      queue: queue.id,
      offered: completed + abandoned + waiting,
      answered: completed,
      abandoned,
      answeredWithinSla: Math.min(completed, Math.round((perf / 100) * completed)),
      waitSecTotal: hold * completed,
      // Asterisk keeps averages only: the average hold is a floor of the longest.
      longestWaitSec: hold,
      talks: completed,
      talkSecTotal: talk * completed,
    };
    queue.countersKnown = true;
  }

  /** Calls up now, from `CoreShowChannels`: an agent's channel in a bridge is on a call. */
  private rebuildCalls(channels: readonly AmiMessage[], at: number): void {
    const found = findCalls(channels, this.resolver);
    for (const member of this.members.values()) {
      const call = found.get(member.extension);
      if (!call) {
        member.call = null;
        continue;
      }
      const queue = call.queue && this.queues.has(call.queue) ? call.queue : (member.call?.callId === call.callId ? member.call.queue : null);
      member.call = { callId: call.callId, number: call.number, queue, since: Math.max(0, at - call.durationSec * 1000), uniqueid: call.uniqueid };
      member.ringing = null;
    }
  }

  private queueName(id: string): string {
    // Own keys only: a queue named `__proto__` must not read Object.prototype.
    const name = Object.hasOwn(this.options.queueNames, id) ? this.options.queueNames[id] : undefined;
    return (typeof name === 'string' && cleanText(name)) || id;
  }

  private rollDay(at: number): void {
    if (this.dayEnd === null) this.dayEnd = startOfNextDay(at);
    if (at < this.dayEnd) return;
    this.dayEnd = startOfNextDay(at);
    for (const queue of this.queues.values()) {
      queue.counters = emptyCounters(queue.id);
      queue.countersKnown = true;
    }
  }
}

export interface ChannelCall {
  /** The agent's channel (`PJSIP/1002-00000002`). */
  channel: string;
  uniqueid: string | null;
  callId: string;
  /** The other side of the agent's bridge (`PJSIP/2001-00000000`), when bridged. */
  peer: string | null;
  number: string;
  queue: string | null;
  durationSec: number;
}

/**
 * Reads `CoreShowChannel` items: per extension, its channel and the other channel of its bridge.
 * An agent's own device channel wins over a Local member channel.
 */
export function findCalls(channels: readonly AmiMessage[], resolver: ExtensionResolver): Map<string, ChannelCall> {
  const byBridge = new Map<string, AmiMessage[]>();
  for (const ch of channels) {
    const bridge = ch.get('BridgeId')?.trim();
    if (bridge) byBridge.set(bridge, [...(byBridge.get(bridge) ?? []), ch]);
  }
  const out = new Map<string, ChannelCall>();
  for (const ch of channels) {
    const name = ch.get('Channel')?.trim();
    const ext = resolver.fromChannel(name);
    const callId = cleanId(ch.get('Linkedid')) ?? cleanId(ch.get('Uniqueid'));
    if (!name || !ext || !callId) continue;
    const bridge = ch.get('BridgeId')?.trim() ?? '';
    const partner = bridge ? (byBridge.get(bridge) ?? []).find((other) => other !== ch) : undefined;
    const previous = out.get(ext);
    if (previous?.peer && !partner) continue;
    if (previous?.peer && name.startsWith('Local/')) continue;
    const app = (partner?.get('Application') ?? '').trim();
    const queue = app.toLowerCase() === 'queue' ? ((partner?.get('ApplicationData') ?? '').split(',')[0]?.trim() ?? null) : null;
    out.set(ext, {
      channel: name,
      uniqueid: cleanId(ch.get('Uniqueid')),
      callId,
      peer: partner?.get('Channel')?.trim() ?? null,
      number: cleanNumber(partner?.get('CallerIDNum') ?? ch.get('ConnectedLineNum')),
      queue: queue || null,
      durationSec: parseDuration(ch.get('Duration')) ?? 0,
    });
  }
  return out;
}


function spyKey(m: AmiMessage): string | null {
  return cleanId(m.get('SpyerUniqueid')) ?? cleanId(m.get('SpyerChannel'));
}

const LOCAL_CHANNEL = /^Local\//i;

/**
 * Whose spying channel this is: a device channel (`PJSIP/9000-00000004`) by its device's
 * extension, else by its caller number; a Local half (`Local/*2241002@internal-00000000;2`, an
 * originate through the dialplan) by its caller number, which the connector's Originate sets to
 * the supervisor's (transcripts 03 and 05: `SpyerCallerIDNum: 9000`), else by its device pattern.
 */
export function spyerExtension(channel: string | undefined, callerIdNum: string | undefined, resolver: ExtensionResolver): string | null {
  const name = channel?.trim();
  if (!name) return null;
  const valid = (ext: string | null | undefined): string | null => (ext && ExtensionSchema.safeParse(ext).success ? ext : null);
  const byNumber = valid(callerIdNum?.trim());
  const byDevice = valid(resolver.fromChannel(name));
  return LOCAL_CHANNEL.test(name) ? (byNumber ?? byDevice) : (byDevice ?? byNumber);
}

export interface SpyChannel {
  /** The channel running ChanSpy (`PJSIP/9000-00000004`, `Local/*2241002@internal-00000000;2`). */
  channel: string;
  /** ChanSpy's options as started (`qd`, `qB`); `d` lets DTMF 4/5/6 switch the mode. */
  options: string;
  /** What to hang up to end it: the supervisor's phone channel on the spy call (for a Local spy, the
   *  one bridged to the other half), else the spying channel itself. */
  hangup: string;
}

/**
 * The ChanSpy `supervisor` runs now, from `CoreShowChannel` items (transcript 05, `csc-barge`);
 * null when there is none.
 */
export function findSpy(channels: readonly AmiMessage[], supervisor: string, resolver: ExtensionResolver): SpyChannel | null {
  const spy = channels.find(
    (ch) => (ch.get('Application') ?? '').trim().toLowerCase() === 'chanspy' && spyerExtension(ch.get('Channel'), ch.get('CallerIDNum'), resolver) === supervisor,
  );
  const channel = spy?.get('Channel')?.trim();
  if (!spy || !channel) return null;
  // `ChanSpy(PJSIP/1002-,qB)`: the options after the prefix; their arguments (`g(grp)`) are not options.
  const data = spy.get('ApplicationData') ?? '';
  const comma = data.indexOf(',');
  const options = (comma < 0 ? '' : data.slice(comma + 1)).replace(/\([^)]*\)/g, '').trim();
  let hangup = channel;
  const half = /;([12])$/.exec(channel);
  if (LOCAL_CHANNEL.test(channel) && half) {
    const sibling = `${channel.slice(0, -1)}${half[1] === '1' ? '2' : '1'}`;
    const bridge = channels.find((ch) => ch.get('Channel')?.trim() === sibling)?.get('BridgeId')?.trim();
    const phone = bridge
      ? channels.find((ch) => {
          const name = ch.get('Channel')?.trim() ?? '';
          return ch.get('BridgeId')?.trim() === bridge && name !== sibling && !LOCAL_CHANNEL.test(name) && resolver.fromChannel(name) === supervisor;
        })
      : undefined;
    hangup = phone?.get('Channel')?.trim() ?? channel;
  }
  return { channel, options, hangup };
}

import { z } from 'zod';
import { emptyCounters, QueueCountersSchema, type AgentState, type QueueCounters } from '../../../src-shared/pbx/pbx-model';
import { countAbandoned, countAnswered, countOffered, countTalk } from '../../../src-shared/pbx/queue-counting';
import { clinicMinutes } from '../../../src-shared/schedule/clinic-time';
import { WAITING_SAMPLES_MAX, type CategoryCount, type HourBucket, type WaitingSample } from '../../../src-shared/supervisor/supervisor-model';
import type { PbxEvent } from '../connectors/pbx/pbx-connector';
import type { Db } from '../db/open-database';

/** An agent's work today: calls answered, and the talk + after-call work of the calls finished. */
export interface AgentFigures {
  handled: number;
  /** Calls whose handle time is known (talk ended, after-call work over). */
  handles: number;
  handleSecTotal: number;
}

/** One stored figure: `supervisor_figures` (journal migration 11). */
export interface FigureRow {
  kind: 'queue' | 'hour' | 'sample' | 'agent' | 'wrapup';
  key: string;
  value: string;
}

/** What an event needs from outside the ledger. */
export interface LedgerContext {
  slaSeconds: number;
  timeZone: string;
  /** The agent as the live board has it after the event (state and since), or null. */
  agent(extension: string): { state: AgentState; since: number } | null;
}

const HourSchema = z.object({ answered: z.number().int().nonnegative(), abandoned: z.number().int().nonnegative() }).strict();
const AgentSchema = z.object({ handled: z.number().int().nonnegative(), handles: z.number().int().nonnegative(), handleSecTotal: z.number().nonnegative() }).strict();
const SampleSchema = z.number().int().nonnegative();
/** A wrap-up category as the board counts it: one line, 1..80 characters. */
export const WrapUpCategorySchema = z.string().min(1).max(80).regex(/^[^\p{Cc}]+$/u);
/** Dedupe sets are a safety net, not a record: past this they start again. */
const SEEN_MAX = 50_000;

/** A call answered by an agent whose handle time is not known yet. */
interface OpenHandle {
  callId: string;
  answeredAt: number;
  /** Talk time once the call ended (s); null while it runs. */
  talkSec: number | null;
  /** When after-call work began (the agent's wrap-up), if it did. */
  wrapStart: number | null;
}

/**
 * One clinic day's supervisor figures (docs/architecture.md, "Supervisor"), counted from the
 * PBX connector's events with the one counting rule the board and the connectors use
 * (`src-shared/pbx/queue-counting.ts`): per queue counters, the hourly buckets, the callers
 * waiting once a minute, each agent's answered calls and handle times, and the wrap-ups of every
 * desk by category (each shared key once). What changed since the last {@link takeDirty} is
 * what the service writes to journal.db; {@link fromRows} rebuilds a day from what was written.
 */
export class SupervisorLedger {
  readonly queues = new Map<string, QueueCounters>();
  readonly hours: HourBucket[] = Array.from({ length: 24 }, (_, hour) => ({ hour, answered: 0, abandoned: 0 }));
  readonly samples = new Map<number, number>();
  readonly agents = new Map<string, AgentFigures>();
  readonly wrapUps = new Map<string, string>();
  private readonly dirty = new Map<string, FigureRow['kind']>();
  private readonly seen = new Set<string>();
  private readonly open = new Map<string, OpenHandle>();

  constructor(readonly day: string) {}

  /** A day rebuilt from its stored rows; a row that does not parse is skipped (and counted). */
  static fromRows(day: string, rows: readonly FigureRow[]): { ledger: SupervisorLedger; skipped: number } {
    const ledger = new SupervisorLedger(day);
    let skipped = 0;
    for (const row of rows) {
      if (!ledger.load(row)) skipped += 1;
    }
    return { ledger, skipped };
  }

  private load(row: FigureRow): boolean {
    let value: unknown;
    try {
      value = JSON.parse(row.value);
    } catch {
      return false;
    }
    switch (row.kind) {
      case 'queue': {
        const parsed = QueueCountersSchema.safeParse(value);
        if (!parsed.success || parsed.data.queue !== row.key) return false;
        this.queues.set(row.key, parsed.data);
        return true;
      }
      case 'hour': {
        const hour = Number(row.key);
        const parsed = HourSchema.safeParse(value);
        if (!parsed.success || !Number.isInteger(hour) || hour < 0 || hour > 23) return false;
        this.hours[hour] = { hour, ...parsed.data };
        return true;
      }
      case 'sample': {
        const at = Number(row.key);
        const parsed = SampleSchema.safeParse(value);
        if (!parsed.success || !Number.isSafeInteger(at) || at < 0) return false;
        this.samples.set(at, parsed.data);
        return true;
      }
      case 'agent': {
        const parsed = AgentSchema.safeParse(value);
        if (!parsed.success) return false;
        this.agents.set(row.key, parsed.data);
        return true;
      }
      case 'wrapup': {
        const parsed = WrapUpCategorySchema.safeParse(value);
        if (!parsed.success) return false;
        this.wrapUps.set(row.key, parsed.data);
        return true;
      }
    }
  }

  /** Applies one PBX event; returns whether a figure changed. */
  apply(event: PbxEvent, context: LedgerContext): boolean {
    switch (event.type) {
      case 'queue.joined': {
        if (!this.once(`offered|${event.queue}|${event.callId}`)) return false;
        countOffered(this.queue(event.queue));
        return true;
      }
      case 'queue.abandoned': {
        if (!this.once(`abandoned|${event.queue}|${event.callId}`)) return false;
        countAbandoned(this.queue(event.queue), event.waitSec);
        this.hour(event.at, context.timeZone).abandoned += 1;
        this.mark('hour', hourKey(event.at, context.timeZone));
        return true;
      }
      case 'call.ringing':
        return this.closeHandle(event.extension, event.at);
      case 'call.answered': {
        let changed = this.closeHandle(event.extension, event.at);
        if (event.queue !== null && event.waitSec !== null && this.once(`answered|${event.queue}|${event.callId}`)) {
          countAnswered(this.queue(event.queue), event.waitSec, context.slaSeconds);
          this.hour(event.at, context.timeZone).answered += 1;
          this.mark('hour', hourKey(event.at, context.timeZone));
          changed = true;
        }
        if (this.once(`handled|${event.extension}|${event.callId}`)) {
          this.agent(event.extension).handled += 1;
          this.open.set(event.extension, { callId: event.callId, answeredAt: event.at, talkSec: null, wrapStart: null });
          changed = true;
        }
        return changed;
      }
      case 'call.ended': {
        let changed = false;
        if (event.queue !== null && event.answered && event.talkSec !== null && this.once(`talk|${event.queue}|${event.callId}`)) {
          countTalk(this.queue(event.queue), event.talkSec);
          changed = true;
        }
        if (event.extension !== null && event.answered) changed = this.endTalk(event.extension, event.callId, event.at, event.talkSec, context) || changed;
        return changed;
      }
      case 'agent.status': {
        const handle = this.open.get(event.extension);
        if (!handle || handle.talkSec === null) return false;
        if (event.state === 'wrap-up') {
          handle.wrapStart ??= event.at;
          return false;
        }
        return this.closeHandle(event.extension, event.at);
      }
      default:
        return false;
    }
  }

  /** The talk of the agent's call ended: its after-call work starts (or there is none). */
  private endTalk(extension: string, callId: string, at: number, talkSec: number | null, context: LedgerContext): boolean {
    const handle = this.open.get(extension);
    const talk = talkSec ?? (handle?.callId === callId ? Math.max(0, (at - handle.answeredAt) / 1000) : null);
    if (talk === null) return false;
    const now = context.agent(extension);
    const next: OpenHandle = { callId, answeredAt: handle?.callId === callId ? handle.answeredAt : at, talkSec: talk, wrapStart: now?.state === 'wrap-up' ? now.since : null };
    this.open.set(extension, next);
    // Already out of the call and not in after-call work (its status came first): no after-call work.
    if (now !== null && now.state !== 'talking' && now.state !== 'wrap-up' && now.state !== 'ringing') return this.closeHandle(extension, at);
    return false;
  }

  /**
   * The agent's finished call's handle time is known now: its talk plus the after-call work
   * from the wrap-up's start to `at` (the agent's next state, or its next call).
   */
  private closeHandle(extension: string, at: number): boolean {
    const handle = this.open.get(extension);
    if (!handle || handle.talkSec === null) return false;
    this.open.delete(extension);
    const acw = handle.wrapStart === null ? 0 : Math.max(0, (at - handle.wrapStart) / 1000);
    const figures = this.agent(extension);
    figures.handles += 1;
    figures.handleSecTotal += handle.talkSec + acw;
    return true;
  }

  /** Callers waiting in all queues at `at`, kept once per minute: the minute's peak (a burst between readings is what the chart is for). */
  sample(at: number, waiting: number): boolean {
    const minute = Math.floor(at / 60_000) * 60_000;
    const kept = this.samples.get(minute);
    if (kept !== undefined && kept >= waiting) return false;
    this.samples.set(minute, waiting);
    this.dirty.set(`sample\u0000${minute}`, 'sample');
    while (this.samples.size > WAITING_SAMPLES_MAX) {
      const oldest = Math.min(...this.samples.keys());
      this.samples.delete(oldest);
    }
    return true;
  }

  /** A desk's wrap-up under its shared key; false when that key was counted already. */
  wrapUp(key: string, category: string): boolean {
    if (this.wrapUps.has(key)) return false;
    this.wrapUps.set(key, category);
    this.dirty.set(`wrapup\u0000${key}`, 'wrapup');
    return true;
  }

  /**
   * The PBX's own day totals (the board's counters after a (re)connect) are taken where they are
   * higher than this ledger's: events the desk missed while it was off or disconnected. Field by
   * field the larger count wins (every field only grows during a day), so taking them twice, or
   * after the desk counted the same calls itself, changes nothing. The hourly buckets cannot be
   * rebuilt from totals: the calls missed stay out of them.
   */
  reconcile(pbx: readonly QueueCounters[]): boolean {
    let changed = false;
    for (const theirs of pbx) {
      const mine = this.queues.get(theirs.queue) ?? emptyCounters(theirs.queue);
      if (theirs.answered <= mine.answered && theirs.abandoned <= mine.abandoned && theirs.offered <= mine.offered) continue;
      const merged: QueueCounters = {
        queue: theirs.queue,
        offered: Math.max(mine.offered, theirs.offered),
        answered: Math.max(mine.answered, theirs.answered),
        abandoned: Math.max(mine.abandoned, theirs.abandoned),
        answeredWithinSla: Math.max(mine.answeredWithinSla, theirs.answeredWithinSla),
        waitSecTotal: Math.max(mine.waitSecTotal, theirs.waitSecTotal),
        longestWaitSec: Math.max(mine.longestWaitSec, theirs.longestWaitSec),
        talks: Math.max(mine.talks, theirs.talks),
        talkSecTotal: Math.max(mine.talkSecTotal, theirs.talkSecTotal),
      };
      this.queues.set(theirs.queue, merged);
      this.mark('queue', theirs.queue);
      changed = true;
    }
    return changed;
  }

  hourly(): HourBucket[] {
    return this.hours.map((bucket) => ({ ...bucket }));
  }

  waiting(): WaitingSample[] {
    return [...this.samples].sort((a, b) => a[0] - b[0]).map(([at, waiting]) => ({ at, waiting }));
  }

  /** Today's wrap-ups by category, most first (then by name). */
  categories(): CategoryCount[] {
    const counts = new Map<string, number>();
    for (const category of this.wrapUps.values()) counts.set(category, (counts.get(category) ?? 0) + 1);
    return [...counts]
      .map(([category, count]) => ({ category, count }))
      .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
      .slice(0, 200);
  }

  /** The rows changed since the last call (and forgets that they changed). */
  takeDirty(): FigureRow[] {
    const rows: FigureRow[] = [];
    for (const [id, kind] of this.dirty) {
      const key = id.slice(id.indexOf('\u0000') + 1);
      const value = this.valueOf(kind, key);
      if (value !== null) rows.push({ kind, key, value });
    }
    this.dirty.clear();
    return rows;
  }

  /** Every row of the day (a fresh journal, or one that was closed while the day ran). */
  allRows(): FigureRow[] {
    for (const queue of this.queues.keys()) this.mark('queue', queue);
    for (const bucket of this.hours) if (bucket.answered + bucket.abandoned > 0) this.mark('hour', String(bucket.hour).padStart(2, '0'));
    for (const minute of this.samples.keys()) this.mark('sample', String(minute));
    for (const extension of this.agents.keys()) this.mark('agent', extension);
    for (const key of this.wrapUps.keys()) this.mark('wrapup', key);
    return this.takeDirty();
  }

  get hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  private valueOf(kind: FigureRow['kind'], key: string): string | null {
    switch (kind) {
      case 'queue': {
        const counters = this.queues.get(key);
        return counters ? JSON.stringify(counters) : null;
      }
      case 'hour': {
        const bucket = this.hours[Number(key)];
        return bucket ? JSON.stringify({ answered: bucket.answered, abandoned: bucket.abandoned }) : null;
      }
      case 'sample': {
        const waiting = this.samples.get(Number(key));
        return waiting === undefined ? null : JSON.stringify(waiting);
      }
      case 'agent': {
        const figures = this.agents.get(key);
        return figures ? JSON.stringify(figures) : null;
      }
      case 'wrapup': {
        const category = this.wrapUps.get(key);
        return category === undefined ? null : JSON.stringify(category);
      }
    }
  }

  private once(id: string): boolean {
    if (this.seen.has(id)) return false;
    if (this.seen.size >= SEEN_MAX) this.seen.clear();
    this.seen.add(id);
    return true;
  }

  private mark(kind: FigureRow['kind'], key: string): void {
    this.dirty.set(`${kind}\u0000${key}`, kind);
  }

  private queue(queue: string): QueueCounters {
    let counters = this.queues.get(queue);
    if (!counters) {
      counters = emptyCounters(queue);
      this.queues.set(queue, counters);
    }
    this.mark('queue', queue);
    return counters;
  }

  private hour(at: number, timeZone: string): HourBucket {
    return this.hours[Math.floor(clinicMinutes(at, timeZone) / 60)]!;
  }

  private agent(extension: string): AgentFigures {
    let figures = this.agents.get(extension);
    if (!figures) {
      figures = { handled: 0, handles: 0, handleSecTotal: 0 };
      this.agents.set(extension, figures);
    }
    this.mark('agent', extension);
    return figures;
  }
}

function hourKey(at: number, timeZone: string): string {
  return String(Math.floor(clinicMinutes(at, timeZone) / 60)).padStart(2, '0');
}

/**
 * `supervisor_figures` in journal.db (migration 11): one clinic day's rows, written in one
 * transaction per flush; days before the kept window are dropped.
 */
export class SupervisorStore {
  private readonly s;

  constructor(readonly db: Db) {
    this.s = {
      load: db.prepare<[string], FigureRow>('SELECT kind, key, value FROM supervisor_figures WHERE day = ?'),
      put: db.prepare<{ day: string; kind: string; key: string; value: string; at: number }>(
        `INSERT INTO supervisor_figures (day, kind, key, value, updated_at) VALUES (@day, @kind, @key, @value, @at)
         ON CONFLICT (day, kind, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ),
      prune: db.prepare<[string]>('DELETE FROM supervisor_figures WHERE day < ?'),
    };
  }

  load(day: string): FigureRow[] {
    return this.s.load.all(day);
  }

  save(day: string, rows: readonly FigureRow[], at: number): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const row of rows) this.s.put.run({ day, kind: row.kind, key: row.key, value: row.value, at });
    })();
  }

  /** Drops the days before `day`; returns how many rows went. */
  pruneBefore(day: string): number {
    return this.s.prune.run(day).changes;
  }
}

import { createHash } from 'node:crypto';
import { RoleSchema, type Role } from '../../../src-shared/access/access-model';
import { CALL_ID_MAX } from '../../../src-shared/calls/calls-contract';
import type { Db } from '../db/open-database';
import { AUDIT_MIN_RETENTION_MS } from '../db/migrations/journal/0012-audit-person-and-anchor';

/** What is recorded for one access (docs/architecture.md, "Privacy and security": who, when, which card, which call or reason). */
export interface AuditInput {
  /**
   * Who, as a stable id: `person:<personId>` for a signed-in person, `role:<role>` for a desk
   * nobody is signed in to; never a display name typed by hand.
   */
  actor: string;
  /** The signed-in person's name as IT provisioned it (≤ 80 characters); absent for the open desk. */
  actorName?: string | null;
  /** The signed-in person's role; absent for the open desk. */
  role?: Role | null;
  /** What was done, as a code: `card.open`, `card.print`, `search.results`. */
  action: string;
  misId?: string | null;
  callId?: string | null;
  /** Why the card was opened when there was no call (the cashier's "patient at the till"). */
  reason?: string | null;
}

/** A stored audit entry. */
export interface AuditEntry {
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  actor: string;
  /** Null for entries written before people signed in (journal schema < 12) and for the open desk. */
  actorName: string | null;
  role: Role | null;
  action: string;
  misId: string | null;
  callId: string | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** Where the chain starts after retention removed its oldest entries ({@link AuditLog.purgeOlderThan}). */
export interface AuditAnchor {
  /** The last entry removed: the chain is verified from `seq + 1`, whose `prevHash` must be `hash`. */
  seq: number;
  hash: string;
  /** That entry's time (epoch ms). */
  entryAt: number;
  /** When the newest purge ran (epoch ms). */
  movedAt: number;
  /** Entries removed by retention in all, over every purge. */
  removed: number;
}

/** Result of {@link AuditLog.verify}. */
export interface AuditVerification {
  ok: boolean;
  /** Entries checked (all of them, from the anchor on, when the chain is intact). */
  checked: number;
  /** The first entry that does not fit the chain (altered, or missing when seqs skip), or `null`. */
  firstBrokenSeq: number | null;
  /** Present when retention removed the oldest entries: the chain was verified from here instead of from genesis. */
  anchor?: AuditAnchor;
}

/** `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The shortest retention an anchor may cover (365 days; the journal's trigger enforces it too). */
export { AUDIT_MIN_RETENTION_MS };

const MAX_FIELD = 200;
const MAX_REASON = 500;
/** As `PersonSchema.name` allows. */
const MAX_ACTOR_NAME = 80;

interface Row {
  seq: number;
  at: number;
  actor: string;
  /** Undefined on a journal older than schema 12 (read-only by the verifier, never migrated by it). */
  actor_name?: string | null;
  role?: Role | null;
  action: string;
  mis_id: string | null;
  call_id: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

interface AnchorRow {
  seq: number;
  hash: string;
  entry_at: number;
  moved_at: number;
  removed: number;
}

/**
 * The append-only, hash-chained access audit log in journal.db (docs/architecture.md, "Privacy
 * and security"). Each entry's hash is `sha256(prev_hash + canonical JSON of the entry)`, the
 * entry including its seq, time and who (id, and the person's name and role when signed in), so
 * changing, reordering or removing any entry breaks the chain from that point on; the table's
 * triggers additionally refuse UPDATE, and DELETE of anything above the retention anchor.
 *
 * Retention removes the oldest entries and records an anchor (the last removed entry's seq and
 * hash) in the same transaction; the chain is then verified from the anchor.
 *
 * Limits (by design of a local chain): dropping the newest entries leaves a valid shorter
 * chain; anchoring the head hash outside this file (e.g. sent to the MIS) would detect that.
 */
export class AuditLog {
  private readonly now: () => number;
  private readonly s;
  private readonly hasAnchors: boolean;
  private writes: ReturnType<AuditLog['prepareWrites']> | null = null;

  constructor(
    private readonly db: Db,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    // The verifier opens a journal read-only and never migrates it: one older than schema 12
    // has no anchors and no person columns, and still verifies from genesis.
    this.hasAnchors = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_anchor'`).get() !== undefined;
    this.s = {
      last: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      after: db.prepare<[number], Row>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq'),
      forCard: db.prepare<[string], Row>('SELECT * FROM audit_log WHERE mis_id = ? ORDER BY at, seq'),
      anchor: this.hasAnchors
        ? db.prepare<[], AnchorRow>('SELECT seq, hash, entry_at, moved_at, (SELECT sum(removed) FROM audit_anchor) AS removed FROM audit_anchor ORDER BY seq DESC LIMIT 1')
        : null,
    };
  }

  /** Statements that write, prepared on first use (a journal the verifier reads may predate their columns). */
  private prepareWrites() {
    return {
      insert: this.db.prepare<[number, number, string, string | null, Role | null, string, string | null, string | null, string | null, string, string]>(
        'INSERT INTO audit_log (seq, at, actor, actor_name, role, action, mis_id, call_id, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertAnchor: this.db.prepare<[number, string, number, number, number]>('INSERT INTO audit_anchor (seq, hash, entry_at, removed, moved_at) VALUES (?, ?, ?, ?, ?)'),
      removeUpTo: this.db.prepare<[number]>('DELETE FROM audit_log WHERE seq <= ?'),
    };
  }

  private get w() {
    return (this.writes ??= this.prepareWrites());
  }

  /**
   * Appends one entry, chained to the newest (or to the anchor when retention removed every
   * entry). Safe to call inside a caller's transaction (it becomes a savepoint), so opening a
   * card and logging it can commit together.
   *
   * @throws Error when actor or action is empty, a field is longer than allowed, or the role is not a role.
   */
  append(input: AuditInput): AuditEntry {
    const actor = requireText('actor', input.actor, MAX_FIELD);
    const actorName = optionalText('actorName', input.actorName, MAX_ACTOR_NAME);
    const role = optionalRole(input.role);
    const action = requireText('action', input.action, MAX_FIELD);
    const misId = optionalText('misId', input.misId, MAX_FIELD);
    const callId = optionalText('callId', input.callId, CALL_ID_MAX);
    const reason = optionalText('reason', input.reason, MAX_REASON);
    const write = this.db.transaction(() => {
      const head = this.s.last.get() ?? this.anchor() ?? { seq: 0, hash: GENESIS_HASH };
      const seq = head.seq + 1;
      const prevHash = head.hash;
      const fields = { seq, at: this.now(), actor, actorName, role, action, misId, callId, reason };
      const hash = entryHash(prevHash, fields);
      this.w.insert.run(seq, fields.at, actor, actorName, role, action, misId, callId, reason, prevHash, hash);
      return { ...fields, prevHash, hash };
    });
    // IMMEDIATE takes the write lock before reading the head, so two connections cannot fork the chain.
    return this.db.inTransaction ? write() : write.immediate();
  }

  /** Walks the chain from the anchor (or genesis) and reports the first entry that does not fit. */
  verify(): AuditVerification {
    const anchor = this.anchor();
    let checked = 0;
    for (const step of this.walk(anchor)) {
      if (step.broken) return { ok: false, checked, firstBrokenSeq: step.brokenSeq, ...(anchor ? { anchor } : {}) };
      checked += 1;
    }
    return { ok: true, checked, firstBrokenSeq: null, ...(anchor ? { anchor } : {}) };
  }

  /**
   * Removes the oldest entries, those written before `cutoffMs`, and moves the anchor onto the
   * last one removed — in one transaction, so the chain stays verifiable. Only a prefix of the
   * chain goes: it stops at the first entry at or after the cutoff, and at the first entry that
   * does not fit the chain (a break is evidence, and stays for `verify` to report).
   *
   * @returns how many entries were removed (0: nothing was old enough, and nothing changed).
   * @throws Error when `cutoffMs` is less than {@link AUDIT_MIN_RETENTION_MS} before now.
   */
  purgeOlderThan(cutoffMs: number): number {
    const purge = this.db.transaction(() => {
      const movedAt = this.now();
      if (!Number.isFinite(cutoffMs) || cutoffMs > movedAt - AUDIT_MIN_RETENTION_MS) {
        throw new Error('Audit entries are kept for at least a year: the cutoff is too recent.');
      }
      let last: Row | null = null;
      let removed = 0;
      for (const step of this.walk(this.anchor())) {
        if (step.broken || step.row.at >= cutoffMs) break;
        last = step.row;
        removed += 1;
      }
      if (!last) return 0;
      this.w.insertAnchor.run(last.seq, last.hash, last.at, removed, movedAt);
      this.w.removeUpTo.run(last.seq);
      return removed;
    });
    return this.db.inTransaction ? purge() : purge.immediate();
  }

  /** The newest retention anchor, or null when no entry was ever removed. */
  anchor(): AuditAnchor | null {
    const row = this.s.anchor?.get();
    return row ? { seq: row.seq, hash: row.hash, entryAt: row.entry_at, movedAt: row.moved_at, removed: row.removed } : null;
  }

  /** Who opened a card and why, oldest first (the patient's access request). */
  forCard(misId: string): AuditEntry[] {
    return this.s.forCard.all(misId).map(toEntry);
  }

  /**
   * The newest `limit` entries (all when absent), of one card when `misId` is given, oldest
   * first: what `npm run audit:verify -- --entries N --card MISID` prints.
   */
  latest(options: { limit?: number; misId?: string } = {}): AuditEntry[] {
    const limit = options.limit ?? -1;
    const rows =
      options.misId === undefined
        ? this.db.prepare<[number], Row>('SELECT * FROM (SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(limit)
        : this.db.prepare<[string, number], Row>('SELECT * FROM (SELECT * FROM audit_log WHERE mis_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq').all(options.misId, limit);
    return rows.map(toEntry);
  }

  /** The entries above the anchor in seq order, each with whether it breaks the chain (the walk ends there). */
  private *walk(anchor: AuditAnchor | null): Generator<{ broken: false; row: Row } | { broken: true; brokenSeq: number }> {
    let expectedPrev = anchor?.hash ?? GENESIS_HASH;
    let expectedSeq = (anchor?.seq ?? 0) + 1;
    // Streamed: a caller that writes (purge) does so after leaving the loop, which closes the cursor.
    for (const row of this.s.after.iterate(anchor?.seq ?? 0)) {
      if (row.seq !== expectedSeq) {
        yield { broken: true, brokenSeq: expectedSeq };
        return;
      }
      if (row.prev_hash !== expectedPrev || entryHash(row.prev_hash, toEntry(row)) !== row.hash) {
        yield { broken: true, brokenSeq: row.seq };
        return;
      }
      yield { broken: false, row };
      expectedPrev = row.hash;
      expectedSeq += 1;
    }
  }
}

/**
 * The first time an entry is kept: entries written before it may be removed. Counts calendar
 * years back in UTC (29 February goes to 1 March of a common year).
 */
export function auditRetentionCutoff(nowMs: number, years: number): number {
  const cutoff = new Date(nowMs);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  return cutoff.getTime();
}

type HashedFields = Pick<AuditEntry, 'seq' | 'at' | 'actor' | 'action' | 'misId' | 'callId' | 'reason'> & Partial<Pick<AuditEntry, 'actorName' | 'role'>>;

/**
 * The fields a hash covers, in code-point order (anything else on the object is ignored).
 * `actorName` and `role` are written only when set, so an entry without them (every entry before
 * journal schema 12) hashes exactly as it did when it was written.
 */
const HASHED_KEYS = ['action', 'actor', 'actorName', 'at', 'callId', 'misId', 'reason', 'role', 'seq'] as const satisfies readonly (keyof HashedFields)[];
const OMITTED_WHEN_NULL: ReadonlySet<keyof HashedFields> = new Set(['actorName', 'role']);

/** `sha256(prevHash + canonical JSON)` in hex. */
export function entryHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash + canonicalJson(fields)).digest('hex');
}

/**
 * JSON of exactly the hashed fields, keys in code-point order, no whitespace: the same entry
 * always hashes the same regardless of how the object was built or what else it carries.
 * `actorName` and `role` appear only when non-null; the other fields always (null when absent).
 */
export function canonicalJson(fields: HashedFields): string {
  const parts: string[] = [];
  for (const key of HASHED_KEYS) {
    const value = fields[key] ?? null;
    if (value === null && OMITTED_WHEN_NULL.has(key)) continue;
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

function toEntry(row: Row): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    actorName: row.actor_name ?? null,
    role: row.role ?? null,
    action: row.action,
    misId: row.mis_id,
    callId: row.call_id,
    reason: row.reason,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function requireText(name: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new Error(`An audit entry needs a non-empty ${name}.`);
  if (value.length > max) throw new Error(`The audit ${name} is longer than ${max} characters.`);
  return value;
}

function optionalText(name: string, value: unknown, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  return requireText(name, value, max);
}

function optionalRole(value: unknown): Role | null {
  if (value === undefined || value === null) return null;
  const parsed = RoleSchema.safeParse(value);
  if (!parsed.success) throw new Error('The audit role is not a role.');
  return parsed.data;
}

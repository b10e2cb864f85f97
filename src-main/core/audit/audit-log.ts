import { createHash } from 'node:crypto';
import { CALL_ID_MAX } from '../../../src-shared/calls/calls-contract';
import type { Db } from '../db/open-database';

/** What is recorded for one access (docs/architecture.md, "Privacy and security": who, when, which card, which call or reason). */
export interface AuditInput {
  /** The signed-in operator (login or id), never a display name typed by hand. */
  actor: string;
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
  action: string;
  misId: string | null;
  callId: string | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** Result of {@link AuditLog.verify}. */
export interface AuditVerification {
  ok: boolean;
  /** Entries checked (all of them when the chain is intact). */
  checked: number;
  /** The first entry that does not fit the chain (altered, or missing when seqs skip), or `null`. */
  firstBrokenSeq: number | null;
}

/** `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

const MAX_FIELD = 200;
const MAX_REASON = 500;

interface Row {
  seq: number;
  at: number;
  actor: string;
  action: string;
  mis_id: string | null;
  call_id: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * The append-only, hash-chained access audit log in journal.db (docs/architecture.md, "Privacy and security"). Each entry's
 * hash is `sha256(prev_hash + canonical JSON of the entry)`, the entry including its seq and
 * time, so changing, reordering or removing any entry breaks the chain from that point on;
 * the table's triggers additionally refuse UPDATE and DELETE.
 *
 * Limits (by design of a local chain): dropping the newest entries leaves a valid shorter
 * chain; anchoring the head hash outside this file (e.g. sent to the MIS) would detect that.
 */
export class AuditLog {
  private readonly now: () => number;
  private readonly s;

  constructor(
    private readonly db: Db,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.s = {
      last: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare<[number, number, string, string, string | null, string | null, string | null, string, string]>(
        'INSERT INTO audit_log (seq, at, actor, action, mis_id, call_id, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      all: db.prepare<[], Row>('SELECT * FROM audit_log ORDER BY seq'),
      forCard: db.prepare<[string], Row>('SELECT * FROM audit_log WHERE mis_id = ? ORDER BY at, seq'),
    };
  }

  /**
   * Appends one entry, chained to the newest. Safe to call inside a caller's transaction (it
   * becomes a savepoint), so opening a card and logging it can commit together.
   *
   * @throws Error when actor or action is empty, or a field is longer than allowed.
   */
  append(input: AuditInput): AuditEntry {
    const actor = requireText('actor', input.actor, MAX_FIELD);
    const action = requireText('action', input.action, MAX_FIELD);
    const misId = optionalText('misId', input.misId, MAX_FIELD);
    const callId = optionalText('callId', input.callId, CALL_ID_MAX);
    const reason = optionalText('reason', input.reason, MAX_REASON);
    const write = this.db.transaction(() => {
      const last = this.s.last.get();
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const fields = { seq, at: this.now(), actor, action, misId, callId, reason };
      const hash = entryHash(prevHash, fields);
      this.s.insert.run(seq, fields.at, actor, action, misId, callId, reason, prevHash, hash);
      return { ...fields, prevHash, hash };
    });
    // IMMEDIATE takes the write lock before reading the head, so two connections cannot fork the chain.
    return this.db.inTransaction ? write() : write.immediate();
  }

  /** Walks the whole chain and reports the first entry that does not fit. */
  verify(): AuditVerification {
    let expectedPrev = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for (const row of this.s.all.iterate()) {
      if (row.seq !== expectedSeq) return { ok: false, checked, firstBrokenSeq: expectedSeq };
      const entry = toEntry(row);
      if (row.prev_hash !== expectedPrev || entryHash(row.prev_hash, entry) !== row.hash) {
        return { ok: false, checked, firstBrokenSeq: row.seq };
      }
      checked += 1;
      expectedPrev = row.hash;
      expectedSeq += 1;
    }
    return { ok: true, checked, firstBrokenSeq: null };
  }

  /** Who opened a card and why, oldest first (the patient's access request). */
  forCard(misId: string): AuditEntry[] {
    return this.s.forCard.all(misId).map(toEntry);
  }
}

type HashedFields = Pick<AuditEntry, 'seq' | 'at' | 'actor' | 'action' | 'misId' | 'callId' | 'reason'>;

/** The fields a hash covers, in code-point order (anything else on the object is ignored). */
const HASHED_KEYS = ['action', 'actor', 'at', 'callId', 'misId', 'reason', 'seq'] as const satisfies readonly (keyof HashedFields)[];

/** `sha256(prevHash + canonical JSON)` in hex. */
export function entryHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash + canonicalJson(fields)).digest('hex');
}

/**
 * JSON of exactly the hashed fields, keys in code-point order, no whitespace: the same entry
 * always hashes the same regardless of how the object was built or what else it carries.
 */
export function canonicalJson(fields: HashedFields): string {
  return `{${HASHED_KEYS.map((key) => `${JSON.stringify(key)}:${JSON.stringify(fields[key] ?? null)}`).join(',')}}`;
}


function toEntry(row: Row): AuditEntry {
  return { seq: row.seq, at: row.at, actor: row.actor, action: row.action, misId: row.mis_id, callId: row.call_id, reason: row.reason, prevHash: row.prev_hash, hash: row.hash };
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

import { describe, expect, it } from 'vitest';
import type { Db } from '../../open-database';
import { AUDIT_MIN_RETENTION_MS, migration0012AuditPersonAndAnchor } from './0012-audit-person-and-anchor';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

const YEAR = AUDIT_MIN_RETENTION_MS;
const NOW = Date.UTC(2031, 5, 1);
const hashOf = (seq: number) => String(seq % 10).repeat(64);

/** Entries 1 … n, entry i at `at(i)`, hashes `1111…`, `2222…`; the chain itself is the audit log's business, not the schema's. */
function withEntries(db: Db, n: number, at: (seq: number) => number): void {
  const insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, mis_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (let seq = 1; seq <= n; seq++) insert.run(seq, at(seq), 'role:operator', 'card.open', `M-${seq}`, hashOf(seq - 1), hashOf(seq));
}

const anchor = (db: Db, seq: number, entryAt: number, movedAt = NOW, hash = hashOf(seq)) =>
  db.prepare('INSERT INTO audit_anchor (seq, hash, entry_at, removed, moved_at) VALUES (?, ?, ?, ?, ?)').run(seq, hash, entryAt, seq, movedAt);

describe('journal migration 0012-audit-person-and-anchor', () => {
  it('is journal step 12', () => {
    expect(JOURNAL_MIGRATIONS[11]).toBe(migration0012AuditPersonAndAnchor);
    expect(migration0012AuditPersonAndAnchor.version).toBe(12);
  });

  it('adds the person columns to a journal at step 11, its entries kept with no name or role', () => {
    const db = journalAt(11);
    withEntries(db, 2, (seq) => seq);
    expect(applyStep(db, migration0012AuditPersonAndAnchor)).toEqual({ from: 11, to: 12, applied: ['0012-audit-person-and-anchor'] });
    expect(db.prepare('SELECT seq, actor, actor_name, role FROM audit_log ORDER BY seq').all()).toEqual([
      { seq: 1, actor: 'role:operator', actor_name: null, role: null },
      { seq: 2, actor: 'role:operator', actor_name: null, role: null },
    ]);
    expect(objectsOf(db, 'audit_anchor')).toEqual(['table:audit_anchor', 'trigger:audit_anchor_forward', 'trigger:audit_anchor_no_delete', 'trigger:audit_anchor_no_update']);
    expect(objectsOf(db, 'audit_log')).toEqual(['index:audit_log_mis_id', 'table:audit_log', 'trigger:audit_log_no_delete', 'trigger:audit_log_no_update']);
    expect(isStrict(db, 'audit_log')).toBe(true);
    expect(isStrict(db, 'audit_anchor')).toBe(true);
    db.close();
  });

  it('stores a person’s name and role, and refuses an empty or over-long name and an unknown role', () => {
    const db = journalAt(12);
    const insert = db.prepare("INSERT INTO audit_log (seq, at, actor, action, actor_name, role, prev_hash, hash) VALUES (?, 1, 'person:petrova', 'card.open', ?, ?, ?, ?)");
    insert.run(1, 'Кассир Петрова', 'cashier', hashOf(0), hashOf(1));
    insert.run(2, 'П'.repeat(80), 'admin', hashOf(1), hashOf(2));
    expect(() => insert.run(3, '', 'cashier', hashOf(2), hashOf(3))).toThrow(/CHECK/);
    expect(() => insert.run(3, 'П'.repeat(81), 'cashier', hashOf(2), hashOf(3))).toThrow(/CHECK/);
    expect(() => insert.run(3, 'Петрова', 'doctor', hashOf(2), hashOf(3))).toThrow(/CHECK/);
    expect(db.prepare('SELECT actor_name, role FROM audit_log WHERE seq = 1').get()).toEqual({ actor_name: 'Кассир Петрова', role: 'cashier' });
    db.close();
  });

  it('lets the entries at or below the anchor go, and refuses deleting or changing any entry above it', () => {
    const db = journalAt(12);
    withEntries(db, 6, (seq) => NOW - (7 - seq) * YEAR);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only: entries cannot be deleted/);
    anchor(db, 3, NOW - 4 * YEAR);
    expect(db.prepare('DELETE FROM audit_log WHERE seq <= 3').run().changes).toBe(3);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 4').run()).toThrow(/append-only: entries cannot be deleted/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 5").run()).toThrow(/append-only: entries cannot be changed/);
    expect(db.prepare('SELECT seq FROM audit_log ORDER BY seq').pluck().all()).toEqual([4, 5, 6]);
    db.close();
  });

  it('moves an anchor only forward, only onto an entry with its hash and time, only over entries at least a year old', () => {
    const db = journalAt(12);
    withEntries(db, 6, (seq) => NOW - (7 - seq) * YEAR);
    anchor(db, 3, NOW - 4 * YEAR);
    expect(() => anchor(db, 2, NOW - 5 * YEAR)).toThrow(/only moves forward/);
    expect(() => anchor(db, 3, NOW - 4 * YEAR)).toThrow(/only moves forward/);
    expect(() => anchor(db, 4, NOW - 3 * YEAR, NOW, 'f'.repeat(64))).toThrow(/must name an entry/);
    expect(() => anchor(db, 4, NOW - 2 * YEAR)).toThrow(/must name an entry/);
    expect(() => anchor(db, 9, NOW - 3 * YEAR)).toThrow(/must name an entry/);
    // Entry 6 is one year old at NOW: covering it a millisecond earlier is refused.
    expect(() => anchor(db, 6, NOW - YEAR, NOW - 1)).toThrow(/older than the shortest retention/);
    anchor(db, 6, NOW - YEAR);
    expect(() => db.prepare('UPDATE audit_anchor SET seq = 1').run()).toThrow(/anchors cannot be changed/);
    expect(() => db.prepare('DELETE FROM audit_anchor WHERE seq = 6').run()).toThrow(/anchors cannot be deleted/);
    expect(db.prepare('SELECT seq FROM audit_anchor ORDER BY seq').pluck().all()).toEqual([3, 6]);
    db.close();
  });
});

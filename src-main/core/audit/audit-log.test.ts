import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { journalAt } from '../db/migrations/journal/test-support';
import { migrate } from '../db/migrations/migrate';
import { JOURNAL_MIGRATIONS } from '../db/migrations/journal';
import type { Db } from '../db/open-database';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { openJournalDatabase } from '../journal/open-journal';
import { AUDIT_MIN_RETENTION_MS, AuditLog, GENESIS_HASH, auditRetentionCutoff, canonicalJson, entryHash } from './audit-log';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

function journal(path = tempDatabasePath('journal.db'), key = randomKey()): Db {
  const db = openJournalDatabase({ path, key });
  open.push(db);
  return db;
}

function fill(log: AuditLog, n: number): void {
  for (let i = 0; i < n; i++) {
    log.append({ actor: `operator-${i % 3}`, action: 'card.open', misId: String(1_000_000 + i), callId: i % 2 ? `call-${i}` : null, reason: i % 2 ? null : 'Пациент у кассы' });
  }
}

/** Edits a row behind the triggers' back, as someone with the key and a SQLite shell could. */
function tamper(db: Db, sql: string): void {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  db.exec(sql);
}

describe('AuditLog', () => {
  it('chains 100 entries that verify, each hash covering the previous one', () => {
    let t = 1_700_000_000_000;
    const log = new AuditLog(journal(), { now: () => (t += 1_000) });
    fill(log, 100);
    expect(log.verify()).toEqual({ ok: true, checked: 100, firstBrokenSeq: null });
    const [first, second] = log.forCard('1000000').concat(log.forCard('1000001'));
    expect(first!.prevHash).toBe(GENESIS_HASH);
    expect(second!.prevHash).toBe(first!.hash);
    expect(second!.hash).toBe(entryHash(first!.hash, second!));
  });

  it('an empty log verifies', () => {
    expect(new AuditLog(journal()).verify()).toEqual({ ok: true, checked: 0, firstBrokenSeq: null });
  });

  it('records who opened which card, when, and why, for the patient’s access request', () => {
    const log = new AuditLog(journal(), { now: () => 42 });
    log.append({ actor: 'ivanova', action: 'card.open', misId: 'M-1', reason: 'Пациент у кассы' });
    log.append({ actor: 'petrov', action: 'card.open', misId: 'M-1', callId: 'call-7' });
    expect(log.forCard('M-1').map((e) => [e.actor, e.at, e.callId, e.reason])).toEqual([
      ['ivanova', 42, null, 'Пациент у кассы'],
      ['petrov', 42, 'call-7', null],
    ]);
  });

  it('refuses UPDATE and DELETE through the append-only triggers', () => {
    const db = journal();
    fill(new AuditLog(db), 3);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    expect(new AuditLog(db).verify().ok).toBe(true);
  });

  it('reports the altered entry when a row is edited behind the triggers', () => {
    const db = journal();
    const log = new AuditLog(db);
    fill(log, 100);
    tamper(db, "UPDATE audit_log SET mis_id = '9999999' WHERE seq = 37");
    expect(log.verify()).toEqual({ ok: false, checked: 36, firstBrokenSeq: 37 });
  });

  it('reports the next entry when the edited row’s hash was recomputed too', () => {
    const db = journal();
    const log = new AuditLog(db);
    fill(log, 50);
    const row = db.prepare<[], { seq: number; at: number; actor: string; action: string; call_id: string | null; reason: string | null; prev_hash: string }>('SELECT * FROM audit_log WHERE seq = 20').get()!;
    const forged = entryHash(row.prev_hash, { seq: 20, at: row.at, actor: 'nobody', action: row.action, misId: '1000019', callId: row.call_id, reason: row.reason });
    tamper(db, `UPDATE audit_log SET actor = 'nobody', hash = '${forged}' WHERE seq = 20`);
    expect(log.verify()).toEqual({ ok: false, checked: 20, firstBrokenSeq: 21 });
  });

  it('reports a removed entry at its seq', () => {
    const db = journal();
    const log = new AuditLog(db);
    fill(log, 30);
    tamper(db, 'DELETE FROM audit_log WHERE seq = 12');
    expect(log.verify()).toEqual({ ok: false, checked: 11, firstBrokenSeq: 12 });
  });

  it('keeps the chain across restarts of the desk', () => {
    const path = tempDatabasePath('journal.db');
    const key = randomKey();
    const first = journal(path, key);
    fill(new AuditLog(first), 5);
    first.close();
    const log = new AuditLog(journal(path, key));
    fill(log, 5);
    expect(log.verify()).toEqual({ ok: true, checked: 10, firstBrokenSeq: null });
  });

  it('commits with the caller’s transaction, or not at all', () => {
    const db = journal();
    const log = new AuditLog(db);
    expect(() =>
      db.transaction(() => {
        log.append({ actor: 'a', action: 'card.open', misId: 'M-1' });
        throw new Error('opening the card failed');
      })(),
    ).toThrow();
    expect(log.verify()).toEqual({ ok: true, checked: 0, firstBrokenSeq: null });
  });

  it('refuses an entry without an actor or action', () => {
    const log = new AuditLog(journal());
    expect(() => log.append({ actor: ' ', action: 'card.open' })).toThrow(/actor/);
    expect(() => log.append({ actor: 'a', action: '' })).toThrow(/action/);
  });

  it('hashes canonical JSON: key order does not matter', () => {
    const a = canonicalJson({ seq: 1, at: 2, actor: 'x', action: 'y', misId: null, callId: null, reason: 'ё' });
    const b = canonicalJson({ reason: 'ё', callId: null, misId: null, action: 'y', actor: 'x', at: 2, seq: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"action":"y","actor":"x","at":2,"callId":null,"misId":null,"reason":"ё","seq":1}');
  });

  it('hashes the person’s name and role in code-point order, and leaves them out when unset', () => {
    const base = { seq: 1, at: 2, actor: 'person:petrova', action: 'card.open', misId: '1001', callId: null, reason: null };
    expect(canonicalJson({ ...base, role: 'cashier', actorName: 'Кассир Петрова' })).toBe(
      '{"action":"card.open","actor":"person:petrova","actorName":"Кассир Петрова","at":2,"callId":null,"misId":"1001","reason":null,"role":"cashier","seq":1}',
    );
    expect(canonicalJson({ ...base, actorName: null, role: null })).toBe(canonicalJson(base));
    expect(canonicalJson(base)).toBe('{"action":"card.open","actor":"person:petrova","at":2,"callId":null,"misId":"1001","reason":null,"seq":1}');
  });
});

describe('AuditLog names the person', () => {
  const petrova = { actor: 'person:petrova', actorName: 'Кассир Петрова', role: 'cashier' } as const;

  it('records the signed-in person’s name and role beside the id, and the entry verifies', () => {
    const log = new AuditLog(journal(), { now: () => 42 });
    log.append({ ...petrova, action: 'card.open', misId: '1001', reason: 'Пациент у кассы' });
    log.append({ actor: 'role:operator', action: 'card.open', misId: '1001', callId: 'call-1' });
    expect(log.forCard('1001').map((e) => [e.actor, e.actorName, e.role, e.reason])).toEqual([
      ['person:petrova', 'Кассир Петрова', 'cashier', 'Пациент у кассы'],
      ['role:operator', null, null, null],
    ]);
    expect(log.verify()).toEqual({ ok: true, checked: 2, firstBrokenSeq: null });
  });

  it.each([
    ['renamed', "actor_name = 'Оператор Иванова'"],
    ['name removed', 'actor_name = NULL'],
    ['given another role', "role = 'operator'"],
    ['role removed', 'role = NULL'],
  ])('reports the entry whose person was %s behind the triggers', (_what, change) => {
    const db = journal();
    const log = new AuditLog(db);
    fill(log, 3);
    log.append({ ...petrova, action: 'card.open', misId: '1001' });
    fill(log, 2);
    tamper(db, `UPDATE audit_log SET ${change} WHERE seq = 4`);
    expect(log.verify()).toEqual({ ok: false, checked: 3, firstBrokenSeq: 4 });
  });

  it('reports an open-desk entry given a name behind the triggers', () => {
    const db = journal();
    const log = new AuditLog(db);
    fill(log, 3);
    tamper(db, "UPDATE audit_log SET actor_name = 'Кассир Петрова', role = 'cashier' WHERE seq = 2");
    expect(log.verify()).toEqual({ ok: false, checked: 1, firstBrokenSeq: 2 });
  });

  it('still verifies entries written before people signed in (journal schema 11), and chains new ones after them', () => {
    const db = journalAt(11);
    open.push(db);
    // Written as the desk did before this change: sha256(prev + JSON of the seven fields, keys sorted).
    const insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, mis_id, call_id, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq++) {
      const json = `{"action":"card.open","actor":"role:cashier","at":${1_000 * seq},"callId":null,"misId":"P-${seq}","reason":"search","seq":${seq}}`;
      const hash = createHash('sha256').update(prev + json).digest('hex');
      insert.run(seq, 1_000 * seq, 'role:cashier', 'card.open', `P-${seq}`, null, 'search', prev, hash);
      prev = hash;
    }
    migrate(db, JOURNAL_MIGRATIONS, 'journal');
    const log = new AuditLog(db);
    expect(log.verify()).toEqual({ ok: true, checked: 3, firstBrokenSeq: null });
    log.append({ ...petrova, action: 'card.open', misId: 'P-1' });
    expect(log.verify()).toEqual({ ok: true, checked: 4, firstBrokenSeq: null });
    expect(log.forCard('P-1').map((e) => e.actorName)).toEqual([null, 'Кассир Петрова']);
  });

  it('refuses a name longer than 80 characters and a role that is not a role', () => {
    const log = new AuditLog(journal());
    expect(() => log.append({ ...petrova, actorName: 'П'.repeat(81), action: 'card.open' })).toThrow(/actorName is longer than 80/);
    expect(() => log.append({ ...petrova, actorName: '  ', action: 'card.open' })).toThrow(/actorName/);
    expect(() => log.append({ ...petrova, role: 'doctor' as never, action: 'card.open' })).toThrow(/role is not a role/);
    expect(log.verify().checked).toBe(0);
  });
});

describe('AuditLog retention', () => {
  /** A log written once a month for `months` months from January 2020, the clock then left at `now`. */
  function monthly(months: number, db = journal()) {
    const clock = { now: Date.UTC(2020, 0, 15) };
    const log = new AuditLog(db, { now: () => clock.now });
    for (let m = 0; m < months; m++) {
      clock.now = Date.UTC(2020, m, 15);
      log.append({ actor: `person:op-${m % 2}`, actorName: `Оператор ${m % 2}`, role: 'operator', action: 'card.open', misId: `M-${m}` });
    }
    return { db, log, clock };
  }

  it('removes the entries older than the retention and verifies the rest from the anchor', () => {
    const { db, log, clock } = monthly(84); // January 2020 … December 2026
    clock.now = Date.UTC(2027, 0, 1);
    const cutoff = auditRetentionCutoff(clock.now, 5); // 2022-01-01
    expect(log.purgeOlderThan(cutoff)).toBe(24);
    const verification = log.verify();
    expect(verification).toEqual({
      ok: true,
      checked: 60,
      firstBrokenSeq: null,
      anchor: { seq: 24, hash: expect.any(String), entryAt: Date.UTC(2021, 11, 15), movedAt: clock.now, removed: 24 },
    });
    expect(db.prepare('SELECT min(seq) FROM audit_log').pluck().get()).toBe(25);
    expect(log.forCard('M-23')).toEqual([]);
    // A month later the next purge moves the anchor on, and the desk keeps appending after it.
    clock.now = Date.UTC(2027, 1, 1);
    expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 5))).toBe(1);
    log.append({ actor: 'person:op-0', actorName: 'Оператор 0', role: 'operator', action: 'card.open', misId: 'M-new' });
    expect(log.verify()).toMatchObject({ ok: true, checked: 60, anchor: { seq: 25, removed: 25 } });
  });

  it('does nothing when no entry is old enough', () => {
    const { db, log, clock } = monthly(6);
    clock.now = Date.UTC(2021, 6, 1);
    const before = db.prepare('SELECT * FROM audit_log ORDER BY seq').all();
    expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 5))).toBe(0);
    expect(log.anchor()).toBeNull();
    expect(db.prepare('SELECT * FROM audit_log ORDER BY seq').all()).toEqual(before);
    expect(log.verify()).toEqual({ ok: true, checked: 6, firstBrokenSeq: null });
  });

  it('chains the next entry to the anchor when every entry was removed', () => {
    const { log, clock } = monthly(3);
    clock.now = Date.UTC(2030, 0, 1);
    expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 5))).toBe(3);
    expect(log.verify()).toMatchObject({ ok: true, checked: 0, anchor: { seq: 3 } });
    const next = log.append({ actor: 'role:operator', action: 'card.open', misId: 'M-9' });
    expect(next.seq).toBe(4);
    expect(next.prevHash).toBe(log.anchor()!.hash);
    expect(log.verify()).toMatchObject({ ok: true, checked: 1 });
  });

  it('reports an entry altered after the anchor', () => {
    const { db, log, clock } = monthly(36);
    clock.now = Date.UTC(2028, 0, 1);
    expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 7))).toBe(12);
    tamper(db, "UPDATE audit_log SET mis_id = 'M-999' WHERE seq = 13");
    expect(log.verify()).toMatchObject({ ok: false, checked: 0, firstBrokenSeq: 13, anchor: { seq: 12 } });
  });

  it('refuses deleting an entry above the anchor, and moving the anchor backwards', () => {
    const { db, log, clock } = monthly(36);
    clock.now = Date.UTC(2028, 0, 1);
    log.purgeOlderThan(auditRetentionCutoff(clock.now, 7));
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 30').run()).toThrow(/append-only: entries cannot be deleted/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 13').run()).toThrow(/append-only/);
    const removed = log.anchor()!;
    expect(() => db.prepare('INSERT INTO audit_anchor (seq, hash, entry_at, removed, moved_at) VALUES (?, ?, ?, 1, ?)').run(5, removed.hash, removed.entryAt, clock.now)).toThrow(
      /only moves forward/,
    );
    expect(() => db.prepare('UPDATE audit_anchor SET seq = 5').run()).toThrow(/anchors cannot be changed/);
    expect(() => db.prepare('DELETE FROM audit_anchor').run()).toThrow(/anchors cannot be deleted/);
    expect(log.verify()).toMatchObject({ ok: true, checked: 24, anchor: { seq: 12 } });
  });

  it('detects an anchor moved back behind the triggers (the newer anchor deleted)', () => {
    const { db, log, clock } = monthly(36);
    clock.now = Date.UTC(2026, 0, 1);
    log.purgeOlderThan(auditRetentionCutoff(clock.now, 5)); // anchor at #12
    clock.now = Date.UTC(2027, 0, 1);
    log.purgeOlderThan(auditRetentionCutoff(clock.now, 5)); // anchor at #24
    db.exec('DROP TRIGGER audit_anchor_no_delete');
    db.exec('DELETE FROM audit_anchor WHERE seq = 24');
    expect(log.verify()).toMatchObject({ ok: false, checked: 0, firstBrokenSeq: 13, anchor: { seq: 12 } });
  });

  it('refuses a cutoff less than a year ago', () => {
    const { log, clock } = monthly(3);
    clock.now = Date.UTC(2020, 6, 1);
    expect(() => log.purgeOlderThan(clock.now - AUDIT_MIN_RETENTION_MS + 1)).toThrow(/at least a year/);
    expect(log.verify()).toEqual({ ok: true, checked: 3, firstBrokenSeq: null });
  });

  it('stops at a broken entry, so the evidence stays for verify', () => {
    const { db, log, clock } = monthly(12);
    tamper(db, "UPDATE audit_log SET actor_name = 'Кто-то' WHERE seq = 5");
    db.exec(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN OLD.seq > coalesce((SELECT max(seq) FROM audit_anchor), 0)
             BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;`);
    clock.now = Date.UTC(2030, 0, 1);
    expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 5))).toBe(4);
    expect(log.verify()).toMatchObject({ ok: false, checked: 0, firstBrokenSeq: 5, anchor: { seq: 4 } });
    expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 5))).toBe(0);
  });

  it('removes and moves the anchor in one transaction: a caller’s rollback undoes both', () => {
    const { db, log, clock } = monthly(12);
    clock.now = Date.UTC(2030, 0, 1);
    expect(() =>
      db.transaction(() => {
        expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 5))).toBe(12);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(log.anchor()).toBeNull();
    expect(log.verify()).toEqual({ ok: true, checked: 12, firstBrokenSeq: null });
  });

  it('counts retention in calendar years', () => {
    expect(new Date(auditRetentionCutoff(Date.UTC(2031, 5, 1, 8, 30), 5)).toISOString()).toBe('2026-06-01T08:30:00.000Z');
    expect(new Date(auditRetentionCutoff(Date.UTC(2028, 1, 29), 1)).toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(auditRetentionCutoff(Date.UTC(2028, 1, 29), 1)).toBeLessThanOrEqual(Date.UTC(2028, 1, 29) - AUDIT_MIN_RETENTION_MS);
  });
});

describe('AuditLog.latest', () => {
  it('gives the newest N entries, of one card when asked, oldest first', () => {
    const log = new AuditLog(journal());
    fill(log, 10);
    log.append({ actor: 'role:cashier', action: 'card.open', misId: '1000003' });
    expect(log.latest({ limit: 3 }).map((e) => e.seq)).toEqual([9, 10, 11]);
    expect(log.latest({ misId: '1000003' }).map((e) => e.seq)).toEqual([4, 11]);
    expect(log.latest({ misId: '1000003', limit: 1 }).map((e) => e.seq)).toEqual([11]);
    expect(log.latest().length).toBe(11);
  });
});

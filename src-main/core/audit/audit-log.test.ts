import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../db/open-database';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { openJournalDatabase } from '../journal/open-journal';
import { AuditLog, GENESIS_HASH, canonicalJson, entryHash } from './audit-log';

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
});

import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate } from '../migrate';
import { migration0001OutboxAndAudit } from './0001-outbox-and-audit';

function migrated() {
  const db = openEncryptedDatabase({ path: tempDatabasePath(), key: randomKey(), dbName: 'journal', durability: 'full', cacheSizeMb: 2 });
  migrate(db, [migration0001OutboxAndAudit], 'journal');
  return db;
}

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const ZERO = '0'.repeat(64);

describe('journal migration 0001-outbox-and-audit', () => {
  it('creates the STRICT outbox and audit tables, their indexes and triggers', () => {
    const db = migrated();
    const names = db.prepare<[], string>("SELECT type || ':' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1").pluck().all();
    expect(names).toEqual([
      'index:audit_log_mis_id',
      'index:outbox_due',
      'table:audit_log',
      'table:outbox',
      'trigger:audit_log_no_delete',
      'trigger:audit_log_no_update',
    ]);
    const strict = db.prepare<[], number>("SELECT min(strict) FROM pragma_table_list WHERE schema = 'main' AND name IN ('outbox', 'audit_log')").pluck().get();
    expect(strict).toBe(1);
    db.close();
  });

  it('round-trips an outbox item and keeps idempotency keys unique', () => {
    const db = migrated();
    const insert = db.prepare('INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run('k-1', 'wrap-up', '{"callId":"c1"}', 10, 10, 10);
    expect(db.prepare("SELECT idempotency_key, kind, payload, state, attempts, last_error FROM outbox WHERE idempotency_key = 'k-1'").get()).toEqual({
      idempotency_key: 'k-1',
      kind: 'wrap-up',
      payload: '{"callId":"c1"}',
      state: 'pending',
      attempts: 0,
      last_error: null,
    });
    expect(() => insert.run('k-1', 'wrap-up', '{}', 10, 10, 10)).toThrow(/UNIQUE/);
    expect(() => insert.run('k-2', 'wrap-up', 'not json', 10, 10, 10)).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE outbox SET state = 'lost' WHERE idempotency_key = 'k-1'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('keeps the audit log append-only: updates and deletes raise', () => {
    const db = migrated();
    const insert = db.prepare('INSERT INTO audit_log (at, actor, action, mis_id, call_id, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run(1, 'operator:17', 'card.open', '1000001', 'call-1', null, ZERO, HASH_A);
    insert.run(2, 'operator:17', 'card.open', '1000002', null, 'cashier lookup', HASH_A, HASH_B);
    expect(db.prepare('SELECT seq, action, mis_id, prev_hash FROM audit_log ORDER BY seq').all()).toEqual([
      { seq: 1, action: 'card.open', mis_id: '1000001', prev_hash: ZERO },
      { seq: 2, action: 'card.open', mis_id: '1000002', prev_hash: HASH_A },
    ]);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1").run()).toThrow(/append-only: entries cannot be changed/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only: entries cannot be deleted/);
    expect(() => insert.run(3, 'x', 'y', null, null, null, 'short', HASH_A)).toThrow(/CHECK|UNIQUE/);
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(2);
    db.close();
  });
});

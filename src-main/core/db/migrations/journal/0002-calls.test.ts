import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate } from '../migrate';
import { migration0001OutboxAndAudit } from './0001-outbox-and-audit';
import { migration0002Calls } from './0002-calls';
import { JOURNAL_MIGRATIONS } from './index';

function open(path = tempDatabasePath(), key = randomKey()) {
  return { db: openEncryptedDatabase({ path, key, dbName: 'journal', durability: 'full', cacheSizeMb: 2 }), path, key };
}

const INSERT = `INSERT INTO calls (id, direction, number, display_name, started_at, answered_at, ended_at, outcome, recorded_at)
                VALUES (@id, @direction, @number, @displayName, @startedAt, @answeredAt, @endedAt, @outcome, @recordedAt)`;
const answered = { id: 'c1@pbx;t1', direction: 'incoming', number: '+79001234567', displayName: 'Иванова', startedAt: 1000, answeredAt: 2000, endedAt: 9000, outcome: 'answered', recordedAt: 9100 };

describe('journal migration 0002-calls', () => {
  it('is registered as journal step 2, after the outbox and audit log', () => {
    expect(JOURNAL_MIGRATIONS.slice(0, 2).map((m) => `${m.version}-${m.name}`)).toEqual(['1-outbox-and-audit', '2-calls']);
  });

  it('adds the STRICT calls table and its started_at index to a journal that already has outbox and audit rows', () => {
    const { db } = open();
    migrate(db, [migration0001OutboxAndAudit], 'journal');
    db.prepare("INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, created_at, updated_at) VALUES ('k', 'note', '{}', 1, 1, 1)").run();
    expect(migrate(db, JOURNAL_MIGRATIONS.slice(0, 2), 'journal')).toEqual({ from: 1, to: 2, applied: ['0002-calls'] });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(1);
    const names = db.prepare<[], string>("SELECT type || ':' || name FROM sqlite_master WHERE tbl_name = 'calls' AND name NOT LIKE 'sqlite_%' ORDER BY 1").pluck().all();
    expect(names).toEqual(['index:calls_started_at', 'table:calls']);
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = 'calls'").pluck().get()).toBe(1);
    db.close();
  });

  it('keeps one row per call id and refuses rows the contract would refuse', () => {
    const { db } = open();
    migrate(db, [migration0001OutboxAndAudit, migration0002Calls], 'journal');
    const insert = db.prepare(INSERT);
    insert.run(answered);
    expect(() => insert.run(answered)).toThrow(/UNIQUE|PRIMARY KEY/);
    const bad = (patch: Record<string, unknown>) => () => insert.run({ ...answered, id: `x${Math.random()}`, ...patch });
    expect(bad({ direction: 'sideways' })).toThrow(/CHECK/);
    expect(bad({ outcome: 'dropped' })).toThrow(/CHECK/);
    expect(bad({ displayName: 'я'.repeat(81) })).toThrow(/CHECK/);
    expect(bad({ number: '1'.repeat(65) })).toThrow(/CHECK/);
    // an unanswered outcome with an answer time, and an answered one without, are both contradictions
    expect(bad({ outcome: 'missed' })).toThrow(/CHECK/);
    expect(bad({ answeredAt: null })).toThrow(/CHECK/);
    expect(bad({ outcome: 'lost' })).not.toThrow();
    expect(bad({ outcome: 'missed', answeredAt: null, number: '' })).not.toThrow();
    // STRICT: a time that is not an integer is refused rather than stored as text
    expect(bad({ startedAt: 'yesterday' })).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(db.prepare('SELECT count(*) FROM calls').pluck().get()).toBe(3);
    db.close();
  });
});

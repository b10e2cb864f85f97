import { describe, expect, it } from 'vitest';
import { migration0003WrapUps } from './0003-wrap-ups';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

const INSERT = `INSERT INTO wrap_ups (call_id, mis_id, category, outcome, note, acw_sec, saved_at, outbox_id)
                VALUES (@callId, @misId, @category, @outcome, @note, @acwSec, @savedAt, @outboxId)`;
const row = { callId: 'c1', misId: '1000001', category: 'Запись по ОМС', outcome: 'booked', note: 'записана к терапевту', acwSec: 12, savedAt: 1000, outboxId: 1 };

describe('journal migration 0003-wrap-ups', () => {
  it('is journal step 3', () => {
    expect(JOURNAL_MIGRATIONS[2]).toBe(migration0003WrapUps);
    expect(migration0003WrapUps.version).toBe(3);
  });

  it('adds the STRICT wrap_ups table, its patient index and the calls-by-outcome index to a journal with calls', () => {
    const db = journalAt(2);
    db.prepare("INSERT INTO calls (id, direction, number, display_name, started_at, answered_at, ended_at, outcome, recorded_at) VALUES ('c1', 'incoming', '', '', 1, NULL, 2, 'missed', 3)").run();
    expect(applyStep(db, migration0003WrapUps)).toEqual({ from: 2, to: 3, applied: ['0003-wrap-ups'] });
    expect(objectsOf(db, 'wrap_ups')).toEqual(['index:wrap_ups_mis_id', 'table:wrap_ups']);
    expect(objectsOf(db, 'calls')).toContain('index:calls_outcome_started_at');
    expect(isStrict(db, 'wrap_ups')).toBe(true);
    expect(db.prepare('SELECT count(*) FROM calls').pluck().get()).toBe(1);
    db.close();
  });

  it('keeps one wrap-up per call and refuses what the contract refuses', () => {
    const db = journalAt(3);
    const insert = db.prepare(INSERT);
    insert.run(row);
    expect(() => insert.run(row)).toThrow(/UNIQUE|PRIMARY KEY/);
    const bad = (patch: Record<string, unknown>) => () => insert.run({ ...row, callId: `x${Math.random()}`, ...patch });
    expect(bad({ outcome: 'sold' })).toThrow(/CHECK/);
    expect(bad({ category: '' })).toThrow(/CHECK/);
    expect(bad({ category: 'к'.repeat(81) })).toThrow(/CHECK/);
    expect(bad({ note: 'н'.repeat(2001) })).toThrow(/CHECK/);
    expect(bad({ acwSec: -1 })).toThrow(/CHECK/);
    expect(bad({ misId: null, outcome: 'wrong-number', note: '' })).not.toThrow();
    db.close();
  });
});

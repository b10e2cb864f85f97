import { describe, expect, it } from 'vitest';
import { migration0004PopChoices } from './0004-pop-choices';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

describe('journal migration 0004-pop-choices', () => {
  it('is journal step 4', () => {
    expect(JOURNAL_MIGRATIONS[3]).toBe(migration0004PopChoices);
  });

  it('adds pop_choices (by number) and call_patients (by call, indexed by patient)', () => {
    const db = journalAt(3);
    expect(applyStep(db, migration0004PopChoices)).toEqual({ from: 3, to: 4, applied: ['0004-pop-choices'] });
    expect(objectsOf(db, 'pop_choices')).toEqual(['table:pop_choices']);
    expect(objectsOf(db, 'call_patients')).toEqual(['index:call_patients_mis_id', 'table:call_patients']);
    expect(isStrict(db, 'pop_choices')).toBe(true);
    expect(isStrict(db, 'call_patients')).toBe(true);
    db.close();
  });

  it('keeps one choice per number and one patient per call', () => {
    const db = journalAt(4);
    const choose = db.prepare('INSERT INTO pop_choices (number_key, mis_id, chosen_at) VALUES (?, ?, ?)');
    choose.run('+79161234567', '1000001', 1);
    expect(() => choose.run('+79161234567', '1000002', 2)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => choose.run('+79161234568', '', 2)).toThrow(/CHECK/);
    const show = db.prepare('INSERT INTO call_patients (call_id, mis_id, number_key, shown_at) VALUES (?, ?, ?, ?)');
    show.run('c1', '1000001', '+79161234567', 1);
    expect(() => show.run('c1', '1000002', null, 2)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => show.run('c2', '1000002', null, 2)).not.toThrow();
    db.close();
  });
});

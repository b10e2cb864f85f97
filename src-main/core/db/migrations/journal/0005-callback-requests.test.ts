import { describe, expect, it } from 'vitest';
import { migration0005CallbackRequests } from './0005-callback-requests';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

describe('journal migration 0005-callback-requests', () => {
  it('is journal step 5', () => {
    expect(JOURNAL_MIGRATIONS[4]).toBe(migration0005CallbackRequests);
  });

  it('adds the STRICT callback_requests table with its open-requests index', () => {
    const db = journalAt(4);
    expect(applyStep(db, migration0005CallbackRequests)).toEqual({ from: 4, to: 5, applied: ['0005-callback-requests'] });
    expect(objectsOf(db, 'callback_requests')).toEqual(['index:callback_requests_open', 'table:callback_requests']);
    expect(isStrict(db, 'callback_requests')).toBe(true);
    db.close();
  });

  it('opens one request per call, in state open, and refuses unknown states', () => {
    const db = journalAt(5);
    const insert = db.prepare('INSERT INTO callback_requests (call_id, number, mis_id, created_at) VALUES (?, ?, ?, ?)');
    insert.run('c1', '+79161234567', null, 1);
    expect(db.prepare("SELECT state FROM callback_requests WHERE call_id = 'c1'").pluck().get()).toBe('open');
    expect(() => insert.run('c1', '+79161234567', null, 2)).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE callback_requests SET state = 'lost'").run()).toThrow(/CHECK/);
    db.close();
  });
});

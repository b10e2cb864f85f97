import { describe, expect, it } from 'vitest';
import type { CallWrapUpInput } from '../../../src-shared/calls/calls-contract';
import { journalAt } from '../db/migrations/journal/test-support';
import { PopChoices } from '../screen-pop/pop-choices';
import { Outbox } from '../sync/outbox';
import { CallJournal } from './call-journal';
import { WrapUps, wrapUpKey } from './wrap-ups';

function setup() {
  const db = journalAt();
  const outbox = new Outbox(db, { now: () => 1_000 });
  let id = 0;
  const wrapUps = new WrapUps(db, outbox, { now: () => 2_000, newId: () => `draft-${++id}` });
  return { db, outbox, wrapUps, journal: new CallJournal(db), choices: new PopChoices(db) };
}

const input: CallWrapUpInput = { callId: 'c1', misId: '1000001', category: 'Запись по ОМС', outcome: 'callback', note: 'перезвонить', acwSec: 9 };

describe('WrapUps', () => {
  it('saves the row, its outbox item (key from the call id) and the callback request together, once per call', () => {
    const { db, outbox, wrapUps } = setup();
    const saved = wrapUps.save(input, '+79161234567');
    expect(saved).toEqual({ saved: true, outboxId: expect.any(Number) });
    const item = outbox.get(saved.outboxId!)!;
    expect(item).toMatchObject({ kind: 'wrapup', idempotencyKey: wrapUpKey('c1'), state: 'pending' });
    expect(item.payload).toMatchObject({ localId: 'wrapup:c1', callId: 'c1', misId: '1000001', category: 'Запись по ОМС', outcome: 'callback', note: 'перезвонить', acwSec: 9 });
    expect(wrapUps.openCallbacks()).toEqual([{ callId: 'c1', number: '+79161234567', misId: '1000001', createdAt: 2_000, state: 'open' }]);
    expect(wrapUps.save({ ...input, outcome: 'booked' }, null)).toEqual({ saved: false, outboxId: null });
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(1);
    expect(wrapUpKey('c1')).toMatch(/^wrapup-[0-9a-f]{40}$/);
    expect(wrapUpKey('c1')).not.toBe(wrapUpKey('c2'));
    db.close();
  });

  it('rolls everything back when a part fails: no wrap-up without its outbox item', () => {
    const { db, wrapUps } = setup();
    db.exec("CREATE TRIGGER no_callbacks BEFORE INSERT ON callback_requests BEGIN SELECT RAISE(ABORT, 'refused'); END");
    expect(() => wrapUps.save(input, null)).toThrow(/refused/);
    expect(db.prepare('SELECT count(*) FROM wrap_ups').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
    db.close();
  });

  it('takes the callback number from the call journal when the call is there', () => {
    const { wrapUps, journal } = setup();
    journal.record({ id: 'c1', direction: 'incoming', number: '89161234567', displayName: '', startedAt: '2026-11-30T09:00:00.000Z', answeredAt: '2026-11-30T09:00:02.000Z', endedAt: '2026-11-30T09:01:00.000Z', outcome: 'answered' });
    wrapUps.save(input, '+70000000000');
    expect(wrapUps.openCallbacks()[0]!.number).toBe('89161234567');
  });

  it('stores a new-patient draft with its outbox item', () => {
    const { db, outbox, wrapUps } = setup();
    const { draftId, outboxId } = wrapUps.createDraft({ callId: 'c9', phone: '8 916 123-45-67', surname: 'Новикова', givenName: 'Вера' }, '+79161234567');
    expect(draftId).toBe('draft-1');
    expect(outbox.get(outboxId)).toMatchObject({ kind: 'new-patient', payload: { localId: 'draft-1', phone: '+79161234567', surname: 'Новикова', givenName: 'Вера', patronymic: null } });
    expect(db.prepare('SELECT outbox_id FROM patient_drafts WHERE id = ?').pluck().get(draftId)).toBe(outboxId);
    db.close();
  });

  it('history reads by patient through the indexes (EXPLAIN QUERY PLAN), newest first', () => {
    const { db, wrapUps, journal, choices } = setup();
    for (let i = 0; i < 300; i++) {
      const at = Date.UTC(2026, 10, 1) + i * 60_000;
      journal.record({ id: `c${i}`, direction: 'incoming', number: '', displayName: '', startedAt: new Date(at).toISOString(), answeredAt: null, endedAt: new Date(at + 1000).toISOString(), outcome: 'missed' });
      if (i % 2 === 0) choices.linkCall(`c${i}`, String(1_000_000 + (i % 50)), null, at);
      else wrapUps.save({ ...input, callId: `c${i}`, misId: String(1_000_000 + (i % 50)), outcome: 'information', note: i % 4 === 1 ? `заметка ${i}` : '' }, null);
    }
    db.exec('ANALYZE');
    const items = wrapUps.history('1000001');
    expect(items.length).toBeGreaterThan(0);
    expect(items.map((item) => item.at)).toEqual([...items.map((item) => item.at)].sort().reverse());
    const source = (wrapUps as unknown as { s: { history: { source: string } } }).s.history.source;
    const detail = db
      .prepare<[{ misId: string; limit: number }], { detail: string }>(`EXPLAIN QUERY PLAN ${source}`)
      .all({ misId: '1000001', limit: 50 })
      .map((row) => row.detail)
      .join('\n');
    expect(detail).toMatch(/wrap_ups USING (COVERING )?INDEX wrap_ups_mis_id \(mis_id=\?\)/);
    expect(detail).toMatch(/call_patients USING (COVERING )?INDEX call_patients_mis_id \(mis_id=\?\)/);
    expect(detail).toMatch(/SEARCH c USING INDEX sqlite_autoindex_calls_1 \(id=\?\)/);
    expect(detail).not.toMatch(/SCAN (calls|c|wrap_ups|call_patients)\b(?! USING)/);
    db.close();
  });
});

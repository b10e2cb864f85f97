import { describe, expect, it } from 'vitest';
import { migration0009Bookings } from './0009-bookings';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';
import type { Db } from '../../open-database';

const INSERT = `INSERT INTO bookings (id, kind, patient_mis_id, slot_id, doctor_id, service_id, service_kind, starts_at, starts_at_ms, state, outbox_id,
                  appointment_id, rejection, rejection_message, call_id, replaces_local_id, replaces_appointment_id, created_at, updated_at)
                VALUES (@id, @kind, @patient, @slot, @doctor, @service, @serviceKind, @startsAt, @startsAtMs, @state, @outboxId,
                  @appointment, @rejection, @message, @callId, @replacesLocal, @replacesAppointment, 1, 1)`;
const create = {
  id: 'b1',
  kind: 'create',
  patient: 'P-1',
  slot: 'S-1',
  doctor: 'D-1',
  service: 'SV-1',
  serviceKind: 'oms',
  startsAt: '2026-12-07T09:30:00+03:00',
  startsAtMs: 1,
  state: 'pending',
  outboxId: 1,
  appointment: null,
  rejection: null,
  message: null,
  callId: 'call-1',
  replacesLocal: null,
  replacesAppointment: null,
};

function plan(db: Db, sql: string): string {
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
  return (statement.all(...params) as { detail: string }[]).map((row) => row.detail).join(' | ');
}

describe('journal migration 0009-bookings', () => {
  it('is journal step 9', () => {
    expect(JOURNAL_MIGRATIONS[8]).toBe(migration0009Bookings);
    expect(migration0009Bookings.version).toBe(9);
  });

  it('adds the STRICT bookings table and its indexes to a journal at step 8, keeping the callback tasks', () => {
    const db = journalAt(8);
    db.prepare("INSERT INTO callback_tasks (id, state, first_at, closed_at, record, updated_at) VALUES ('+79161234567', 'open', 1, NULL, '{}', 1)").run();
    expect(applyStep(db, migration0009Bookings)).toEqual({ from: 8, to: 9, applied: ['0009-bookings'] });
    expect(objectsOf(db, 'bookings')).toEqual([
      'index:bookings_by_appointment',
      'index:bookings_by_call',
      'index:bookings_by_outbox',
      'index:bookings_by_patient',
      'index:bookings_by_slot',
      'index:bookings_by_state',
      'index:bookings_hold',
      'table:bookings',
    ]);
    expect(isStrict(db, 'bookings')).toBe(true);
    expect(db.prepare('SELECT count(*) FROM callback_tasks').pluck().get()).toBe(1);
    db.close();
  });

  it('lets one pending create or move hold a slot, and any number of settled ones', () => {
    const db = journalAt(9);
    const insert = db.prepare(INSERT);
    insert.run(create);
    expect(() => insert.run({ ...create, id: 'b2', outboxId: 2 })).toThrow(/UNIQUE/);
    expect(() => insert.run({ ...create, id: 'b3', outboxId: 3, kind: 'move', replacesLocal: 'b1' })).toThrow(/UNIQUE/);
    insert.run({ ...create, id: 'b4', outboxId: 4, state: 'rejected', rejection: 'slot-taken', message: 'Слот уже занят' });
    insert.run({ ...create, id: 'b5', outboxId: 5, state: 'confirmed', appointment: 'A-1' });
    // a cancel of the held slot's booking is not a hold
    insert.run({ ...create, id: 'b6', outboxId: 6, kind: 'cancel', replacesLocal: 'b1' });
    expect(db.prepare('SELECT count(*) FROM bookings').pluck().get()).toBe(4);
    db.close();
  });

  it('refuses rows that break the model: one row per outbox item, a create without its slot, a move naming nothing, a confirmed cancel, a rejection without its state', () => {
    const db = journalAt(9);
    const insert = db.prepare(INSERT);
    insert.run(create);
    expect(() => insert.run({ ...create, id: 'x1', slot: 'S-2' })).toThrow(/UNIQUE/);
    expect(() => insert.run({ ...create, id: 'x2', outboxId: 12, slot: null })).toThrow(/CHECK/);
    expect(() => insert.run({ ...create, id: 'x3', outboxId: 13, slot: 'S-3', kind: 'move' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...create, id: 'x4', outboxId: 14, slot: null, kind: 'cancel', replacesAppointment: 'A-1', state: 'confirmed' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...create, id: 'x5', outboxId: 15, slot: 'S-5', state: 'rejected' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...create, id: 'x6', outboxId: 16, slot: 'S-6', rejection: 'slot-taken' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...create, id: 'x7', outboxId: 17, slot: 'S-7', state: 'rejected', rejection: 'busy' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...create, id: 'x8', outboxId: 18, slot: 'S-8', serviceKind: 'free' })).toThrow(/CHECK/);
    // a cancel may not know its slot
    insert.run({ ...create, id: 'c1', outboxId: 19, kind: 'cancel', slot: null, doctor: null, startsAt: null, startsAtMs: null, replacesAppointment: 'A-9' });
    expect(db.prepare('SELECT count(*) FROM bookings').pluck().get()).toBe(2);
    db.close();
  });

  it('answers the hot paths from indexes: by patient, by call, by appointment, by slot, the held slots', () => {
    const db = journalAt(9);
    expect(plan(db, 'SELECT * FROM bookings WHERE patient_mis_id = ? ORDER BY rowid LIMIT ?')).toMatch(/USING INDEX bookings_by_patient/);
    expect(plan(db, 'SELECT * FROM bookings WHERE patient_mis_id = ? ORDER BY rowid LIMIT ?')).not.toMatch(/TEMP B-TREE/);
    expect(plan(db, 'SELECT * FROM bookings WHERE call_id = ? ORDER BY rowid')).toMatch(/USING INDEX bookings_by_call/);
    expect(plan(db, "SELECT * FROM bookings WHERE appointment_id = ? AND kind IN ('create', 'move') ORDER BY rowid DESC LIMIT 1")).toMatch(/USING INDEX bookings_by_appointment/);
    expect(plan(db, "SELECT * FROM bookings WHERE slot_id = ? AND kind IN ('create', 'move') ORDER BY rowid DESC LIMIT 1")).toMatch(/USING INDEX bookings_(by_slot|hold)/);
    expect(plan(db, "SELECT count(*) FROM bookings WHERE slot_id = ? AND state = 'pending' AND kind IN ('create', 'move')")).toMatch(/SEARCH bookings USING INDEX bookings_hold \(slot_id=\?\)/);
    expect(plan(db, "SELECT count(*) FROM bookings WHERE slot_id = ? AND state = 'confirmed' AND kind IN ('create', 'move') AND updated_at > ? AND starts_at_ms > ?")).toMatch(
      /SEARCH bookings USING INDEX bookings_by_state \(state=\? AND updated_at>\?\)/,
    );
    const held = plan(
      db,
      `SELECT slot_id FROM bookings WHERE state = 'pending' AND kind IN ('create', 'move')
       UNION SELECT slot_id FROM bookings WHERE state = 'confirmed' AND updated_at > ? AND kind IN ('create', 'move') AND starts_at_ms > ?`,
    );
    expect(held).toMatch(/SEARCH bookings USING INDEX bookings_by_state \(state=\?\)/);
    expect(held).toMatch(/SEARCH bookings USING INDEX bookings_by_state \(state=\? AND updated_at>\?\)/);
    expect(held).not.toMatch(/SCAN bookings(?! USING)/);
    db.close();
  });
});

import { describe, expect, it } from 'vitest';
import { migration0006PatientDrafts } from './0006-patient-drafts';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

const INSERT = `INSERT INTO patient_drafts (id, call_id, phone, surname, given_name, patronymic, birth_date, note, created_at, outbox_id)
                VALUES (@id, @callId, @phone, @surname, @givenName, @patronymic, @birthDate, @note, @createdAt, @outboxId)`;
const draft = { id: 'd1', callId: 'c1', phone: '+79161234567', surname: 'Ёлкина', givenName: 'Анна', patronymic: null, birthDate: '1990-05-01', note: null, createdAt: 1, outboxId: 1 };

describe('journal migration 0006-patient-drafts', () => {
  it('is journal step 6', () => {
    expect(JOURNAL_MIGRATIONS[5]?.name).toBe('patient-drafts');
    expect(JOURNAL_MIGRATIONS[5]?.version).toBe(6);
  });

  it('adds the STRICT patient_drafts table', () => {
    const db = journalAt(5);
    expect(applyStep(db, migration0006PatientDrafts)).toEqual({ from: 5, to: 6, applied: ['0006-patient-drafts'] });
    expect(objectsOf(db, 'patient_drafts')).toEqual(['index:patient_drafts_call_id', 'table:patient_drafts']);
    expect(isStrict(db, 'patient_drafts')).toBe(true);
    db.close();
  });

  it('refuses a draft without a name or with an overlong note', () => {
    const db = journalAt(6);
    const insert = db.prepare(INSERT);
    insert.run(draft);
    expect(() => insert.run(draft)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => insert.run({ ...draft, id: 'd2', surname: '' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...draft, id: 'd3', note: 'x'.repeat(501) })).toThrow(/CHECK/);
    expect(() => insert.run({ ...draft, id: 'd4', birthDate: '1990' })).toThrow(/CHECK/);
    db.close();
  });
});

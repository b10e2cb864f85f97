import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate } from '../migrate';
import { migration0001Patients } from './0001-patients';

function migrated() {
  const db = openEncryptedDatabase({ path: tempDatabasePath(), key: randomKey(), dbName: 'cache', durability: 'normal', cacheSizeMb: 2 });
  migrate(db, [migration0001Patients], 'cache');
  return db;
}

describe('cache migration 0001-patients', () => {
  it('creates the STRICT tables, the indexes and the FTS5 table', () => {
    const db = migrated();
    const objects = db.prepare<[], { type: string; name: string }>("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'patients_fts_%'").all();
    expect(objects.map((o) => `${o.type}:${o.name}`).sort()).toEqual(
      [
        'index:patient_phones_e164',
        'index:patient_phones_patient',
        'index:patient_phones_reversed',
        'index:patients_birth_date',
        'index:patients_mis_id',
        'index:patients_oms_policy',
        'index:quarantine_stream_at',
        'table:name_terms',
        'table:patient_cards',
        'table:patient_phones',
        'table:patients',
        'table:patients_fts',
        'table:quarantine',
        'table:sync_cursors',
      ].sort(),
    );
    const strict = db.prepare<[], { name: string; strict: number }>("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'patients_fts%'").all();
    expect(strict.every((t) => t.strict === 1)).toBe(true);
    db.close();
  });

  it('round-trips a patient with phones, FTS entry and cursor', () => {
    const db = migrated();
    db.prepare('INSERT INTO patients (id, mis_id, version, name_key, birth_date, oms_policy, snils) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      1,
      'P-1',
      2,
      'римская-корсакова|алена|петровна',
      '1985-03-12',
      '7700123456789012',
      '11223344595',
    );
    db.prepare('INSERT INTO patient_cards (patient_id, card) VALUES (?, ?)').run(1, '{"misId":"P-1"}');
    db.prepare('INSERT INTO patient_phones (patient_id, e164, reversed_digits, kind) VALUES (?, ?, ?, ?)').run(1, '+79161234567', '76543216197', 'mobile');
    db.prepare('INSERT INTO patients_fts (rowid, name_key) VALUES (?, ?)').run(1, 'римская-корсакова|алена|петровна');
    db.prepare('INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES (?, ?, ?)').run('demo:patients', 'c-42', 1);

    expect(db.prepare('SELECT p.mis_id, p.version, p.birth_date, c.card FROM patients p JOIN patient_cards c ON c.patient_id = p.id').get()).toEqual({
      mis_id: 'P-1',
      version: 2,
      birth_date: '1985-03-12',
      card: '{"misId":"P-1"}',
    });
    expect(db.prepare("SELECT patient_id FROM patient_phones WHERE e164 = '+79161234567'").pluck().get()).toBe(1);
    expect(db.prepare("SELECT rowid FROM patients_fts WHERE patients_fts MATCH '\"корс\"* AND \"ал\"*'").pluck().all()).toEqual([1]);
    expect(db.prepare("SELECT cursor FROM sync_cursors WHERE stream = 'demo:patients'").pluck().get()).toBe('c-42');
    db.close();
  });

  it('refuses rows that break the constraints', () => {
    const db = migrated();
    const insert = db.prepare('INSERT INTO patients (id, mis_id, version, name_key, birth_date) VALUES (?, ?, ?, ?, ?)');
    insert.run(1, 'P-1', 1, 'a|b|', '1985-03-12');
    expect(() => insert.run(2, 'P-1', 1, 'a|b|', '1985-03-12')).toThrow(/UNIQUE/);
    expect(() => insert.run(3, 'P-3', 'one', 'a|b|', '1985-03-12')).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => insert.run(4, 'P-4', 1, 'a|b|', '1985-3-12')).toThrow(/CHECK/);
    expect(() => insert.run(5, 'P-5', -1, 'a|b|', '1985-03-12')).toThrow(/CHECK/);
    expect(() => db.prepare('INSERT INTO patient_cards (patient_id, card) VALUES (?, ?)').run(99, '{}')).toThrow(/FOREIGN KEY/);
    const phone = db.prepare('INSERT INTO patient_phones (patient_id, e164, reversed_digits, kind) VALUES (?, ?, ?, ?)');
    expect(() => phone.run(1, '89161234567', '76543216198', 'mobile')).toThrow(/CHECK/);
    expect(() => phone.run(1, '+79161234567', '76543216197', 'fax')).toThrow(/CHECK/);
    expect(() => phone.run(99, '+79161234567', '76543216197', 'mobile')).toThrow(/FOREIGN KEY/);
    phone.run(1, '+79161234567', '76543216197', 'mobile');
    expect(() => phone.run(1, '+79161234567', '76543216197', 'home')).toThrow(/UNIQUE/);
    db.close();
  });
});

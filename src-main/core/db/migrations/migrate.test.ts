import { describe, expect, it } from 'vitest';
import { DatabaseError } from '../database-error';
import { openEncryptedDatabase, type Db } from '../open-database';
import { randomKey, tempDatabasePath } from '../test-support';
import { migrate, readUserVersion, type Migration } from './migrate';

const open = (path = tempDatabasePath(), key = randomKey()) =>
  openEncryptedDatabase({ path, key, dbName: 'journal', durability: 'full', cacheSizeMb: 2 });

const step = (version: number, sql: string): Migration => ({ version, name: `step-${version}`, up: (db: Db) => db.exec(sql) });
const steps = [step(1, 'CREATE TABLE a (x INTEGER) STRICT'), step(2, 'CREATE TABLE b (y INTEGER) STRICT')];

describe('migrate', () => {
  it('applies every step in order and records the version', () => {
    const db = open();
    expect(migrate(db, steps, 'journal')).toEqual({ from: 0, to: 2, applied: ['0001-step-1', '0002-step-2'] });
    expect(readUserVersion(db, 'journal')).toBe(2);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')").pluck().get()).toBe(2);
    db.close();
  });

  it('is a no-op on an up-to-date file and applies only new steps later', () => {
    const path = tempDatabasePath();
    const key = randomKey();
    let db = open(path, key);
    migrate(db, steps.slice(0, 1), 'journal');
    db.close();
    db = open(path, key);
    expect(migrate(db, steps, 'journal')).toEqual({ from: 1, to: 2, applied: ['0002-step-2'] });
    expect(migrate(db, steps, 'journal').applied).toEqual([]);
    db.close();
  });

  it('refuses a file written by a newer build with NEWER_VERSION', () => {
    const db = open();
    db.pragma('user_version = 7');
    try {
      migrate(db, steps, 'journal');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).code).toBe('NEWER_VERSION');
      expect((error as DatabaseError).recovery).toBe('update-app');
      expect((error as DatabaseError).message).toBe(
        'This journal database was written by a newer Registratura (schema 7, this build knows 2); update the app.',
      );
    }
    db.close();
  });

  it('rolls a failing step back entirely, keeps earlier steps and says which step failed', () => {
    const db = open();
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up(d) {
        d.exec('CREATE TABLE half_done (z INTEGER) STRICT');
        d.exec('INSERT INTO no_such_table VALUES (1)');
      },
    };
    expect(() => migrate(db, [steps[0]!, broken], 'journal')).toThrow(/schema 2 \(broken\) failed and was rolled back; the file is still at schema 1/);
    expect(readUserVersion(db, 'journal')).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a migration list with gaps or out of order', () => {
    const db = open();
    expect(() => migrate(db, [steps[1]!], 'journal')).toThrow(/numbered 1, 2, 3/);
    db.close();
  });
});

import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { openEncryptedDatabase, type PageSize } from './open-database';

/**
 * Helpers for this folder's tests (not shipped behaviour): a fresh temp folder and a random
 * 32-byte key, the same inputs the app gets from the OS keychain.
 */
export function tempDatabasePath(name = 'test.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'rg-db-')), name);
}

/** A random 32-byte database key. */
export function randomKey(): Buffer {
  return randomBytes(32);
}

/**
 * Overwrites every page of the named b-trees (tables, indexes, FTS shadow tables) of an
 * encrypted, closed database file with random bytes, as a failing disk would: the pages' MACs
 * no longer match, so SQLite reports `SQLITE_CORRUPT` when a query reads one. Returns the page
 * numbers damaged. Tests only.
 */
export function damagePagesOf(options: { path: string; key: Buffer; pageSize: PageSize; names: readonly string[] }): number[] {
  const db = openEncryptedDatabase({ path: options.path, key: options.key, dbName: 'cache', durability: 'normal', cacheSizeMb: 2, pageSize: options.pageSize, readonly: true });
  let pages: number[];
  try {
    const placeholders = options.names.map(() => '?').join(', ');
    pages = db.prepare<string[], number>(`SELECT DISTINCT pageno FROM dbstat WHERE name IN (${placeholders}) ORDER BY pageno`).pluck().all(...options.names);
  } finally {
    db.close();
  }
  const fd = openSync(options.path, 'r+');
  try {
    for (const page of pages) writeSync(fd, randomBytes(options.pageSize), 0, options.pageSize, (page - 1) * options.pageSize);
  } finally {
    closeSync(fd);
  }
  return pages;
}

/** A valid card for tests: patient `index` of a made-up clinic, with `patch` applied. */
export function testCard(index: number, patch: Partial<PatientCard> = {}): PatientCard {
  const national10 = `916${String(1_000_000 + index).padStart(7, '0')}`;
  return {
    misId: `T-${index}`,
    version: 1,
    surname: 'Иванова',
    givenName: 'Мария',
    patronymic: 'Петровна',
    birthDate: '1985-03-12',
    sex: 'female',
    phones: [{ e164: `+7${national10}`, national10, kind: 'mobile' }],
    email: null,
    address: null,
    omsPolicy: null,
    dms: null,
    snils: null,
    flags: { allergies: null, vip: false, preferredChannel: null, consentSms: true, consentCalls: true },
    lastVisit: null,
    appointments: [],
    ...patch,
  };
}

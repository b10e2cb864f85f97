import { createCipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
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

/** Bytes the page cipher reserves at the end of each page: a 16-byte nonce, then a 16-byte MAC. */
const PAGE_RESERVED_BYTES = 32;

/**
 * The plaintext of an encrypted database file and of its WAL, page by page, decrypted here in
 * JS rather than through SQLite: every page of the file (free pages included) and every frame
 * of the WAL (old page images included), so deleted text that SQLite would never read back is
 * still seen. `PRAGMA rekey = ''` is no substitute: it rewrites only the pages in use, and the
 * free pages come out empty (tried: a deleted row on a freed page vanished from the "decrypted"
 * copy even with `secure_delete` off, which would let a purge test pass for the wrong reason).
 *
 * The layout is ChaCha20-Poly1305 as SQLite3 Multiple Ciphers writes it with `legacy = 1`
 * (sqleet): a page's last 32 bytes are its nonce and MAC; the counter is the nonce's last word
 * XOR the page number; a one-time key is the first 64 bytes of ChaCha20 under the raw key, and
 * the page is the ChaCha20 stream under its second half, one block on. The first 16 bytes of
 * page 1 are not encrypted content (sqleet keeps a salt there), so they decrypt to noise. The
 * MACs are not checked: a wrong key or layout is caught by page 1's header, which must decrypt
 * to this page size and reserve. Tests only.
 */
export function decryptDatabaseFiles(options: { path: string; key: Buffer; pageSize: PageSize }): { file: Buffer; wal: Buffer } {
  const { key, pageSize } = options;
  const raw = readFileSync(options.path);
  const pages: Buffer[] = [];
  for (let offset = 0; offset + pageSize <= raw.length; offset += pageSize) pages.push(decryptPage(key, raw.subarray(offset, offset + pageSize), pages.length + 1));
  const first = pages[0];
  if (!first || first.readUInt16BE(16) !== (pageSize === 65_536 ? 1 : pageSize) || first[20] !== PAGE_RESERVED_BYTES) {
    throw new Error(`${options.path} did not decrypt to a SQLite file of ${pageSize}-byte pages (wrong key or page layout).`);
  }
  const frames: Buffer[] = [];
  const walPath = `${options.path}-wal`;
  if (existsSync(walPath)) {
    const wal = readFileSync(walPath);
    // A 32-byte WAL header, then frames: a 24-byte header (page number first) and the page.
    for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
      frames.push(decryptPage(key, wal.subarray(offset + 24, offset + 24 + pageSize), wal.readUInt32BE(offset)));
    }
  }
  return { file: Buffer.concat(pages), wal: Buffer.concat(frames) };
}

function decryptPage(key: Buffer, page: Buffer, pageNumber: number): Buffer {
  const size = page.length - PAGE_RESERVED_BYTES;
  const nonce = page.subarray(size, size + 16);
  const counter = (nonce.readUInt32LE(12) ^ pageNumber) >>> 0;
  const oneTimeKey = chacha20(key, counter, nonce, Buffer.alloc(64));
  return chacha20(oneTimeKey.subarray(32, 64), (counter + 1) >>> 0, nonce, page.subarray(0, size));
}

/** ChaCha20 (RFC 8439: 32-bit block counter, 96-bit nonce) of `data`. */
function chacha20(key: Buffer, counter: number, nonce: Buffer, data: Buffer): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  nonce.copy(iv, 4, 0, 12);
  return createCipheriv('chacha20', key, iv).update(data);
}

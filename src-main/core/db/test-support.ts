import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

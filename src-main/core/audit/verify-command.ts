import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError } from '../db/database-error';
import { openEncryptedDatabase, type Db } from '../db/open-database';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { SecretsUnavailableError } from '../secrets/secret-store';
import { AuditLog } from './audit-log';

/** What `npm run audit:verify` prints and exits with. */
export interface AuditVerifyOutcome {
  /** 0 chain intact, 1 chain broken, 2 nothing could be verified (missing or unreadable journal or key). */
  code: 0 | 1 | 2;
  /** The one line printed (stdout for 0 and 1, stderr for 2). */
  line: string;
}

/** Where the browser host keeps its key-file secret store, relative to the data folder. */
const SECRETS_DIR = 'secrets';
const KEY_FILE = 'secret.key';
const VAULT_FILE = 'secrets.json';

/**
 * The audit-log verifier behind `npm run audit:verify -- --data-dir DIR`: opens DIR/journal.db
 * read-only with the database key from the browser host's key-file secret store in
 * DIR/secrets, walks the hash chain and says whether it is intact.
 *
 * It never writes the journal: the file is opened read-only (SQLite may still create the empty
 * `-wal`/`-shm` index files beside it, as any reader of a WAL database does), and a missing key
 * or vault is reported rather than created (the secret store would otherwise make a fresh,
 * useless key).
 * The desktop app keeps its key in the OS keychain through Electron's safeStorage, which only
 * the app itself can read, so its data folder cannot be verified from the command line.
 */
export function runAuditVerify(dataDir: string): AuditVerifyOutcome {
  const journalPath = join(dataDir, 'journal.db');
  if (!existsSync(journalPath)) {
    return unverifiable(`no journal.db in ${dataDir}: nothing to verify (is this the desk's data folder?)`);
  }
  const key = readDatabaseKey(join(dataDir, SECRETS_DIR));
  if (typeof key === 'string') return unverifiable(key);

  let db: Db | null = null;
  try {
    db = openEncryptedDatabase({ path: journalPath, key, dbName: 'journal', durability: 'full', cacheSizeMb: 16, readonly: true });
    const hasLog = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'`).get() !== undefined;
    if (!hasLog) return unverifiable(`${journalPath} has no audit log yet (the desk has not opened it with this version)`);
    const result = new AuditLog(db).verify();
    if (result.ok) return { code: 0, line: `audit log OK: ${result.checked} entries, chain intact` };
    return { code: 1, line: `audit log BROKEN at entry #${result.firstBrokenSeq ?? '?'} (${result.checked} entries checked)` };
  } catch (error) {
    // A wrong key or damaged page means the chain could not be read at all: that is not a
    // verdict on the chain, so it is reported as "cannot verify" with the database's own reason.
    if (error instanceof DatabaseError) return unverifiable(`cannot read ${journalPath}: ${error.message}`);
    throw error;
  } finally {
    db?.close();
  }
}

/** The 32-byte key, or why it cannot be had (as the line to print). */
function readDatabaseKey(secretsDir: string): Buffer | string {
  const keychainNote =
    'the desktop app keeps the database key in the OS keychain (Electron safeStorage), which cannot be read outside the app; only a browser-host data folder can be verified from the command line';
  if (!existsSync(join(secretsDir, KEY_FILE)) || !existsSync(join(secretsDir, VAULT_FILE))) {
    return `no database key in ${secretsDir}: ${keychainNote}`;
  }
  // Checked here because the secret store moves a damaged vault aside, and a verifier must not.
  try {
    JSON.parse(readFileSync(join(secretsDir, VAULT_FILE), 'utf8'));
  } catch {
    return `${join(secretsDir, VAULT_FILE)} is damaged: the database key cannot be read`;
  }
  try {
    const hex = new KeyFileSecretStore(secretsDir, silentLogger).get('db.key');
    if (hex === undefined) return `no database key in ${secretsDir}: ${keychainNote}`;
    const key = Buffer.from(hex, 'hex');
    return key.length === 32 ? key : `the database key in ${secretsDir} is damaged (not 32 bytes)`;
  } catch (error) {
    if (error instanceof SecretsUnavailableError) return error.message;
    throw error;
  }
}

function unverifiable(reason: string): AuditVerifyOutcome {
  return { code: 2, line: `audit log NOT VERIFIED: ${reason}` };
}

/** Parses `--data-dir DIR` (or `--data-dir=DIR`); returns null when it is missing. */
export function parseAuditVerifyArgs(argv: readonly string[]): { dataDir: string } | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--data-dir' && argv[i + 1]) return { dataDir: argv[i + 1]! };
    if (arg.startsWith('--data-dir=') && arg.length > '--data-dir='.length) return { dataDir: arg.slice('--data-dir='.length) };
  }
  return null;
}

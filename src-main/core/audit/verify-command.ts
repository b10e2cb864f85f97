import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseError } from '../db/database-error';
import { openEncryptedDatabase, type Db } from '../db/open-database';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { SecretsUnavailableError } from '../secrets/secret-store';
import { AuditLog, type AuditAnchor, type AuditEntry, type AuditVerification } from './audit-log';

/** What `npm run audit:verify` prints and exits with. */
export interface AuditVerifyOutcome {
  /** 0 chain intact, 1 chain broken, 2 nothing could be verified (missing or unreadable journal or key). */
  code: 0 | 1 | 2;
  /** The verdict line (stdout for 0 and 1, stderr for 2). */
  line: string;
  /**
   * Only when entries were asked for ({@link AuditVerifyOptions}) and the chain could be read:
   * one line per entry, oldest first, printed to stdout after the verdict.
   */
  entries?: string[];
}

/** Which entries to print besides the verdict (`--entries N`, `--card MISID`); both: the card's newest N. */
export interface AuditVerifyOptions {
  /** The newest N entries. */
  entries?: number;
  /** The entries about this card (MIS id). */
  card?: string;
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
export function runAuditVerify(dataDir: string, options: AuditVerifyOptions = {}): AuditVerifyOutcome {
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
    const log = new AuditLog(db);
    const result = log.verify();
    const listed = options.entries !== undefined || options.card !== undefined;
    const entries = listed ? { entries: log.latest({ limit: options.entries, misId: options.card }).map((entry) => formatAuditEntry(entry, result)) } : {};
    return { code: result.ok ? 0 : 1, line: verdictLine(result), ...entries };
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

/** The verdict: intact (from genesis or from the retention anchor) or broken at the first bad seq. */
function verdictLine(result: AuditVerification): string {
  const anchor = result.anchor;
  if (result.ok) return `audit log OK: ${result.checked} entries, ${anchor ? `chain verified from ${anchorText(anchor)}` : 'chain intact'}`;
  const broken = `audit log BROKEN at entry #${result.firstBrokenSeq ?? '?'}`;
  return anchor
    ? `${broken} (${result.checked} entries checked from anchor #${anchor.seq}; ${anchor.removed} entries removed by retention)`
    : `${broken} (${result.checked} entries checked)`;
}

function anchorText(anchor: AuditAnchor): string {
  return `anchor #${anchor.seq} (${anchor.removed} entries removed by retention)`;
}

/**
 * One entry as a data-protection officer reads it:
 * `#12 2026-12-06T08:01:02Z card.open misId=1001 call=c-7 by «Кассир Петрова» (cashier, person:petrova)`.
 * Entries at or after a break are marked `[not verified]`. Control and format characters (line
 * breaks, bidi overrides) in any field are shown as `�`, so an entry is always one honest line.
 */
export function formatAuditEntry(entry: AuditEntry, verification: Pick<AuditVerification, 'firstBrokenSeq'>): string {
  const parts = [`#${entry.seq}`, new Date(entry.at).toISOString().replace(/\.\d{3}Z$/, 'Z'), inert(entry.action)];
  if (entry.misId !== null) parts.push(`misId=${inert(entry.misId)}`);
  if (entry.callId !== null) parts.push(`call=${inert(entry.callId)}`);
  if (entry.reason !== null) parts.push(`reason=«${inert(entry.reason)}»`);
  const actor = inert(entry.actor);
  if (entry.actorName !== null) parts.push(`by «${inert(entry.actorName)}» (${entry.role !== null ? `${entry.role}, ` : ''}${actor})`);
  else parts.push(entry.role !== null ? `by ${actor} (${entry.role})` : `by ${actor}`);
  if (verification.firstBrokenSeq !== null && entry.seq >= verification.firstBrokenSeq) parts.push('[not verified]');
  return parts.join(' ');
}

function inert(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, '\uFFFD');
}

function unverifiable(reason: string): AuditVerifyOutcome {
  return { code: 2, line: `audit log NOT VERIFIED: ${reason}` };
}

/** The command line's usage, printed on bad arguments. */
export const AUDIT_VERIFY_USAGE = 'usage: npm run audit:verify -- --data-dir DIR [--entries N] [--card MISID]';

/**
 * Parses `--data-dir DIR` and the optional `--entries N` (a whole number ≥ 1) and `--card MISID`,
 * each also as `--name=value`; returns null when `--data-dir` is missing or a value is not valid.
 */
export function parseAuditVerifyArgs(argv: readonly string[]): ({ dataDir: string } & AuditVerifyOptions) | null {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    for (const name of ['--data-dir', '--entries', '--card']) {
      if (arg === name) {
        const value = argv[i + 1];
        if (value === undefined || value === '' || value.startsWith('--')) return null;
        values.set(name, value);
        i += 1;
      } else if (arg.startsWith(`${name}=`)) {
        const value = arg.slice(name.length + 1);
        if (value === '') return null;
        values.set(name, value);
      }
    }
  }
  const dataDir = values.get('--data-dir');
  if (dataDir === undefined) return null;
  const parsed: { dataDir: string } & AuditVerifyOptions = { dataDir };
  const entries = values.get('--entries');
  if (entries !== undefined) {
    if (!/^[1-9]\d{0,8}$/.test(entries)) return null;
    parsed.entries = Number(entries);
  }
  const card = values.get('--card');
  if (card !== undefined) parsed.card = card;
  return parsed;
}

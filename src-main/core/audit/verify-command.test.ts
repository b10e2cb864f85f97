import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateDatabaseKey } from '../cache/database-key';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { openJournalDatabase } from '../journal/open-journal';
import { AuditLog } from './audit-log';
import { parseAuditVerifyArgs, runAuditVerify } from './verify-command';

/** A browser-host data folder with a journal holding `entries` audit entries. */
function dataDirWithLog(entries: number): { dataDir: string; open: () => ReturnType<typeof openJournalDatabase> } {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-verify-'));
  const { key } = loadOrCreateDatabaseKey(new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger));
  const open = () => openJournalDatabase({ path: join(dataDir, 'journal.db'), key });
  const db = open();
  const log = new AuditLog(db);
  for (let i = 1; i <= entries; i++) log.append({ actor: 'role:cashier', action: 'card.open', misId: `P-${i}`, reason: 'search' });
  db.close();
  return { dataDir, open };
}

describe('runAuditVerify', () => {
  it('reports an intact chain with its length', () => {
    const { dataDir } = dataDirWithLog(3);
    expect(runAuditVerify(dataDir)).toEqual({ code: 0, line: 'audit log OK: 3 entries, chain intact' });
  });

  it('reports the first altered entry of a tampered log', () => {
    const { dataDir, open } = dataDirWithLog(4);
    const db = open();
    // The triggers refuse UPDATE; someone with the key and a SQLite shell can drop them first.
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    db.prepare(`UPDATE audit_log SET mis_id = 'P-999' WHERE seq = 3`).run();
    db.close();
    expect(runAuditVerify(dataDir)).toEqual({ code: 1, line: 'audit log BROKEN at entry #3 (2 entries checked)' });
  });

  it('reports a removed entry as the missing seq', () => {
    const { dataDir, open } = dataDirWithLog(3);
    const db = open();
    db.exec('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 2;');
    db.close();
    expect(runAuditVerify(dataDir)).toEqual({ code: 1, line: 'audit log BROKEN at entry #2 (1 entries checked)' });
  });

  it('says there is nothing to verify when journal.db is missing', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-verify-'));
    const outcome = runAuditVerify(dataDir);
    expect(outcome.code).toBe(2);
    expect(outcome.line).toMatch(/no journal\.db in /);
  });

  it('explains a missing key (the desktop app keeps it in the keychain) and creates none', () => {
    const { dataDir } = dataDirWithLog(1);
    const elsewhere = mkdtempSync(join(tmpdir(), 'rg-verify-'));
    // A journal copied without its secrets folder, as from a desktop install.
    copyFileSync(join(dataDir, 'journal.db'), join(elsewhere, 'journal.db'));
    const outcome = runAuditVerify(elsewhere);
    expect(outcome.code).toBe(2);
    expect(outcome.line).toMatch(/no database key in .*keychain.*cannot be read outside the app/);
    expect(existsSync(join(elsewhere, 'secrets'))).toBe(false);
  });

  it('says the journal cannot be read when the stored key is not its key', () => {
    const { dataDir } = dataDirWithLog(1);
    new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger).set('db.key', randomBytes(32).toString('hex'));
    const outcome = runAuditVerify(dataDir);
    expect(outcome.code).toBe(2);
    expect(outcome.line).toMatch(/^audit log NOT VERIFIED: cannot read .*journal\.db: /);
  });

  it('opens the journal read-only: the file is unchanged and the desk appends to it afterwards', () => {
    const { dataDir, open } = dataDirWithLog(2);
    const before = readFileSync(join(dataDir, 'journal.db'));
    expect(runAuditVerify(dataDir).code).toBe(0);
    expect(readFileSync(join(dataDir, 'journal.db')).equals(before)).toBe(true);
    const db = open();
    new AuditLog(db).append({ actor: 'role:cashier', action: 'card.open', misId: 'P-3' });
    db.close();
    expect(runAuditVerify(dataDir)).toEqual({ code: 0, line: 'audit log OK: 3 entries, chain intact' });
  });
});

describe('parseAuditVerifyArgs', () => {
  it('takes --data-dir DIR or --data-dir=DIR, and nothing else', () => {
    expect(parseAuditVerifyArgs(['--data-dir', '/d'])).toEqual({ dataDir: '/d' });
    expect(parseAuditVerifyArgs(['--data-dir=/d'])).toEqual({ dataDir: '/d' });
    expect(parseAuditVerifyArgs([])).toBeNull();
    expect(parseAuditVerifyArgs(['--data-dir'])).toBeNull();
  });
});

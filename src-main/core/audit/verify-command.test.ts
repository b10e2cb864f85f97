import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateDatabaseKey } from '../cache/database-key';
import { JOURNAL_MIGRATIONS } from '../db/migrations/journal';
import { migrate } from '../db/migrations/migrate';
import { openEncryptedDatabase } from '../db/open-database';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { openJournalDatabase } from '../journal/open-journal';
import { AuditLog, auditRetentionCutoff, type AuditEntry } from './audit-log';
import { formatAuditEntry, parseAuditVerifyArgs, runAuditVerify } from './verify-command';

/** A browser-host data folder whose journal `write` filled, the clock at `clock.now`. */
function dataDirWith(write: (log: AuditLog, clock: { now: number }) => void): { dataDir: string; open: () => ReturnType<typeof openJournalDatabase> } {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-verify-'));
  const { key } = loadOrCreateDatabaseKey(new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger));
  const open = () => openJournalDatabase({ path: join(dataDir, 'journal.db'), key });
  const db = open();
  const clock = { now: Date.UTC(2026, 11, 6, 8, 0, 0) };
  write(new AuditLog(db, { now: () => clock.now }), clock);
  db.close();
  return { dataDir, open };
}

/** A browser-host data folder with a journal holding `entries` audit entries. */
function dataDirWithLog(entries: number) {
  return dataDirWith((log) => {
    for (let i = 1; i <= entries; i++) log.append({ actor: 'role:cashier', action: 'card.open', misId: `P-${i}`, reason: 'search' });
  });
}

/** A shift at the desk: an operator on a call, then a cashier at the till, both opening card 1001. */
function shift() {
  return dataDirWith((log, clock) => {
    log.append({ actor: 'role:operator', action: 'card.open', misId: '1000', callId: 'c-0' });
    clock.now += 62_000;
    log.append({ actor: 'person:ivanova', actorName: 'Оператор Иванова', role: 'operator', action: 'card.open', misId: '1001', callId: 'c-7' });
    clock.now += 60_000;
    log.append({ actor: 'person:petrova', actorName: 'Кассир Петрова', role: 'cashier', action: 'card.open', misId: '1001', reason: 'Пациент у кассы' });
    clock.now += 60_000;
    log.append({ actor: 'person:petrova', actorName: 'Кассир Петрова', role: 'cashier', action: 'search.results' });
  });
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

describe('runAuditVerify: who opened what', () => {
  it('prints the newest N entries after the verdict, oldest first, each naming the person, role and id', () => {
    const { dataDir } = shift();
    expect(runAuditVerify(dataDir, { entries: 3 })).toEqual({
      code: 0,
      line: 'audit log OK: 4 entries, chain intact',
      entries: [
        '#2 2026-12-06T08:01:02Z card.open misId=1001 call=c-7 by «Оператор Иванова» (operator, person:ivanova)',
        '#3 2026-12-06T08:02:02Z card.open misId=1001 reason=«Пациент у кассы» by «Кассир Петрова» (cashier, person:petrova)',
        '#4 2026-12-06T08:03:02Z search.results by «Кассир Петрова» (cashier, person:petrova)',
      ],
    });
  });

  it('prints one card’s entries, or its newest N', () => {
    const { dataDir } = shift();
    expect(runAuditVerify(dataDir, { card: '1001' }).entries).toEqual([
      '#2 2026-12-06T08:01:02Z card.open misId=1001 call=c-7 by «Оператор Иванова» (operator, person:ivanova)',
      '#3 2026-12-06T08:02:02Z card.open misId=1001 reason=«Пациент у кассы» by «Кассир Петрова» (cashier, person:petrova)',
    ]);
    expect(runAuditVerify(dataDir, { card: '1001', entries: 1 }).entries).toEqual([
      '#3 2026-12-06T08:02:02Z card.open misId=1001 reason=«Пациент у кассы» by «Кассир Петрова» (cashier, person:petrova)',
    ]);
    expect(runAuditVerify(dataDir, { card: '1000' }).entries).toEqual(['#1 2026-12-06T08:00:00Z card.open misId=1000 call=c-0 by role:operator']);
    expect(runAuditVerify(dataDir, { card: '9999' })).toEqual({ code: 0, line: 'audit log OK: 4 entries, chain intact', entries: [] });
  });

  it('marks the entries from the break on as not verified, and keeps exit 1', () => {
    const { dataDir, open } = shift();
    const db = open();
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor_name = 'Оператор Иванова', role = 'operator' WHERE seq = 3;");
    db.close();
    const outcome = runAuditVerify(dataDir, { card: '1001' });
    expect(outcome.code).toBe(1);
    expect(outcome.line).toBe('audit log BROKEN at entry #3 (2 entries checked)');
    expect(outcome.entries).toEqual([
      '#2 2026-12-06T08:01:02Z card.open misId=1001 call=c-7 by «Оператор Иванова» (operator, person:ivanova)',
      '#3 2026-12-06T08:02:02Z card.open misId=1001 reason=«Пациент у кассы» by «Оператор Иванова» (operator, person:petrova) [not verified]',
    ]);
  });

  it('says the chain was verified from the retention anchor, and how many entries retention removed', () => {
    const { dataDir, open } = dataDirWith((log, clock) => {
      for (let m = 0; m < 24; m++) {
        clock.now = Date.UTC(2020, m, 1);
        log.append({ actor: 'person:ivanova', actorName: 'Оператор Иванова', role: 'operator', action: 'card.open', misId: `P-${m}` });
      }
      clock.now = Date.UTC(2026, 6, 1);
      expect(log.purgeOlderThan(auditRetentionCutoff(clock.now, 5))).toBe(18);
    });
    expect(runAuditVerify(dataDir, { entries: 1 })).toEqual({
      code: 0,
      line: 'audit log OK: 6 entries, chain verified from anchor #18 (18 entries removed by retention)',
      entries: ['#24 2021-12-01T00:00:00Z card.open misId=P-23 by «Оператор Иванова» (operator, person:ivanova)'],
    });
    const db = open();
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET mis_id = 'P-99' WHERE seq = 20;");
    db.close();
    expect(runAuditVerify(dataDir)).toEqual({ code: 1, line: 'audit log BROKEN at entry #20 (1 entries checked from anchor #18; 18 entries removed by retention)' });
  });

  it('verifies and lists a journal written before people signed in (schema 11) without changing it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-verify-'));
    const { key } = loadOrCreateDatabaseKey(new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger));
    const db = openEncryptedDatabase({ path: join(dataDir, 'journal.db'), key, dbName: 'journal', durability: 'full', cacheSizeMb: 2 });
    migrate(db, JOURNAL_MIGRATIONS.slice(0, 11), 'journal');
    // The pre-12 log's own columns: hashes of the seven fields, as the desk wrote them then.
    const insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, mis_id, call_id, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= 2; seq++) {
      const at = Date.UTC(2026, 0, seq);
      const hash = createHash('sha256').update(`${prev}{"action":"card.open","actor":"role:cashier","at":${at},"callId":null,"misId":"P-${seq}","reason":null,"seq":${seq}}`).digest('hex');
      insert.run(seq, at, 'role:cashier', 'card.open', `P-${seq}`, null, null, prev, hash);
      prev = hash;
    }
    db.close();
    const before = readFileSync(join(dataDir, 'journal.db'));
    expect(runAuditVerify(dataDir, { entries: 5 })).toEqual({
      code: 0,
      line: 'audit log OK: 2 entries, chain intact',
      entries: ['#1 2026-01-01T00:00:00Z card.open misId=P-1 by role:cashier', '#2 2026-01-02T00:00:00Z card.open misId=P-2 by role:cashier'],
    });
    expect(readFileSync(join(dataDir, 'journal.db')).equals(before)).toBe(true);
  });
});

describe('formatAuditEntry', () => {
  const entry: AuditEntry = {
    seq: 7,
    at: Date.UTC(2026, 11, 6, 8, 1, 2, 345),
    actor: 'person:x',
    actorName: 'Иванова\nА.\u202Eтекст',
    role: 'operator',
    action: 'card.open',
    misId: '1001',
    callId: null,
    reason: 'строка\rвторая',
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
  };

  it('keeps every entry on one line: line breaks and bidi overrides show as �', () => {
    expect(formatAuditEntry(entry, { firstBrokenSeq: null })).toBe('#7 2026-12-06T08:01:02Z card.open misId=1001 reason=«строка\uFFFDвторая» by «Иванова\uFFFDА.\uFFFDтекст» (operator, person:x)');
  });

  it('shows a role without a name beside the id', () => {
    expect(formatAuditEntry({ ...entry, actorName: null, reason: null }, { firstBrokenSeq: 8 })).toBe('#7 2026-12-06T08:01:02Z card.open misId=1001 by person:x (operator)');
  });
});

describe('parseAuditVerifyArgs', () => {
  it('takes --data-dir DIR or --data-dir=DIR, and nothing else', () => {
    expect(parseAuditVerifyArgs(['--data-dir', '/d'])).toEqual({ dataDir: '/d' });
    expect(parseAuditVerifyArgs(['--data-dir=/d'])).toEqual({ dataDir: '/d' });
    expect(parseAuditVerifyArgs([])).toBeNull();
    expect(parseAuditVerifyArgs(['--data-dir'])).toBeNull();
  });

  it('takes --entries N and --card MISID in either form', () => {
    expect(parseAuditVerifyArgs(['--data-dir', '/d', '--entries', '20'])).toEqual({ dataDir: '/d', entries: 20 });
    expect(parseAuditVerifyArgs(['--card=1001', '--data-dir=/d', '--entries=5'])).toEqual({ dataDir: '/d', card: '1001', entries: 5 });
    expect(parseAuditVerifyArgs(['--entries', '5'])).toBeNull();
  });

  it('refuses an --entries that is not a whole number from 1, and a flag without its value', () => {
    for (const bad of ['0', '-3', '2.5', 'ten', '']) expect(parseAuditVerifyArgs(['--data-dir', '/d', `--entries=${bad}`])).toBeNull();
    expect(parseAuditVerifyArgs(['--data-dir', '/d', '--card'])).toBeNull();
    expect(parseAuditVerifyArgs(['--data-dir', '/d', '--card', '--entries', '3'])).toBeNull();
  });
});

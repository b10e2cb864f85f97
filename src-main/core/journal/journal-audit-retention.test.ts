import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseKeySource } from '../cache/database-key';
import { EventBus } from '../events/event-bus';
import { createLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { StatusService } from '../status/status-service';
import { JournalService } from './journal-service';
import { openJournalDatabase } from './open-journal';

const started: JournalService[] = [];
afterEach(() => {
  for (const journal of started.splice(0)) journal.stop();
});

/** A started journal with its clock and `privacy.auditRetentionYears` under the test's hand. */
function desk(options: { retentionYears?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-audit-retention-'));
  const clock = { now: Date.UTC(2020, 0, 15) };
  const settings = { auditRetentionYears: options.retentionYears };
  const logs: LogRecord[] = [];
  const logger = createLogger([(record) => logs.push(record)], 'debug');
  const keys = new DatabaseKeySource(new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([])));
  const journal = new JournalService({
    dataDir,
    keys,
    logger,
    status: new StatusService(() => new Date(clock.now)),
    events: new EventBus(logger),
    now: () => clock.now,
    ...(settings.auditRetentionYears === undefined ? {} : { auditRetentionYears: () => settings.auditRetentionYears! }),
  });
  journal.start();
  started.push(journal);
  return { journal, clock, settings, logs, keys };
}

/** One card opened on the 15th of every month, January 2020 … December 2022, by a signed-in cashier. */
function threeYearsOfAudit(journal: JournalService, clock: { now: number }): void {
  for (let m = 0; m < 36; m++) {
    clock.now = Date.UTC(2020, m, 15);
    journal.audit({ actor: 'person:petrova', actorName: 'Кассир Петрова', role: 'cashier', action: 'card.open', misId: `M-${m}`, reason: 'Пациент у кассы' });
  }
}

describe('JournalService audit retention', () => {
  it('keeps five years by default: the daily purge removes older entries and the chain still verifies', () => {
    const { journal, clock, logs } = desk();
    threeYearsOfAudit(journal, clock);
    clock.now = Date.UTC(2026, 0, 1);
    expect(journal.purgeAuditLog()).toBe(12); // 2020's entries
    const audit = journal.require('test').audit;
    expect(audit.verify()).toMatchObject({ ok: true, checked: 24, anchor: { seq: 12, removed: 12 } });
    expect(audit.forCard('M-12').map((e) => [e.actor, e.actorName, e.role])).toEqual([['person:petrova', 'Кассир Петрова', 'cashier']]);
    expect(logs.filter((r) => r.event === 'audit.purged').map((r) => r.context)).toEqual([{ removed: 12, retentionYears: 5, anchorSeq: 12 }]);
    // The next day nothing more is old enough: a no-op, and nothing logged.
    clock.now = Date.UTC(2026, 0, 2);
    expect(journal.purgeAuditLog()).toBe(0);
    expect(logs.filter((r) => r.event === 'audit.purged')).toHaveLength(1);
  });

  it('reads the retention setting at each purge', () => {
    const { journal, clock, settings } = desk({ retentionYears: 10 });
    threeYearsOfAudit(journal, clock);
    clock.now = Date.UTC(2026, 0, 1);
    expect(journal.purgeAuditLog()).toBe(0);
    settings.auditRetentionYears = 4;
    expect(journal.purgeAuditLog()).toBe(24); // 2020 and 2021
    expect(journal.require('test').audit.verify()).toMatchObject({ ok: true, checked: 12, anchor: { seq: 24 } });
  });

  it('logs a purge that fails and removes nothing, so the next day tries again', () => {
    const { journal, clock, logs, keys } = desk();
    threeYearsOfAudit(journal, clock);
    clock.now = Date.UTC(2026, 0, 1);
    const audit = journal.require('test').audit;
    // Another connection holds the write lock the purge needs, past the busy timeout.
    journal.require('test').db.pragma('busy_timeout = 0');
    const other = openJournalDatabase({ path: journal.path, key: keys.load().key });
    other.prepare('BEGIN IMMEDIATE').run();
    expect(journal.purgeAuditLog()).toBe(0);
    other.prepare('ROLLBACK').run();
    other.close();
    expect(logs.filter((r) => r.event === 'audit.purge-failed')).toHaveLength(1);
    expect(audit.anchor()).toBeNull();
    expect(audit.verify()).toEqual({ ok: true, checked: 36, firstBrokenSeq: null });
    expect(journal.purgeAuditLog()).toBe(12);
  });

  it('removes nothing without a journal', () => {
    const { journal } = desk();
    journal.stop();
    expect(journal.purgeAuditLog()).toBe(0);
  });
});

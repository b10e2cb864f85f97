import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { AuditLog } from '../audit/audit-log';
import { openJournalDatabase } from './open-journal';
import { countJournal, JournalSummaryWriter, readJournalSummary, summaryPathOf } from './journal-summary';
import { KeptJournals, setJournalAside } from './kept-journals';
import { Outbox } from '../sync/outbox';

function journal() {
  const path = tempDatabasePath('journal.db');
  const db = openJournalDatabase({ path, key: randomKey() });
  const outbox = new Outbox(db);
  // A local change and its outbox row commit together (the outbox refuses anything else).
  const enqueue = (kind: string, payload: unknown) => db.transaction(() => outbox.enqueue(kind, payload))();
  return { path, db, outbox, enqueue, audit: new AuditLog(db) };
}

describe('the journal summary (counts kept beside journal.db)', () => {
  it('counts undelivered writes (pending, in flight, failed; not delivered ones) and audit entries, and nothing else', () => {
    const { db, outbox, enqueue, audit } = journal();
    const delivered = enqueue('wrapup', { note: 'секрет' });
    enqueue('note', { note: 'секрет' });
    const failed = enqueue('note', { note: 'секрет' });
    outbox.claimDue(10);
    outbox.markDelivered(delivered.id);
    outbox.markFailed(failed.id, 'rejected');
    audit.append({ actor: 'role:operator', action: 'card.open', misId: '1000001', reason: 'search' });
    expect(countJournal(db, () => Date.parse('2026-12-05T08:00:00Z'))).toEqual({ version: 1, countedAt: '2026-12-05T08:00:00.000Z', undelivered: 2, auditEntries: 1 });
    db.close();
  });

  it('is written once per burst of changes, and at once on flush; it holds counts only', () => {
    vi.useFakeTimers();
    try {
      const { path, db, enqueue } = journal();
      const writer = new JournalSummaryWriter(db, path, { debounceMs: 2_000 });
      enqueue('note', { surname: 'Ёлкина' });
      writer.touch();
      writer.touch();
      expect(readJournalSummary(path)).toBeNull();
      vi.advanceTimersByTime(2_000);
      expect(readJournalSummary(path)).toMatchObject({ undelivered: 1, auditEntries: 0 });
      enqueue('note', { surname: 'Ёлкина' });
      writer.flush();
      expect(readJournalSummary(path)).toMatchObject({ undelivered: 2 });
      expect(readFileSync(summaryPathOf(path), 'utf8')).not.toContain('Ёлкина');
      db.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a damaged or foreign summary file reads as unknown, never as zero', () => {
    const path = tempDatabasePath('journal.db');
    writeFileSync(summaryPathOf(path), '{"version":1,"undelivered":-3}');
    expect(readJournalSummary(path)).toBeNull();
    writeFileSync(summaryPathOf(path), 'not json');
    expect(readJournalSummary(path)).toBeNull();
  });
});

describe('kept journals', () => {
  it('setJournalAside moves the file, its WAL and its summary to a dated name and returns what the summary said', () => {
    const { path, db, enqueue } = journal();
    enqueue('note', {});
    new JournalSummaryWriter(db, path).flush();
    db.close();
    writeFileSync(`${path}-wal`, 'wal');
    const kept = setJournalAside(path, 'key-lost', Date.parse('2026-12-05T08:00:00Z'));
    expect(kept.path).toBe(`${path}.key-lost-2026-12-05T08-00-00-000Z`);
    expect(kept.summary).toMatchObject({ undelivered: 1 });
    expect(existsSync(path)).toBe(false);
    expect(existsSync(kept.path)).toBe(true);
    expect(existsSync(`${kept.path}-wal`)).toBe(true);
    expect(existsSync(summaryPathOf(kept.path))).toBe(true);
  });

  it('lists kept journals newest first and acknowledges each once', () => {
    const { db } = journal();
    const kept = new KeptJournals(db, () => 5);
    kept.add({ path: '/a', reason: 'damaged', keptAt: 1, summary: null });
    kept.add({ path: '/b', reason: 'key-lost', keptAt: 2, summary: { version: 1, countedAt: new Date(1).toISOString(), undelivered: 4, auditEntries: 9 } });
    expect(kept.list().map((entry) => [entry.path, entry.undelivered, entry.acknowledged])).toEqual([
      ['/b', 4, false],
      ['/a', null, false],
    ]);
    const id = kept.list()[0]!.id;
    expect(kept.acknowledge(id)).toBe(true);
    expect(kept.acknowledge(id)).toBe(false);
    expect(kept.list()[0]!.acknowledged).toBe(true);
    db.close();
  });
});

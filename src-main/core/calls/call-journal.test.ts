import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src-shared/calls/calls-contract';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { openJournalDatabase } from '../journal/open-journal';
import { journalAt } from '../db/migrations/journal/test-support';
import { CallJournal } from './call-journal';

function openAt(path = tempDatabasePath('journal.db'), key = randomKey()) {
  const db = openJournalDatabase({ path, key, cacheSizeMb: 2 });
  return { db, path, key, journal: new CallJournal(db, { now: () => 1_700_000_000_000 }) };
}

function call(id: string, startedAt: string, patch: Partial<CallRecord> = {}): CallRecord {
  const start = Date.parse(startedAt);
  return {
    id,
    direction: 'incoming',
    number: '+79001234567',
    displayName: 'Иванова Мария',
    startedAt,
    answeredAt: new Date(start + 5_000).toISOString(),
    endedAt: new Date(start + 65_000).toISOString(),
    outcome: 'answered',
    ...patch,
  };
}

describe('CallJournal', () => {
  it('returns a recorded call from recent, exactly as it was sent', () => {
    const { journal, db } = openAt();
    const answered = call('3c2b1a@pbx.clinic.localtag-1', '2026-11-30T09:00:00.000Z');
    expect(journal.record(answered)).toEqual(answered);
    expect(journal.recent(100)).toEqual([answered]);
    db.close();
  });

  it('records a call id once: a retried record returns null and the journal still holds one row, the first', () => {
    const { journal, db } = openAt();
    const first = call('a1b2', '2026-11-30T09:00:00.000Z');
    expect(journal.record(first)).not.toBeNull();
    expect(journal.record(first)).toBeNull();
    expect(journal.record({ ...first, displayName: 'someone else' })).toBeNull();
    expect(journal.recent(100)).toEqual([first]);
    db.close();
  });

  it('lists newest first by start time, whatever the order calls were recorded in, and honours the limit', () => {
    const { journal, db } = openAt();
    const morning = call('m', '2026-11-30T08:00:00.000Z');
    const noon = call('n', '2026-11-30T12:00:00.000Z', { direction: 'outgoing', outcome: 'missed', answeredAt: null });
    const evening = call('e', '2026-11-30T18:00:00.000Z', { outcome: 'lost' });
    for (const c of [noon, evening, morning]) journal.record(c);
    expect(journal.recent(100).map((c) => c.id)).toEqual(['e', 'n', 'm']);
    expect(journal.recent(2).map((c) => c.id)).toEqual(['e', 'n']);
    db.close();
  });

  it('keeps an unanswered call with no number (anonymous caller) as such', () => {
    const { journal, db } = openAt();
    const anonymous = call('anon', '2026-11-30T09:00:00.000Z', { number: '', displayName: '', outcome: 'missed', answeredAt: null });
    journal.record(anonymous);
    expect(journal.recent(1)).toEqual([anonymous]);
    db.close();
  });

  it('normalises times to milliseconds (extra sub-millisecond digits are dropped)', () => {
    const { journal, db } = openAt();
    const stored = journal.record(call('p', '2026-11-30T09:00:00.123456Z', { answeredAt: '2026-11-30T09:00:01Z', endedAt: '2026-11-30T09:00:02.5Z' }));
    expect(stored).toMatchObject({ startedAt: '2026-11-30T09:00:00.123Z', answeredAt: '2026-11-30T09:00:01.000Z', endedAt: '2026-11-30T09:00:02.500Z' });
    expect(journal.recent(1)).toEqual([stored]);
    db.close();
  });

  it('refuses (throws) a contradictory record instead of answering "already recorded"', () => {
    const { journal, db } = openAt();
    // The contract refuses this before it gets here; the table is the second line of defence.
    expect(() => journal.record(call('x', '2026-11-30T09:00:00.000Z', { outcome: 'missed' }))).toThrow(/CHECK/);
    expect(journal.recent(10)).toEqual([]);
    db.close();
  });

  it('keeps the calls after the journal is closed and opened again', () => {
    const first = openAt();
    const lost = call('survivor', '2026-11-30T09:00:00.000Z', { outcome: 'lost' });
    first.journal.record(lost);
    first.db.close();
    const again = openAt(first.path, first.key);
    expect(again.journal.recent(100)).toEqual([lost]);
    expect(again.journal.record(lost)).toBeNull();
    again.db.close();
  });

  it('recent walks the calls_started_at index backwards: no scan of the table, no sort', () => {
    const { journal, db } = openAt();
    for (let i = 0; i < 200; i += 1) journal.record(call(`c${i}`, new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString()));
    db.exec('ANALYZE');
    const source = ((journal as unknown as { s: Record<string, { source: string }> }).s.recent!).source;
    const detail = db
      .prepare<[number], { detail: string }>(`EXPLAIN QUERY PLAN ${source}`)
      .all(100)
      .map((row) => row.detail)
      .join('\n');
    expect(detail).toMatch(/SCAN calls USING INDEX calls_started_at/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('the journal view walks one index per filter newest first (EXPLAIN QUERY PLAN)', () => {
    const db = journalAt();
    const journal = new CallJournal(db);
    for (let i = 0; i < 300; i += 1) {
      const started = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
      journal.record(i % 3 === 0 ? call(`c${i}`, started, { answeredAt: null, outcome: 'missed' }) : call(`c${i}`, started));
    }
    db.exec('ANALYZE');
    const s = (journal as unknown as { s: Record<string, { source: string }> }).s;
    const plan = (name: string, ...params: unknown[]) =>
      db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${s[name]!.source}`)
        .all(...params)
        .map((row) => row.detail)
        .join('\n');
    expect(plan('listAll', 100)).toMatch(/SCAN c USING INDEX calls_started_at/);
    expect(plan('listSince', 0, 100)).toMatch(/SEARCH c USING INDEX calls_started_at \(started_at>\?\)/);
    expect(plan('listOutcome', 'missed', 100)).toMatch(/SEARCH c USING INDEX calls_outcome_started_at \(outcome=\?\)/);
    for (const name of ['listAll', 'listSince', 'listOutcome']) {
      const detail = plan(name, ...(name === 'listAll' ? [100] : name === 'listSince' ? [0, 100] : ['missed', 100]));
      expect(detail).not.toMatch(/TEMP B-TREE/);
      expect(detail).toMatch(/SEARCH w USING INDEX sqlite_autoindex_wrap_ups_1 \(call_id=\?\)/);
      expect(detail).toMatch(/SEARCH p USING INDEX sqlite_autoindex_call_patients_1 \(call_id=\?\)/);
    }
    const patient = plan('listPatient', { misId: '1000001', since: 0, outcome: null, limit: 100 });
    expect(patient).toMatch(/wrap_ups USING (COVERING )?INDEX wrap_ups_mis_id \(mis_id=\?\)/);
    expect(patient).toMatch(/call_patients USING (COVERING )?INDEX call_patients_mis_id \(mis_id=\?\)/);
    db.close();
  });

  it('list filters today, missed, mine and by patient, with the wrap-up and shown card', () => {
    const db = journalAt();
    const journal = new CallJournal(db);
    journal.record(call('old', '2026-11-28T09:00:00.000Z'));
    journal.record(call('miss', '2026-11-30T09:00:00.000Z', { answeredAt: null, outcome: 'missed' }));
    journal.record(call('ans', '2026-11-30T10:00:00.000Z'));
    db.prepare("INSERT INTO call_patients (call_id, mis_id, number_key, shown_at) VALUES ('old', '1000001', NULL, 1)").run();
    db.prepare("INSERT INTO wrap_ups (call_id, mis_id, category, outcome, note, acw_sec, saved_at) VALUES ('ans', '1000001', 'Запись по ОМС', 'booked', '', 1, 1)").run();
    const todayStart = Date.parse('2026-11-30T00:00:00.000Z');
    const ids = (filter: 'all' | 'today' | 'missed' | 'mine', misId?: string) => journal.list({ limit: 10, filter, todayStart, ...(misId && { misId }) }).map((c) => c.id);
    expect(ids('all')).toEqual(['ans', 'miss', 'old']);
    expect(ids('today')).toEqual(['ans', 'miss']);
    expect(ids('missed')).toEqual(['miss']);
    expect(ids('mine')).toEqual(['ans', 'old']);
    expect(ids('all', '1000001')).toEqual(['ans', 'old']);
    expect(ids('today', '1000001')).toEqual(['ans']);
    expect(journal.list({ limit: 1, filter: 'all', todayStart })[0]).toMatchObject({ misId: '1000001', category: 'Запись по ОМС', wrapUpOutcome: 'booked', durationSec: 60 });
    db.close();
  });
});

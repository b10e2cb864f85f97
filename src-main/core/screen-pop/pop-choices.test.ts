import { describe, expect, it } from 'vitest';
import { journalAt } from '../db/migrations/journal/test-support';
import { PopChoices } from './pop-choices';

function plan(db: ReturnType<typeof journalAt>, sql: string, ...params: unknown[]): string {
  return db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params)
    .map((row) => row.detail)
    .join('\n');
}

describe('PopChoices', () => {
  it('remembers the last choice per number, and the card shown per call', () => {
    const db = journalAt();
    const choices = new PopChoices(db);
    expect(choices.chosen('+79161234567')).toBeNull();
    choices.remember('+79161234567', '1000001', 1);
    choices.remember('+79161234567', '1000002', 2);
    expect(choices.chosen('+79161234567')).toBe('1000002');
    choices.linkCall('c1', '1000001', '+79161234567', 1);
    choices.linkCall('c1', '1000002', null, 2);
    expect(choices.numberOfCall('c1')).toBe('+79161234567');
    expect(db.prepare("SELECT mis_id FROM call_patients WHERE call_id = 'c1'").pluck().get()).toBe('1000002');
    db.close();
  });

  it('the choice by number is one primary-key probe (EXPLAIN QUERY PLAN)', () => {
    const db = journalAt();
    const choices = new PopChoices(db);
    for (let i = 0; i < 500; i++) choices.remember(`+7916${String(i).padStart(7, '0')}`, String(1_000_000 + i), i);
    db.exec('ANALYZE');
    const source = (choices as unknown as { s: { choice: { source: string } } }).s.choice.source;
    const detail = plan(db, source, '+79160000001');
    expect(detail).toMatch(/SEARCH pop_choices USING PRIMARY KEY \(number_key=\?\)/);
    expect(detail).not.toMatch(/SCAN/);
    db.close();
  });
});

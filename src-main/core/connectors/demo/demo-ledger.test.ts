import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemoLedger } from './demo-ledger';

describe('DemoLedger', () => {
  it('applies a key once, counts later receipts, and keeps both across a reopen', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rg-ledger-')), 'ledger.db');
    const ledger = new DemoLedger(path);
    expect(ledger.receive('k1', 'L1', 'note', 100)).toBe('applied');
    expect(ledger.receive('k1', 'L1', 'note', 200)).toBe('duplicate');
    ledger.close();
    const reopened = new DemoLedger(path);
    expect(reopened.receive('k1', 'L1', 'note', 300)).toBe('duplicate');
    expect(reopened.entry('k1')).toEqual({ idempotencyKey: 'k1', localId: 'L1', kind: 'note', firstReceivedAt: 100, receipts: 3 });
    reopened.close();
  });

  it('reports lost and duplicated local changes', () => {
    const ledger = new DemoLedger(':memory:');
    ledger.receive('k1', 'L1', 'note', 1);
    ledger.receive('k2', 'L2', 'note', 1);
    ledger.receive('k3', 'L2', 'note', 1);
    expect(ledger.report(['L1', 'L2', 'L3'])).toEqual({ delivered: 2, lost: ['L3'], duplicated: ['L2'], duplicateReceipts: 0 });
    ledger.close();
  });
});

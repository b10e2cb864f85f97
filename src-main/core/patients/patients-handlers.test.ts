import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CALL_ID_MAX } from '../../../src-shared/calls/calls-contract';
import { testCores } from '../testing/test-cores';

const cores = testCores();
afterEach(() => cores.stopAll());
const context = { host: 'web' as const, client: 't' };

describe('patients.get', () => {
  it('takes a call id as long as every other request does (256, long PBX Call-IDs) and the audit entry keeps it whole', async () => {
    const { core } = await cores.start(mkdtempSync(join(tmpdir(), 'rg-patients-')), { demo: { patients: 50 } });
    await waitFor(() => core.cache.status().cards === 50);
    const longCallId = `${'a'.repeat(CALL_ID_MAX - 12)}@pbx.clinic`.padEnd(CALL_ID_MAX, 'x');
    expect(longCallId).toHaveLength(256);
    const opened = await core.dispatcher.dispatch('patients.get', { misId: '1000007', reason: 'call', callId: longCallId }, context);
    expect(opened).toMatchObject({ ok: true, value: { card: { misId: '1000007' } } });
    const entry = core.journal.stores!.db.prepare<[], { call_id: string; reason: string }>('SELECT call_id, reason FROM audit_log ORDER BY seq DESC LIMIT 1').get();
    expect(entry).toEqual({ call_id: longCallId, reason: 'call' });
    expect(await core.dispatcher.dispatch('patients.get', { misId: '1000007', reason: 'call', callId: `${longCallId}y` }, context)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

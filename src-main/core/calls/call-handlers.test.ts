import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../../src-shared/ipc/contract';
import type { CallRecord } from '../../../src-shared/calls/calls-contract';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { createCore, type Core } from '../core';
import { createLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { UnavailableSecretStore, type SecretStore } from '../secrets/secret-store';
import { MemorySettingsStorage } from '../settings/settings-storage';

const context = { host: 'web' as const, client: 't' };
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.stop();
});

/** A real core (journal.db opens, no MIS so nothing else runs) with its events and log captured. */
async function startCore(options: { dataDir?: string; secrets?: SecretStore } = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rg-calls-'));
  const secrets = options.secrets ?? new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const settings = { ...structuredClone(DEFAULT_SETTINGS), connectors: { ...DEFAULT_SETTINGS.connectors, mis: { id: 'none', config: {} } } };
  const logs: LogRecord[] = [];
  const core = createCore({
    host: 'web',
    version: 't',
    dataDir,
    settingsStorage: new MemorySettingsStorage(settings),
    secrets,
    logger: createLogger([(record) => logs.push(record)], 'debug'),
    cacheSizeMb: 8,
  });
  cores.push(core);
  const events: { name: EventName; payload: unknown }[] = [];
  core.events.subscribe((name, payload) => events.push({ name, payload }));
  await core.start();
  const request = (name: 'calls.record' | 'calls.recent', input: unknown) => core.dispatcher.dispatch(name, input, context);
  return { core, dataDir, secrets, events, logs, request };
}

const lostCall: CallRecord = {
  id: '8f14e45fceea167a5a36dedd4bea2543@192.0.2.10kq3v9n',
  direction: 'incoming',
  number: '+79161234567',
  displayName: 'Ёлкина Анна',
  startedAt: '2026-11-30T09:00:00.000Z',
  answeredAt: '2026-11-30T09:00:04.000Z',
  endedAt: '2026-11-30T09:03:10.000Z',
  outcome: 'lost',
};
const missedCall: CallRecord = { ...lostCall, id: 'missed-1', startedAt: '2026-11-30T10:00:00.000Z', answeredAt: null, endedAt: '2026-11-30T10:00:30.000Z', outcome: 'missed' };

/** A call as `calls.recent` lists it before any pop or wrap-up: the record plus nulls and its talk time. */
function listed(call: CallRecord) {
  const durationSec = call.answeredAt === null ? null : Math.max(0, Math.round((Date.parse(call.endedAt) - Date.parse(call.answeredAt)) / 1000));
  return { ...call, misId: null, patientName: null, queue: null, category: null, wrapUpOutcome: null, durationSec };
}

describe('calls.record / calls.recent', () => {
  it('a recorded call is in the journal list, newest first', async () => {
    const { request } = await startCore();
    expect(await request('calls.record', lostCall)).toEqual({ ok: true, value: { recorded: true } });
    expect(await request('calls.record', missedCall)).toEqual({ ok: true, value: { recorded: true } });
    expect(await request('calls.recent', {})).toEqual({ ok: true, value: { items: [listed(missedCall), listed(lostCall)] } });
    expect(await request('calls.recent', { limit: 1 })).toEqual({ ok: true, value: { items: [listed(missedCall)] } });
  });

  it('journals a caller whose display name is 80 emoji (the softphone cuts to 80 code points)', async () => {
    const { request } = await startCore();
    const emoji = { ...missedCall, displayName: '📞'.repeat(80) };
    expect(await request('calls.record', emoji)).toEqual({ ok: true, value: { recorded: true } });
    expect(await request('calls.recent', {})).toEqual({ ok: true, value: { items: [listed(emoji)] } });
  });

  it('a retried record answers recorded:false and the call is listed once', async () => {
    const { request } = await startCore();
    await request('calls.record', missedCall);
    expect(await request('calls.record', missedCall)).toEqual({ ok: true, value: { recorded: false } });
    expect(await request('calls.recent', {})).toEqual({ ok: true, value: { items: [listed(missedCall)] } });
  });

  it('a lost call raises call:lost exactly once, even when its record is retried; other outcomes raise nothing', async () => {
    const { request, events } = await startCore();
    await request('calls.record', lostCall);
    await request('calls.record', lostCall);
    await request('calls.record', missedCall);
    await request('calls.record', { ...lostCall, id: 'answered-1', outcome: 'answered' });
    expect(events.filter((e) => e.name === 'call:lost')).toEqual([
      { name: 'call:lost', payload: { callId: lostCall.id, number: '+79161234567', endedAt: '2026-11-30T09:03:10.000Z' } },
    ]);
  });

  it('refuses a malformed record with INVALID_INPUT naming the field, journals nothing and raises nothing', async () => {
    const { request, events } = await startCore();
    const hugeName = 'Я'.repeat(10 * 1024);
    const refusals = [
      [{ ...lostCall, outcome: 'dropped' }, 'outcome'],
      [{ ...lostCall, displayName: hugeName }, 'displayName'],
      [{ ...lostCall, answeredAt: null }, 'answeredAt'],
      [{ ...lostCall, id: 'has space' }, 'id'],
    ] as const;
    for (const [input, field] of refusals) {
      const result = await request('calls.record', input);
      expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining(`calls.record at ${field}`) } });
      if (!result.ok) expect(result.error.message).not.toContain('ЯЯЯ');
    }
    expect(await request('calls.recent', {})).toEqual({ ok: true, value: { items: [] } });
    expect(events.some((e) => e.name === 'call:lost')).toBe(false);
    expect(await request('calls.recent', { limit: 501 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('never writes the number or the display name to the log', async () => {
    const { request, logs } = await startCore();
    await request('calls.record', lostCall);
    await request('calls.record', lostCall);
    expect(logs.map((r) => r.event)).toEqual(expect.arrayContaining(['calls.recorded', 'calls.already-recorded']));
    const text = JSON.stringify(logs);
    expect(text).not.toContain('9161234567');
    expect(text).not.toContain('Ёлкина');
  });

  it('the journal survives a restart of the desk', async () => {
    const first = await startCore();
    await first.request('calls.record', lostCall);
    await first.core.stop();
    const second = await startCore({ dataDir: first.dataDir, secrets: first.secrets });
    expect(await second.request('calls.recent', {})).toEqual({ ok: true, value: { items: [listed(lostCall)] } });
    expect(await second.request('calls.record', lostCall)).toEqual({ ok: true, value: { recorded: false } });
    expect(second.events.some((e) => e.name === 'call:lost')).toBe(false);
  });

  it('without a journal (no key store) both requests answer JOURNAL_UNAVAILABLE, so the renderer keeps the record', async () => {
    const { request } = await startCore({ secrets: new UnavailableSecretStore('no keychain') });
    expect(await request('calls.record', lostCall)).toMatchObject({ ok: false, error: { code: 'JOURNAL_UNAVAILABLE' } });
    expect(await request('calls.recent', {})).toMatchObject({ ok: false, error: { code: 'JOURNAL_UNAVAILABLE' } });
  });
});

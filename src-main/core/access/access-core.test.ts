import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../../src-shared/ipc/contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { testCores } from '../testing/test-cores';
import type { Core } from '../core';

/**
 * The session through a real core on the demo clinic: the dispatcher's answers (what a window
 * receives) for every role, the audit log's person, the lock, and what windows are pushed.
 */
const cores = testCores();
afterEach(() => cores.stopAll());
const context = { host: 'web' as const, client: 't' };

const STAFF = {
  access: {
    people: [
      { id: 'olga', name: 'Оператор Ольга', role: 'operator' as const, pin: '1357' },
      { id: 'sveta', name: 'Супервизор Света', role: 'supervisor' as const, pin: '1122' },
      { id: 'zoya', name: 'Кассир Зоя', role: 'cashier' as const, pin: '2468' },
      { id: 'it', name: 'ИТ-отдел', role: 'admin' as const, pin: '9999' },
    ],
    idleLockMinutes: 5,
  },
};

async function staffCore(): Promise<Core> {
  const { core } = await cores.start(mkdtempSync(join(tmpdir(), 'rg-access-')), { demo: { patients: 300 }, provisioning: STAFF });
  await waitFor(() => core.cache.status().cards === 300);
  return core;
}

async function call(core: Core, name: string, input: unknown = {}): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  return (await core.dispatcher.dispatch(name, input, context)) as { ok: boolean; value?: unknown; error?: { code: string } };
}

/** A demo card with an allergy, a visit, a phone and an ОМС policy, read from the cache itself (not through the contract). */
function richCard(core: Core): PatientCard {
  for (let i = 0; i < 300; i++) {
    const card = core.cache.getCard(String(1_000_000 + i));
    if (card?.flags.allergies && card.appointments.length > 0 && card.phones.length > 0 && card.omsPolicy) return card;
  }
  throw new Error('no rich demo card');
}

describe('access through a real core', () => {
  it('signed out: patient data refused, the ring says only how many cards match; each role then gets its own card JSON; admin none', async () => {
    const core = await staffCore();
    const card = richCard(core);
    const misId = card.misId;
    expect(await call(core, 'patients.get', { misId })).toMatchObject({ ok: false, error: { code: 'SIGNED_OUT' } });
    const ring = await call(core, 'screenPop.lookup', { callId: 'c-1', number: card.phones[0]!.e164, source: 'sip' });
    expect(ring).toMatchObject({ ok: true, value: { matches: [], chosenMisId: null, transfer: null } });
    expect((ring.value as { withheld: number }).withheld).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(ring)).not.toContain(card.surname);

    const cardFor = async (personId: string, pin: string): Promise<string> => {
      expect(await call(core, 'session.signIn', { personId, pin })).toMatchObject({ ok: true, value: { state: 'signed-in' } });
      const got = await call(core, 'patients.get', { misId });
      expect(got.ok).toBe(true);
      return JSON.stringify(got.value);
    };
    for (const [person, pin] of [['olga', '1357'], ['sveta', '1122']] as const) {
      const json = await cardFor(person, pin);
      expect(json).toContain(card.flags.allergies!);
      expect(json).toContain('"appointments"');
      expect(json).toContain(card.omsPolicy!);
    }
    const cashier = await cardFor('zoya', '2468');
    expect(cashier).toContain(card.surname);
    expect(cashier).toContain(card.birthDate);
    expect(cashier).toContain(card.omsPolicy!);
    expect(cashier).toContain(card.phones[0]!.e164);
    expect(cashier).not.toContain(card.flags.allergies!);
    expect(cashier).not.toContain('"allergies"');
    expect(cashier).not.toContain('"appointments"');
    expect(cashier).not.toContain('"lastVisit"');

    // The admin configures, never reads a patient.
    expect(await call(core, 'session.signIn', { personId: 'it', pin: '9999' })).toMatchObject({ ok: true });
    expect(await call(core, 'patients.get', { misId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(core, 'patients.search', { query: card.surname })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(core, 'settings.update', { privacy: { cacheRetentionDays: 60 } })).toMatchObject({ ok: true });

    // The audit log names each person and role, and the chain verifies.
    const entries = core.journal.stores!.audit.forCard(misId);
    expect(entries.map((e) => [e.actor, e.actorName, e.role])).toEqual([
      ['person:olga', 'Оператор Ольга', 'operator'],
      ['person:sveta', 'Супервизор Света', 'supervisor'],
      ['person:zoya', 'Кассир Зоя', 'cashier'],
    ]);
    expect(core.journal.stores!.audit.verify().ok).toBe(true);
  });

  it('a matrix the admin saves applies at once: the operator loses the phones when the admin hides them', async () => {
    const core = await staffCore();
    const card = richCard(core);
    await call(core, 'session.signIn', { personId: 'it', pin: '9999' });
    expect(await call(core, 'settings.update', { privacy: { hiddenFields: { operator: ['phones'], supervisor: [], cashier: [] } } })).toMatchObject({ ok: true });
    await call(core, 'session.signIn', { personId: 'olga', pin: '1357' });
    const json = JSON.stringify((await call(core, 'patients.get', { misId: card.misId })).value);
    expect(json).not.toContain(card.phones[0]!.e164);
    expect(json).not.toContain('"phones"');
    // …and the operator may not undo it.
    expect(await call(core, 'settings.update', { privacy: { hiddenFields: { operator: [], supervisor: [], cashier: [] } } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(core, 'settings.update', { language: 'en' })).toMatchObject({ ok: true });
  });

  it('locked: patient requests refused with LOCKED, windows are pushed no patient-only events, the PIN unlocks', async () => {
    const core = await staffCore();
    const card = richCard(core);
    const pushed: EventName[] = [];
    core.events.subscribe((name) => pushed.push(name));
    await call(core, 'session.signIn', { personId: 'olga', pin: '1357' });
    expect(await call(core, 'session.lock')).toMatchObject({ ok: true, value: { state: 'locked', person: { id: 'olga' } } });
    expect(await call(core, 'patients.get', { misId: card.misId })).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    expect(await call(core, 'callbacks.list')).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    pushed.length = 0;
    core.events.emit('patient:updated', { misId: card.misId });
    expect(pushed).not.toContain('patient:updated');
    // The phone still works: its journal entry and its password.
    expect((await call(core, 'sip.credentials')).ok).toBe(true);
    expect(await call(core, 'session.unlock', { pin: '0000' })).toMatchObject({ ok: false, error: { code: 'WRONG_PIN' } });
    expect(await call(core, 'session.unlock', { pin: '1357' })).toMatchObject({ ok: true, value: { state: 'signed-in' } });
    expect((await call(core, 'patients.get', { misId: card.misId })).ok).toBe(true);
    core.events.emit('patient:updated', { misId: card.misId });
    expect(pushed).toContain('patient:updated');
  });

  it('windows see the role in force: settings.get carries the signed-in person\'s role', async () => {
    const core = await staffCore();
    await call(core, 'session.signIn', { personId: 'sveta', pin: '1122' });
    expect(await call(core, 'settings.get')).toMatchObject({ ok: true, value: { settings: { role: 'supervisor' } } });
    expect((await call(core, 'supervisor.board')).ok).toBe(true);
    await call(core, 'session.signIn', { personId: 'zoya', pin: '2468' });
    expect(await call(core, 'settings.get')).toMatchObject({ ok: true, value: { settings: { role: 'cashier' } } });
    expect(await call(core, 'supervisor.board')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

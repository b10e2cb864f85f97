import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FreeSlot, ScheduleCatalog, Visit } from '../../../src-shared/booking/booking-contract';
import type { RequestName } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { addDays, clinicDate } from '../../../src-shared/schedule/clinic-time';
import type { Core } from '../core';
import { MemorySettingsStorage } from '../settings/settings-storage';
import { testCores } from '../testing/test-cores';

const cores = testCores();
afterEach(() => cores.stopAll());

const context = { host: 'web' as const, client: 't' };

async function request<T>(core: Core, name: RequestName, input: unknown): Promise<T> {
  const result = await core.dispatcher.dispatch(name, input as never, context);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

/** Polls (real time: the demo clinic and the sender run on it) until `check` returns a value. */
async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, ms = 8_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('booking through a real core and the demo clinic', () => {
  it('books once, is refused a slot another channel took (with alternatives and a clear reason), and cancels', async () => {
    // The clinic's other channels stay quiet: only the test takes slots away.
    const settings = { ...structuredClone(DEFAULT_SETTINGS), connectors: { ...DEFAULT_SETTINGS.connectors, mis: { id: 'demo', config: { otherChannelsIntervalMs: 0 } } } };
    const { core, logs } = await cores.start(mkdtempSync(join(tmpdir(), 'rg-booking-')), { demo: { patients: 50 }, settingsStorage: new MemorySettingsStorage(settings) });
    const catalog = await until(async () => {
      const c = await request<ScheduleCatalog>(core, 'schedule.catalog', {}).catch(() => null);
      return c && c.doctors.length > 0 && c.services.length > 0 ? c : null;
    }, 'the schedule to sync');
    const today = clinicDate(Date.now(), catalog.timeZone);
    const service = catalog.services[0]!;
    const slots = await until(async () => {
      const free = await request<{ slots: FreeSlot[] }>(core, 'schedule.freeSlots', { serviceId: service.id, from: today, to: addDays(today, catalog.horizonDays - 1) });
      return free.slots.length >= 3 ? free.slots : null;
    }, 'free slots');
    const patientMisId = core.cache.search('а', 1, 0).items[0]!.misId;

    // Book: pending at once, confirmed when the sender has delivered it; one item, delivered.
    const created = await request<{ visit: Visit; outboxId: number }>(core, 'booking.create', { patientMisId, slotId: slots[0]!.id, serviceId: service.id, callId: null });
    expect(created.visit).toMatchObject({ state: 'pending', awaitingMis: true, slotId: slots[0]!.id });
    const confirmed = await until(async () => {
      const { visits } = await request<{ visits: Visit[] }>(core, 'booking.visits', { patientMisId });
      return visits.find((v) => v.id === created.visit.id && v.state === 'confirmed');
    }, 'the booking to be confirmed');
    expect(confirmed.awaitingMis).toBe(false);
    expect(core.journal.stores!.outbox.get(created.outboxId)!.state).toBe('delivered');

    // Another channel takes a slot the cache still shows free: the MIS refuses it, the desk says why.
    expect(await request<{ applied: boolean }>(core, 'demo.simulate', { action: 'take-slot', slotId: slots[1]!.id })).toEqual({ applied: true });
    const refused = await request<{ visit: Visit; outboxId: number }>(core, 'booking.create', { patientMisId, slotId: slots[1]!.id, serviceId: service.id, callId: null });
    const rejected = await until(async () => {
      const { visits } = await request<{ visits: Visit[] }>(core, 'booking.visits', { patientMisId });
      return visits.find((v) => v.id === refused.visit.id && v.state === 'rejected');
    }, 'the refusal');
    expect(rejected).toMatchObject({ rejection: 'slot-taken', rejectionMessage: 'Слот уже занят' });
    expect(core.journal.stores!.outbox.get(refused.outboxId)).toMatchObject({ state: 'failed', lastError: 'rejected: slot-taken: Слот уже занят' });
    const alternatives = await request<{ sameDoctor: FreeSlot[]; sameSpecialty: FreeSlot[] }>(core, 'booking.alternatives', { slotId: slots[1]!.id });
    expect([...alternatives.sameDoctor, ...alternatives.sameSpecialty].map((s) => s.id)).not.toContain(slots[0]!.id);

    // Cancel the confirmed one: cancelled awaiting the MIS, then cancelled.
    const cancelled = await request<{ visit: Visit }>(core, 'booking.cancel', { visitId: created.visit.id, callId: null });
    expect(cancelled.visit).toMatchObject({ state: 'cancelled', awaitingMis: true });
    await until(async () => {
      const { visits } = await request<{ visits: Visit[] }>(core, 'booking.visits', { patientMisId });
      return visits.some((v) => v.id === created.visit.id && v.state === 'cancelled' && !v.awaitingMis);
    }, 'the cancel to be confirmed');
    expect(logs.filter((r) => r.event === 'outbox.settle-failed')).toEqual([]);
    expect(JSON.stringify(logs.filter((r) => r.event.startsWith('booking.')))).not.toContain(patientMisId);
  }, 20_000);
});

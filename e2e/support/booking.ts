import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { FreeSlot } from '../../src-shared/booking/booking-contract';
import { addDays, clinicDate } from '../../src-shared/schedule/clinic-time';
import { bridgeRequest } from './bridge';
import type { DeskHost } from './desk-host';
import { writeConfig } from './desk-host';
import { expect, openDesk } from './fixtures';
import { CLINIC } from './screen-pop';

// Helpers for the booking and call-list specs: desks on the seeded, still demo clinic whose
// schedule lives in one schedule.db they share (the demo MIS's stand-in for the clinic's
// server), with the clinic's other channels quiet unless a test takes a slot on purpose.

export const CLINIC_ZONE = 'Europe/Moscow';

/** A fresh schedule file for desks that must share one clinic schedule. */
export function sharedScheduleFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'registratura-schedule-')), 'schedule.db');
}

/** The browser host's arguments for a desk on the demo clinic with this schedule file. */
export function bookingDeskArgs(scheduleFile: string, extra: Record<string, unknown> = {}): string[] {
  const config = writeConfig({
    language: 'ru',
    connectors: { mis: { id: 'demo', config: { ...CLINIC, scheduleFile, otherChannelsIntervalMs: 0 } } },
    ...extra,
  });
  return ['--config', config, '--demo-patients', String(CLINIC.patients)];
}

/** Tomorrow on the clinic's clock (`YYYY-MM-DD`). */
export function clinicTomorrow(): string {
  return addDays(clinicDate(Date.now(), CLINIC_ZONE), 1);
}

/** Opens the desk and waits until the patients and the schedule are in its cache. */
export async function openBookingDesk(page: Page, desk: DeskHost): Promise<void> {
  await openDesk(page, desk.url);
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await expect
    .poll(async () => ((await bridgeRequest(desk, 'schedule.catalog', {})) as { doctors: unknown[]; dataAsOf: number | null }).dataAsOf !== null, {
      message: 'the schedule reached the cache',
      timeout: 60_000,
    })
    .toBe(true);
}

/** Free slots of a specialty on one clinic day, as the desk's cache has them. */
export async function freeSlotsOn(desk: DeskHost, specialty: string, day: string, limit = 500): Promise<FreeSlot[]> {
  return ((await bridgeRequest(desk, 'schedule.freeSlots', { specialty, from: day, to: day, limit })) as { slots: FreeSlot[] }).slots;
}

/** The demo MIS's ledger entries of one kind. */
export async function ledger(desk: DeskHost, kind: string): Promise<{ key: string; localId: string; receipts: number }[]> {
  return ((await bridgeRequest(desk, 'demo.ledger', { kind })) as { entries: { key: string; localId: string; receipts: number }[] }).entries;
}

export async function outboxDrained(desk: DeskHost): Promise<boolean> {
  return ((await bridgeRequest(desk, 'outbox.undelivered', {})) as { items: unknown[] }).items.length === 0;
}

export async function setMisOffline(desk: DeskHost, offline: boolean): Promise<void> {
  await bridgeRequest(desk, 'demo.simulate', { action: 'set-offline', offline });
}

/** Another channel of the clinic books the slot in the MIS now. */
export async function takeSlot(desk: DeskHost, slotId: string): Promise<boolean> {
  return ((await bridgeRequest(desk, 'demo.simulate', { action: 'take-slot', slotId })) as { applied: boolean }).applied;
}

/** Opens a patient's card from the search box (by their mobile's ten digits). */
export async function openCardBySearch(page: Page, national10: string, misId: string): Promise<void> {
  await page.getByTestId('nav-patients').click();
  await page.getByTestId('patient-search').fill(national10);
  await page.locator(`[data-testid="patient-result"][data-mis-id="${misId}"]`).first().click();
  await expect(page.getByTestId('patient-card')).toHaveAttribute('data-mis-id', misId);
}

/**
 * The keyboard path to tomorrow's first free time of a specialty: Alt+B on the open card,
 * type the specialty, Enter (the grid, a page starting today), 2 (tomorrow's column: its
 * earliest free time, whichever doctor). Returns the focused slot's id.
 */
export async function keyboardToTomorrowsFirst(page: Page, typed: string): Promise<string> {
  await page.keyboard.press('Alt+KeyB');
  const pane = page.getByTestId('booking');
  await expect(pane).toBeVisible();
  await expect(page.getByTestId('booking-what')).toBeFocused();
  await page.keyboard.type(typed);
  await expect(page.getByTestId('booking-option').first()).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(pane).toHaveAttribute('data-step', 'grid');
  await expect(page.getByTestId('slot').first()).toBeVisible();
  await page.keyboard.press('Digit2');
  const focused = page.locator('[data-testid="slot"]:focus');
  await expect(focused).toHaveCount(1);
  return (await focused.getAttribute('data-slot-id'))!;
}

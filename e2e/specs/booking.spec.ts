import type { Page } from '@playwright/test';
import { syntheticPatients } from '../../src-main/core/demo/synthetic-patients';
import type { PatientCard } from '../../src-shared/patients/patient-card';
import { addDays } from '../../src-shared/schedule/clinic-time';
import {
  bookingDeskArgs,
  clinicTomorrow,
  freeSlotsOn,
  keyboardToTomorrowsFirst,
  ledger,
  openBookingDesk,
  openCardBySearch,
  outboxDrained,
  setMisOffline,
  sharedScheduleFile,
  takeSlot,
} from '../support/booking';
import { bridgeRequest } from '../support/bridge';
import type { DeskHost } from '../support/desk-host';
import { expect, screenshot, test } from '../support/fixtures';
import { reportFigure } from '../support/figures';
import { CLINIC, fullName } from '../support/screen-pop';

// Booking from the desk on the demo clinic (issue 13): the schedule is in each desk's cache,
// a booking goes to the MIS through the outbox exactly once, and "slot taken" is said as such
// with the next free times. Desks share one demo schedule file, as desks share a clinic's MIS.

const THERAPIST = 'терапевт';

/** Patients whose own mobile is theirs alone, so a search by it names exactly them. */
const patients: PatientCard[] = (() => {
  const clinic = [...syntheticPatients({ count: CLINIC.patients, seed: 1 })];
  const owners = new Map<string, number>();
  for (const card of clinic) for (const phone of card.phones) owners.set(phone.e164, (owners.get(phone.e164) ?? 0) + 1);
  return clinic.filter((card) => card.phones[0]?.kind === 'mobile' && owners.get(card.phones[0].e164) === 1).slice(10, 20);
})();

const ring = (desk: DeskHost, number: string) => bridgeRequest(desk, 'demo.simulate', { action: 'pbx-ringing', number, extension: '101' }) as Promise<{ callId: string }>;
const pbx = (desk: DeskHost, action: 'pbx-answered' | 'pbx-ended', callId: string) => bridgeRequest(desk, 'demo.simulate', { action, callId });

/** This desk's own bookings on the card in a state (the seeded card may have MIS visits of its own). */
async function visit(page: Page, state: string) {
  return page.locator(`[data-testid="appointment"][data-visit-id^="desk:"][data-state="${state}"]`);
}

test('during a ringing-then-answered call: tomorrow\'s first free therapist with the keyboard alone; the visit is confirmed, the MIS has it once, the wrap-up is prefilled, and the second desk stops offering the slot after its sync', async ({
  page,
  browser,
  launch,
  problems,
}) => {
  test.setTimeout(180_000);
  const scheduleFile = sharedScheduleFile();
  const deskA = await launch({ args: bookingDeskArgs(scheduleFile) });
  const deskB = await launch({ args: bookingDeskArgs(scheduleFile) });
  await openBookingDesk(page, deskA);
  const pageB = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await openBookingDesk(pageB, deskB);
  const tomorrow = clinicTomorrow();
  const expected = (await freeSlotsOn(deskA, THERAPIST, tomorrow, 1))[0]!;
  expect(expected, 'the demo clinic has a free therapist tomorrow').toBeTruthy();
  // Desk B offers it too before anyone books it.
  expect((await freeSlotsOn(deskB, THERAPIST, tomorrow)).map((slot) => slot.id)).toContain(expected.id);

  // The patient calls the desk phone (CTI): their card pops; the operator answers on the handset.
  const patient = patients[0]!;
  await page.getByTestId('nav-patients').click();
  const { callId } = await ring(deskA, patient.phones[0]!.e164);
  const item = page.locator(`[data-testid="call-bar-item"][data-call-id="${callId}"]`);
  await expect(item).toHaveAttribute('data-kind', 'ringing');
  await expect(item.getByTestId('call-bar-name')).toHaveText(fullName(patient));
  await pbx(deskA, 'pbx-answered', callId);
  await expect(item).toHaveAttribute('data-kind', 'line');
  await item.getByTestId('call-bar-open-card').click();
  await expect(page.getByTestId('patient-card')).toHaveAttribute('data-mis-id', patient.misId);

  // Keyboard alone from here: Alt+B, «тер», Enter, 2 (tomorrow's earliest), Enter (read-back), Enter (book).
  const started = Date.now();
  const slotId = await keyboardToTomorrowsFirst(page, 'тер');
  expect(slotId).toBe(expected.id);
  await page.keyboard.press('Enter');
  const summary = page.getByTestId('booking-summary');
  await expect(summary).toBeVisible();
  await expect(page.getByTestId('booking-summary-when')).toContainText('завтра');
  await expect(page.getByTestId('booking-summary-patient')).toContainText(patient.surname);
  await expect(page.getByTestId('booking-summary-place')).toContainText('каб.');
  await screenshot(page, 'booking-read-back');
  await page.keyboard.press('Enter');
  const confirmed = await visit(page, 'confirmed');
  await expect(confirmed.filter({ hasText: 'терапевт' }).first()).toBeVisible({ timeout: 20_000 });
  reportFigure('booking: keyboard start to visit confirmed by the MIS', Date.now() - started, 5_000, 'Alt+B … Enter, outbox → demo MIS (60 ms) → confirmed on the card');
  await screenshot(page, 'booking-confirmed-on-card');

  // Exactly one booking in the MIS, and still one once the outbox has nothing left.
  await expect.poll(async () => (await ledger(deskA, 'booking.create')).length).toBe(1);
  // Desk B: after its next sync the slot is no longer offered (timed from the MIS having it).
  const appliedAt = Date.now();
  await expect
    .poll(async () => (await freeSlotsOn(deskB, THERAPIST, tomorrow)).some((slot) => slot.id === expected.id), { message: 'desk B synced the booking', timeout: 30_000 })
    .toBe(false);
  reportFigure('booking: seen as taken on the other desk', Date.now() - appliedAt, 5_000, 'the MIS applied desk A\'s booking → desk B\'s schedule sync no longer offers the slot (2 s poll)');
  await expect.poll(() => outboxDrained(deskA), { message: 'outbox drained' }).toBe(true);
  const entries = await ledger(deskA, 'booking.create');
  expect(entries).toHaveLength(1);
  expect(entries[0]!.receipts).toBe(1);

  // The call ends: the wrap-up already says "booked" with the category of the service's kind.
  await pbx(deskA, 'pbx-ended', callId);
  await expect(item).toHaveAttribute('data-kind', 'wrap-up');
  await item.getByTestId('call-bar-wrap-up').click();
  await expect(page.getByTestId('wrap-up')).toHaveAttribute('data-call-id', callId);
  await expect(page.getByTestId('wrap-up-prefilled')).toBeVisible();
  await expect(page.getByTestId('wrap-up-outcome')).toHaveValue('booked');
  await expect(page.getByTestId('wrap-up-category')).toHaveValue(/Запись|Check-Up|осмотр/);
  // The caller's pop already names the visit just booked as their next one.
  await expect(page.getByTestId('screen-pop-next').getByTestId('next-visit')).toContainText('терапевт');
  await screenshot(page, 'booking-wrap-up-prefilled');
  await page.getByTestId('wrap-up-save').click();
  await expect(page.getByTestId('wrap-up')).toHaveCount(0);

  // Desk B's grid does not offer it either.
  const other = patients[1]!;
  await openCardBySearch(pageB, other.phones[0]!.national10, other.misId);
  await keyboardToTomorrowsFirst(pageB, 'тер');
  await expect(pageB.locator(`[data-testid="slot"][data-slot-id="${expected.id}"]`)).toHaveCount(0);
  expect(problems.list).toEqual([]);
});

test('the slot is taken by another channel between showing and confirming: "slot taken" with the next free times, and nothing booked twice', async ({ page, launch, problems }) => {
  test.setTimeout(120_000);
  const desk = await launch({ args: bookingDeskArgs(sharedScheduleFile()) });
  await openBookingDesk(page, desk);
  const patient = patients[2]!;
  await openCardBySearch(page, patient.phones[0]!.national10, patient.misId);
  const slotId = await keyboardToTomorrowsFirst(page, 'тер');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('booking-summary')).toBeVisible();

  // The front desk books it meanwhile; the desk's next sync learns it.
  expect(await takeSlot(desk, slotId)).toBe(true);
  await expect.poll(async () => (await freeSlotsOn(desk, THERAPIST, clinicTomorrow())).some((slot) => slot.id === slotId), { timeout: 30_000 }).toBe(false);
  await page.keyboard.press('Enter');
  const taken = page.getByTestId('booking-slot-taken');
  await expect(taken).toBeVisible();
  await expect(taken).toContainText('занято');
  const alternatives = page.getByTestId('booking-alternative');
  await expect(alternatives.first()).toBeVisible();
  expect(await alternatives.count()).toBeGreaterThan(1);
  await screenshot(page, 'booking-slot-taken');
  expect(await ledger(desk, 'booking.create')).toHaveLength(0);

  // The first alternative, read back, booked: one booking in the MIS.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('booking-summary')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect((await visit(page, 'confirmed')).first()).toBeVisible({ timeout: 20_000 });
  await expect.poll(async () => (await ledger(desk, 'booking.create')).length).toBe(1);
  expect(problems.list).toEqual([]);
});

test('the MIS is down: the booking waits as pending and its slot is held; back online it is confirmed exactly once — or, taken meanwhile, rejected with alternatives on the card and in the not-delivered panel', async ({
  page,
  launch,
  problems,
}) => {
  test.setTimeout(180_000);
  const desk = await launch({ args: bookingDeskArgs(sharedScheduleFile()) });
  await openBookingDesk(page, desk);
  const tomorrow = clinicTomorrow();

  // 1. Offline: booked as pending, "awaits MIS confirmation", and this desk no longer offers the slot.
  await setMisOffline(desk, true);
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'offline', { timeout: 30_000 });
  const first = patients[3]!;
  await openCardBySearch(page, first.phones[0]!.national10, first.misId);
  const held = await keyboardToTomorrowsFirst(page, 'тер');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  const pending = await visit(page, 'pending');
  await expect(pending.first()).toBeVisible();
  await expect(pending.first().getByTestId('appointment-pending')).toBeVisible();
  await expect(page.getByTestId('booking-result')).toContainText('ожидает подтверждения МИС');
  await screenshot(page, 'booking-pending-offline');
  expect((await freeSlotsOn(desk, THERAPIST, tomorrow)).some((slot) => slot.id === held)).toBe(false);
  // Its grid skips it too: tomorrow's earliest is now another time.
  const second = patients[4]!;
  await openCardBySearch(page, second.phones[0]!.national10, second.misId);
  const next = await keyboardToTomorrowsFirst(page, 'тер');
  expect(next).not.toBe(held);
  await expect(page.locator(`[data-testid="slot"][data-slot-id="${held}"]`)).toHaveCount(0);

  // 2. Still offline: the second patient books `next`, and the front desk takes that very slot in the MIS.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect((await visit(page, 'pending')).first()).toBeVisible();
  expect(await takeSlot(desk, next)).toBe(true);

  // 3. Back online: the first booking confirmed exactly once; the second rejected as "slot taken".
  await setMisOffline(desk, false);
  await expect((await visit(page, 'rejected')).first()).toBeVisible({ timeout: 60_000 });
  const rejected = (await visit(page, 'rejected')).first();
  await expect(rejected.getByTestId('appointment-rejection')).toContainText('занято');
  await expect(rejected.getByTestId('appointment-alternative').first()).toBeVisible();
  await screenshot(page, 'booking-rejected-alternatives');
  await page.getByTestId('outbox-badge').click();
  const failed = page.locator('[data-testid="outbox-item"][data-kind="booking.create"][data-state="failed"]');
  await expect(failed).toHaveCount(1);
  await expect(failed.getByTestId('outbox-reason')).toContainText('slot-taken');
  await page.getByTestId('outbox-close').click();
  // …and the patient is on the callback worklist, to be offered another time.
  await page.getByTestId('nav-callbacks').click();
  const owed = page.getByTestId('callback-task').filter({ hasText: second.surname });
  await expect(owed).toHaveCount(1);
  await expect(owed).toContainText('запись отклонена');
  await screenshot(page, 'booking-rejected-callback-task');

  await openCardBySearch(page, first.phones[0]!.national10, first.misId);
  await expect((await visit(page, 'confirmed')).first()).toBeVisible({ timeout: 30_000 });
  await expect.poll(async () => (await ledger(desk, 'booking.create')).length, { message: 'the first booking reached the MIS once' }).toBe(1);
  await expect.poll(async () => (await bridgeRequest(desk, 'outbox.undelivered', {}) as { items: { kind: string; state: string }[] }).items.filter((i) => i.state !== 'failed').length).toBe(0);
  expect(await ledger(desk, 'booking.create')).toHaveLength(1);
  expect(problems.list).toEqual([]);
});

test('a visit on the card is moved to another day and then cancelled: one move and one cancel in the MIS, the freed slots offered again', async ({ page, launch, problems }) => {
  test.setTimeout(120_000);
  const desk = await launch({ args: bookingDeskArgs(sharedScheduleFile()) });
  await openBookingDesk(page, desk);
  const tomorrow = clinicTomorrow();
  const patient = patients[5]!;
  await openCardBySearch(page, patient.phones[0]!.national10, patient.misId);
  const booked = await keyboardToTomorrowsFirst(page, 'тер');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  const confirmed = (await visit(page, 'confirmed')).filter({ hasText: 'терапевт' });
  await expect(confirmed).toHaveCount(1, { timeout: 20_000 });

  // Move: the pane opens on the visit's specialty; a time the day after tomorrow; the read-back says what it was.
  await confirmed.getByTestId('appointment-move').click();
  await expect(page.getByTestId('booking')).toHaveAttribute('data-mode', 'move');
  const dayAfter = addDays(tomorrow, 1);
  const target = page.locator(`[data-testid="slot"][data-start^="${dayAfter}"]`).first();
  await expect(target).toBeVisible();
  const movedTo = (await target.getAttribute('data-slot-id'))!;
  await target.click();
  await expect(page.getByTestId('booking-summary-was')).toBeVisible();
  await page.getByTestId('booking-confirm').click();
  const moved = (await visit(page, 'confirmed')).filter({ hasText: 'терапевт' });
  await expect(moved).toHaveCount(1, { timeout: 20_000 });
  await expect(moved.getByTestId('appointment-time')).toContainText(dayAfter.slice(8, 10));
  await expect.poll(async () => (await ledger(desk, 'booking.move')).length).toBe(1);
  // The first time is offered again once the schedule synced the move.
  await expect.poll(async () => (await freeSlotsOn(desk, THERAPIST, tomorrow)).some((slot) => slot.id === booked), { timeout: 30_000 }).toBe(true);

  // Cancel, with its confirm step: the visit is cancelled, the MIS has one cancellation, the slot is free again.
  await moved.getByTestId('appointment-cancel').click();
  await page.getByTestId('appointment-cancel-confirm').click();
  await expect((await visit(page, 'cancelled')).filter({ hasText: 'терапевт' }).first()).toBeVisible({ timeout: 20_000 });
  await expect.poll(async () => (await ledger(desk, 'booking.cancel')).length).toBe(1);
  await expect.poll(async () => (await freeSlotsOn(desk, THERAPIST, dayAfter)).some((slot) => slot.id === movedTo), { timeout: 30_000 }).toBe(true);
  expect(await ledger(desk, 'booking.create')).toHaveLength(1);
  await screenshot(page, 'booking-moved-cancelled');
  expect(problems.list).toEqual([]);
});

import type { Page } from '@playwright/test';
import { bookingDeskArgs, clinicTomorrow, freeSlotsOn, ledger, openBookingDesk, sharedScheduleFile } from '../support/booking';
import { bridgeRequest } from '../support/bridge';
import type { DeskHost } from '../support/desk-host';
import { expect, screenshot, test } from '../support/fixtures';

// Outbound call lists (issue 13): "confirm tomorrow's visits", built by the desk from the
// cached schedule of the demo clinic. The operator works three patients — confirmed,
// cancelled, no answer — and sees the counters, the cancelled visit's slot free again in the
// schedule, and the unanswered patient back on the list after the retry delay (the lists'
// clock moved on with the demo control). The calling window is the whole day here, so the
// test does not depend on the hour it runs at; the window itself is unit-tested.

const RETRY_MINUTES = 30;

interface Progress {
  done: number;
  total: number;
  confirmed: number;
  cancelled: number;
  noAnswer: number;
}

async function progress(page: Page, listId: string): Promise<Progress> {
  const tab = page.locator(`[data-testid="call-list-tab"][data-list-id="${listId}"]`);
  const bar = tab.getByTestId('call-list-progress');
  const read = async (name: string) => Number(await bar.getAttribute(`data-${name}`));
  return { done: await read('done'), total: await read('total'), confirmed: await read('confirmed'), cancelled: await read('cancelled'), noAnswer: await read('no-answer') };
}

/** "Next patient": claims the next one and opens their card; back on the list, returns the claimed task's id. */
async function nextPatient(page: Page): Promise<string> {
  await page.getByTestId('call-list-next').click();
  await expect(page.getByTestId('patient-card')).toBeVisible();
  const misId = await page.getByTestId('patient-card').getAttribute('data-mis-id');
  await page.getByTestId('nav-call-lists').click();
  const mine = page.locator('[data-testid="call-list-task"][data-mine="true"]');
  await expect(mine).toHaveCount(1);
  await expect(mine).toHaveAttribute('data-state', 'claimed');
  expect(misId).toBeTruthy();
  return (await mine.getAttribute('data-id'))!;
}

async function outcome(page: Page, taskId: string, name: string): Promise<void> {
  const row = page.locator(`[data-testid="call-list-task"][data-id="${taskId}"]`);
  await row.getByTestId(`call-list-outcome-${name}`).click();
  await expect(row).not.toHaveAttribute('data-state', 'claimed');
}

test('confirm tomorrow\'s visits: a list of 20+ patients; confirmed, cancelled (the slot is free again), no answer (back after the retry delay); counters and the MIS follow', async ({
  page,
  launch,
  problems,
}) => {
  test.setTimeout(180_000);
  const desk: DeskHost = await launch({
    args: bookingDeskArgs(sharedScheduleFile(), { callLists: { windowFrom: '00:00', windowTo: '24:00', retryMinutes: RETRY_MINUTES, maxAttempts: 3 } }),
  });
  await openBookingDesk(page, desk);
  const tomorrow = clinicTomorrow();
  const listId = `confirm-tomorrow:${tomorrow}`;

  await page.getByTestId('nav-call-lists').click();
  await expect(page.getByTestId('call-lists')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('call-lists-window')).toHaveAttribute('data-open', 'true');
  const tab = page.locator(`[data-testid="call-list-tab"][data-list-id="${listId}"]`);
  await expect(tab).toBeVisible({ timeout: 30_000 });
  await tab.click();
  await expect(page.getByTestId('call-list')).toHaveAttribute('data-list-id', listId);
  const start = await progress(page, listId);
  expect(start.total, 'tomorrow has at least 20 visits to confirm').toBeGreaterThanOrEqual(20);
  expect(start.done).toBe(0);
  expect(await page.getByTestId('call-list-task').count()).toBe(start.total);
  // Patients without consent to calls are on the list but never offered.
  const blocked = page.locator('[data-testid="call-list-task"][data-state="blocked"]');
  if ((await blocked.count()) > 0) await expect(blocked.first()).toContainText('согласи');
  await screenshot(page, 'call-list-confirm-tomorrow');

  // 1. One click calls: in CTI mode the PBX rings this desk's phone and dials the patient. Confirmed.
  const first = await nextPatient(page);
  const firstRow = page.locator(`[data-testid="call-list-task"][data-id="${first}"]`);
  await firstRow.getByTestId('call-list-call').click();
  await expect(firstRow.getByTestId('call-list-calling')).toHaveAttribute('data-via', 'pbx');
  const dialled = page.locator('[data-testid="call-bar-item"][data-source="pbx"]');
  await expect(dialled).toHaveCount(1);
  await screenshot(page, 'call-list-calling');
  await outcome(page, first, 'confirmed');
  // 2. Cancelled: the visit is cancelled in the MIS and its slot comes back free in the schedule.
  const second = await nextPatient(page);
  const slotId = second.slice(listId.length + 1);
  const specialty = ((await bridgeRequest(desk, 'schedule.catalog', {})) as { doctors: { id: string; specialty: string }[] }).doctors.find((doctor) => slotId.startsWith(`${doctor.id}@`))?.specialty;
  expect(specialty, 'the slot names a doctor of the catalog').toBeTruthy();
  expect((await freeSlotsOn(desk, specialty!, tomorrow)).some((slot) => slot.id === slotId)).toBe(false);
  await outcome(page, second, 'cancelled');
  // 3. No answer: it waits for the retry delay.
  const third = await nextPatient(page);
  await outcome(page, third, 'noAnswer');
  await expect(page.locator(`[data-testid="call-list-task"][data-id="${third}"]`)).toHaveAttribute('data-state', 'waiting');

  await expect.poll(() => progress(page, listId)).toMatchObject({ done: 2, total: start.total, confirmed: 1, cancelled: 1, noAnswer: 1 });
  await screenshot(page, 'call-list-worked');

  // The cancelled visit's slot is free again once the MIS applied the cancellation and the schedule synced.
  await expect
    .poll(async () => (await freeSlotsOn(desk, specialty!, tomorrow)).some((slot) => slot.id === slotId), { message: 'the cancelled slot is free in the schedule', timeout: 30_000 })
    .toBe(true);
  await expect.poll(async () => (await ledger(desk, 'booking.cancel')).length).toBe(1);
  await expect.poll(async () => (await ledger(desk, 'call-list.outcome')).length).toBe(3);

  // The retry delay passes (the lists' clock moves on): the unanswered patient is back on the list, callable again.
  await bridgeRequest(desk, 'demo.simulate', { action: 'advance-clock', ms: RETRY_MINUTES * 60_000 + 1_000 });
  await expect(page.locator(`[data-testid="call-list-task"][data-id="${third}"]`)).toHaveAttribute('data-state', 'open');
  expect(problems.list).toEqual([]);
});

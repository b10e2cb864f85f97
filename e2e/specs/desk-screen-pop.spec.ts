import { bridgeRequest } from '../support/bridge';
import { deskSipArgs } from '../support/desk-phone';
import { screenshot } from '../support/fixtures';
import { callAs, clinicNumbers, CLINIC, fullName, openSyncedDesk, popMs, setMisOffline } from '../support/screen-pop';
import { expect, test } from '../support/sip';

// Screen pop over the real SIP path: the patient phone calls with a P-Asserted-Identity that
// carries a clinic patient's number (as a PBX trunk would), the desk pops the cached card while
// it still rings. The demo clinic is seeded and still (no evolving cards), so the test knows
// which numbers belong to whom without asking the desk.

test.use({ permissions: ['microphone'] });

test('a cached patient calls: the card pops while it rings (also with the MIS offline); a family number shows the chooser; an unknown number the new-patient draft', async ({
  page,
  launch,
  sip,
  patientPhone,
  problems,
}) => {
  test.setTimeout(120_000);
  const { unique, shared } = clinicNumbers();
  const desk = await launch({ args: deskSipArgs(sip, { clinic: CLINIC }) });
  await openSyncedDesk(page, desk);
  const patient = await patientPhone();
  await patient.register(sip.users.patient1);

  // 1. A returning patient: the name is on screen before anyone answers.
  await callAs(patient, sip.users.desk.user, unique.e164);
  const ringing = page.getByTestId('incoming-call');
  await expect(ringing).toBeVisible();
  await expect(page.getByTestId('screen-pop-name')).toHaveText(fullName(unique.card));
  await expect(page.getByTestId('incoming-call')).toBeVisible();
  const callId = (await ringing.getAttribute('data-call-id'))!;
  await expect.poll(() => popMs(page, callId), { message: 'the pop measured itself' }).toBeGreaterThan(0);
  await expect(page.getByTestId('screen-pop')).toHaveAttribute('data-state', 'updated');
  await expect(page.getByTestId('screen-pop-status')).toContainText(/\d\d:\d\d/);
  await screenshot(page, 'screen-pop-ringing');
  await page.getByTestId('reject-button').click();
  await expect(page.getByTestId('incoming-call')).toHaveCount(0);

  // 2. The MIS is down: the card still pops from the cache, marked as cached.
  await setMisOffline(desk, true);
  await callAs(patient, sip.users.desk.user, unique.e164);
  await expect(page.getByTestId('screen-pop-name')).toHaveText(fullName(unique.card));
  await expect(page.getByTestId('screen-pop')).toHaveAttribute('data-state', 'unreachable');
  await expect(page.getByTestId('screen-pop-status')).toContainText(/\d\d:\d\d/);
  await screenshot(page, 'screen-pop-mis-offline');
  await page.getByTestId('reject-button').click();
  await expect(page.getByTestId('incoming-call')).toHaveCount(0);
  await setMisOffline(desk, false);

  // 3. A number a family shares: the chooser lists every card on it.
  await callAs(patient, sip.users.desk.user, shared.e164);
  const chooser = page.getByTestId('screen-pop-chooser');
  await expect(chooser).toBeVisible();
  await expect(chooser.getByTestId('screen-pop-choice')).toHaveCount(shared.cards.length);
  const second = shared.cards[1]!;
  await chooser.locator(`[data-testid="screen-pop-choice"][data-mis-id="${second.misId}"]`).click();
  await expect(page.getByTestId('screen-pop-name')).toHaveText(fullName(second));
  await page.getByTestId('reject-button').click();
  await expect(page.getByTestId('incoming-call')).toHaveCount(0);
  // The choice is remembered for that number: it comes first next time.
  await callAs(patient, sip.users.desk.user, shared.e164);
  await expect(page.getByTestId('screen-pop-choice').first()).toHaveAttribute('data-mis-id', second.misId);
  await page.getByTestId('reject-button').click();
  await expect(page.getByTestId('incoming-call')).toHaveCount(0);

  // 4. A number nobody in the clinic has: a new-patient draft with the number filled in.
  await callAs(patient, sip.users.desk.user, '+79990000001');
  const draft = page.getByTestId('screen-pop-new');
  await expect(draft).toBeVisible();
  await expect(draft.getByTestId('screen-pop-new-phone')).toHaveText('+7 (999) 000-00-01');
  await page.getByTestId('reject-button').click();
  expect(problems.list).toEqual([]);
});

test('answer, hang up, wrap up: the journal row shows category and outcome; the MIS gets it exactly once even when it was offline during the save', async ({
  page,
  launch,
  sip,
  patientPhone,
  problems,
}) => {
  test.setTimeout(120_000);
  const { unique } = clinicNumbers();
  const desk = await launch({ args: deskSipArgs(sip, { clinic: CLINIC }) });
  await openSyncedDesk(page, desk);
  const patient = await patientPhone();
  await patient.register(sip.users.patient1);

  await callAs(patient, sip.users.desk.user, unique.e164);
  await expect(page.getByTestId('screen-pop-name')).toHaveText(fullName(unique.card));
  const callId = (await page.getByTestId('incoming-call').getAttribute('data-call-id'))!;
  await page.getByTestId('answer-button').click();
  await expect(page.locator('[data-testid="call-line"][data-state="active"]')).toHaveCount(1);
  await patient.page.evaluate(() => window.patientPhone.hangup());
  await expect(page.getByTestId('call-line')).toHaveCount(0);

  const wrapUp = page.getByTestId('wrap-up');
  await expect(wrapUp).toBeVisible();
  await expect(page.getByTestId('wrap-up-timer')).toHaveText(/^\d\d:\d\d$/);
  await page.getByTestId('wrap-up-category').selectOption({ label: 'Запись по ОМС' });
  await page.getByTestId('wrap-up-outcome').selectOption('booked');
  await page.getByTestId('wrap-up-note').fill('Записана к терапевту на четверг');
  await setMisOffline(desk, true);
  await screenshot(page, 'wrap-up');
  await page.getByTestId('wrap-up-save').click();
  await expect(page.getByTestId('wrap-up')).toHaveCount(0);

  const row = page.locator(`[data-testid="call-journal-row"][data-call-id="${callId}"]`);
  await expect(row).toHaveAttribute('data-category', 'Запись по ОМС');
  await expect(row).toHaveAttribute('data-outcome', 'answered');
  await expect(row).toContainText(unique.card.surname);

  // Offline during the save: nothing delivered yet; back online: exactly one delivery.
  const deliveries = async () =>
    ((await bridgeRequest(desk, 'demo.ledger', {})) as { entries: { kind: string; key: string }[] }).entries.filter((entry) => entry.kind === 'wrapup');
  expect(await deliveries()).toHaveLength(0);
  await setMisOffline(desk, false);
  await expect.poll(async () => (await deliveries()).length, { message: 'the wrap-up reached the MIS', timeout: 60_000 }).toBe(1);
  // Stays one once the outbox has nothing left to send (no second delivery on a retry).
  await expect
    .poll(async () => ((await bridgeRequest(desk, 'outbox.undelivered', {})) as { items: unknown[] }).items.length, { message: 'outbox drained' })
    .toBe(0);
  expect(await deliveries()).toHaveLength(1);

  // The note is in the patient's history on the card.
  await page.getByTestId('nav-patients').click();
  await page.getByTestId('patient-search').fill(unique.card.phones[0]!.national10);
  await page.getByTestId('patient-result').first().click();
  await expect(page.getByTestId('patient-calls')).toContainText('Записана к терапевту на четверг');
  expect(problems.list).toEqual([]);
});

import { deskSipArgs, openRegisteredDesk } from '../support/desk-phone';
import { screenshot } from '../support/fixtures';
import { expect, test } from '../support/sip';

// What arrives in an INVITE is the caller's to choose: display names are rendered inert, and
// an intercom header is obeyed only when IT turned intercom auto-answer on.

test.use({ permissions: ['microphone'] });

const HOSTILE_NAMES = [
  '<img src=x onerror="window.__pwned=1">',
  '\u202eИванова\u202c 📞 "Мама" \\ <b>',
  `${'Я'.repeat(300)}`,
];

test('hostile caller display names over real SIP are shown as plain text and never inject anything', async ({ page, launch, sip, patientPhone, problems }) => {
  const desk = await launch({ args: deskSipArgs(sip) });
  await openRegisteredDesk(page, desk);
  const patient = await patientPhone();
  await patient.register(sip.users.patient1);

  for (const name of HOSTILE_NAMES) {
    // Sent as a proper SIP quoted-string (RFC 3261 §25.1: `"` and `\` as quoted-pairs), the way a PBX passes it on.
    const quoted = name.replace(/["\\]/gu, '\\$&');
    await patient.page.evaluate(({ target, displayName }) => window.patientPhone.call(target, { displayName }), { target: sip.users.desk.user, displayName: quoted });
    const ringing = page.getByTestId('incoming-call');
    await expect(ringing).toBeVisible();
    const shown = (await ringing.getByTestId('incoming-call-name').textContent()) ?? '';
    // Text, not markup; bidi overrides stripped; bounded length.
    expect(shown).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
    expect(Array.from(shown).length).toBeLessThanOrEqual(200);
    if (name.startsWith('<img')) expect(shown).toBe(name);
    await expect(ringing.locator('img, b')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await expect(ringing.getByTestId('incoming-call-number')).toHaveText(sip.users.patient1.user);
    if (name.startsWith('\u202e')) await screenshot(page, 'desk-hostile-caller-id');
    await page.getByTestId('reject-button').click();
    await expect(page.getByTestId('incoming-call')).toHaveCount(0);
  }
  expect(problems.list).toEqual([]);
});

test('an intercom call (Call-Info answer-after=0) is answered by itself only when intercom auto-answer is on', async ({ page, launch, sip, patientPhone, problems }) => {
  const desk = await launch({ args: deskSipArgs(sip, { autoAnswerIntercom: true }) });
  await openRegisteredDesk(page, desk);
  const supervisor = await patientPhone();
  await supervisor.register(sip.users.patient2);
  await supervisor.page.evaluate(
    (target) => window.patientPhone.call(target, { extraHeaders: [`Call-Info: <sip:${target}@registratura.test>;answer-after=0`] }),
    sip.users.desk.user,
  );
  await expect(page.locator('[data-testid="call-line"][data-state="active"]')).toHaveCount(1);
  await expect.poll(async () => (await supervisor.state()).call, { message: 'intercom connected' }).toBe('established');
  await page.getByTestId('hangup-button').click();
  await expect(page.getByTestId('call-line')).toHaveCount(0);

  // An ordinary call (no Call-Info) still rings for the operator.
  await supervisor.page.evaluate((target) => window.patientPhone.call(target), sip.users.desk.user);
  await expect(page.getByTestId('incoming-call')).toBeVisible();
  await expect(page.getByTestId('call-line')).toHaveCount(0);
  await page.getByTestId('reject-button').click();
  expect(problems.list).toEqual([]);
});

test('with intercom auto-answer off (the default) an intercom call rings like any other', async ({ page, launch, sip, patientPhone, problems }) => {
  const desk = await launch({ args: deskSipArgs(sip) });
  await openRegisteredDesk(page, desk);
  const supervisor = await patientPhone();
  await supervisor.register(sip.users.patient2);
  await supervisor.page.evaluate(
    (target) => window.patientPhone.call(target, { extraHeaders: [`Call-Info: <sip:${target}@registratura.test>;answer-after=0`] }),
    sip.users.desk.user,
  );
  const ringing = page.getByTestId('incoming-call');
  await expect(ringing).toBeVisible();
  // No "answers automatically" promise on the panel: it waits for the operator.
  await expect(ringing.getByTestId('incoming-call-intercom')).toHaveCount(0);
  await expect(page.getByTestId('call-line')).toHaveCount(0);
  await page.getByTestId('reject-button').click();
  expect(problems.list).toEqual([]);
});

import { deskMedia, deskSipArgs, expectDeskPacketsRising, journal, openRegisteredDesk } from '../support/desk-phone';
import { recordDeskStates, reportFigure, stateChanges } from '../support/figures';
import { startTcpProxy } from '../support/tcp-proxy';
import { expect, test } from '../support/sip';

// Network-loss recovery of the real desk against a Kamailio that is killed (SIGKILL by PID, as a
// crash) and started again on the same port.

test.use({ permissions: ['microphone'] });

/**
 * Chromium logs every refused WebSocket as a console error: while the SIP server is down the
 * desk's reconnects and probes produce exactly these, and nothing else may appear.
 */
function refusedSipSocket(line: string, wsUrl: string): boolean {
  const url = new URL(wsUrl);
  return line.startsWith(`console: WebSocket connection to 'ws://${url.host}/`) && line.endsWith('net::ERR_CONNECTION_REFUSED');
}

/** How long the SIP server stays down in the idle scenario of the issue. */
const OUTAGE_MS = 10_000;

test('Kamailio killed while the desk is idle and restarted 10 s later: reconnecting, then registered within 5 s of the restart', async ({
  page,
  launch,
  sip,
  problems,
}) => {
  test.setTimeout(90_000);
  const desk = await launch({ args: deskSipArgs(sip) });
  await recordDeskStates(page, ['status-sip']);
  await openRegisteredDesk(page, desk);

  const killedAt = Date.now();
  await sip.kill();
  await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'reconnecting');

  // The scenario is a 10-second outage: this wait is the outage itself, not a wait for a condition.
  await page.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - killedAt)));
  const during = (await stateChanges(page)).map((change) => change.state);
  expect(during.at(-1)).toBe('reconnecting');

  // Measured from the moment the server is started again (in the page's clock, taken just before).
  const restartedAt = await page.evaluate(() => performance.now());
  const acceptingMs = await sip.start();
  await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'registered', { timeout: 15_000 });
  const changes = await stateChanges(page);
  const registeredAgain = changes.filter((change) => change.state === 'registered').at(-1)!;
  const sequence = changes.map((change) => change.state).join(' → ');
  reportFigure('re-register-after-restart', registeredAgain.at - restartedAt, 5_000, `outage ${OUTAGE_MS} ms; Kamailio accepted WebSockets after ${acceptingMs} ms; ${sequence}`);
  expect(registeredAgain.at - restartedAt).toBeLessThanOrEqual(5_000);
  // While the server was down the desk never claimed to be registered.
  const lost = changes.findIndex((change) => change.state === 'reconnecting');
  expect(changes.slice(lost, -1).map((change) => change.state)).not.toContain('registered');
  expect(problems.list.filter((line) => !refusedSipSocket(line, sip.wsUrl))).toEqual([]);
});

test('a call in progress when the WebSocket drops either recovers its audio or ends as lost — never a ghost call', async ({
  page,
  launch,
  sip,
  patientPhone,
  problems,
}) => {
  test.setTimeout(90_000);
  const desk = await launch({ args: deskSipArgs(sip) });
  await openRegisteredDesk(page, desk);
  const patient = await patientPhone();
  await patient.register(sip.users.patient1);
  await patient.page.evaluate(() => window.patientPhone.setAutoAnswer(true));

  await page.getByTestId('dial-input').fill(sip.users.patient1.user);
  await page.getByTestId('dial-button').click();
  const call = page.locator('[data-testid="call-line"][data-state="active"]');
  await expect(call).toHaveCount(1);
  const callId = await call.getAttribute('data-call-id');

  await sip.kill();
  await expect(page.locator('[data-testid="call-line"][data-state="recovering"]')).toHaveCount(1);
  await expect(page.getByTestId('call-recovering')).toBeVisible();
  await sip.start();
  await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'registered', { timeout: 15_000 });

  // Settles either way within the recovery window: back to `active` with audio, or gone.
  const anyLine = page.getByTestId('call-line');
  await expect
    .poll(async () => ((await anyLine.count()) === 0 ? 'gone' : await anyLine.first().getAttribute('data-state', { timeout: 1_000 }).catch(() => 'gone')), {
      message: 'the call settles',
      timeout: 30_000,
    })
    .toMatch(/^(active|gone)$/);
  const remaining = await page.getByTestId('call-line').count();
  if (remaining === 0) {
    const row = (await journal(desk)).find((entry) => entry.id === callId);
    expect(row?.outcome, 'an unrecoverable call is journalled as lost').toBe('lost');
    await expect(page.getByTestId('call-lost-notice')).toBeVisible();
    console.log('call during WebSocket drop: ended as lost (the far end lost its own connection)');
  } else {
    const before = (await deskMedia(call)).packetsReceived;
    await expect.poll(async () => (await deskMedia(call)).packetsReceived, { message: 'audio after recovery', timeout: 8_000 }).toBeGreaterThan(before + 10);
    console.log('call during WebSocket drop: recovered with ICE restart');
  }
  expect(problems.list.filter((line) => !refusedSipSocket(line, sip.wsUrl))).toEqual([]);
});

test('only the desk\'s WebSocket drops mid-call (the server and the caller stay up): the call is re-INVITEd with an ICE restart and keeps its audio', async ({
  page,
  launch,
  sip,
  patientPhone,
  problems,
}) => {
  test.setTimeout(90_000);
  // The desk reaches Kamailio through a relay the test can cut; the patient connects directly.
  const relay = await startTcpProxy(sip.server.wsPort);
  try {
    const desk = await launch({ args: deskSipArgs({ ...sip, wsUrl: relay.url }) });
    await recordDeskStates(page, ['call-line', 'status-sip']);
    await openRegisteredDesk(page, desk);
    const patient = await patientPhone();
    await patient.register(sip.users.patient1);
    await patient.page.evaluate(() => window.patientPhone.setAutoAnswer(true));

    await page.getByTestId('dial-input').fill(sip.users.patient1.user);
    await page.getByTestId('dial-button').click();
    const call = page.locator('[data-testid="call-line"][data-state="active"]');
    await expect(call).toHaveCount(1);
    const callId = await call.getAttribute('data-call-id');
    await expectDeskPacketsRising(call, 'before the drop');

    const droppedAt = await page.evaluate(() => performance.now());
    expect(relay.dropAll()).toBe(1);
    await expect(page.locator('[data-testid="call-line"][data-state="recovering"]')).toHaveCount(1);
    await expect(page.getByTestId('call-recovering')).toBeVisible();
    await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'registered', { timeout: 15_000 });
    await expect(page.locator(`[data-testid="call-line"][data-call-id="${callId}"]`)).toHaveAttribute('data-state', 'active', { timeout: 15_000 });
    const back = (await stateChanges(page)).filter((change) => change.testId === 'call-line' && change.state === 'active').at(-1)!;
    reportFigure('call-recovered-after-socket-drop', back.at - droppedAt, 5_000, 'relay cut → re-REGISTER → re-INVITE with ICE restart → active');

    // The same call, still up at the far end, with audio both ways.
    await expectDeskPacketsRising(page.locator(`[data-testid="call-line"][data-call-id="${callId}"]`), 'after recovery');
    expect((await patient.state()).call).toBe('established');
    const before = (await patient.stats()).packetsReceived;
    await expect.poll(async () => (await patient.stats()).packetsReceived, { message: 'patient hears the desk after recovery' }).toBeGreaterThan(before + 10);

    await page.getByTestId('hangup-button').click();
    await expect(page.getByTestId('call-line')).toHaveCount(0);
    await expect.poll(async () => (await patient.state()).call, { message: 'BYE reached the patient over the new connection' }).toBe('ended');
    await expect.poll(async () => (await journal(desk)).find((row) => row.id === callId)?.outcome, { message: 'journal' }).toBe('answered');
    expect(problems.list).toEqual([]);
  } finally {
    await relay.close();
  }
});

import type { Browser, Page } from '@playwright/test';
import { syntheticPatients } from '../../src-main/core/demo/synthetic-patients';
import { bridgeRequest } from '../support/bridge';
import { actionsNamed, amiDeskConfig, header, startAmi } from '../support/ami';
import { writeConfig, type DeskHost } from '../support/desk-host';
import { reportFigure } from '../support/figures';
import { expect, openDesk, screenshot, test } from '../support/fixtures';

// Two CTI desks (agents 1001 and 1002) on one Asterisk — the AMI simulator shaped on the real
// captures — see the same queue and the same missed-call worklist, and a claim on one shows on
// the other. The caller is a patient of the (seeded) demo clinic both desks cached.
// Families share numbers; the callers are patients whose mobile is theirs alone, so the cache
// names exactly them.
const clinic = [...syntheticPatients({ count: 2_000, seed: 1 })];
const owners = new Map<string, number>();
for (const card of clinic) for (const phone of card.phones) owners.set(phone.e164, (owners.get(phone.e164) ?? 0) + 1);
const [patient, otherPatient] = clinic.filter((card) => owners.get(card.phones[0]!.e164) === 1).slice(3, 5) as [(typeof clinic)[number], (typeof clinic)[number]];
const callerNumber = patient.phones[0]!.e164;
const patientName = [patient.surname, patient.givenName].join(' ');

async function openQueueDesk(page: Page, desk: DeskHost): Promise<void> {
  await openDesk(page, desk.url);
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 30_000 });
  await expect(page.getByTestId('status-pbx')).toHaveAttribute('data-state', 'online');
}

async function secondPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return context.newPage();
}

test('two desks on one PBX: a waiting caller with the cached name, the abandon becomes one shared callback task, a claim shows on the other desk within 2 s, the call-back outcome closes it on both; a restarted desk recovers the claim', async ({ page, browser, launch, problems }) => {
  test.setTimeout(120_000);
  const { sim, amiPort } = await startAmi();
  try {
    const deskA = await launch({ args: ['--config', amiDeskConfig(amiPort, '1001', 'Иванова Анна')] });
    const deskB = await launch({ args: ['--config', amiDeskConfig(amiPort, '1002', 'Петрова Ольга')] });
    const pageB = await secondPage(browser);
    await openQueueDesk(page, deskA);
    await openQueueDesk(pageB, deskB);

    // A caller joins the queue: both desks list them, with the patient's name from their cache.
    const first = sim.addCaller(callerNumber, 'reception');
    for (const p of [page, pageB]) {
      await p.getByTestId('nav-queue').click();
      const row = p.getByTestId('queue-caller').filter({ hasText: patientName });
      await expect(row).toBeVisible();
      await expect(row).toContainText('Регистратура');
    }
    await expect(page.getByTestId('queue-agent')).toHaveCount(2);
    await screenshot(page, 'queue-view-ami');

    // They hang up: both desks show one open callback task.
    sim.abandon(first.linkedid);
    for (const p of [page, pageB]) {
      await expect(p.getByTestId('queue-caller')).toHaveCount(0);
      await p.getByTestId('nav-callbacks').click();
      await expect(p.getByTestId('callback-task')).toHaveCount(1);
      await expect(p.getByTestId('callback-task').first()).toHaveAttribute('data-state', 'open');
    }

    // They try again and abandon again: still one task, counting two calls.
    const second = sim.addCaller(callerNumber, 'reception');
    sim.abandon(second.linkedid);
    for (const p of [page, pageB]) {
      await expect(p.getByTestId('callback-task')).toHaveCount(1);
      await expect(p.getByTestId('callback-count')).toContainText('2');
    }

    // Desk A claims it: desk B sees it claimed within 2 s.
    const taskB = pageB.getByTestId('callback-task').first();
    const claimedAt = Date.now();
    await page.getByTestId('callback-claim').first().click();
    await expect(page.getByTestId('callback-task').first()).toHaveAttribute('data-state', 'claimed');
    await expect(taskB).toHaveAttribute('data-state', 'claimed', { timeout: 2_000 });
    reportFigure('callback claim seen on the other desk', Date.now() - claimedAt, 2_000, 'desk A click → desk B row claimed (UserEvent + AstDB through the PBX)');
    await expect(pageB.getByTestId('callback-claimed-by').first()).toContainText('Иванова');
    await expect(pageB.getByTestId('callback-claim')).toHaveCount(0);

    // Desk B goes away; meanwhile another patient abandons and desk A claims that task too.
    await pageB.goto('about:blank');
    await deskB.stop();
    const otherNumber = otherPatient.phones[0]!.e164;
    const third = sim.addCaller(otherNumber, 'reception');
    sim.abandon(third.linkedid);
    const otherTaskA = page.locator(`[data-testid="callback-task"][data-number="${otherNumber}"]`);
    await expect(otherTaskA).toHaveAttribute('data-state', 'open');
    await otherTaskA.getByTestId('callback-claim').click();
    await expect(otherTaskA).toHaveAttribute('data-state', 'claimed');

    // Desk B restarts: it shows both claims — the one it saw, and the one made while it was away (read back from the PBX).
    const deskB2 = await launch({ dataDir: deskB.dataDir, args: ['--config', amiDeskConfig(amiPort, '1002', 'Петрова Ольга')] });
    await openQueueDesk(pageB, deskB2);
    await pageB.getByTestId('nav-callbacks').click();
    await expect(pageB.getByTestId('callback-task')).toHaveCount(2);
    for (const number of [callerNumber, otherNumber]) {
      await expect(pageB.locator(`[data-testid="callback-task"][data-number="${number}"]`)).toHaveAttribute('data-state', 'claimed');
    }
    await screenshot(pageB, 'callbacks-claimed-elsewhere');

    // Desk A calls back (CTI: the PBX rings agent 1001's phone and dials the patient), then records the outcome.
    const before = sim.recordedActions().length;
    const taskA = page.locator(`[data-testid="callback-task"][data-number="${callerNumber}"]`);
    await taskA.getByTestId('callback-call').click();
    await expect.poll(() => actionsNamed(sim, 'Originate', before).length).toBe(1);
    const originate = actionsNamed(sim, 'Originate', before)[0]!;
    expect(header(originate, 'Channel')).toBe('PJSIP/1001');
    expect(header(originate, 'Exten')).toContain(patient.phones[0]!.national10);
    await taskA.locator('[data-testid="callback-outcome"][data-outcome="reached"]').click();
    for (const p of [page, pageB]) {
      await expect(p.locator(`[data-testid="callback-task"][data-number="${callerNumber}"]`)).toHaveAttribute('data-state', 'done');
    }
    await expect(pageB.locator(`[data-testid="callback-task"][data-number="${callerNumber}"]`).getByTestId('callback-closed')).toContainText('Иванова');
    // The other patient calls again and gets through to desk B's agent: their task (claimed by
    // desk A) closes by itself on both desks, saying the patient got through and to whom.
    const again = sim.addCaller(otherNumber, 'reception');
    sim.answer(again.linkedid, 'PJSIP/1002');
    for (const p of [page, pageB]) {
      const task = p.locator(`[data-testid="callback-task"][data-number="${otherNumber}"]`);
      await expect(task).toHaveAttribute('data-state', 'done');
      await expect(task.getByTestId('callback-closed')).toContainText('пациент дозвонился сам, ответил(а) Петрова');
    }
    await screenshot(page, 'callbacks-done');
    // The outcome reached the MIS through the outbox, once.
    await expect.poll(async () => ((await bridgeRequest(deskA, 'demo.ledger', { kind: 'callback-outcome' })) as { entries: unknown[] }).entries.length).toBe(1);
    expect(problems.list).toEqual([]);
  } finally {
    await sim.stop();
  }
});

test('pausing with a reason sends QueuePause with that Reason and both desks show the agent paused; the PBX killed and restarted → status-pbx reconnecting then online, and the queue view equals the PBX again', async ({ page, browser, launch, problems }) => {
  test.setTimeout(120_000);
  const { sim, amiPort } = await startAmi();
  try {
    const deskA = await launch({ args: ['--config', amiDeskConfig(amiPort, '1001', 'Иванова Анна')] });
    const deskB = await launch({ args: ['--config', amiDeskConfig(amiPort, '1002', 'Петрова Ольга')] });
    const pageB = await secondPage(browser);
    await openQueueDesk(page, deskA);
    await openQueueDesk(pageB, deskB);
    await expect(page.getByTestId('agent-status')).toHaveAttribute('data-state', 'ready');

    const before = sim.recordedActions().length;
    await page.getByTestId('agent-status-menu').click();
    await page.locator('[data-testid="agent-status-pause"][data-reason="Обед"]').click();
    await expect.poll(() => actionsNamed(sim, 'QueuePause', before).length).toBe(1);
    const pause = actionsNamed(sim, 'QueuePause', before)[0]!;
    expect(header(pause, 'Interface')).toBe('PJSIP/1001');
    expect(header(pause, 'Paused')).toBe('true');
    expect(header(pause, 'Reason')).toBe('Обед');
    await expect(page.getByTestId('agent-status')).toHaveAttribute('data-state', 'paused');
    for (const p of [page, pageB]) {
      await p.getByTestId('nav-queue').click();
      const agent = p.locator('[data-testid="queue-agent"][data-extension="1001"]');
      await expect(agent).toHaveAttribute('data-state', 'paused');
      await expect(agent).toContainText('Обед');
    }

    // The PBX goes away and comes back (same port, same state): reconnecting, then online, and the board is the PBX's.
    const states: string[] = [];
    await page.exposeFunction('pbxState', (state: string) => states.push(state));
    await page.evaluate(() => {
      const target = document.querySelector('[data-testid="status-pbx"]')!;
      new MutationObserver(() => (window as unknown as { pbxState(s: string): void }).pbxState(target.getAttribute('data-state') ?? '')).observe(target, { attributes: true, attributeFilter: ['data-state'] });
    });
    const waiting = sim.addCaller(callerNumber, 'reception');
    await expect(page.getByTestId('queue-caller')).toHaveCount(1);
    await sim.stop();
    await expect(page.getByTestId('status-pbx')).toHaveAttribute('data-state', /reconnecting|offline/);
    await sim.start({ host: '127.0.0.1', amiPort, controlPort: 0 });
    await expect(page.getByTestId('status-pbx')).toHaveAttribute('data-state', 'online', { timeout: 40_000 });
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('online');
    // The queue view equals the PBX's state again: the waiting caller, 1001 paused for lunch, 1002 ready.
    await expect(page.getByTestId('queue-caller')).toHaveCount(1);
    await expect(page.getByTestId('queue-caller').first()).toContainText(patientName);
    await expect(page.locator('[data-testid="queue-agent"][data-extension="1001"]')).toHaveAttribute('data-state', 'paused');
    await expect(page.locator('[data-testid="queue-agent"][data-extension="1002"]')).toHaveAttribute('data-state', 'ready');
    sim.abandon(waiting.linkedid);
    expect(problems.list).toEqual([]);
  } finally {
    await sim.stop();
  }
});

test('a wrong AMI password: status-pbx says failed and why, the rest of the desk works', async ({ page, launch, problems }) => {
  const { sim, amiPort } = await startAmi();
  try {
    const config = writeConfig({
      agent: { extension: '1001' },
      connectors: { pbx: { id: 'asterisk-ami', config: { host: '127.0.0.1', port: amiPort, username: 'admin', secret: 'not-the-password' } } },
    });
    const desk = await launch({ args: ['--config', config] });
    await openDesk(page, desk.url);
    const pbx = page.getByTestId('status-pbx');
    await expect(pbx).toHaveAttribute('data-state', 'failed');
    await expect(pbx).toHaveAttribute('title', /AMI/);
    await page.getByTestId('nav-queue').click();
    await expect(page.getByTestId('queue-view')).not.toHaveAttribute('data-state', 'live');
    await page.getByTestId('nav-patients').click();
    await expect(page.getByTestId('patient-search')).toBeEditable();
    expect(problems.list).toEqual([]);
  } finally {
    await sim.stop();
  }
});

test('npm run start:web with no configuration: a live demo queue and at least one callback task within 5 s', async ({ page, desk, problems }) => {
  const opened = Date.now();
  await openDesk(page, desk.url);
  await page.getByTestId('nav-queue').click();
  await expect(page.getByTestId('queue-view')).toBeVisible();
  await expect(page.getByTestId('queue-caller').first()).toBeVisible({ timeout: 5_000 });
  await expect(page.getByTestId('queue-agent')).not.toHaveCount(0);
  await expect(page.getByTestId('status-pbx')).toHaveAttribute('data-state', 'online');
  await page.getByTestId('nav-callbacks').click();
  await expect(page.getByTestId('callback-task').first()).toBeVisible({ timeout: Math.max(500, 5_000 - (Date.now() - opened)) });
  reportFigure('demo: desk open → queue and a callback task shown', Date.now() - opened, 5_000);
  // Once the first sync is done, the waiting callers carry their patients' names.
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await page.getByTestId('nav-queue').click();
  await screenshot(page, 'queue-view-demo');
  await page.getByTestId('nav-callbacks').click();
  await screenshot(page, 'callbacks-demo');
  expect(problems.list).toEqual([]);
});

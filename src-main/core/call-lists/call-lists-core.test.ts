import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestInput, RequestName, RequestOutput } from '../../../src-shared/ipc/contract';
import { addDays, clinicDate, clinicInstant } from '../../../src-shared/schedule/clinic-time';
import type { Core } from '../core';
import { testCores } from '../testing/test-cores';

const cores = testCores();
afterEach(() => cores.stopAll());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request through the core's dispatcher, as a window sends it. */
async function ask<N extends RequestName>(core: Core, name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const answer = await core.dispatcher.dispatch(name, input, { host: 'web', client: 't' });
  if (!answer.ok) throw new Error(`${name}: ${answer.error.code}`);
  return answer.value as RequestOutput<N>;
}

/** What the demo MIS received of one write kind, once the outbox delivered it (waits up to 10 s). */
async function ledger(core: Core, kind: string): Promise<unknown[]> {
  for (let i = 0; i < 200; i++) {
    const { entries } = await ask(core, 'demo.ledger', { kind });
    if (entries.length > 0) return entries;
    await sleep(50);
  }
  return [];
}

describe('call lists in a real core on the demo clinic', () => {
  it("builds tomorrow's confirmation list from the synced schedule; the demo's advance-clock moves only the lists' clock; outcomes (and a cancellation) reach the MIS", async () => {
    const { core } = await cores.start(mkdtempSync(join(tmpdir(), 'rg-call-lists-core-')), { demo: { patients: 60 } });
    // Move the lists' clock to 10:00 tomorrow (clinic time): inside the window whenever the test runs.
    const { timeZone } = (await ask(core, 'callLists.overview', {})).window;
    const tomorrowTen = clinicInstant(addDays(clinicDate(Date.now(), timeZone), 1), 10 * 60, timeZone);
    expect(await ask(core, 'demo.simulate', { action: 'advance-clock', ms: tomorrowTen - Date.now() })).toEqual({ applied: true });

    let overview = await ask(core, 'callLists.overview', {});
    for (let i = 0; i < 200 && overview.lists[0]!.counters.total === 0; i++) {
      await sleep(50);
      overview = await ask(core, 'callLists.overview', {});
    }
    expect(overview.window.open).toBe(true);
    const confirm = overview.lists[0]!;
    expect(confirm).toMatchObject({ kind: 'confirm-tomorrow', day: addDays(clinicDate(tomorrowTen, timeZone), 1) });
    expect(confirm.counters.total).toBeGreaterThan(0);

    const { task } = await ask(core, 'callLists.next', { listId: confirm.id });
    expect(task).toMatchObject({ state: 'claimed', mine: true });
    expect(await ask(core, 'callLists.complete', { id: task!.id, outcome: 'confirmed' })).toMatchObject({ state: 'done', outcome: 'confirmed' });
    expect(await ledger(core, 'call-list.outcome')).toHaveLength(1);

    // «Cancelled»: the visit is cancelled through booking in the same commit; the MIS gets both writes.
    const another = (await ask(core, 'callLists.next', { listId: confirm.id })).task;
    expect(await ask(core, 'callLists.complete', { id: another!.id, outcome: 'cancelled' })).toMatchObject({ state: 'done', outcome: 'cancelled' });
    expect(await ledger(core, 'booking.cancel')).toHaveLength(1);
    expect((await ask(core, 'callLists.overview', {})).lists[0]!.counters).toMatchObject({ done: 2, confirmed: 1, cancelled: 1 });
  }, 30_000);
});

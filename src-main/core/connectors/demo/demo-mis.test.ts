import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PatientCardSchema, type PatientCard } from '../../../../src-shared/patients/patient-card';
import { systemClock } from '../../../../src-shared/time/clock';
import { MisError, type MisChangesPage } from '../mis/mis-connector';
import { syntheticPatient } from '../../demo/synthetic-patients';
import { DemoMis, type DemoMisOptions } from './demo-mis';

const opened: DemoMis[] = [];
afterEach(() => {
  for (const mis of opened.splice(0)) mis.close();
});

function demo(options: DemoMisOptions = {}): DemoMis {
  const mis = new DemoMis({ patients: 200, ...options });
  opened.push(mis);
  return mis;
}

async function drain(mis: DemoMis, cursor: string | null, limit = 50): Promise<{ pages: MisChangesPage[]; cursor: string | null }> {
  const pages: MisChangesPage[] = [];
  for (;;) {
    const page = await mis.changesSince(cursor, limit);
    pages.push(page);
    cursor = page.nextCursor;
    if (!page.hasMore) return { pages, cursor };
  }
}

const cardsOf = (pages: MisChangesPage[]) => pages.flatMap((p) => p.cards as PatientCard[]);

describe('DemoMis clinic', () => {
  it('serves the whole seeded clinic as valid cards, paged, with a total for the progress bar', async () => {
    const mis = demo();
    const first = await mis.changesSince(null, 50);
    expect(first.total).toBe(200);
    expect(first.hasMore).toBe(true);
    const { pages } = await drain(mis, null);
    const cards = cardsOf(pages);
    expect(cards).toHaveLength(200);
    for (const card of cards) expect(PatientCardSchema.safeParse(card).success).toBe(true);
  });

  it('is the same clinic for the same seed, and a different one for another seed', async () => {
    const a = cardsOf((await drain(demo({ seed: 5 }), null)).pages);
    const b = cardsOf((await drain(demo({ seed: 5 }), null)).pages);
    const c = cardsOf((await drain(demo({ seed: 6 }), null)).pages);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('has families sharing a phone, so a screen pop must offer a choice', async () => {
    const cards = cardsOf((await drain(demo({ patients: 2_000 }), null)).pages);
    const owners = new Map<string, number>();
    for (const card of cards) for (const phone of card.phones) owners.set(phone.e164, (owners.get(phone.e164) ?? 0) + 1);
    expect([...owners.values()].some((n) => n > 1)).toBe(true);
  });

  it('returns only the changes after a cursor: an edit appears as a delta with a higher version', async () => {
    const mis = demo();
    const { cursor } = await drain(mis, null);
    const before = mis.peek('1000007')!;
    mis.editPatient('1000007', { surname: 'Новосёлова' });
    const delta = await mis.changesSince(cursor, 50);
    expect(delta.cards).toEqual([{ ...before, surname: 'Новосёлова', version: before.version + 1 }]);
    expect(delta.hasMore).toBe(false);
    expect((await mis.changesSince(delta.nextCursor, 50)).cards).toEqual([]);
  });

  it('keeps changing: evolve adds patients, edits, cancels, merges and deletes, all as valid deltas', async () => {
    const mis = demo({ patients: 500 });
    const { cursor } = await drain(mis, null);
    const changes = mis.evolve(300);
    const kinds = new Set(changes.map((c) => c.type));
    expect(kinds).toEqual(new Set(['new', 'rename', 'phone', 'cancel', 'merge', 'delete']));
    const { pages } = await drain(mis, cursor);
    for (const card of cardsOf(pages)) expect(PatientCardSchema.safeParse(card).success).toBe(true);
    const merge = changes.find((c) => c.type === 'merge')!;
    expect(pages.flatMap((p) => p.merges)).toContainEqual({ from: (merge as { from: string }).from, into: (merge as { into: string }).into });
    const deleted = changes.find((c) => c.type === 'delete') as { misId: string };
    expect(pages.flatMap((p) => p.deletions)).toContain(deleted.misId);
    expect(await mis.getCard(deleted.misId)).toBeNull();
  });

  it('evolves on an injected interval while the desk runs', () => {
    let tick: (() => void) | null = null;
    const mis = demo({ clock: { ...systemClock, setTimeout: (fn) => ((tick = fn), 1), clearTimeout: () => (tick = null) } });
    const before = mis.lastSequence;
    mis.startEvolving(1_000, 3);
    tick!();
    tick!();
    expect(mis.lastSequence).toBeGreaterThan(before);
    mis.stopEvolving();
    expect(tick).toBeNull();
  });

  it('finds patients by phone in any format and by name words in any order (ё = е)', async () => {
    const mis = demo();
    const card = mis.peek('1000003')!;
    const national = card.phones[0]?.national10 ?? '9160000000';
    if (card.phones.length === 0) mis.editPatient(card.misId, { phones: [{ e164: `+7${national}`, national10: national, kind: 'mobile' }] });
    const pretty = `8 (${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}`;
    expect(((await mis.findByPhone(pretty)) as PatientCard[]).map((c) => c.misId)).toContain(card.misId);
    mis.editPatient(card.misId, { surname: 'Королёва' });
    expect(((await mis.search('короле')) as PatientCard[]).map((c) => c.misId)).toContain(card.misId);
    // Words in any order, each the start of a part of the name (as the desk's own search).
    const both = (await mis.search(`${card.givenName.slice(0, 3)} КОРОЛЕ`)) as PatientCard[];
    expect(both.map((c) => c.misId)).toContain(card.misId);
    expect(both.every((c) => c.surname.toLowerCase().replace('ё', 'е').startsWith('короле'))).toBe(true);
  });

  it('is the same clinic after a restart: its change log is kept in its ledger file, so a desk resumes from its cursor', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rg-ledger-')), 'ledger.db');
    const first = demo({ ledgerPath: path });
    first.evolve(40);
    first.editPatient('1000003', { surname: 'Переименованная' });
    const { cursor } = await drain(first, null);
    const deleted = first.evolve(200).find((change) => change.type === 'delete');
    const afterCursor = (await drain(first, cursor)).pages;
    const last = first.lastSequence;
    first.close();
    opened.splice(opened.indexOf(first), 1);

    const second = demo({ ledgerPath: path });
    expect(second.lastSequence).toBe(last);
    expect(second.peek('1000003')?.surname).toBe('Переименованная');
    if (deleted && deleted.type === 'delete') expect(second.peek(deleted.misId)).toBeNull();
    // The first run's cursor is still valid and yields exactly what came after it.
    const resumed = await drain(second, cursor);
    expect(resumed.pages.flatMap((p) => p.cards)).toEqual(afterCursor.flatMap((p) => p.cards));
    // It keeps evolving from where it was: new patients get ids after the ones created before.
    const created = afterCursor.flatMap((p) => p.cards as PatientCard[]).filter((card) => card.version === 1 && Number(card.misId) >= 1_000_200);
    const newIds = second.evolve(60).flatMap((change) => (change.type === 'new' ? [change.misId] : []));
    expect(newIds.length).toBeGreaterThan(0);
    for (const misId of newIds) expect(created.map((card) => card.misId)).not.toContain(misId);
  });

  it('drops a kept change log that belongs to a clinic of another size, so a desk does a full sync of the new one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rg-ledger-')), 'ledger.db');
    const first = demo({ ledgerPath: path });
    first.evolve(20);
    const { cursor } = await drain(first, null);
    first.close();
    opened.splice(opened.indexOf(first), 1);
    const bigger = demo({ ledgerPath: path, patients: 300 });
    expect(bigger.lastSequence).toBe(300);
    await expect(bigger.changesSince(cursor, 10)).resolves.toMatchObject({ nextCursor: expect.any(String) });
    const smaller = demo({ ledgerPath: join(mkdtempSync(join(tmpdir(), 'rg-ledger-')), 'ledger.db'), patients: 100 });
    await expect(smaller.changesSince(cursor, 10)).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('refuses a cursor it never issued, so the desk knows to start a full sync', async () => {
    const mis = demo();
    await expect(mis.changesSince('demo1:999999', 10)).rejects.toMatchObject({ kind: 'rejected', permanent: true });
    await expect(mis.changesSince('garbage', 10)).rejects.toBeInstanceOf(MisError);
  });
});

describe('DemoMis faults', () => {
  it('is unreachable while offline and back when online', async () => {
    const mis = demo();
    mis.setOffline(true);
    await expect(mis.health()).rejects.toMatchObject({ kind: 'unreachable', permanent: false });
    await expect(mis.changesSince(null, 10)).rejects.toMatchObject({ kind: 'unreachable' });
    mis.setOffline(false);
    expect((await mis.health()).state).toBe('online');
  });

  it('injects errors and timeouts at the configured rate, reproducibly for a fault seed', async () => {
    const outcomes = async () => {
      const mis = demo({ errorRate: 0.3, timeoutRate: 0.2, faultSeed: 42 });
      const seen: string[] = [];
      for (let i = 0; i < 200; i++) {
        try {
          await mis.getCard('1000001');
          seen.push('ok');
        } catch (error) {
          seen.push((error as MisError).kind);
        }
      }
      return seen;
    };
    const a = await outcomes();
    expect(a).toEqual(await outcomes());
    const share = (kind: string) => a.filter((k) => k === kind).length / a.length;
    expect(share('unreachable')).toBeGreaterThan(0.15);
    expect(share('unreachable')).toBeLessThan(0.45);
    expect(share('timeout')).toBeGreaterThan(0.05);
  });

  it('waits the injected latency through the injected clock (no real sleep)', async () => {
    const delays: number[] = [];
    const mis = demo({ latencyMs: 250, clock: { ...systemClock, setTimeout: (fn, ms) => (delays.push(ms), queueMicrotask(fn), 0) } });
    await mis.health();
    expect(delays).toEqual([250]);
  });
});

describe('DemoMis ledger', () => {
  it('applies a key once; resubmits are duplicates counted as receipts', async () => {
    const mis = demo();
    const write = { idempotencyKey: 'k-1', kind: 'wrapup', payload: { localId: 'L1' } };
    expect((await mis.submit(write)).status).toBe('applied');
    expect((await mis.submit(write)).status).toBe('duplicate');
    expect((await mis.submit(write)).status).toBe('duplicate');
    expect(mis.ledgerEntry('k-1')).toMatchObject({ localId: 'L1', kind: 'wrapup', receipts: 3 });
    expect(mis.ledgerReport(['L1', 'L2'])).toEqual({ delivered: 1, lost: ['L2'], duplicated: [], duplicateReceipts: 2 });
  });

  it('reports a local change applied under two keys as duplicated (the exactly-once violation)', async () => {
    const mis = demo();
    await mis.submit({ idempotencyKey: 'a', kind: 'note', payload: { localId: 'L9' } });
    await mis.submit({ idempotencyKey: 'b', kind: 'note', payload: { localId: 'L9' } });
    expect(mis.ledgerReport(['L9']).duplicated).toEqual(['L9']);
  });

  it('rejects a write permanently with the reason when the MIS refuses it', async () => {
    const mis = demo({ rejectWhen: (s) => (s.kind === 'booking' ? 'The slot is no longer free.' : null) });
    await expect(mis.submit({ idempotencyKey: 'x', kind: 'booking', payload: {} })).rejects.toMatchObject({ kind: 'rejected', permanent: true, message: 'The slot is no longer free.' });
    expect(mis.ledgerEntry('x')).toBeNull();
  });

  it('keeps the ledger in its own file, so it survives the process that wrote it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rg-ledger-')), 'demo-mis-ledger.db');
    const first = new DemoMis({ patients: 10, ledgerPath: path });
    await first.submit({ idempotencyKey: 'persist', kind: 'note', payload: { localId: 'L1' } });
    first.close();
    expect(existsSync(path)).toBe(true);
    const second = demo({ patients: 10, ledgerPath: path });
    expect((await second.submit({ idempotencyKey: 'persist', kind: 'note', payload: { localId: 'L1' } })).status).toBe('duplicate');
  });
});

describe('DemoMis screen pop and wrap-up (issue 5)', () => {
  it('findByPhone through its phone index answers exactly what a scan of the clinic would, changed cards included', async () => {
    const mis = demo();
    mis.evolve(60);
    for (let index = 0; index < 200; index += 7) {
      for (const phone of (mis.peek(String(1_000_000 + index))?.phones ?? [])) {
        const scanned: string[] = [];
        for (let i = 0; i < 400; i++) {
          const card = mis.peek(String(1_000_000 + i));
          if (card?.phones.some((p) => p.national10 === phone.national10)) scanned.push(card.misId);
        }
        const found = ((await mis.findByPhone(`8${phone.national10}`)) as PatientCard[]).map((card) => card.misId);
        expect(found.sort()).toEqual(scanned.sort());
      }
    }
    expect(await mis.findByPhone('+79990000001')).toEqual([]);
    expect(await mis.findByPhone('12')).toEqual([]);
  });

  it('indexes a clinic larger than one run of the phone index in slices, yielding to the event loop, and still answers exactly', async () => {
    const mis = demo({ patients: 5_000 });
    let finished = false;
    let turns = 0;
    const tick = () => {
      turns++;
      if (!finished) setImmediate(tick);
    };
    setImmediate(tick);
    await mis.preparePhoneIndex();
    finished = true;
    // Three runs (2,000 + 2,000 + 1,000 patients): other work ran between them.
    expect(turns).toBeGreaterThanOrEqual(2);

    const owners = new Map<string, string[]>();
    for (let i = 0; i < 5_000; i++) {
      const card = mis.peek(String(1_000_000 + i))!;
      for (const phone of new Set(card.phones.map((p) => p.national10))) owners.set(phone, [...(owners.get(phone) ?? []), card.misId]);
    }
    // Patients on both sides of each run boundary, and relatives' numbers wherever they live.
    for (const index of [0, 1_999, 2_000, 2_001, 3_999, 4_000, 4_999]) {
      for (const phone of mis.peek(String(1_000_000 + index))!.phones) {
        const found = ((await mis.findByPhone(phone.national10)) as PatientCard[]).map((card) => card.misId);
        expect(found.sort(), phone.national10).toEqual([...owners.get(phone.national10)!].sort());
      }
    }
  });

  it('saves its phone index for the next start, and rebuilds it when the saved file is damaged', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'demo-mis-index-')), 'phone-index.bin');
    const number = (index: number) => syntheticPatient(index, 1).phones[0]!.national10;
    const first = demo({ patients: 3_000, phoneIndexPath: file });
    await first.preparePhoneIndex();
    const saved = readFileSync(file);
    const answer = ((await first.findByPhone(number(2_500))) as PatientCard[]).map((card) => card.misId);
    expect(answer).toContain('1002500');

    const second = demo({ patients: 3_000, phoneIndexPath: file });
    expect(((await second.findByPhone(number(2_500))) as PatientCard[]).map((card) => card.misId)).toEqual(answer);

    writeFileSync(file, saved.subarray(0, 100));
    const third = demo({ patients: 3_000, phoneIndexPath: file });
    expect(((await third.findByPhone(number(2_500))) as PatientCard[]).map((card) => card.misId)).toEqual(answer);
    expect(readFileSync(file).equals(saved)).toBe(true);
  });

  it('lists the ledger by kind, appends a delivered wrap-up note to the patient history once, and makes a new patient of a draft', async () => {
    const mis = demo();
    const wrapup = { idempotencyKey: 'wrapup-1', kind: 'wrapup', payload: { localId: 'wrapup:c1', callId: 'c1', misId: '1000001', category: 'Запись по ОМС', note: 'записан' } };
    await mis.submit(wrapup);
    await mis.submit(wrapup);
    await mis.submit({ idempotencyKey: 'np-1', kind: 'new-patient', payload: { localId: 'd1', phone: '+79990000001', surname: 'Новикова', givenName: 'Вера', birthDate: '1991-02-03' } });
    expect(mis.ledgerEntries('wrapup')).toEqual([expect.objectContaining({ idempotencyKey: 'wrapup-1', localId: 'wrapup:c1', kind: 'wrapup', receipts: 2 })]);
    expect(mis.ledgerEntries().map((entry) => entry.kind)).toEqual(['wrapup', 'new-patient']);
    expect(mis.patientHistory('1000001')).toEqual([{ at: expect.any(Number), callId: 'c1', text: 'Запись по ОМС: записан' }]);
    const [created] = (await mis.findByPhone('+79990000001')) as PatientCard[];
    expect(PatientCardSchema.parse(created)).toMatchObject({ surname: 'Новикова', givenName: 'Вера', birthDate: '1991-02-03', version: 1 });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PatientCardSchema, type PatientCard } from '../../../../../src-shared/patients/patient-card';
import { runDiagnostics } from '../diagnostics';
import { isMisError, type MisChangesPage, type MisConnector, type MisSubmission } from '../mis-connector';

/**
 * The MIS connector contract, one suite for every connector — the demo, `fhir-r4`, `onec-http`
 * (HTTP service and OData), `spreadsheet` and a plugin behind its RPC — each run against its
 * own test server (docs/architecture.md, "Connectors"). What the core relies on: pages that end,
 * cards the core accepts, merged duplicates never live, an edit arriving after the cursor,
 * a caller found by any form of the number, writes exactly once even after a lost answer,
 * diagnostics that pass, and name `auth` for a wrong password.
 */
export interface MisContractHarness {
  connector: MisConnector;
  /** A live patient the source holds with a mobile phone. */
  known: { misId: string; phoneE164: string; surnameQuery: string };
  /** A patient merged into another in the source (never a live card), or null when the source has none. */
  merged: { from: string; into: string } | null;
  /** Records in the source the connector is expected to refuse or drop (broken rows), counted out of the "all valid" check. */
  invalidRecords?: number;
  /** Changes a live patient's surname in the source. */
  edit(misId: string, surname: string): Promise<void>;
  /** A write with a valid payload for `known` under `key`, or null when the connector takes no writes (`push: none`). */
  sampleWrite(key: string): MisSubmission | null;
  /** How many records the source holds made by writes under `key`. */
  writesFor(key: string): Promise<number>;
  /** Makes the next write be applied with its answer lost (the connector sees a timeout); null: cannot be simulated. */
  loseNextAnswer: (() => void) | null;
  /** The same source with a wrong password, or null when it has no authentication. */
  withWrongPassword: (() => MisConnector) | null;
  close(): Promise<void>;
}

async function drain(connector: MisConnector, cursor: string | null, limit: number): Promise<{ cards: unknown[]; pages: MisChangesPage[]; cursor: string }> {
  const pages: MisChangesPage[] = [];
  let position = cursor;
  for (let i = 0; i < 10_000; i++) {
    const page = await connector.changesSince(position, limit);
    pages.push(page);
    expect(typeof page.nextCursor).toBe('string');
    expect(page.nextCursor.length).toBeGreaterThan(0);
    position = page.nextCursor;
    if (!page.hasMore) return { cards: pages.flatMap((p) => p.cards), pages, cursor: position };
  }
  throw new Error('changesSince never said hasMore: false');
}

function live(cards: unknown[], pages: MisChangesPage[]): Map<string, PatientCard> {
  const gone = new Set(pages.flatMap((page) => [...page.deletions, ...page.merges.map((m) => m.from)]));
  const byId = new Map<string, PatientCard>();
  for (const raw of cards) {
    const parsed = PatientCardSchema.safeParse(raw);
    if (parsed.success && !gone.has(parsed.data.misId)) byId.set(parsed.data.misId, parsed.data);
  }
  return byId;
}

export function describeMisConnectorContract(name: string, makeHarness: () => Promise<MisContractHarness>): void {
  describe(`MIS connector contract: ${name}`, () => {
    let h: MisContractHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    it('a first sync follows the pages to the end; its cards are valid and the known patient is among them', async () => {
      const { cards, pages } = await drain(h.connector, null, 2);
      expect(pages.length).toBeGreaterThan(1);
      const invalid = cards.filter((card) => !PatientCardSchema.safeParse(card).success);
      expect(invalid.length).toBe(h.invalidRecords ?? 0);
      const patients = live(cards, pages);
      expect(patients.get(h.known.misId)?.phones.map((p) => p.e164)).toContain(h.known.phoneE164);
    });

    it('a merged duplicate is never a live card', async () => {
      if (!h.merged) return expect(h.merged).toBeNull();
      const { cards, pages } = await drain(h.connector, null, 50);
      const patients = live(cards, pages);
      expect(patients.has(h.merged.from)).toBe(false);
      expect(patients.has(h.merged.into)).toBe(true);
    });

    it('an edit in the source arrives after the cursor with a higher version', async () => {
      const first = await drain(h.connector, null, 50);
      const before = live(first.cards, first.pages).get(h.known.misId)!;
      await h.edit(h.known.misId, 'Новосёлова');
      const delta = await drain(h.connector, first.cursor, 50);
      const after = live(delta.cards, delta.pages).get(h.known.misId);
      expect(after?.surname).toBe('Новосёлова');
      expect(after!.version).toBeGreaterThan(before.version);
    });

    it('finds the known patient by the caller id in E.164, with a trunk 8, and with punctuation', async () => {
      const national10 = h.known.phoneE164.slice(-10);
      for (const form of [h.known.phoneE164, `8${national10}`, `+7 (${national10.slice(0, 3)}) ${national10.slice(3, 6)}-${national10.slice(6, 8)}-${national10.slice(8)}`]) {
        const found = (await h.connector.findByPhone(form)).map((raw) => PatientCardSchema.parse(raw).misId);
        expect(found, form).toContain(h.known.misId);
      }
    });

    it('finds the known patient by surname', async () => {
      const found = (await h.connector.search(h.known.surnameQuery)).map((raw) => (raw as { misId?: unknown }).misId);
      expect(found).toContain(h.known.misId);
    });

    it('applies a write once per key: the second submit is a duplicate', async () => {
      const write = h.sampleWrite('contract-key-1');
      if (write === null) return expect(h.connector.manifest.push).toBe('none');
      const first = await h.connector.submit(write);
      const second = await h.connector.submit(write);
      expect(first.status).toBe('applied');
      expect(second.status).toBe('duplicate');
      expect(await h.writesFor('contract-key-1')).toBe(1);
    });

    it('a write whose answer was lost, retried with its key, is in the source once', async () => {
      const write = h.sampleWrite('contract-key-2');
      if (write === null || h.loseNextAnswer === null) return expect(write === null || h.loseNextAnswer === null).toBe(true);
      h.loseNextAnswer();
      const failure = await h.connector.submit(write).then(
        () => null,
        (error: unknown) => error,
      );
      expect(isMisError(failure) && failure.kind === 'timeout').toBe(true);
      const retry = await h.connector.submit(write);
      expect(['applied', 'duplicate']).toContain(retry.status);
      expect(await h.writesFor('contract-key-2')).toBe(1);
    });

    it('a cursor it never issued is refused as rejected, so the desk starts the stream over', async () => {
      const error = await h.connector.changesSince('not-a-cursor-of-this-source', 10).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isMisError(error) && error.kind === 'rejected').toBe(true);
    });

    it('"test connection" passes every step; with a wrong password it fails at auth', async () => {
      const checks = h.connector.diagnostics?.() ?? [];
      const result = await runDiagnostics(checks);
      expect(result.steps.filter((s) => s.status === 'failed')).toEqual([]);
      expect(result.ok).toBe(true);
      if (!h.withWrongPassword) return;
      const wrong = h.withWrongPassword();
      try {
        const failed = await runDiagnostics(wrong.diagnostics?.() ?? []);
        expect(failed.ok).toBe(false);
        expect(failed.steps.find((s) => s.status === 'failed')).toMatchObject({ step: 'auth', hint: 'checkCredentials' });
      } finally {
        await wrong.release?.();
      }
    });
  });
}

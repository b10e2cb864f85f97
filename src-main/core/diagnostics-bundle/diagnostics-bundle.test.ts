import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiagnosticsBundleSchema } from '../../../src-shared/diagnostics/diagnostics-contract';
import type { RequestName, RequestOutput } from '../../../src-shared/ipc/contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { createWorkerIntegrityCheck } from '../cache/integrity-check';
import type { Core } from '../core';
import { createHostLogger, deskLogPath } from '../host-logger';
import { logFilesOf } from '../log/file-sink';
import { createLogger } from '../log/logger';
import { LATIN_NEEDLES, logPatientEverywhere, needlesOf, shapeOf, SYNTHETIC_PATIENT, type PatientShape } from '../log/testing/patient-shaped';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { testCores } from '../testing/test-cores';
import { BUNDLES_KEPT, bundleTimestamp } from './diagnostics-bundle';
import { createDiagnosticsBundleHandlers, type DiagnosticsBundleHandlers } from './diagnostics-bundle-handlers';

const cores = testCores();
afterEach(() => cores.stopAll());
const context = { host: 'web' as const, client: 't' };
const PATIENTS = 60;

const SIP_PASSWORD = 'Sip-Pa55-word';
const ICE_CREDENTIAL = 'Turn-Cred-77';
const SERVER_PASSWORD = 'Ws-Pa55';
const PBX_SECRET = 'Ami-Secret-9';
const MIS_PASSWORD = 'Mis-Pa55-word';

async function request<N extends RequestName>(core: Core, name: N, input: unknown): Promise<RequestOutput<N>> {
  const result = await core.dispatcher.dispatch(name, input, context);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as RequestOutput<N>;
}

/** A desk core on the demo clinic, logging to its rotated file, with the bundle's handlers wired as core.ts wires them. */
async function deskWithBundle(options: { maxBytes?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-bundle-'));
  const logger = createHostLogger(dataDir, { stderr: false, level: 'debug', maxBytes: options.maxBytes ?? 24 * 1024, keep: 3 });
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const { core } = await cores.start(dataDir, { logger, secrets, demo: { patients: PATIENTS }, integrityCheck: createWorkerIntegrityCheck() });
  await vi.waitFor(() => expect(core.cache.status().cards).toBe(PATIENTS), { timeout: 20_000, interval: 5 });
  const revealed: string[] = [];
  const handlers = createDiagnosticsBundleHandlers({
    dataDir,
    settings: core.settings,
    status: core.status,
    cache: core.cache,
    journal: core.journal,
    logger,
    version: { app: '1.2.3-test', host: 'web' },
    reveal: (path) => revealed.push(path),
  });
  return { dataDir, core, logger, secrets, handlers, revealed };
}

/** Opens the card for a call, pops it, journals the call and saves a wrap-up whose note carries the patient's data. */
async function takeCallWithNote(core: Core, misId: string, index: number): Promise<PatientShape> {
  const callId = `bundle-call-${index}`;
  const { card } = await request(core, 'patients.get', { misId, reason: 'call', callId });
  const full = card as PatientCard;
  const phone = full.phones[0]!;
  await request(core, 'screenPop.lookup', { callId, number: phone.e164, source: 'sip' });
  await request(core, 'screenPop.show', { callId, misId, chosen: false });
  const start = Date.now() - 120_000;
  await request(core, 'calls.record', {
    id: callId,
    direction: 'incoming',
    number: phone.e164,
    displayName: full.surname,
    startedAt: new Date(start).toISOString(),
    answeredAt: new Date(start + 3_000).toISOString(),
    endedAt: new Date(start + 60_000).toISOString(),
    outcome: 'answered',
  });
  const note = `${full.surname} ${full.givenName} просила перезвонить на ${phone.national10}, аллергия на пенициллин; СНИЛС ${full.snils ?? ''}`;
  const category = core.settings.settings.wrapUp.categories[0]!;
  await request(core, 'calls.wrapUp', { callId, misId, category, outcome: 'callback', note, acwSec: 20 });
  return shapeOf(full, note);
}

function unzip(path: string): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(readFileSync(path))).map(([name, data]) => [name, strFromU8(data)]));
}

describe('diagnostics.saveBundle on a desk that has handled patients', () => {
  it('holds the logs, versions, settings, health, SIP history and database checks — and no patient data or secret in any file', async () => {
    const { dataDir, core, logger, secrets, handlers, revealed } = await deskWithBundle();

    // The desk's secrets: the SIP password, a TURN credential and a login in the server URL, the AMI secret, a MIS password.
    await request(core, 'settings.setSipPassword', { password: SIP_PASSWORD });
    await request(core, 'settings.update', {
      sip: { server: `wss://desk:${SERVER_PASSWORD}@pbx.example/ws`, uri: 'sip:1001@pbx.example', iceServers: [{ urls: 'turn:turn.example:3478', username: 'turnuser', credential: ICE_CREDENTIAL }] },
      agent: { name: 'Смирнова Ольга' },
      connectors: { pbx: { id: 'demo', config: { secret: PBX_SECRET } } },
    });
    secrets.set('mis.fhir-r4.auth.password', MIS_PASSWORD);

    // Calls with notes; cards opened; patient data through every log pattern; a renderer report.
    // Three patients with e-mail, address and СНИЛС on their cards, so every kind of value is searched for.
    const misIds = core.cache
      .require()
      .connection.prepare<[], string>('SELECT mis_id FROM patients WHERE snils IS NOT NULL ORDER BY id LIMIT 3')
      .pluck()
      .all();
    expect(misIds).toHaveLength(3);
    const patients: PatientShape[] = [];
    for (const [index, misId] of misIds.entries()) patients.push(await takeCallWithNote(core, misId, index));
    for (let pass = 0; pass < 12; pass++) {
      for (const patient of [...patients, SYNTHETIC_PATIENT]) logPatientEverywhere(logger, patient, pass);
    }
    expect(await request(core, 'diagnostics.report', { event: 'softphone.refused-unparseable', detail: { status: '400', from: patients[0]!.national10 } })).toEqual({ logged: true });
    // The people IT provisioned (staff names) come last: with a list, the desk asks for sign-in.
    await request(core, 'settings.update', { access: { people: [{ id: 'smirnova', name: 'Смирнова Ольга', role: 'operator' }] } });

    // The softphone's registration as the renderer reports it.
    expect(handlers['diagnostics.sipRegistration']({ state: 'registering', detail: null })).toEqual({ recorded: true });
    expect(handlers['diagnostics.sipRegistration']({ state: 'failed', detail: 'sipWrongPassword' })).toEqual({ recorded: true });
    expect(handlers['diagnostics.sipRegistration']({ state: 'failed', detail: 'sipWrongPassword' })).toEqual({ recorded: false });
    expect(handlers['diagnostics.sipRegistration']({ state: 'registered', detail: null })).toEqual({ recorded: true });

    const logs = logFilesOf(deskLogPath(dataDir));
    expect(logs.length, 'the log has rotated').toBe(4);

    const bundle = DiagnosticsBundleSchema.parse(await handlers['diagnostics.saveBundle']({}));
    expect(bundle.path).toMatch(new RegExp(`^${escape(join(dataDir, 'diagnostics'))}[\\\\/]registratura-diagnostics-\\d{8}T\\d{6}Z\\.zip$`));
    expect(statSync(bundle.path).size).toBe(bundle.bytes);
    expect(statSync(bundle.path).mode & 0o777).toBe(0o600);
    expect(revealed).toEqual([bundle.path]);

    const files = unzip(bundle.path);
    expect(Object.keys(files).sort()).toEqual([...bundle.files].sort());
    expect(bundle.files).toEqual([
      'manifest.json',
      'versions.json',
      'settings.json',
      'connectors.json',
      'sip-registration.json',
      'databases.json',
      'logs/desk.log',
      'logs/desk.1.log',
      'logs/desk.2.log',
      'logs/desk.3.log',
    ]);

    // Nothing a patient could be identified by, and no secret, in any file.
    const key = core.cache.databaseKey!.toString('hex');
    const needles = [...patients.flatMap(needlesOf), ...needlesOf(SYNTHETIC_PATIENT), ...LATIN_NEEDLES, SIP_PASSWORD, ICE_CREDENTIAL, SERVER_PASSWORD, PBX_SECRET, MIS_PASSWORD, key, 'Смирнова'];
    for (const [name, text] of Object.entries(files)) {
      expect(
        needles.filter((needle) => text.includes(needle)),
        name,
      ).toEqual([]);
    }

    // What support needs is there.
    const manifest = JSON.parse(files['manifest.json']!) as { files: { name: string; bytes?: number }[]; version: string; host: string };
    expect(manifest.files.map((file) => file.name)).toEqual(bundle.files);
    expect(manifest.files.slice(1).every((file) => file.bytes === Buffer.byteLength(files[file.name]!))).toBe(true);
    expect(manifest).toMatchObject({ version: '1.2.3-test', host: 'web' });

    const versions = JSON.parse(files['versions.json']!) as { app: unknown; runtime: { node: string }; os: { platform: string; release: string } };
    expect(versions.app).toEqual({ name: 'Registratura', version: '1.2.3-test', host: 'web' });
    expect(versions.runtime.node).toBe(process.versions.node);
    expect(versions.os.platform).toBe(process.platform);

    const settings = JSON.parse(files['settings.json']!) as { sipPasswordSet: boolean; settings: { sip: Record<string, unknown>; agent: unknown; access: { people: unknown[] } } };
    expect(settings.sipPasswordSet).toBe(true);
    expect(settings.settings.sip).toMatchObject({ server: 'wss://pbx.example/ws', uri: 'sip:1001@pbx.example', iceServers: [{ urls: 'turn:turn.example:3478', username: '[set]', credential: '[set]' }] });
    expect(settings.settings.access.people).toEqual([{ id: 'smirnova', role: 'operator' }]);

    const connectors = JSON.parse(files['connectors.json']!) as { connectors: unknown; status: { mis: { state: string } }; cache: { cards: number }; journal: { state: string } };
    expect(connectors.connectors).toEqual({ mis: 'demo', pbx: 'demo' });
    expect(connectors.status.mis.state).toBe(core.status.snapshot().mis.state);
    expect(connectors.cache.cards).toBe(PATIENTS);
    expect(connectors.journal.state).toBe('open');

    const sip = JSON.parse(files['sip-registration.json']!) as { changes: { state: string; detail: string | null }[] };
    expect(sip.changes.map(({ state, detail }) => [state, detail])).toEqual([
      ['registering', null],
      ['failed', 'sipWrongPassword'],
      ['registered', null],
    ]);

    const databases = JSON.parse(files['databases.json']!) as Record<string, { integrity: { verdict: string }; schemaVersion: number; schemaVersionExpected: number; pageCount: number }> & { sqlite: { version: string } };
    for (const file of ['cache', 'journal'] as const) {
      expect(databases[file]!.integrity.verdict, file).toBe('ok');
      expect(databases[file]!.schemaVersion, file).toBe(databases[file]!.schemaVersionExpected);
      expect(databases[file]!.pageCount, file).toBeGreaterThan(0);
    }
    expect(databases.sqlite.version).toMatch(/^3\.\d+\.\d+$/);

    // The logs are the desk's records, one JSON object a line, with the events IT reads.
    const records = Object.entries(files)
      .filter(([name]) => name.startsWith('logs/'))
      .flatMap(([, text]) => text.trim().split('\n'))
      .map((line) => JSON.parse(line) as { event: string });
    const events = new Set(records.map((record) => record.event));
    for (const event of ['patient.opened', 'mis.request-failed', 'renderer.softphone.refused-unparseable', 'sip.registration']) expect(events, event).toContain(event);
  }, 60_000);

  it('answers two clicks with one bundle, keeps the newest ten, and says NOT_AVAILABLE when the file cannot be written', async () => {
    const { dataDir, handlers } = await deskWithBundle({ maxBytes: 1024 * 1024 });
    const save = handlers['diagnostics.saveBundle'] as DiagnosticsBundleHandlers['diagnostics.saveBundle'];
    const [first, second] = await Promise.all([save({}), save({})]);
    expect(second).toEqual(first);

    const folder = join(dataDir, 'diagnostics');
    for (let i = 0; i < BUNDLES_KEPT + 2; i++) writeFileSync(join(folder, `registratura-diagnostics-${bundleTimestamp(new Date(Date.UTC(2020, 0, 1, 0, 0, i)))}.zip`), 'old');
    const latest = await save({});
    const kept = readdirSync(folder).sort();
    expect(kept).toHaveLength(BUNDLES_KEPT);
    expect(kept).toContain(latest.path.split(/[\\/]/).at(-1));
    expect(kept.some((name) => name.startsWith('registratura-diagnostics-20200101T000000Z'))).toBe(false);

    const blocked = await deskWithBundle({ maxBytes: 1024 * 1024 });
    writeFileSync(join(blocked.dataDir, 'diagnostics'), 'a file where the folder should be');
    await expect(Promise.resolve(blocked.handlers['diagnostics.saveBundle']({}))).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
  }, 60_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

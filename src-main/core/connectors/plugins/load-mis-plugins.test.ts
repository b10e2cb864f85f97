import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectorFormFields } from '../../../../src-shared/connectors/connector-form';
import { systemClock } from '../../../../src-shared/time/clock';
import { silentLogger } from '../../log/logger';
import { runDiagnostics } from '../mis/diagnostics';
import { createMisConnector, misConnectorRegistry, secretPaths } from '../mis/mis-connectors';
import { isMisError, type MisConnector } from '../mis/mis-connector';
import { loadMisPlugins } from './load-mis-plugins';
import { pluginsHome, StateLog } from './plugin-test-support';

const homes: ReturnType<typeof pluginsHome>[] = [];
const open: MisConnector[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((connector) => connector.release?.()));
  for (const home of homes.splice(0)) home.remove();
});

function home() {
  const made = pluginsHome();
  homes.push(made);
  return made;
}

const manifest = (patch: Record<string, unknown>) =>
  JSON.stringify({ id: 'acme-mis', kind: 'mis', title: 'Acme MIS', version: '1.0.0', apiVersion: 3, main: 'index.js', capabilities: ['search'], ...patch });
const INDEX = 'export function createConnector() { return { async health() { return { state: "online", latencyMs: 1 }; } }; }\n';

function create(pluginsDir: string, id: string, config: Record<string, unknown> = {}, onState?: StateLog['listener']): MisConnector {
  const { registrations } = loadMisPlugins(pluginsDir, { logger: silentLogger, clock: systemClock, ...(onState ? { onState } : {}) });
  const connector = registrations[id]!.create({ config, stateDir: join(pluginsDir, '..', 'state'), logger: silentLogger, clock: systemClock });
  open.push(connector);
  return connector;
}

describe('loadMisPlugins', () => {
  it('no plugins folder: no plugins and no problems', () => {
    expect(loadMisPlugins(join(home().dataDir, 'nowhere'), { logger: silentLogger, clock: systemClock })).toEqual({ registrations: {}, problems: [] });
  });

  it('lists each folder that cannot load with a problem an integrator can act on, and loads the good ones', () => {
    const h = home();
    h.installExample();
    h.write('a-bad-json', { 'plugin.json': '{ "id": "x", ', 'index.js': INDEX });
    h.write('b-no-main', { 'plugin.json': manifest({ id: 'no-main' }) });
    h.write('c-newer', { 'plugin.json': manifest({ id: 'newer', apiVersion: 4 }), 'index.js': INDEX });
    h.write('d-older', { 'plugin.json': manifest({ id: 'older', apiVersion: 2 }), 'index.js': INDEX });
    h.write('e-builtin', { 'plugin.json': manifest({ id: 'fhir-r4' }), 'index.js': INDEX });
    h.write('f-clash', { 'plugin.json': manifest({ id: 'example-mis' }), 'index.js': INDEX });
    h.write('g-pbx', { 'plugin.json': manifest({ id: 'acme-pbx', kind: 'pbx' }), 'index.js': INDEX });
    h.write('h-typo', { 'plugin.json': manifest({ id: 'typo', capabilites: ['search'] }), 'index.js': INDEX });
    h.write('i-escape', { 'plugin.json': manifest({ id: 'escape', main: '../example-mis/index.js' }) });
    h.write('j-secret', {
      'plugin.json': manifest({ id: 'secret-name', configSchema: { type: 'object', properties: { apiKey: { type: 'string', secret: true } } } }),
      'index.js': INDEX,
    });
    h.write('k-empty', {});
    const { registrations, problems } = loadMisPlugins(h.pluginsDir, { logger: silentLogger, clock: systemClock });
    expect(Object.keys(registrations)).toEqual(['example-mis']);
    expect(Object.fromEntries(problems.map((p) => [p.folder, p.problem]))).toEqual({
      'a-bad-json': expect.stringMatching(/^plugin\.json is not valid JSON: /),
      'b-no-main': 'main "index.js" is not in the folder',
      'c-newer': 'built for SDK apiVersion 4; this desk speaks 3 — update the desk or use the plugin\'s build for 3',
      'd-older': 'built for SDK apiVersion 2, older than 3, the oldest this desk supports — ask its vendor for an update',
      'e-builtin': 'id "fhir-r4" is taken by a built-in connector',
      'f-clash': 'id "example-mis" is already used by the plugin in folder "example-mis"',
      'g-pbx': 'PBX plugins are not supported in this version',
      'h-typo': 'plugin.json: (root): Unrecognized key: "capabilites"',
      'i-escape': 'main "../example-mis/index.js" must be a path inside the plugin\'s folder',
      'j-secret': 'configSchema: "apiKey" is marked secret, but only fields named password, token, clientSecret or secret are kept in the secret store',
      'k-empty': 'no plugin.json in the folder',
    });
  });

  it('a plugin becomes a MIS connector the desk can choose: its form from the JSON Schema, its password a secret', () => {
    const h = home();
    h.installExample();
    const { registrations } = loadMisPlugins(h.pluginsDir, { logger: silentLogger, clock: systemClock });
    const registry = misConnectorRegistry({ demoMis: () => null, plugins: registrations });
    const { manifest: made } = registry['example-mis']!;
    expect(made).toMatchObject({ id: 'example-mis', title: 'Example clinic (SDK plugin)', apiVersion: 3, pull: 'cursor', push: 'idempotent' });
    expect(secretPaths(made)).toEqual(['password']);
    expect(connectorFormFields(made.jsonSchema, 'ru').map((f) => [f.path, f.type, f.label])).toEqual([
      ['password', 'secret', 'Пароль'],
      ['latencyMs', 'integer', 'Имитируемая задержка, мс'],
      ['misbehave', 'enum', 'Сбой (для проверки)'],
      ['on', 'enum', 'Когда сбоить'],
    ]);
    // The desk's own path: config validated, the stored secret put back, the plugin started.
    const creation = createMisConnector({
      registry,
      id: 'example-mis',
      config: { latencyMs: 0 },
      secrets: () => ({ password: 'example' }),
      dataDir: h.dataDir,
      logger: silentLogger,
      clock: systemClock,
    });
    if (creation.connector === null) throw new Error(creation.problem);
    open.push(creation.connector);
    return expect(creation.connector.findByPhone('+7 (999) 000-10-05')).resolves.toHaveLength(2);
  });

  it('loads a CommonJS plugin (module.exports) and, without declared diagnostics, tests the connection with health', async () => {
    const h = home();
    h.write('cjs', {
      'plugin.json': manifest({ id: 'cjs-mis', main: 'index.cjs' }),
      'index.cjs': 'module.exports.createConnector = () => ({ health: async () => ({ state: "degraded", latencyMs: 250 }) });\n',
    });
    const connector = create(h.pluginsDir, 'cjs-mis');
    const result = await runDiagnostics(connector.diagnostics!());
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([
      ['start-plugin', 'ok'],
      ['read-patient', 'ok'],
    ]);
    expect(result.steps[1]!.detail).toBe('Health: {"state":"degraded","latencyMs":250}');
    // A method it does not have is an error of the call, not a crash.
    const error = await connector.search('Веснина').catch((e: unknown) => e);
    expect(isMisError(error) && error.message === 'Plugin "cjs-mis" error: the plugin has no method search').toBe(true);
  });

  it('a main file that fails to load fails "start plugin" with checkPlugin', async () => {
    const h = home();
    h.write('broken', { 'plugin.json': manifest({ id: 'broken' }), 'index.js': 'export function createConnector( {\n' });
    const states = new StateLog();
    const connector = create(h.pluginsDir, 'broken', {}, states.listener);
    const result = await runDiagnostics(connector.diagnostics!());
    expect(result.steps[0]).toMatchObject({ step: 'start-plugin', status: 'failed', hint: 'checkPlugin' });
    expect(result.steps[0]!.detail).toMatch(/^The plugin "broken" could not start: its main file could not be loaded: /);
    expect(states.events[0]).toMatchObject({ state: 'restarting', reason: 'start-failed' });
  });

  it('a plugin posting around the SDK (straight to its port) is stopped; one answering in the wrong shape gets a protocol error', async () => {
    const h = home();
    h.write('rogue', {
      'plugin.json': manifest({ id: 'rogue' }),
      'index.js': [
        "import { parentPort } from 'node:worker_threads';",
        'export function createConnector() {',
        '  return {',
        "    async search() { parentPort.postMessage({ type: 'result', id: 1, ok: true, value: [] }); return new Promise(() => {}); },",
        "    async health() { return { state: 'fine' }; },",
        '  };',
        '}',
        '',
      ].join('\n'),
    });
    const states = new StateLog();
    const connector = create(h.pluginsDir, 'rogue', {}, states.listener);
    const wrongShape = await connector.health().catch((e: unknown) => e);
    expect(isMisError(wrongShape) && wrongShape.kind === 'protocol').toBe(true);
    expect((wrongShape as Error).message).toMatch(/^The plugin "rogue" answered health with something the SDK does not allow \(state: /);
    const restarting = states.next((e) => e.state === 'restarting');
    const error = await connector.search('x').catch((e: unknown) => e);
    expect(isMisError(error) && error.kind === 'unreachable').toBe(true);
    expect(await restarting).toMatchObject({ reason: 'flooded', detail: 'it posted a message that is not the SDK’s JSON text' });
  });

  it('a console.log storm counts as a flood like log lines do', async () => {
    const h = home();
    h.write('chatty', {
      'plugin.json': manifest({ id: 'chatty' }),
      'index.js': 'export function createConnector() { return { async search() { for (let i = 0; i < 5000; i++) console.log("row", i); return []; } }; }\n',
    });
    const states = new StateLog();
    const connector = create(h.pluginsDir, 'chatty', {}, states.listener);
    const flooded = states.next((e) => e.state === 'restarting');
    await connector.search('x').catch(() => undefined);
    expect(await flooded).toMatchObject({ reason: 'flooded', detail: 'it wrote more than 100 lines a second to its console' });
  });
});

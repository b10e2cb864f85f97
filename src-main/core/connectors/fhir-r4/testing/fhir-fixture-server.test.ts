import { afterEach, describe, expect, it } from 'vitest';
import { startFhirFixtureServer, type FhirFixtureServer } from './fhir-fixture-server';

const servers: FhirFixtureServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Parameters<typeof startFhirFixtureServer>[0] = {}) {
  const server = await startFhirFixtureServer(options);
  servers.push(server);
  return server;
}

const json = { 'Content-Type': 'application/fhir+json' };

describe('FHIR fixture server', () => {
  it('answers 401 with WWW-Authenticate and an OperationOutcome; metadata needs no credentials', async () => {
    const server = await start({ auth: { user: 'u', password: 'p' } });
    const refused = await fetch(`${server.url}/Patient`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Basic');
    expect(((await refused.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    expect((await fetch(`${server.url}/metadata`)).status).toBe(200);
  });

  it('refuses an unknown search parameter (400), as HAPI does by default', async () => {
    const server = await start();
    expect((await fetch(`${server.url}/Patient?shoe=42`)).status).toBe(400);
  });

  it('conditional create: 201, then 200 with the same resource; 412 when the condition matches several', async () => {
    const server = await start();
    const post = (body: object, condition: string) => fetch(`${server.url}/Task`, { method: 'POST', headers: { ...json, 'If-None-Exist': condition }, body: JSON.stringify(body) });
    const task = { resourceType: 'Task', status: 'completed', intent: 'order', identifier: [{ system: 's', value: 'k1' }] };
    const first = await post(task, 'identifier=s|k1');
    const second = await post(task, 'identifier=s%7Ck1');
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    server.control.put({ ...task, id: 'other' });
    expect((await post(task, 'identifier=s|k1')).status).toBe(412);
  });

  it('PUT with If-Match of an old version is 412; a change bumps versionId and lastUpdated', async () => {
    const server = await start();
    const before = server.control.read('Patient', '1001')!;
    const after = server.control.editPatient('1001', { family: 'Новосёлова' });
    expect(after.meta!.versionId).toBe('2');
    expect(Date.parse(after.meta!.lastUpdated!)).toBeGreaterThan(Date.parse(before.meta!.lastUpdated!));
    const put = await fetch(`${server.url}/Patient/1001`, { method: 'PUT', headers: { ...json, 'If-Match': 'W/"1"' }, body: JSON.stringify(before) });
    expect(put.status).toBe(412);
  });

  it('a number of patients is the seed plus that many synthetic ones', async () => {
    const server = await start({ patients: 5, schedule: false });
    expect(server.control.resources('Patient').filter((p) => p.id!.startsWith('syn-'))).toHaveLength(5);
    expect(server.control.read('Patient', '1001')).not.toBeNull();
    expect(server.control.addPatients(2)).toEqual(['syn-5', 'syn-6']);
  });

  it('a hanging request ends when the server closes', async () => {
    const server = await start();
    server.control.failNext('hang');
    const pending = fetch(`${server.url}/Patient`).then(
      () => 'answered',
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    expect(await pending).toBe('closed');
  });
});

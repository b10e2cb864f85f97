import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProvisioningFile } from './load-provisioning';

function file(content: string) {
  const path = join(mkdtempSync(join(tmpdir(), 'rg-prov-')), 'desk.json');
  writeFileSync(path, content);
  return path;
}

describe('loadProvisioningFile', () => {
  it('reads role, language, SIP account and password', () => {
    const path = file(JSON.stringify({ role: 'supervisor', language: 'en', sip: { server: 'wss://pbx.test/ws', uri: 'sip:2001@pbx.test', password: 'pw' } }));
    expect(loadProvisioningFile(path)).toEqual({ role: 'supervisor', language: 'en', sip: { server: 'wss://pbx.test/ws', uri: 'sip:2001@pbx.test', password: 'pw' } });
  });

  it('names the file and the field that is wrong', () => {
    const path = file(JSON.stringify({ sip: { server: 'http://pbx.test' } }));
    expect(() => loadProvisioningFile(path)).toThrow(new RegExp(`${path}.*sip\\.server: must be a ws:// or wss:// URL`));
  });

  it("checks the PBX connector's own config and names its field (and never the secret)", () => {
    const bad = file(JSON.stringify({ connectors: { pbx: { id: 'asterisk-ami', config: { host: 'pbx.test', port: 'x', username: 'desk', secret: 'amipass' } } } }));
    expect(() => loadProvisioningFile(bad)).toThrow(/is invalid: connectors\.pbx\.config\.port: port must be a number/);
    expect(() => loadProvisioningFile(bad)).not.toThrow(/amipass/);
    const good = file(JSON.stringify({ connectors: { pbx: { id: 'asterisk-ami', config: { preset: 'freepbx', host: 'pbx.test', username: 'desk', secret: 'amipass' } } } }));
    expect(loadProvisioningFile(good).connectors?.pbx?.id).toBe('asterisk-ami');
    // A connector this build does not have is the host's to report ("not in this build"), not a refusal.
    expect(loadProvisioningFile(file(JSON.stringify({ connectors: { pbx: { id: 'mango-vpbx', config: { x: 1 } } } }))).connectors?.pbx?.id).toBe('mango-vpbx');
  });

  it("checks the MIS connector's own config and names its field", () => {
    const bad = file(JSON.stringify({ connectors: { mis: { id: 'demo', config: { latencyMs: -1 } } } }));
    expect(() => loadProvisioningFile(bad)).toThrow(/is invalid: connectors\.mis\.config\.latencyMs/);
    expect(loadProvisioningFile(file(JSON.stringify({ connectors: { mis: { id: 'demo', config: { latencyMs: 5 } } } }))).connectors?.mis?.id).toBe('demo');
    const fhir = (config: unknown) => file(JSON.stringify({ connectors: { mis: { id: 'fhir-r4', config } } }));
    expect(() => loadProvisioningFile(fhir({ baseUrl: 'not a url', auth: { type: 'basic', user: 'desk', password: 'p' } }))).toThrow(/connectors\.mis\.config\.baseUrl/);
    // The password may already be in the secret store: a file without it is fine.
    expect(loadProvisioningFile(fhir({ baseUrl: 'https://fhir.clinic.test/r4', auth: { type: 'basic', user: 'desk' } })).connectors?.mis?.id).toBe('fhir-r4');
    expect(loadProvisioningFile(fhir({ baseUrl: 'https://fhir.clinic.test/r4', auth: { type: 'basic', user: 'desk', password: 'p' } })).connectors?.mis?.id).toBe('fhir-r4');
  });

  it('refuses unknown keys so a typo is not silently ignored', () => {
    expect(() => loadProvisioningFile(file('{"langauge":"en"}'))).toThrow(/langauge|Unrecognized/);
  });

  it('explains a missing file and broken JSON', () => {
    expect(() => loadProvisioningFile('/nonexistent/desk.json')).toThrow(/Cannot read config file \/nonexistent\/desk\.json: ENOENT/);
    expect(() => loadProvisioningFile(file('{'))).toThrow(/not valid JSON/);
  });
});

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

  it('refuses unknown keys so a typo is not silently ignored', () => {
    expect(() => loadProvisioningFile(file('{"langauge":"en"}'))).toThrow(/langauge|Unrecognized/);
  });

  it('explains a missing file and broken JSON', () => {
    expect(() => loadProvisioningFile('/nonexistent/desk.json')).toThrow(/Cannot read config file \/nonexistent\/desk\.json: ENOENT/);
    expect(() => loadProvisioningFile(file('{'))).toThrow(/not valid JSON/);
  });
});

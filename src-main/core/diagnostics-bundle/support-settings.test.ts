import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { scrubText, settingsForSupport } from './support-settings';

const HOME = '/home/ivanova';

function view(): SettingsView {
  const settings = structuredClone(DEFAULT_SETTINGS);
  settings.sip = {
    ...settings.sip,
    server: 'wss://desk:Ws-Pa55@pbx.example:8089/ws',
    uri: 'sip:1001@pbx.example',
    authUser: '1001',
    displayName: 'Регистратура — Смирнова',
    iceServers: [{ urls: 'turn:turn.example:3478?transport=udp', username: 'turn-ivanova', credential: 'Turn-Cred-77' }],
  };
  settings.agent = { extension: '1001', name: 'Смирнова Ольга' };
  settings.access = { people: [{ id: 'smirnova', name: 'Смирнова О.', role: 'operator' }, { id: 'kassa-2', name: 'Кассир 2', role: 'cashier' }], idleLockMinutes: 5 };
  settings.connectors = {
    mis: { id: 'onec-http', config: { baseUrl: 'https://svc:Mis-Pa55@1c.clinic.local/base/hs?token=Abc-Token-1&x=1', auth: { kind: 'basic', username: 'ivanova', password: 'Mis-Pa55-word' }, folder: `${HOME}/exports` } },
    pbx: { id: 'asterisk-ami', config: { host: '10.0.0.5', port: 5038, username: 'desk', secret: 'Ami-Secret-9' } },
  };
  return { settings, managed: ['sip.server'], sipPasswordSet: true, secretStorage: 'os-keychain', recoveredFrom: `${HOME}/.config/registratura/settings.json.bad` };
}

describe('settingsForSupport', () => {
  it('keeps the configuration and drops every secret, login and person’s name', () => {
    const out = settingsForSupport(view(), HOME) as { settings: Record<string, Record<string, unknown>> } & Record<string, unknown>;
    const text = JSON.stringify(out);
    for (const secret of ['Ws-Pa55', 'Turn-Cred-77', 'Mis-Pa55', 'Abc-Token-1', 'Ami-Secret-9', 'turn-ivanova', 'ivanova', 'Смирнова', 'Кассир 2']) {
      expect(text, secret).not.toContain(secret);
    }
    expect(out.settings.sip).toMatchObject({ server: 'wss://pbx.example:8089/ws', uri: 'sip:1001@pbx.example', authUser: '1001', displayName: '[set]' });
    expect((out.settings.sip!.iceServers as unknown[])[0]).toEqual({ urls: 'turn:turn.example:3478?transport=udp', username: '[set]', credential: '[set]' });
    expect(out.settings.agent).toEqual({ extension: '1001', name: '[set]' });
    expect(out.settings.access).toEqual({ people: [{ id: 'smirnova', role: 'operator' }, { id: 'kassa-2', role: 'cashier' }], idleLockMinutes: 5 });
    expect(out.settings.connectors).toEqual({
      mis: { id: 'onec-http', config: { baseUrl: 'https://1c.clinic.local/base/hs?token=[set]&x=1', auth: { kind: 'basic', username: '[set]', password: '[set]' }, folder: '~/exports' } },
      pbx: { id: 'asterisk-ami', config: { host: '10.0.0.5', port: 5038, username: '[set]', secret: '[set]' } },
    });
    expect(out).toMatchObject({ managed: ['sip.server'], sipPasswordSet: true, secretStorage: 'os-keychain', recoveredFrom: '~/.config/registratura/settings.json.bad' });
    expect(out.settings.wrapUp).toEqual(DEFAULT_SETTINGS.wrapUp);
  });

  it('says "[empty]" for a secret or name that is not set', () => {
    const empty = view();
    empty.settings.agent.name = '';
    empty.settings.sip.iceServers = [{ urls: 'stun:stun.example' }];
    const out = settingsForSupport(empty, null) as { settings: { agent: unknown; sip: { iceServers: unknown[] } } };
    expect(out.settings.agent).toEqual({ extension: '1001', name: '[empty]' });
    expect(out.settings.sip.iceServers).toEqual([{ urls: 'stun:stun.example' }]);
  });
});

describe('scrubText', () => {
  it('takes the login out of a URL and secret query values, and writes the home folder as ~', () => {
    expect(scrubText('http://user:pw@host:8080/p?sig=abc&page=2', null)).toBe('http://host:8080/p?sig=[set]&page=2');
    expect(scrubText('C:\\Users\\ivanova\\AppData\\Roaming\\Registratura', 'C:\\Users\\ivanova')).toBe('~\\AppData\\Roaming\\Registratura');
    expect(scrubText('ws://127.0.0.1:9/ws', '/')).toBe('ws://127.0.0.1:9/ws');
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import en from '../../i18n/locales/en.json';
import ru from '../../i18n/locales/ru.json';
import {
  buildRawPatch,
  draftFrom,
  iceRowsFrom,
  newIceRow,
  rebaseDraft,
  validateField,
  validateIceRow,
  validatePassword,
  validatePatch,
  type IceServerDraft,
} from './settings-form-model';

const iceRow = (urls: string, username = '', credential = ''): IceServerDraft => ({ ...newIceRow(), urls, username, credential });
const withIce = (iceServers: (typeof DEFAULT_SETTINGS)['sip']['iceServers']) => ({ ...DEFAULT_SETTINGS, sip: { ...DEFAULT_SETTINGS.sip, iceServers } });

describe('settings form model', () => {
  it('patches only changed fields and never a managed one', () => {
    const draft = { ...draftFrom(DEFAULT_SETTINGS), role: 'cashier' as const, 'sip.server': 'wss://a.example/ws', 'sip.uri': ' ' };
    expect(buildRawPatch(draft, DEFAULT_SETTINGS, [])).toEqual({ role: 'cashier', sip: { server: 'wss://a.example/ws' } });
    expect(buildRawPatch(draft, DEFAULT_SETTINGS, ['role', 'sip'])).toEqual({});
  });

  it('patches the intercom checkbox, the DTMF mode and audio devices (ids verbatim)', () => {
    const draft = { ...draftFrom(DEFAULT_SETTINGS), 'sip.autoAnswerIntercom': 'true', 'sip.dtmfMode': 'info', 'audio.ringerId': ' id with spaces ' };
    const raw = buildRawPatch(draft, DEFAULT_SETTINGS, []);
    expect(raw).toEqual({ sip: { autoAnswerIntercom: true, dtmfMode: 'info' }, audio: { ringerId: ' id with spaces ' } });
    expect(validatePatch(raw).ok).toBe(true);
    expect(buildRawPatch(draft, DEFAULT_SETTINGS, ['audio', 'sip.dtmfMode'])).toEqual({ sip: { autoAnswerIntercom: true } });
  });

  it('maps schema failures to localized error keys per field', () => {
    const draft = { ...draftFrom(DEFAULT_SETTINGS), 'sip.uri': '1001@pbx', 'sip.iceGatheringTimeoutMs': '1.5' };
    const result = validatePatch(buildRawPatch(draft, DEFAULT_SETTINGS, []));
    expect(result).toEqual({
      ok: false,
      errors: { 'sip.uri': 'settings.errors.uri', 'sip.iceGatheringTimeoutMs': 'settings.errors.iceTimeout' },
    });
    expect(validateField({ ...draft, 'sip.iceGatheringTimeoutMs': '' }, 'sip.iceGatheringTimeoutMs')).toBe('settings.errors.iceTimeout');
    expect(validateField(draft, 'sip.server')).toBeNull();
    expect(validatePassword('')).toBeNull();
    expect(validatePassword('x'.repeat(513))).toBe('settings.errors.password');
  });

  it('follows settings changed elsewhere for fields the user has not edited', () => {
    const edited = { ...draftFrom(DEFAULT_SETTINGS), 'sip.displayName': 'Desk 3' };
    const pushed = { ...DEFAULT_SETTINGS, language: 'en' as const, sip: { ...DEFAULT_SETTINGS.sip, displayName: 'IT name' } };
    const next = rebaseDraft(edited, DEFAULT_SETTINGS, pushed);
    expect(next.language).toBe('en');
    expect(next['sip.displayName']).toBe('Desk 3');
  });

  it('patches the ICE server list only when it changed as the phone sees it', () => {
    const stored = withIce([{ urls: ['stun:a.local'] }, { urls: 'stun:b.local', username: 'ignored-for-stun' }]);
    // Same servers, one URL written as a string instead of an array: nothing to send.
    expect(buildRawPatch(draftFrom(stored), stored, [])).toEqual({});
    const draft = { ...draftFrom(stored), 'sip.iceServers': [...iceRowsFrom(stored.sip.iceServers), iceRow('turn:t.local turns:t.local:5349', 'u', 'p')] };
    const raw = buildRawPatch(draft, stored, []);
    expect(raw).toEqual({
      sip: { iceServers: [{ urls: 'stun:a.local' }, { urls: 'stun:b.local' }, { urls: ['turn:t.local', 'turns:t.local:5349'], username: 'u', credential: 'p' }] },
    });
    expect(validatePatch(raw).ok).toBe(true);
    expect(buildRawPatch(draft, stored, ['sip.iceServers'])).toEqual({});
  });

  it('keeps ICE rows being edited when settings change elsewhere, and follows them otherwise', () => {
    const pushed = withIce([{ urls: 'stun:it.local' }]);
    expect(rebaseDraft(draftFrom(DEFAULT_SETTINGS), DEFAULT_SETTINGS, pushed)['sip.iceServers'].map((row) => row.urls)).toEqual(['stun:it.local']);
    const edited = { ...draftFrom(DEFAULT_SETTINGS), 'sip.iceServers': [iceRow('stun:mine.local')] };
    expect(rebaseDraft(edited, DEFAULT_SETTINGS, pushed)['sip.iceServers'].map((row) => row.urls)).toEqual(['stun:mine.local']);
  });

  it('checks ICE rows more strictly than the schema, with a localized key per input', () => {
    expect(validateIceRow(iceRow('stun:stun.clinic.local:3478'))).toBeNull();
    expect(validateIceRow(iceRow('turn:10.0.0.5?transport=tcp', 'u', 'p'))).toBeNull();
    expect(validateIceRow(iceRow('stun:[fd00::1]'))).toBeNull();
    expect(validateIceRow(iceRow('ftp://x'))).toEqual({ urls: 'settings.errors.iceUrlScheme' });
    expect(validateIceRow(iceRow('stun:ok.local, stun:bad host'))).toEqual({ urls: 'settings.errors.iceUrlScheme' });
    expect(validateIceRow(iceRow('stun:'))).toEqual({ urls: 'settings.errors.iceUrlInvalid' });
    expect(validateIceRow(iceRow('stun:a:0'))).toEqual({ urls: 'settings.errors.iceUrlPort' });
    expect(validateIceRow(iceRow(Array.from({ length: 9 }, (_, i) => `stun:s${i}`).join(',')))).toEqual({ urls: 'settings.errors.iceUrlTooMany' });
    expect(validateIceRow(iceRow(`stun:${'a'.repeat(520)}`))).toEqual({ urls: 'settings.errors.iceUrlTooLong' });
    expect(validateIceRow(iceRow('turns:t.local', '', 'x'.repeat(257)))).toEqual({
      username: 'settings.errors.iceUsernameMissing',
      credential: 'settings.errors.tooLong',
    });
    // The schema's own issues inside the list land on the field, not nowhere.
    expect(validatePatch({ sip: { iceServers: [{ urls: '' }] } })).toEqual({ ok: false, errors: { 'sip.iceServers': 'settings.errors.iceServers' } });
  });

  it('every ICE error key has a sentence in both languages', () => {
    const keys = ['iceServers', 'iceUrlEmpty', 'iceUrlScheme', 'iceUrlSlashes', 'iceUrlInvalid', 'iceUrlPort', 'iceUrlTooLong', 'iceUrlTooMany', 'iceUsernameMissing', 'iceCredentialMissing'];
    for (const key of keys) {
      expect((en.settings.errors as Record<string, string>)[key], `en ${key}`).toBeTruthy();
      expect((ru.settings.errors as Record<string, string>)[key], `ru ${key}`).toBeTruthy();
    }
  });
});

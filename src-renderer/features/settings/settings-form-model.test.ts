import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { buildRawPatch, draftFrom, rebaseDraft, validateField, validatePassword, validatePatch } from './settings-form-model';

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
});

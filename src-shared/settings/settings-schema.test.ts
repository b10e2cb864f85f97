import { describe, expect, it } from 'vitest';
import {
  applySettingsPatch,
  DEFAULT_SETTINGS,
  patchedPaths,
  ProvisioningSchema,
  SettingsPatchSchema,
  SettingsSchema,
} from './settings-schema';

describe('settings schema', () => {
  it('accepts the defaults', () => {
    expect(SettingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });

  it.each(['wss://pbx.clinic.test:8089/ws', 'ws://127.0.0.1:8080', ''])('accepts SIP server %j', (server) => {
    expect(SettingsPatchSchema.safeParse({ sip: { server } }).success).toBe(true);
  });

  it.each(['http://pbx.clinic.test', 'pbx.clinic.test', 'wss://', 'javascript:alert(1)'])('refuses SIP server %j', (server) => {
    expect(SettingsPatchSchema.safeParse({ sip: { server } }).success).toBe(false);
  });

  it.each([
    ['sip:1001@pbx.clinic.test', true],
    ['sips:reception@clinic.test', true],
    ['1001', false],
    ['sip:<script>@x', false],
  ])('SIP URI %j valid = %s', (uri, valid) => {
    expect(SettingsPatchSchema.safeParse({ sip: { uri } }).success).toBe(valid);
  });

  it('refuses a password in a settings patch (only provisioning may carry one)', () => {
    expect(SettingsPatchSchema.safeParse({ sip: { password: 'x' } }).success).toBe(false);
    expect(ProvisioningSchema.safeParse({ sip: { password: 'x' } }).success).toBe(true);
  });

  it('applies a patch without losing untouched fields and drops a provisioned password', () => {
    const next = applySettingsPatch(DEFAULT_SETTINGS, { sip: { authUser: '1001', password: 'x' } } as never);
    expect(next.sip).toEqual({ ...DEFAULT_SETTINGS.sip, authUser: '1001' });
    expect(JSON.stringify(next)).not.toContain('password');
  });

  it('lists the dotted paths a patch sets', () => {
    expect(patchedPaths({ role: 'cashier', sip: { server: 'ws://a/ws', password: 'x' }, connectors: { mis: { id: 'demo', config: {} } } })).toEqual([
      'role',
      'sip.server',
      'connectors.mis',
    ]);
  });

  it('bounds the ICE gathering timeout', () => {
    expect(SettingsPatchSchema.safeParse({ sip: { iceGatheringTimeoutMs: 50 } }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ sip: { iceGatheringTimeoutMs: 500 } }).success).toBe(true);
  });

  it('loads a settings file written before intercom, DTMF mode and audio devices existed', () => {
    const { audio: _audio, ...older } = DEFAULT_SETTINGS;
    const { autoAnswerIntercom: _a, dtmfMode: _d, ...olderSip } = DEFAULT_SETTINGS.sip;
    const parsed = SettingsSchema.parse({ ...older, sip: olderSip });
    expect(parsed.sip.autoAnswerIntercom).toBe(false);
    expect(parsed.sip.dtmfMode).toBe('rfc4733');
    expect(parsed.audio).toEqual({ microphoneId: '', speakerId: '', ringerId: '' });
  });

  it('a patch carries only what it sets: no defaults sneak in for the new fields', () => {
    expect(SettingsPatchSchema.parse({ sip: { server: 'ws://a/ws' } })).toEqual({ sip: { server: 'ws://a/ws' } });
    expect(patchedPaths(SettingsPatchSchema.parse({ audio: { ringerId: 'speaker-2' } }))).toEqual(['audio.ringerId']);
  });

  it('refuses an unknown DTMF mode and an unknown audio field', () => {
    expect(SettingsPatchSchema.safeParse({ sip: { dtmfMode: 'inband' } }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ audio: { headsetId: 'x' } }).success).toBe(false);
    expect(ProvisioningSchema.safeParse({ sip: { autoAnswerIntercom: true, dtmfMode: 'info' } }).success).toBe(true);
  });

  it('applies an audio-device patch and keeps the other devices', () => {
    const base = applySettingsPatch(DEFAULT_SETTINGS, { audio: { speakerId: 'headset-1', ringerId: 'loudspeaker' } });
    const next = applySettingsPatch(base, { audio: { microphoneId: 'headset-mic' } });
    expect(next.audio).toEqual({ microphoneId: 'headset-mic', speakerId: 'headset-1', ringerId: 'loudspeaker' });
  });

  it('loads a settings file written before wrap-up settings existed, with the seed clinic six and 60 s', () => {
    const { wrapUp: _wrapUp, ...older } = DEFAULT_SETTINGS;
    const parsed = SettingsSchema.parse(older);
    expect(parsed.wrapUp.categories).toEqual([
      'Запись на платные услуги',
      'Медицинский осмотр',
      'Запись по ОМС',
      'Запись по ДМС',
      'Программа Check-Up',
      'Справочная информация (результаты, справки, цены)',
    ]);
    expect(parsed.wrapUp.acwLimitSec).toBe(60);
  });

  it('a wrap-up patch carries only what it sets and applySettingsPatch applies it', () => {
    expect(SettingsPatchSchema.parse({ wrapUp: { acwLimitSec: 120 } })).toEqual({ wrapUp: { acwLimitSec: 120 } });
    expect(patchedPaths(SettingsPatchSchema.parse({ wrapUp: { acwLimitSec: 120 } }))).toEqual(['wrapUp.acwLimitSec']);
    const base = applySettingsPatch(DEFAULT_SETTINGS, { wrapUp: { acwLimitSec: 120 } });
    expect(base.wrapUp).toEqual({ categories: DEFAULT_SETTINGS.wrapUp.categories, acwLimitSec: 120 });
    const next = applySettingsPatch(base, { wrapUp: { categories: [' Запись ', 'Справка'] } });
    expect(next.wrapUp).toEqual({ categories: ['Запись', 'Справка'], acwLimitSec: 120 });
  });

  it('bounds the wrap-up categories and the after-call-work limit', () => {
    const ok = (wrapUp: unknown) => SettingsPatchSchema.safeParse({ wrapUp }).success;
    expect(ok({ categories: [] })).toBe(false);
    expect(ok({ categories: ['  '] })).toBe(false);
    expect(ok({ categories: ['x'.repeat(81)] })).toBe(false);
    expect(ok({ categories: ['x'.repeat(80)] })).toBe(true);
    expect(ok({ categories: Array.from({ length: 21 }, (_, i) => `c${i}`) })).toBe(false);
    expect(ok({ categories: ['a', ' a'] })).toBe(false);
    expect(ok({ acwLimitSec: 901 })).toBe(false);
    expect(ok({ acwLimitSec: -1 })).toBe(false);
    expect(ok({ acwLimitSec: 1.5 })).toBe(false);
    expect(ok({ acwLimitSec: 0 })).toBe(true);
    expect(ok({ timer: 1 })).toBe(false);
  });

  it('gives a fresh desk the schedule, call-list and booking defaults, and refuses a calling window that ends before it starts or an unknown zone', () => {
    const parsed = SettingsSchema.parse({ ...DEFAULT_SETTINGS, schedule: undefined, callLists: undefined, booking: undefined });
    expect(parsed.schedule).toEqual({ horizonDays: 14, timeZone: 'Europe/Moscow' });
    expect(parsed.callLists).toEqual({ retryMinutes: 30, maxAttempts: 3, windowFrom: '09:00', windowTo: '21:00' });
    expect(parsed.booking.categoryByKind.oms).toBe('Запись по ОМС');
    expect(applySettingsPatch(DEFAULT_SETTINGS, { callLists: { windowFrom: '10:00' } }).callLists.windowFrom).toBe('10:00');
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { callLists: { windowFrom: '21:00' } })).toThrow(/calling window must start before it ends/);
    expect(SettingsPatchSchema.safeParse({ callLists: { windowTo: '25:00' } }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ schedule: { timeZone: 'Mars/Olympus' } }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ schedule: { timeZone: 'Asia/Yekaterinburg', horizonDays: 30 } }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ schedule: { horizonDays: 0 } }).success).toBe(false);
    expect(patchedPaths(SettingsPatchSchema.parse({ schedule: { horizonDays: 7 } }))).toEqual(['schedule.horizonDays']);
  });
});

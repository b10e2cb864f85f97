import { describe, expect, it } from 'vitest';
import { AMI_PRESETS, AmiConfigSchema, phonePattern } from './asterisk-ami-config';

/** What the host prints for a bad config (pbx-host-service.ts). */
function problems(input: unknown): string[] {
  const parsed = AmiConfigSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `connectors.pbx.config.${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

describe('asterisk-ami config', () => {
  it('fills defaults: port 5038, all queues, PJSIP members, no spy codes', () => {
    expect(AmiConfigSchema.parse({ host: 'pbx.local', username: 'desk' })).toEqual({
      host: 'pbx.local',
      port: 5038,
      username: 'desk',
      queues: [],
      memberInterface: 'PJSIP/{extension}',
      stateInterface: null,
      deviceInterface: 'PJSIP/{extension}',
      context: 'internal',
      spy: null,
      queueNames: {},
      connectTimeoutMs: 10_000,
    });
  });

  it('applies a preset under the explicit fields', () => {
    const miko = AmiConfigSchema.parse({ host: '10.0.0.2', username: 'desk', preset: 'mikopbx', queueNames: { 'QUEUE-5F3A1B': 'Регистратура' } });
    expect(miko).toMatchObject({
      memberInterface: 'Local/{extension}@internal/n',
      stateInterface: 'hint:{extension}@internal-hints',
      deviceInterface: 'Local/{extension}@internal-originate',
      context: 'all_peers',
      spy: null,
      queueNames: { 'QUEUE-5F3A1B': 'Регистратура' },
    });
    expect(phonePattern(miko)).toBe('PJSIP/{extension}');
    const free = AmiConfigSchema.parse({ host: 'pbx', username: 'desk', preset: 'freepbx', context: 'from-internal-custom' });
    expect(free).toMatchObject({ memberInterface: 'Local/{extension}@from-queue/n', stateInterface: 'hint:{extension}@ext-local', context: 'from-internal-custom', spy: null });
    const plain = AmiConfigSchema.parse({ host: 'pbx', username: 'desk', preset: 'asterisk' });
    expect(plain.spy).toEqual({ context: 'internal', listen: '*222{extension}', whisper: '*223{extension}', barge: '*224{extension}' });
    expect(Object.keys(AMI_PRESETS)).toEqual(['asterisk', 'mikopbx', 'freepbx']);
  });

  it('names the bad field', () => {
    expect(problems({ host: 'pbx', username: 'desk', port: 70000 })).toEqual(['connectors.pbx.config.port: port must be 1–65535']);
    expect(problems({ host: 'pbx', username: 'desk', port: '5038' })).toEqual(['connectors.pbx.config.port: port must be a number (AMI listens on 5038 by default)']);
    expect(problems({ host: 'http://pbx:5038', username: 'desk' })).toEqual(['connectors.pbx.config.host: host must be a host name or an IP address (no scheme, no port)']);
    expect(problems({ host: 'pbx' })[0]).toMatch(/^connectors\.pbx\.config\.username: username must be/);
    expect(problems({ host: 'pbx', username: 'desk', memberInterface: 'PJSIP/1001' })).toEqual([
      'connectors.pbx.config.memberInterface: memberInterface must contain {extension} (as in PJSIP/{extension})',
    ]);
    expect(problems({ host: 'pbx', username: 'desk', spy: { context: 'internal', listen: '*222', whisper: '*223{extension}', barge: '*224{extension}' } })).toEqual([
      'connectors.pbx.config.spy.listen: spy.listen must contain {extension} (as in PJSIP/{extension})',
    ]);
    expect(problems({ host: 'pbx', username: 'desk', preset: 'issabel' })).toEqual(['connectors.pbx.config.preset: preset must be one of asterisk, mikopbx, freepbx']);
    expect(problems({ host: 'pbx', username: 'desk', queues: ['has space'] })[0]).toMatch(/^connectors\.pbx\.config\.queues\.0: /);
    expect(problems({ host: 'pbx', username: 'desk', secret: 'a\r\nb' })).toEqual(['connectors.pbx.config.secret: secret must be one line']);
    expect(problems({ host: 'pbx', username: 'desk', colour: 'red' })[0]).toMatch(/colour/);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledLog } from './bundle-logs';

describe('bundledLog', () => {
  it('redacts every record again (a line an older desk wrote with a name in it), writes the home folder as ~, and leaves out what is not a record', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rg-bundle-log-')), 'desk.log');
    const lines = [
      JSON.stringify({ time: '2025-03-14T08:00:00.000Z', level: 'info', event: 'core.started', context: { host: 'web', services: ['journal'], dataDir: '/home/desk-user/.config/registratura' } }),
      JSON.stringify({ time: '2025-03-14T08:00:01.000Z', level: 'error', event: 'mis.failed', context: { error: { name: 'Error', message: 'Пациент Иванова Анна не найден, +7 916 123 45 67' }, insurer: 'СК Пример' } }),
      '[log cropped]',
      '{"time":"2025-03-14T08:00:02.000Z","level":"info","event":"torn',
      JSON.stringify({ time: '2025-03-14T08:00:03.000Z', level: 'shout', event: 'x' }),
      '',
    ];
    writeFileSync(path, lines.join('\n'));
    const log = await bundledLog(path, '/home/desk-user');
    expect(log).toMatchObject({ lines: 2, dropped: 3 });
    expect(log.text.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([
      { time: '2025-03-14T08:00:00.000Z', level: 'info', event: 'core.started', context: { host: 'web', services: ['journal'], dataDir: '~/.config/registratura' } },
      { time: '2025-03-14T08:00:01.000Z', level: 'error', event: 'mis.failed', context: { error: { name: 'Error', message: '[text], [digits]' }, insurer: '[redacted]' } },
    ]);
  });

  it('a missing file is an empty log', async () => {
    expect(await bundledLog(join(tmpdir(), 'rg-no-such-folder', 'desk.log'))).toEqual({ text: '', lines: 0, dropped: 0 });
  });
});

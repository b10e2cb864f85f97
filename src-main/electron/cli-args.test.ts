import { describe, expect, it } from 'vitest';
import { DeskUsageError, parseDeskArgs } from './cli-args';

describe('parseDeskArgs', () => {
  it('reads --config and --data-dir, resolved against the working directory', () => {
    expect(parseDeskArgs(['/usr/bin/electron', 'out/main/index.js', '--config', 'desk.json', '--data-dir', 'data'], '/home/op')).toEqual({
      configPath: '/home/op/desk.json',
      dataDir: '/home/op/data',
    });
    expect(parseDeskArgs(['electron', '.', '--config=/etc/desk.json', '--data-dir=/var/desk'], '/x')).toEqual({
      configPath: '/etc/desk.json',
      dataDir: '/var/desk',
    });
  });

  it('defaults both to null', () => {
    expect(parseDeskArgs(['electron', '.'])).toEqual({ configPath: null, dataDir: null });
  });

  it("ignores Electron's, Chromium's and Playwright's own switches", () => {
    const argv = ['electron', '--inspect=0', '--remote-debugging-port=0', 'out/main/index.js', '--no-sandbox', '--data-dir', '/tmp/d', '--enable-logging'];
    expect(parseDeskArgs(argv, '/')).toEqual({ configPath: null, dataDir: '/tmp/d' });
  });

  it.each([[['--config']], [['--data-dir', '--config', 'x']], [['--config=']]])('refuses a missing value: %j', (argv) => {
    expect(() => parseDeskArgs(argv)).toThrow(DeskUsageError);
  });
});

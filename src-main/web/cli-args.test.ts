import { describe, expect, it } from 'vitest';
import { defaultDataDir, parseWebHostArgs, UsageError } from './cli-args';

describe('parseWebHostArgs', () => {
  it('defaults to a free port and the XDG data folder', () => {
    expect(parseWebHostArgs([], { XDG_DATA_HOME: '/x/data' })).toEqual({ port: 0, dataDir: '/x/data/registratura', configPath: null, demoPatients: null, misOffline: false, newToken: false });
    expect(defaultDataDir({})).toMatch(/\.local\/share\/registratura$/);
  });

  it('reads --port, --data-dir and --config', () => {
    expect(parseWebHostArgs(['--port', '8123', '--data-dir', '/tmp/d', '--config', '/etc/desk.json'])).toEqual({
      port: 8123,
      dataDir: '/tmp/d',
      configPath: '/etc/desk.json',
      demoPatients: null,
      misOffline: false,
      newToken: false,
    });
  });

  it('reads the demo clinic flags', () => {
    expect(parseWebHostArgs(['--demo-patients', '1000000', '--mis-offline'])).toMatchObject({ demoPatients: 1_000_000, misOffline: true });
    expect(() => parseWebHostArgs(['--demo-patients', '0'])).toThrow(/--demo-patients must be a whole number/);
    expect(() => parseWebHostArgs(['--demo-patients', '2000000'])).toThrow(UsageError);
  });

  it('reads --new-token', () => {
    expect(parseWebHostArgs(['--port', '8123', '--new-token'])).toMatchObject({ port: 8123, newToken: true });
  });

  it('refuses bad ports and unknown flags with the usage line', () => {
    for (const argv of [['--port', '70000'], ['--port', 'abc'], ['--port', ''], ['--prot', '1'], ['extra']]) {
      expect(() => parseWebHostArgs(argv)).toThrow(UsageError);
    }
    expect(() => parseWebHostArgs(['--bogus'])).toThrow(/usage: npm run start:web/);
  });
});

import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freshDataDir, runDeskHostExpectingFailure, startDeskHost, writeConfig } from '../support/desk-host';
import { expect, test } from '../support/fixtures';

// What IT sees when the browser host cannot start: one line on stderr that names the problem
// and what to do, nothing on stdout, exit code 2, within 2 s — never a stack trace or a hang.
// No browser here: these run `node out/main/web.js` as IT would.

const ONE_LINE_WITHIN_MS = 2_000;

type Run = Awaited<ReturnType<typeof runDeskHostExpectingFailure>>;

function expectRefused(result: Run, ...phrases: string[]): void {
  console.log(`refused in ${result.ms} ms: ${result.stderr.trim()}`);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Registratura could not start: /);
  for (const phrase of phrases) expect(lines[0]).toContain(phrase);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.ms).toBeLessThan(ONE_LINE_WITHIN_MS);
}

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

test.describe('browser host start-up refusals', () => {
  test('a port in use (EADDRINUSE)', async () => {
    const squatter = await listen();
    try {
      const port = (squatter.address() as { port: number }).port;
      const dataDir = freshDataDir();
      const result = await runDeskHostExpectingFailure(['--port', String(port), '--data-dir', dataDir]);
      expectRefused(result, `port ${port} on 127.0.0.1 is already in use`, 'Start with another --port, or leave --port out');
      // The refused host let go of the data folder's lock and wrote nothing else there (no log).
      expect(existsSync(join(dataDir, 'desk.lock'))).toBe(false);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('a --data-dir that is a file (EEXIST)', async () => {
    const file = join(freshDataDir(), 'desk-data');
    writeFileSync(file, 'not a folder');
    const result = await runDeskHostExpectingFailure(['--port', '0', '--data-dir', file]);
    expectRefused(result, `the data folder ${file} is a file, not a folder.`, 'Start the desk with --data-dir set to a folder this user can write');
  });

  test('a --data-dir the kernel refuses to create (/sys/x: EPERM)', async () => {
    const result = await runDeskHostExpectingFailure(['--port', '0', '--data-dir', '/sys/x']);
    expectRefused(result, 'the data folder /sys/x is not writable by this user: permission denied', 'Start the desk with --data-dir');
  });

  test('a --data-dir in a folder this user cannot write (EACCES)', async () => {
    const parent = join(freshDataDir(), 'not-mine');
    mkdirSync(parent);
    // root writes anywhere, so as root the host runs as nobody; otherwise the folder is made read-only.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chmodSync(join(parent, '..'), 0o755);
    else chmodSync(parent, 0o555);
    const result = await runDeskHostExpectingFailure(['--port', '0', '--data-dir', join(parent, 'data')], asRoot ? { as: { uid: 65534, gid: 65534 } } : {});
    if (!asRoot) chmodSync(parent, 0o755);
    expectRefused(result, `the data folder ${join(parent, 'data')} is not writable by this user: permission denied (EACCES).`);
  });

  test('--data-dir /proc/x ends at once instead of spinning a core forever', async () => {
    const result = await runDeskHostExpectingFailure(['--port', '0', '--data-dir', '/proc/x']);
    expectRefused(result, 'the data folder /proc/x cannot be created: /proc does not accept new folders');
  });

  test('a second host on the same data directory refuses and the first keeps serving', async ({ launch, request }) => {
    // A small clinic: the first host's first sync should not be what the 2 s measure.
    const first = await launch({ args: ['--config', writeConfig({ connectors: { mis: { id: 'demo', config: { patients: 1_000, evolveIntervalMs: 0 } } } })] });
    const result = await runDeskHostExpectingFailure(['--port', '0', '--data-dir', first.dataDir]);
    expectRefused(
      result,
      `the data folder ${first.dataDir} is already in use by another desk (the browser host, PID ${first.pid},`,
      'Close that desk first, or start this one with another --data-dir.',
    );
    expect((await request.get(first.url)).status()).toBe(200);
  });

  test('after a kill -9 the next start on the same data directory is not refused', async () => {
    const crashed = await startDeskHost();
    await crashed.kill();
    const next = await startDeskHost({ dataDir: crashed.dataDir });
    try {
      expect(next.stderr()).toContain('data-dir.stale-lock-replaced');
      expect(next.stderr()).toContain(`"pid":${crashed.pid}`);
    } finally {
      await next.stop();
    }
    // A clean stop leaves no lock behind: a third start is not told about a stale one.
    const third = await startDeskHost({ dataDir: crashed.dataDir });
    try {
      expect(third.stderr()).not.toContain('stale-lock');
    } finally {
      await third.stop();
    }
  });
});

test('a PBX connector setting that is wrong (an AMI port out of range) refuses the start with a line naming the field', async () => {
  const config = writeConfig({ connectors: { pbx: { id: 'asterisk-ami', config: { host: '127.0.0.1', port: 70_000, username: 'admin', secret: 'amipass' } } } });
  const result = await runDeskHostExpectingFailure(['--port', '0', '--data-dir', freshDataDir(), '--config', config]);
  expectRefused(result, 'is invalid: connectors.pbx.config.port: port must be 1–65535');
  // The secret is never echoed, whatever else went wrong.
  expect(result.stderr).not.toContain('amipass');
});

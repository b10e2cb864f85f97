import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error — a plain .mjs script without type declarations
import { explainNoElectron, findElectronBinary, root } from './electron-binary.mjs';

type Probe = { ok: true; path: string } | { ok: false; reason: string };

describe('findElectronBinary', () => {
  it('answers with an existing binary or a one-line reason, printing nothing itself', () => {
    const probe = findElectronBinary() as Probe;
    if (probe.ok) expect(existsSync(probe.path)).toBe(true);
    else {
      expect(probe.reason.length).toBeGreaterThan(0);
      expect(probe.reason).not.toContain('\n');
    }
  });
});

describe('npm run test:e2e:electron without a binary', () => {
  it('prints exactly one line and exits 0', () => {
    const probe = findElectronBinary() as Probe;
    if (probe.ok) return; // with a binary the script runs the real suite; nothing to check here
    const run = spawnSync(process.execPath, [join(root as string, 'scripts', 'e2e-electron.mjs')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Electron e2e skipped: no Electron binary on this machine \(.+\); the browser-host e2e \(npm run test:e2e\) covers the desk\.$/,
    );
  });
});

describe('npm start without a binary', () => {
  it('says why there is no window and exactly how to get one, then that the browser host starts', () => {
    const text = explainNoElectron('Electron failed to install correctly', {}) as string;
    const lines = text.split('\n');
    expect(lines[0]).toBe("No Electron window: Electron's binary is not on this machine (Electron failed to install correctly).");
    expect(text).toContain('downloads its binary from github.com the first time it starts');
    expect(text).toContain('`npx install-electron --no`');
    expect(lines.at(-1)).toMatch(/^Starting the browser host instead/);
    expect(explainNoElectron('x', { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
  });
});

// Finds the Electron binary without letting electron's own loader write to our terminal.
// `require('electron')` returns the binary's path, or — when the binary was never downloaded —
// tries to download it (printing a stack trace) and throws "Electron failed to install
// correctly". So the probe runs in a child process with its output captured.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Generous: where the download can work, it is ~100 MB; where it cannot, it fails in well under a second.
const PROBE_TIMEOUT_MS = 180_000;

// electron's loader prints "Downloading Electron binary..." to stdout first, so the answer is
// the text after a marker.
const MARKER = '@@electron-probe@@';
const PROBE = `
const say = (answer) => process.stdout.write('\\n${MARKER}' + JSON.stringify(answer));
import('electron').then(
  (module) => say({ path: module.default }),
  (error) => say({ error: String((error && error.message) || error) }),
);
`;

/** The first sentence of a message, on one line. */
function firstSentence(text) {
  const line = String(text).replace(/\s+/g, ' ').trim();
  const end = line.search(/\.(\s|$)/);
  return (end === -1 ? line : line.slice(0, end)).slice(0, 200) || 'unknown reason';
}

/**
 * @returns {{ ok: true, path: string } | { ok: false, reason: string }}
 */
export function findElectronBinary() {
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: PROBE_TIMEOUT_MS,
  });
  if (probe.error) return { ok: false, reason: `probing electron failed: ${firstSentence(probe.error.message)}` };
  let answer;
  try {
    const at = probe.stdout.lastIndexOf(MARKER);
    if (at === -1) throw new Error('no marker');
    answer = JSON.parse(probe.stdout.slice(at + MARKER.length));
  } catch {
    return { ok: false, reason: `probing electron gave no answer (exit ${probe.status})` };
  }
  if (typeof answer.error === 'string') return { ok: false, reason: firstSentence(answer.error) };
  if (typeof answer.path !== 'string' || answer.path === '') return { ok: false, reason: 'the electron package gave no binary path' };
  if (!existsSync(answer.path)) return { ok: false, reason: `${answer.path} does not exist` };
  return { ok: true, path: answer.path };
}

/**
 * Why `npm start` opens no Electron window, and exactly how to get one: Electron 45 has no
 * install step that npm runs — it fetches its ~100 MB binary from github.com the first time it
 * starts — so on a machine that cannot reach GitHub `npm install` succeeds without a word and
 * the window never comes. Lines for the terminal (no trailing newline).
 *
 * @param {string} reason what the probe said (one line)
 * @param {NodeJS.ProcessEnv} env
 * @returns {string}
 */
export function explainNoElectron(reason, env = process.env) {
  const skipped = env.ELECTRON_SKIP_BINARY_DOWNLOAD && env.ELECTRON_SKIP_BINARY_DOWNLOAD !== '0';
  return [
    `No Electron window: Electron's binary is not on this machine (${reason}).`,
    skipped
      ? '  Why: ELECTRON_SKIP_BINARY_DOWNLOAD is set, so Electron was not downloaded (unset it to let it try).'
      : "  Why: npm install does not fetch it — Electron 45 downloads its binary from github.com the first time it starts, and from here that failed.",
    '  To get the window: on a machine that can reach github.com run `npx install-electron --no` in this folder, then `npm start`;',
    '  or copy node_modules/electron/dist and node_modules/electron/path.txt from a machine where it worked.',
    'Starting the browser host instead (npm run start:web): open the link it prints in Chromium or Chrome.',
  ].join('\n');
}

/** Runs electron-vite build with this Node; build output goes to stderr. Returns the exit code. */
export function buildDesk() {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  return result.status ?? 1;
}

/**
 * Runs a child with inherited stdio, forwards SIGINT/SIGTERM to it by its PID, and exits this
 * process with the child's exit code (128 + signal number when it died of a signal).
 */
export function runForwardingSignals(command, args, options = {}) {
  return import('node:child_process').then(({ spawn }) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    process.on('SIGINT', () => forward('SIGINT'));
    process.on('SIGTERM', () => forward('SIGTERM'));
    child.on('error', (error) => {
      process.stderr.write(`Could not start ${command}: ${error.message}\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      const signals = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9, SIGHUP: 1 };
      process.exit(code ?? 128 + (signals[signal] ?? 1));
    });
  });
}

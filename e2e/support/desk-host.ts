import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB_ENTRY = join(ROOT, 'out', 'main', 'web.js');
const READY = /^Registratura ready: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))$/m;

export interface DeskHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  pid: number;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  stdout(): string;
  stderr(): string;
  /** SIGTERM by PID; resolves with how long the host took to exit. SIGKILL (by PID) after 5 s. */
  stop(): Promise<{ exitMs: number; code: number | null }>;
  /** SIGKILL by PID (a crash: nothing is cleaned up); resolves once it is gone. */
  kill(): Promise<void>;
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'registratura-e2e-'));
}

export function writeConfig(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'registratura-config-')), 'desk.json');
  writeFileSync(path, JSON.stringify(content, null, 2));
  return path;
}

/** Starts the built browser host the way IT would (`node out/main/web.js …`) and waits for its ready line. */
export async function startDeskHost(options: { dataDir?: string; args?: string[]; port?: number } = {}): Promise<DeskHost> {
  const dataDir = options.dataDir ?? freshDataDir();
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [WEB_ENTRY, '--port', String(options.port ?? 0), '--data-dir', dataDir, ...(options.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const match = await new Promise<RegExpMatchArray>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`browser host gave no ready line in 15 s.\nstdout: ${out}\nstderr: ${err}`));
    }, 15_000);
    const check = () => {
      const found = READY.exec(out);
      if (found) {
        clearTimeout(timer);
        resolveReady(found);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited with ${code} before it was ready.\nstderr: ${err}`));
    });
  });
  const readyMs = Date.now() - started;
  const pid = child.pid!;
  return {
    url: match[1]!,
    origin: `http://127.0.0.1:${match[2]}`,
    port: Number(match[2]),
    token: match[3]!,
    dataDir,
    pid,
    readyMs,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return { exitMs: 0, code: child.exitCode };
      const stopping = Date.now();
      process.kill(pid, 'SIGTERM');
      const killer = setTimeout(() => {
        if (child.exitCode === null) process.kill(pid, 'SIGKILL');
      }, 5_000);
      const code = await exited;
      clearTimeout(killer);
      return { exitMs: Date.now() - stopping, code };
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, 'SIGKILL');
      await exited;
    },
  };
}

/**
 * Runs the host expecting it to refuse to start; returns its exit code, output and how long it
 * took (`ms`, spawn to exit). `as` runs it as another user (root only).
 */
export function runDeskHostExpectingFailure(
  args: string[],
  options: { as?: { uid: number; gid: number } } = {},
): Promise<{ code: number | null; stderr: string; stdout: string; ms: number }> {
  return new Promise((resolveRun) => {
    const started = Date.now();
    const child = spawn(process.execPath, [WEB_ENTRY, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(options.as ?? {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stderr, stdout, ms: Date.now() - started });
    });
  });
}

export const ARTIFACTS = join(ROOT, 'artifacts');

import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REGISTER = pathToFileURL(fileURLToPath(new URL('./register-ts.mjs', import.meta.url))).href;

/** How one run of a reliability child ended. */
export interface ChildRun {
  killed: boolean;
  done: boolean;
  code: number | null;
  stderr: string;
  lines: number;
}

/**
 * Runs a reliability child (TypeScript, with Node 22's own type stripping and the repo's resolve
 * hooks) with its JSON config; SIGKILLs it by PID once it has printed `killAfterLines` step lines
 * (null: let it run). `DONE` on a line marks a finished run.
 */
export function runChild(childPath: string, config: unknown, killAfterLines: number | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', REGISTER, childPath, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: ChildRun = { killed: false, done: false, code: null, stderr: '', lines: 0 };
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        run.lines += 1;
        if (line === 'DONE') run.done = true;
        if (killAfterLines !== null && !run.killed && run.lines >= killAfterLines && child.pid !== undefined) {
          run.killed = true;
          process.kill(child.pid, 'SIGKILL');
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ...run, code }));
  });
}

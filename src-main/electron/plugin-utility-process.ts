import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utilityProcess } from 'electron';
import { PLUGIN_BOOTSTRAP_SOURCE } from '../core/connectors/plugins/plugin-bootstrap';
import type { PluginTransportFactory } from '../core/connectors/plugins/plugin-transport';

/**
 * The plugin transport of the Electron desk: each plugin in its own utility process
 * (https://www.electronjs.org/docs/latest/api/utility-process), so a crash, a busy loop or an
 * out-of-memory in a plugin never touches the main process. Same bootstrap and RPC as the
 * worker threads of the browser host (`core/connectors/plugins/`); the bootstrap is written
 * once to `<runtimeDir>/plugin-bootstrap.cjs` because `fork` takes a file. Typechecked only in
 * CI (no Electron on the test machines); the RPC, limits and restarts are tested on workers.
 * Call after the app's `ready` event.
 */
export function utilityProcessTransport(runtimeDir: string): PluginTransportFactory {
  mkdirSync(runtimeDir, { recursive: true });
  const bootstrap = join(runtimeDir, 'plugin-bootstrap.cjs');
  writeFileSync(bootstrap, PLUGIN_BOOTSTRAP_SOURCE);
  return ({ id, heapMb }) => {
    const child = utilityProcess.fork(bootstrap, [], {
      serviceName: `Registratura plugin ${id}`,
      stdio: 'pipe',
      // Not the desk's environment; only what the OS needs to start a process (Windows needs SystemRoot).
      env: Object.fromEntries(['SystemRoot', 'TEMP', 'TMP'].flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key]!]]))),
      execArgv: [`--max-old-space-size=${heapMb}`],
    });
    let ended = false;
    return {
      post: (text) => child.postMessage(text),
      onMessage: (listener) => child.on('message', listener),
      onOutput: (listener) => {
        child.stdout?.on('data', (chunk: Buffer) => listener(chunk.toString('utf8')));
        child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString('utf8')));
      },
      onExit: (listener) => {
        child.on('exit', (code) => {
          if (ended) return;
          ended = true;
          listener(`exited with code ${code}`);
        });
      },
      terminate: async () => {
        if (ended) return;
        ended = true;
        child.kill();
      },
    };
  };
}

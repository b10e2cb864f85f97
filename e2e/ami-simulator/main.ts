// The AMI simulator from the command line:
//   node e2e/ami-simulator/main.ts --ami-port 5038 --control-port 5039 [--secret amipass] [--username admin] [--preset demo]
// (or `npm run ami-sim -- …`, or `npx tsx e2e/ami-simulator/main.ts …`). Runs until SIGTERM/SIGINT.
// The module is loaded by URL with its .ts name so that Node's own type stripping can run this file.
import type { AmiSimulator as Simulator } from './ami-simulator';

type SimulatorModule = { AmiSimulator: typeof Simulator };

function usage(message: string): never {
  console.error(`${message}\nusage: main.ts [--ami-port N] [--control-port N] [--username U] [--secret S] [--preset demo|none] [--auth-fail-delay-ms N] [--answer-delay-ms N]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) usage(`unexpected argument: ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) usage(`${a} needs a value`);
      out[a.slice(2)] = v;
      i++;
    }
  }
  return out;
}

function port(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) usage(`--${name} must be a port number`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const known = new Set(['ami-port', 'control-port', 'username', 'secret', 'preset', 'auth-fail-delay-ms', 'answer-delay-ms']);
  for (const k of Object.keys(args)) if (!known.has(k)) usage(`unknown option --${k}`);
  const preset = args.preset ?? 'demo';
  if (preset !== 'demo' && preset !== 'none') usage('--preset must be demo or none');
  const { AmiSimulator } = (await import(new URL('./ami-simulator.ts', import.meta.url).href)) as SimulatorModule;
  const sim = new AmiSimulator({
    username: args.username ?? 'admin',
    secret: args.secret ?? 'amipass',
    preset,
    authFailDelayMs: port(args['auth-fail-delay-ms'], 1000, 'auth-fail-delay-ms'),
    answerDelayMs: port(args['answer-delay-ms'], 300, 'answer-delay-ms'),
    log: (line) => console.error(line),
  });
  const ports = await sim.start({ amiPort: port(args['ami-port'], 5038, 'ami-port'), controlPort: port(args['control-port'], 5039, 'control-port'), host: '127.0.0.1' });
  console.log(`ami-simulator listening ami=${ports.amiPort} control=${ports.controlPort}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sim.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`ami-simulator could not start: ${(err as Error).message}`);
  process.exit(1);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const KAMAILIO_CFG = join(ROOT, 'e2e', 'sip', 'kamailio.cfg');
const KAMAILIO_BIN = process.env.KAMAILIO_PATH ?? '/usr/sbin/kamailio';

/** The SIP domain of the test server: a name under the reserved `.test`, never 127.0.0.1. */
export const SIP_DOMAIN = 'registratura.test';

export interface SipUser {
  user: string;
  password: string;
}

/** Must match route[AUTH] in e2e/sip/kamailio.cfg. Test-only secrets. */
export const SIP_USERS = {
  desk: { user: '1001', password: 'desk-1001-pw' },
  patient1: { user: '2001', password: 'patient-2001-pw' },
  patient2: { user: '2002', password: 'patient-2002-pw' },
  patient3: { user: '2003', password: 'patient-2003-pw' },
} as const satisfies Record<string, SipUser>;

/** Accounts whose REGISTER the server refuses outright (any password): 403 and 404. */
export const SIP_REFUSED_USERS = {
  forbidden: { user: '4030', password: 'any' },
  notFound: { user: '4040', password: 'any' },
} as const satisfies Record<string, SipUser>;

export interface Kamailio {
  wsUrl: string;
  wsPort: number;
  /** The trunk side: udp:127.0.0.1:udpPort, where a plain SIP client (SIPp) sends requests unchallenged. */
  udpPort: number;
  domain: string;
  users: typeof SIP_USERS;
  /** Temp folder holding the runtime dir, pid file and log. */
  dir: string;
  logPath: string;
  /** PID of the running main process (null when stopped). */
  pid(): number | null;
  running(): boolean;
  log(): string;
  /** Starts it (again) on the same port; resolves once it accepts a SIP WebSocket. Returns ms. */
  start(): Promise<number>;
  /** Kills it like a crash: SIGKILL to its process group, by PID. Resolves once it has exited. */
  kill(): Promise<void>;
  /** Orderly stop: SIGTERM by PID, SIGKILL by PID after 5 s. */
  stop(): Promise<void>;
  /** kill() then start() on the same port; resolves with the start ms. */
  restart(): Promise<number>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A UDP port on 127.0.0.1 that nothing is bound to right now. */
export async function freeUdpPort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolvePort(port));
    });
  });
}

/** One WebSocket handshake with the `sip` subprotocol; true if it opened. */
export async function wsAccepts(url: string, timeoutMs = 1_000): Promise<boolean> {
  return await new Promise((resolveOpen) => {
    const ws = new WebSocket(url, 'sip');
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(ok: boolean) {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolveOpen(ok);
    }
    ws.once('open', () => finish(true));
    ws.once('error', () => finish(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts Kamailio on 127.0.0.1 with a free port chosen here, its own runtime dir, pid file and
 * log in a temp folder (`kamailio -f CFG -DD -E -Y RUNDIR -P PIDFILE`). Kamailio runs in its own
 * process group so that its children die with it; every signal goes to that PID, never by name.
 */
/**
 * Kamailio runs in its own process group (so a crash-kill takes its children too), which also
 * means it would outlive a worker that dies without teardown. Two guards, both by PID:
 * an exit hook of this worker, and a sweep of pid files left in earlier runs' temp folders
 * (only a PID whose command line names our cfg is killed).
 */
const livePids = new Set<number>();
process.once('exit', () => {
  for (const pid of livePids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function processAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

function parentOf(pid: number): number | null {
  try {
    // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/**
 * Kills Kamailios left by a test run that died without teardown: only a PID from one of our
 * pid files, whose command line names our cfg and that temp folder, and whose parent (the
 * Playwright worker that started it) is gone. A concurrent run's live server is never touched.
 */
export function sweepStaleKamailios(): number[] {
  const killed: number[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('registratura-kamailio-')) continue;
    const dir = join(tmpdir(), name);
    const pidFile = join(dir, 'kamailio.pid');
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) continue;
    if (processAlive(pid)) {
      const cmdline = (() => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      })();
      const parent = parentOf(pid);
      const orphaned = parent === null || parent === 1 || !processAlive(parent);
      if (!cmdline.includes(KAMAILIO_CFG) || !cmdline.includes(dir) || !orphaned) continue;
      try {
        process.kill(-pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        continue;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return killed;
}

export async function startKamailio(options: { wsPort?: number; udpPort?: number } = {}): Promise<Kamailio> {
  if (!existsSync(KAMAILIO_BIN)) {
    throw new Error(`Kamailio not found at ${KAMAILIO_BIN}: apt-get install kamailio kamailio-websocket-modules`);
  }
  const swept = sweepStaleKamailios();
  if (swept.length > 0) console.warn(`killed stale Kamailio(s) left by an earlier run: ${swept.join(', ')}`);
  const wsPort = options.wsPort ?? (await freePort());
  const udpPort = options.udpPort ?? (await freeUdpPort());
  const dir = mkdtempSync(join(tmpdir(), 'registratura-kamailio-'));
  const runDir = join(dir, 'run');
  const pidFile = join(dir, 'kamailio.pid');
  const logPath = join(dir, 'kamailio.log');
  const wsUrl = `ws://127.0.0.1:${wsPort}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const readLog = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const running = () => child !== null && child.exitCode === null && child.signalCode === null;

  async function start(): Promise<number> {
    if (running()) throw new Error('Kamailio is already running');
    rmSync(runDir, { recursive: true, force: true });
    rmSync(pidFile, { force: true });
    mkdirSync(runDir, { recursive: true });
    const logFd = openSync(logPath, 'a');
    const started = Date.now();
    const proc = spawn(
      KAMAILIO_BIN,
      ['-f', KAMAILIO_CFG, '-DD', '-E', '-Y', runDir, '-P', pidFile, '-m', '64', '-M', '8', '-A', `WS_PORT=${wsPort}`, '-A', `UDP_PORT=${udpPort}`, '-A', `SIP_DOMAIN="${SIP_DOMAIN}"`],
      { cwd: dir, stdio: ['ignore', logFd, logFd], detached: true },
    );
    closeSync(logFd);
    child = proc;
    if (proc.pid) livePids.add(proc.pid);
    exited = new Promise((r) =>
      proc.once('exit', () => {
        if (proc.pid) livePids.delete(proc.pid);
        r();
      }),
    );
    // Wait for the WebSocket handshake to succeed (condition, bounded).
    while (Date.now() - started < 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`Kamailio exited (${proc.exitCode ?? proc.signalCode}) before accepting WebSockets.\n${readLog().slice(-4000)}`);
      }
      if (await wsAccepts(wsUrl, 500)) return Date.now() - started;
      await sleep(50);
    }
    await kill();
    throw new Error(`Kamailio did not accept a WebSocket on ${wsUrl} in 10 s.\n${readLog().slice(-4000)}`);
  }

  async function signalGroup(signal: NodeJS.Signals): Promise<void> {
    const pid = child?.pid;
    if (!pid || !running()) return;
    try {
      process.kill(-pid, signal); // the process group led by this PID (spawned detached)
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  async function kill(): Promise<void> {
    if (!running()) return;
    await signalGroup('SIGKILL');
    await exited;
    child = null;
  }

  async function stop(): Promise<void> {
    if (!running()) return;
    await signalGroup('SIGTERM');
    const timeout = sleep(5_000).then(() => 'timeout' as const);
    if ((await Promise.race([exited.then(() => 'exited' as const), timeout])) === 'timeout') await signalGroup('SIGKILL');
    await exited;
    // Children of a SIGTERMed Kamailio exit with it; make sure none outlive it.
    const pid = child?.pid;
    if (pid) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* group already empty */
      }
    }
    child = null;
  }

  const kamailio: Kamailio = {
    wsUrl,
    wsPort,
    udpPort,
    domain: SIP_DOMAIN,
    users: SIP_USERS,
    dir,
    logPath,
    pid: () => (running() ? (child?.pid ?? null) : null),
    running,
    log: readLog,
    start,
    kill,
    stop,
    async restart() {
      await kill();
      return await start();
    },
  };
  await start();
  return kamailio;
}

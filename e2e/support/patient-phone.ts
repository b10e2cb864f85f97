import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { MediaStats, PatientPhoneState } from '../sip/patient-phone/patient-phone';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = join(ROOT, 'e2e', 'sip', 'patient-phone');
/** Build output (git-ignored: out/). */
export const PATIENT_PHONE_OUT = join(ROOT, 'out', 'e2e', 'patient-phone');

/** Builds the patient phone page (TypeScript + SIP.js) with vite's build API. Returns ms. */
export async function buildPatientPhone(): Promise<number> {
  const started = Date.now();
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: SOURCE,
    base: './',
    logLevel: 'warn',
    publicDir: false,
    build: { outDir: PATIENT_PHONE_OUT, emptyOutDir: true, sourcemap: true, minify: false, target: 'es2022' },
  });
  if (!existsSync(join(PATIENT_PHONE_OUT, 'index.html'))) throw new Error('patient phone build produced no index.html');
  return Date.now() - started;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** A tiny static file server on 127.0.0.1 (port 0) for the built patient phone. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A patient phone page in its own browser context (its own "device"), microphone allowed. */
export interface PatientPhoneHandle {
  context: BrowserContext;
  page: Page;
  /** Registers and waits for `registered` (or throws with the phone's event log). */
  register(user: { user: string; password: string }): Promise<PatientPhoneState>;
  state(): Promise<PatientPhoneState>;
  stats(): Promise<MediaStats>;
  events(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openPatientPhone(browser: Browser, pageUrl: string, sip: { wsUrl: string; domain: string }): Promise<PatientPhoneHandle> {
  const context = await browser.newContext({ permissions: ['microphone'] });
  const page = await context.newPage();
  await page.goto(pageUrl);
  await page.waitForFunction(() => typeof window.patientPhone === 'object');
  const handle: PatientPhoneHandle = {
    context,
    page,
    async register(user) {
      await page.evaluate(
        ({ user: u, password, wsUrl, domain }) => window.patientPhone.register(u, password, wsUrl, domain),
        { user: user.user, password: user.password, wsUrl: sip.wsUrl, domain: sip.domain },
      );
      try {
        await page.waitForFunction(() => ['registered', 'registration-failed'].includes(window.patientPhone.state.registration), null, { timeout: 10_000 });
      } catch (error) {
        throw new Error(`patient phone ${user.user} did not finish registering: ${(await handle.events()).join('\n')}`, { cause: error });
      }
      return await handle.state();
    },
    state: () => page.evaluate(() => ({ ...window.patientPhone.state })),
    stats: () => page.evaluate(() => window.patientPhone.stats()),
    events: () => page.evaluate(() => [...window.patientPhone.events]),
    async close() {
      // Unregister (bounded) so the registrar keeps no contact of a closed phone.
      await page
        .evaluate(() => Promise.race([window.patientPhone.unregister(), new Promise((r) => setTimeout(r, 1_000))]))
        .catch(() => undefined);
      await context.close();
    },
  };
  return handle;
}

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DEFAULT_SETTINGS } from '../../src-shared/settings/settings-schema';
import { createCore, type Core } from '../core/core';
import { silentLogger } from '../core/log/logger';
import { KeyFileSecretStore } from '../core/secrets/key-file-secret-store';
import { MemorySettingsStorage } from '../core/settings/settings-storage';
import { bindPort, type BoundPort } from './bind-port';
import { resolveStaticFile, serveOn, startWebHost, type WebHost } from './web-server';

const TOKEN = 'test-token-0123456789';
let host: WebHost | undefined;
let core: Core | undefined;
let bound: BoundPort | undefined;

afterEach(async () => {
  await host?.close();
  await bound?.close();
  await core?.stop();
  host = undefined;
  bound = undefined;
});

async function start() {
  const made = await makeCore();
  const desk = core!;
  host = await startWebHost({ core: desk, rendererDir: made.rendererDir, port: 0, token: TOKEN, logger: silentLogger, role: () => desk.settings.settings.role });
  return { ...made, base: `http://127.0.0.1:${host.port}` };
}

async function makeCore() {
  const dir = mkdtempSync(join(tmpdir(), 'rg-web-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>desk</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'outside.txt'), 'secret');
  core = createCore({
    host: 'web',
    version: 't',
    dataDir: dir,
    // No MIS: this suite is about the server, and a live demo clinic would interleave sync events.
    settingsStorage: new MemorySettingsStorage({ ...DEFAULT_SETTINGS, connectors: { ...DEFAULT_SETTINGS.connectors, mis: { id: 'none', config: {} } } }),
    secrets: new KeyFileSecretStore(join(dir, 'secrets'), silentLogger),
    logger: silentLogger,
  });
  await core.start();
  return { dir, rendererDir };
}

function connect(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

type Frame = Record<string, unknown>;
const inboxes = new WeakMap<WebSocket, { frames: Frame[]; waiters: ((frame: Frame) => void)[] }>();

/** Frames in arrival order; several may arrive in one tick, so they are queued, not awaited one by one. */
function nextFrame(ws: WebSocket): Promise<Frame> {
  let inbox = inboxes.get(ws);
  if (!inbox) {
    const created = { frames: [] as Frame[], waiters: [] as ((frame: Frame) => void)[] };
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      const waiter = created.waiters.shift();
      if (waiter) waiter(frame);
      else created.frames.push(frame);
    });
    inboxes.set(ws, created);
    inbox = created;
  }
  const queued = inbox.frames.shift();
  if (queued) return Promise.resolve(queued);
  return new Promise((resolve) => inbox.waiters.push(resolve));
}

function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
}

describe('browser host server', () => {
  it('listens on loopback only and prints a URL with the token', async () => {
    await start();
    expect(host!.url).toBe(`http://127.0.0.1:${host!.port}/?token=${TOKEN}`);
  });

  it('refuses the page without the token or with a wrong one', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(403);
  });

  it('serves the page with the token, sets a same-site HttpOnly cookie that unlocks assets, and sends the CSP', async () => {
    const { base } = await start();
    const page = await fetch(`${base}/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    const { base } = await start();
    expect(await getWithHost(`${base}/?token=${TOKEN}`, 'evil.example')).toBe(421);
    expect(await getWithHost(`${base}/?token=${TOKEN}`, `localhost:${host!.port}`)).toBe(200);
  });

  it('never serves files outside the renderer folder', async () => {
    const { rendererDir } = await start();
    expect(resolveStaticFile(rendererDir, '/../outside.txt')).toBeNull();
    expect(resolveStaticFile(rendererDir, '/%2e%2e/outside.txt')).toBeNull();
    expect(resolveStaticFile(rendererDir, '/assets/%00app.js')).toBeNull();
    expect(resolveStaticFile(rendererDir, '/%E0%A4%A')).toBeNull();
    expect(resolveStaticFile(rendererDir, '/')).toBe(join(rendererDir, 'index.html'));
  });

  it('refuses a bridge connection without the token or from another origin', async () => {
    const { base } = await start();
    const wsBase = base.replace('http', 'ws');
    await expect(connect(`${wsBase}/bridge`, base)).rejects.toThrow(/403/);
    await expect(connect(`${wsBase}/bridge?token=${TOKEN}`, 'http://evil.example')).rejects.toThrow(/403/);
    await expect(connect(`${wsBase}/other?token=${TOKEN}`, base)).rejects.toThrow(/403/);
  });

  it('answers contract requests over the bridge and pushes events', async () => {
    const { base } = await start();
    const ws = await connect(`${base.replace('http', 'ws')}/bridge?token=${TOKEN}`, base);
    ws.send(JSON.stringify({ type: 'request', id: 1, name: 'settings.update', input: { language: 'en' } }));
    const frames = [await nextFrame(ws), await nextFrame(ws)];
    expect(frames).toContainEqual(expect.objectContaining({ type: 'event', name: 'settings:changed' }));
    expect(frames).toContainEqual(expect.objectContaining({ type: 'response', id: 1, ok: true }));
    ws.close();
  });

  it('answers a malformed frame with BAD_FRAME and an unknown request with UNKNOWN_REQUEST, and keeps serving', async () => {
    const { base } = await start();
    const ws = await connect(`${base.replace('http', 'ws')}/bridge?token=${TOKEN}`, base);
    ws.send(JSON.stringify({ type: 'request', id: 7, name: 42 }));
    expect(await nextFrame(ws)).toMatchObject({ id: 7, ok: false, error: { code: 'BAD_FRAME' } });
    ws.send(JSON.stringify({ type: 'request', id: 8, name: 'process.exit', input: {} }));
    expect(await nextFrame(ws)).toMatchObject({ id: 8, ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    ws.send(JSON.stringify({ type: 'request', id: 9, name: 'app.info', input: {} }));
    expect(await nextFrame(ws)).toMatchObject({ id: 9, ok: true, value: { name: 'Registratura', host: 'web' } });
    ws.close();
  });
});

/** The page's script, style and icon references (what a browser would load next). */
function assetRefs(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
}

/** The index.html the renderer build writes (electron-vite's base is './'): relative asset URLs. */
const BUILT_INDEX =
  '<!doctype html><html><head><link rel="icon" type="image/png" href="./favicon.png" />' +
  '<script type="module" crossorigin src="./assets/app.js"></script><link rel="stylesheet" crossorigin href="./assets/app.css"></head>' +
  '<body><div id="root"></div></body></html>';

describe('the supervisor window route (/supervisor)', () => {
  async function startWithBuiltPage() {
    const started = await start();
    writeFileSync(join(started.rendererDir, 'index.html'), BUILT_INDEX);
    writeFileSync(join(started.rendererDir, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(started.rendererDir, 'favicon.png'), 'png');
    return started;
  }

  it('a supervisor desk gets the renderer page there, with the CSP, and every asset it names loads from there', async () => {
    const { base } = await startWithBuiltPage();
    core!.settings.update({ role: 'supervisor' });
    const page = await fetch(`${base}/supervisor?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toBe(BUILT_INDEX);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const refs = assetRefs(html);
    expect(refs).toHaveLength(3);
    for (const ref of refs) {
      const url = new URL(ref, `${base}/supervisor`);
      expect(url.pathname, ref).toBe(new URL(ref, `${base}/`).pathname);
      expect((await fetch(url, { headers: { cookie } })).status, ref).toBe(200);
    }
    // HEAD too (a browser's prefetch); `/supervisor/` would break relative asset URLs: it redirects.
    expect((await fetch(`${base}/supervisor?token=${TOKEN}`, { method: 'HEAD' })).status).toBe(200);
    const slash = await fetch(`${base}/supervisor/?token=${TOKEN}`, { redirect: 'manual' });
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe(`/supervisor?token=${TOKEN}`);
  });

  it.each(['operator', 'cashier'] as const)('a %s desk gets 403 and a small page saying only a supervisor desk opens it', async (role) => {
    const { base } = await startWithBuiltPage();
    core!.settings.update({ role });
    const page = await fetch(`${base}/supervisor?token=${TOKEN}`);
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toMatch(/data-testid="supervisor-forbidden"/);
    expect(html).toMatch(/только на рабочем месте супервизора/);
    expect(html).not.toMatch(/<script|<style|style=/);
    // The desk's own page is still served to it.
    expect((await fetch(`${base}/?token=${TOKEN}`)).status).toBe(200);
  });

  it('follows the role as it changes, and never answers the route without the token', async () => {
    const { base } = await startWithBuiltPage();
    expect((await fetch(`${base}/supervisor`)).status).toBe(403);
    expect(await (await fetch(`${base}/supervisor`)).text()).not.toMatch(/supervisor-forbidden/);
    expect((await fetch(`${base}/supervisor?token=${TOKEN}`)).status).toBe(403);
    core!.settings.update({ role: 'supervisor' });
    expect((await fetch(`${base}/supervisor?token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`${base}/supervisor`)).status).toBe(403);
  });

  it("the renderer's index.html (source, and the build when there is one) names its assets relative to the page's folder", () => {
    const pages = ['../../src-renderer/index.html', '../../out/renderer/index.html'].map((path) => fileURLToPath(new URL(path, import.meta.url))).filter((file) => existsSync(file));
    expect(pages.length).toBeGreaterThan(0);
    for (const file of pages) {
      const refs = assetRefs(readFileSync(file, 'utf8'));
      expect(refs.length, file).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(ref, file).toMatch(/^\.\/(?!\.)/);
        expect(new URL(ref, 'http://127.0.0.1/supervisor').href, ref).toBe(new URL(ref, 'http://127.0.0.1/').href);
      }
    }
  });
});

describe('serving on a port taken before the core started', () => {
  it('answers pages and the bridge with 503 until the core serves, then with the desk and its checks', async () => {
    bound = await bindPort(0);
    const base = `http://127.0.0.1:${bound.port}`;
    const early = await fetch(`${base}/?token=${TOKEN}`);
    expect(early.status).toBe(503);
    expect(await early.text()).toMatch(/starting/);
    await expect(connect(`${base.replace('http', 'ws')}/bridge?token=${TOKEN}`, base)).rejects.toThrow(/503/);
    const { rendererDir } = await makeCore();
    host = serveOn(bound, { core: core!, rendererDir, token: TOKEN, logger: silentLogger, role: () => 'operator' });
    bound = undefined; // host.close() closes it
    expect((await fetch(`${base}/?token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(403);
    const ws = await connect(`${base.replace('http', 'ws')}/bridge?token=${TOKEN}`, base);
    ws.close();
  });
});

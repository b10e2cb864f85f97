import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let app: ElectronApplication;
let page: Page;
let dataDir: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-electron-e2e-'));
  // Chromium refuses to run as root with its OS sandbox (CI containers run as root); the
  // renderer sandbox under test (sandbox: true, contextIsolation) is independent of it.
  const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
  app = await electron.launch({
    cwd: root,
    args: [...(asRoot ? ['--no-sandbox'] : []), 'out/main/index.js', '--data-dir', dataDir],
  });
  page = await app.firstWindow();
});

test.afterAll(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('opens one operator window titled Registratura, served from app://desk', async () => {
  const titles = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((window) => window.getTitle()));
  expect(titles).toEqual(['Registratura']);
  expect(page.url()).toMatch(/^app:\/\/desk\//);
  await expect(page.getByTestId('app-shell')).toBeVisible();
});

test('the page has window.desk with exactly request and on, and no Node', async () => {
  const globals = await page.evaluate(() => {
    const scope = globalThis as { desk?: Record<string, unknown>; require?: unknown; process?: unknown; module?: unknown };
    return {
      desk: typeof scope.desk,
      keys: scope.desk ? Object.keys(scope.desk).sort() : [],
      require: typeof scope.require,
      process: typeof scope.process,
      module: typeof scope.module,
    };
  });
  expect(globals).toEqual({ desk: 'object', keys: ['on', 'request'], require: 'undefined', process: 'undefined', module: 'undefined' });
});

test('window.desk reaches the core and refuses names outside the contract', async () => {
  const info = await page.evaluate(() => (globalThis as unknown as { desk: { request(name: string, input: unknown): Promise<{ host: string }> } }).desk.request('app.info', {}));
  expect(info.host).toBe('electron');
  const refused = await page.evaluate(() =>
    (globalThis as unknown as { desk: { request(name: string, input: unknown): Promise<unknown> } }).desk
      .request('fs.readFile', { path: '/etc/passwd' })
      .then(
        () => 'resolved',
        (error: Error) => error.message,
      ),
  );
  expect(refused).toMatch(/^\[UNKNOWN_REQUEST\]/);
});

test('keeps running at full speed when minimised (background throttling off)', async () => {
  const throttling = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((window) => window.webContents.getBackgroundThrottling()));
  expect(throttling).toEqual([false]);
});

test('navigation away from the desk is refused', async () => {
  await page.evaluate(() => {
    window.location.href = 'https://evil.example/';
  });
  await expect(page.getByTestId('app-shell')).toBeVisible();
  expect(page.url()).toMatch(/^app:\/\/desk\//);
});

import { WebSocket } from 'ws';
import { expect, openDesk, test } from '../support/fixtures';

function tryBridge(url: string, origin: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_request, response) => resolve(`HTTP ${response.statusCode}`));
    ws.once('error', (error) => resolve(`error ${error.message}`));
  });
}

test.describe('browser host gatekeeping', () => {
  test('refuses the page and its assets without the token', async ({ desk, request }) => {
    const withToken = await request.get(desk.url);
    expect(withToken.status()).toBe(200);
    expect(withToken.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(withToken.headers()['content-security-policy']).not.toContain('unsafe-eval');

    // A token one character off (not the same one: a token may itself end in "x").
    const wrongToken = `${desk.token.slice(0, -1)}${desk.token.endsWith('x') ? 'y' : 'x'}`;
    for (const path of ['/', '/index.html', `/?token=${wrongToken}`]) {
      const response = await fetch(`${desk.origin}${path}`);
      expect(response.status, path).toBe(403);
    }
  });

  test('refuses a bridge WebSocket without the token or from another origin', async ({ desk }) => {
    const wsOrigin = desk.origin.replace('http', 'ws');
    expect(await tryBridge(`${wsOrigin}/bridge`, desk.origin)).toBe('HTTP 403');
    expect(await tryBridge(`${wsOrigin}/bridge?token=${desk.token}`, 'http://evil.example')).toBe('HTTP 403');
    expect(await tryBridge(`${wsOrigin}/bridge?token=${desk.token}`, desk.origin)).toBe('open');
  });

  test('the page has no Node and no Electron and reaches main only through the bridge', async ({ page, desk }) => {
    await openDesk(page, desk.url);
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      desk: typeof (globalThis as { desk?: unknown }).desk,
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', desk: 'undefined' });
  });

  test('the CSP blocks inline script injected into the page', async ({ page, desk }) => {
    await openDesk(page, desk.url);
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.appendChild(script);
      return (window as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_SCHEME_PRIVILEGES, contentTypeFor, createAppProtocolHandler, registerAppProtocol, resolveAppUrl } from './protocol';

const root = join(tmpdir(), 'desk-renderer-root');

describe('resolveAppUrl', () => {
  it('maps app://desk paths into the root', () => {
    expect(resolveAppUrl('app://desk/index.html', root)).toBe(join(root, 'index.html'));
    expect(resolveAppUrl('app://desk/assets/index-abc.js', root)).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveAppUrl('app://desk/assets/a%20b.png', root)).toBe(join(root, 'assets', 'a b.png'));
    expect(resolveAppUrl('app://desk/index.html?window=supervisor#x', root)).toBe(join(root, 'index.html'));
    expect(resolveAppUrl('app://DESK/index.html', root)).toBe(join(root, 'index.html'));
  });

  it('serves index.html for the root', () => {
    expect(resolveAppUrl('app://desk/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppUrl('app://desk', root)).toBe(join(root, 'index.html'));
  });

  it.each([
    'app://desk/../../etc/passwd',
    'app://desk/%2e%2e/%2e%2e/etc/passwd',
    'app://desk/%2E%2E/%2E%2E/etc/passwd',
    'app://desk/..%2f..%2f..%2fetc%2fpasswd',
    'app://desk/assets/..%2f..%2f..%2fetc/passwd',
    'app://desk/%2e%2e%2f%2e%2e%2fetc/passwd',
    'app://desk/..%5c..%5cwindows%5cwin.ini',
    'app://desk/%2fetc%2fpasswd',
    'app://desk//etc/passwd',
    'app://desk/assets/%00.js',
    'app://desk/%E0%A4%A',
    'app://desk/..',
  ])('never leaves the root for %s', (url) => {
    const resolved = resolveAppUrl(url, root);
    if (resolved !== null) expect(resolved.startsWith(root + sep)).toBe(true);
  });

  it('folds plain and %2e-encoded dot segments into the root (a harmless 404 there)', () => {
    // The URL parser resolves `..` and `%2e%2e` before we see the path, as Chromium does.
    expect(resolveAppUrl('app://desk/../../etc/passwd', root)).toBe(join(root, 'etc', 'passwd'));
    expect(resolveAppUrl('app://desk/%2e%2e/%2E%2E/etc/passwd', root)).toBe(join(root, 'etc', 'passwd'));
  });

  it('refuses NUL bytes and malformed escapes', () => {
    expect(resolveAppUrl('app://desk/assets/%00.js', root)).toBeNull();
    expect(resolveAppUrl('app://desk/%E0%A4%A', root)).toBeNull();
  });

  it('refuses encoded slashes that would climb out after decoding', () => {
    expect(resolveAppUrl('app://desk/..%2f..%2fetc/passwd', root)).toBeNull();
    expect(resolveAppUrl('app://desk/assets/..%2f..%2f..%2fetc/passwd', root)).toBeNull();
  });

  it.each(['app://evil/index.html', 'app://desk.evil/index.html', 'app://desk:8080/index.html', 'app://user:pw@desk/index.html', 'file:///etc/passwd', 'https://desk/index.html', 'not a url', ''])(
    'refuses other hosts and schemes: %s',
    (url) => {
      expect(resolveAppUrl(url, root)).toBeNull();
    },
  );
});

describe('app:// handler', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'desk-protocol-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Registratura</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const handler = () => createAppProtocolHandler(join(dir, 'renderer'));

  it('serves files with their content type and the security headers', async () => {
    const response = await handler()(new Request('app://desk/assets/app.js'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(await response.text()).toBe('export {};');
    const css = await handler()(new Request('app://desk/assets/app.css'));
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves index.html for / without caching', async () => {
    const response = await handler()(new Request('app://desk/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('<title>Registratura</title>');
  });

  it('404s for traversal, directories, missing files and other hosts — with the CSP still on', async () => {
    for (const url of ['app://desk/..%2fsecret.txt', 'app://desk/assets/..%2f..%2fsecret.txt', 'app://desk/assets', 'app://desk/missing.js', 'app://other/index.html']) {
      const response = await handler()(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('outside the root');
      expect(response.headers.get('content-security-policy'), url).toContain("default-src 'self'");
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await handler()(new Request('app://desk/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await handler()(new Request('app://desk/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
  });

  it('registers on the app scheme', () => {
    const protocol = { handle: vi.fn() };
    registerAppProtocol(protocol, dir);
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
  });
});

describe('scheme privileges and content types', () => {
  it('app:// is standard and secure, and bypasses nothing', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
  });

  it('knows the renderer build types and falls back to opaque bytes', () => {
    expect(contentTypeFor('/x/index.HTML')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/ring.ogg')).toBe('audio/ogg');
    expect(contentTypeFor('/x/logo.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('/x/file.exe')).toBe('application/octet-stream');
  });
});

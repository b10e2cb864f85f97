import { describe, expect, it } from 'vitest';
import { acceptedDevRendererUrl, isOwnOrigin, rendererEntryUrl } from './app-origin';

describe('isOwnOrigin', () => {
  it.each(['app://desk', 'app://desk/', 'app://desk/index.html?window=supervisor', 'app://DESK/assets/x.js'])('accepts %s', (url) => {
    expect(isOwnOrigin(url)).toBe(true);
  });

  it.each([
    'app://evil/index.html',
    'app://desk.evil/',
    'app://desk:1/',
    'app://user@desk/',
    'file:///app/index.html',
    'https://desk/',
    'http://localhost:5173/',
    'about:blank',
    'devtools://devtools/bundled/inspector.html',
    'javascript:alert(1)',
    '',
    'garbage',
  ])('refuses %s without a dev server', (url) => {
    expect(isOwnOrigin(url)).toBe(false);
  });

  it('accepts exactly the dev server origin when one is given', () => {
    const dev = 'http://localhost:5173/';
    expect(isOwnOrigin('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isOwnOrigin('http://localhost:5174/', dev)).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isOwnOrigin('https://localhost:5173/', dev)).toBe(false);
    expect(isOwnOrigin('app://desk/index.html', dev)).toBe(true);
  });
});

describe('acceptedDevRendererUrl', () => {
  it('accepts loopback http(s) only', () => {
    expect(acceptedDevRendererUrl('http://localhost:5173')).toBe('http://localhost:5173/');
    expect(acceptedDevRendererUrl('http://127.0.0.1:5173/')).toBe('http://127.0.0.1:5173/');
    expect(acceptedDevRendererUrl('http://[::1]:5173/')).toBe('http://[::1]:5173/');
    expect(acceptedDevRendererUrl('http://evil.example:5173/')).toBeUndefined();
    expect(acceptedDevRendererUrl('http://localhost.evil.example/')).toBeUndefined();
    expect(acceptedDevRendererUrl('file:///tmp/index.html')).toBeUndefined();
    expect(acceptedDevRendererUrl('')).toBeUndefined();
    expect(acceptedDevRendererUrl(undefined)).toBeUndefined();
  });
});

describe('rendererEntryUrl', () => {
  it('points windows at app://desk, or at the dev server', () => {
    expect(rendererEntryUrl('operator')).toBe('app://desk/index.html');
    expect(rendererEntryUrl('supervisor')).toBe('app://desk/index.html?window=supervisor');
    expect(rendererEntryUrl('operator', 'http://localhost:5173/')).toBe('http://localhost:5173/');
    expect(rendererEntryUrl('supervisor', 'http://localhost:5173/')).toBe('http://localhost:5173/?window=supervisor');
  });
});

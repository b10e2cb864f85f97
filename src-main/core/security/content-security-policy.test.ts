import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, CONTENT_SECURITY_POLICY, CSP_DIRECTIVES, securityHeaders } from './content-security-policy';

describe('CONTENT_SECURITY_POLICY', () => {
  it('is exactly the agreed policy', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('never allows inline or eval script, nor a wildcard source', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|\*/);
    for (const sources of Object.values(CSP_DIRECTIVES)) expect(sources).not.toContain('*');
  });

  it('builds from directives', () => {
    expect(buildContentSecurityPolicy({ 'default-src': ["'none'"], 'img-src': ["'self'", 'data:'] })).toBe("default-src 'none'; img-src 'self' data:");
  });
});

describe('securityHeaders', () => {
  it('carries the CSP and the companion headers', () => {
    expect(securityHeaders()).toEqual({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Permissions-Policy': expect.stringContaining('microphone=(self)'),
    });
  });

  it('allows the microphone to our own origin and nothing else', () => {
    const policy = securityHeaders()['Permissions-Policy'] ?? '';
    const allowed = policy
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => !entry.endsWith('=()'));
    expect(allowed).toEqual(['microphone=(self)']);
    expect(policy).toContain('camera=()');
    expect(policy).toContain('geolocation=()');
  });

  it('returns a fresh object each time, so a caller cannot change another response', () => {
    const first = securityHeaders();
    first['X-Frame-Options'] = 'ALLOW';
    expect(securityHeaders()['X-Frame-Options']).toBe('DENY');
  });
});

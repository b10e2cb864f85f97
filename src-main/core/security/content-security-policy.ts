/**
 * The one Content-Security-Policy and the companion headers both hosts send with the renderer:
 * Electron on every app:// response (and on dev-server responses), the browser host on every
 * HTTP response. Pure — no electron, no node:* — so both hosts and their tests share it.
 */

/**
 * Directive by directive, so a test can ask about one of them.
 * - no 'unsafe-inline' / 'unsafe-eval' anywhere: an injected script or style never runs;
 * - `img-src data:` for inline icons, `media-src blob:` for ringtones and remote audio streams;
 * - `connect-src ws: wss:` because the SIP transport (RFC 7118) goes to the PBX's host, which
 *   is configured at runtime and therefore cannot be listed here;
 * - no frames, no plugins, no forms posting anywhere, no `<base>` rewriting.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'media-src': ["'self'", 'blob:'],
  'connect-src': ["'self'", 'ws:', 'wss:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
});

/** Joins directives into the header value (`name src src; name src`). */
export function buildContentSecurityPolicy(directives: Readonly<Record<string, readonly string[]>> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** The header value every renderer response carries. */
export const CONTENT_SECURITY_POLICY: string = buildContentSecurityPolicy();

/**
 * Headers for every response that carries the renderer. Content-Type is the caller's: it
 * depends on the file. Microphone is the only powerful feature the page may ask for (the
 * softphone); everything else is switched off at the Permissions-Policy level too, so a
 * compromised page cannot even prompt for it.
 */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'microphone=(self), camera=(), geolocation=(), usb=(), serial=(), hid=(), payment=(), display-capture=()',
  };
}

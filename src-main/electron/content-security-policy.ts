import { CONTENT_SECURITY_POLICY, securityHeaders } from '../core/security/content-security-policy';

export { CONTENT_SECURITY_POLICY, securityHeaders };

/** The slice of `session.webRequest` this file uses. */
export interface WebRequestLike {
  onHeadersReceived(
    filter: { urls: string[] },
    listener: (
      details: { url: string; responseHeaders?: Record<string, string[]> },
      callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void,
  ): void;
}

/**
 * app:// responses carry the headers from the protocol handler itself; the dev server does not
 * know them, so in development they are added to every response of the dev server's origin.
 * Headers the server sent under another spelling are replaced, not doubled.
 */
export function installDevServerSecurityHeaders(webRequest: WebRequestLike, devRendererUrl: string): void {
  const origin = new URL(devRendererUrl).origin;
  const ours = securityHeaders();
  const lowerNames = new Set(Object.keys(ours).map((name) => name.toLowerCase()));
  webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, callback) => {
    const kept = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(([name]) => !lowerNames.has(name.toLowerCase())),
    );
    for (const [name, value] of Object.entries(ours)) kept[name] = [value];
    callback({ responseHeaders: kept });
  });
}

import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DiagnosticFailure, MisError } from '../mis/mis-connector';

/**
 * The one HTTP client of the MIS connectors (FHIR R4, 1C's HTTP service and OData): a base URL,
 * an auth scheme, a timeout on every request, bodies decoded by their charset (1C still answers
 * in windows-1251), and every failure turned into a {@link MisError} of the right kind — the
 * outbox and the status bar act on the kind, never on a message.
 */

/** How the client authenticates. `client-credentials`: an OAuth2 token endpoint (SMART backend services), token cached until it expires. */
export type HttpAuth =
  | { type: 'none' }
  | { type: 'basic'; user: string; password: string }
  | { type: 'bearer'; token: string }
  | { type: 'client-credentials'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

export interface HttpClientOptions {
  /** Absolute base URL; relative paths are resolved against it (a trailing slash is added). */
  baseUrl: string;
  auth: HttpAuth;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Now (epoch ms), for the token's expiry. */
  now?: () => number;
  /** For tests: another fetch. */
  fetch?: typeof fetch;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Query parameters; an array value repeats the parameter. */
  query?: Record<string, string | number | readonly string[] | undefined>;
  headers?: Record<string, string>;
  /** A JSON body (serialised here, `Content-Type: application/json; charset=utf-8` unless given). */
  json?: unknown;
  body?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The body decoded by its charset (header, BOM, else UTF-8 falling back to windows-1251). */
  text: string;
  /** The charset the body was decoded with. */
  charset: string;
  /** The URL asked, without credentials or query (for messages and diagnostics). */
  where: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** Refresh a client-credentials token this long before it expires. */
const TOKEN_MARGIN_MS = 30_000;
/** Largest body read (a page of a big export is ~1–5 MB). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class HttpClient {
  readonly baseUrl: URL;
  private readonly fetchImpl: typeof fetch;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly options: HttpClientOptions) {
    const base = new URL(options.baseUrl);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.baseUrl = base;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** `path` relative to the base URL, or an absolute URL on the same origin (a FHIR `next` link). */
  url(path: string, query?: HttpRequest['query']): URL {
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(path.replace(/^\/+/, ''), this.baseUrl);
    if (url.origin !== this.baseUrl.origin) throw new MisError('protocol', `The MIS pointed to another server (${url.origin}); the desk only follows links on ${this.baseUrl.origin}.`, { permanent: false });
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** Sends a request; any HTTP status comes back (the caller decides), network failures throw `unreachable` / `timeout`. */
  async request(path: string, request: HttpRequest = {}): Promise<HttpResponse> {
    const url = this.url(path, request.query);
    const where = `${url.origin}${url.pathname}`;
    const send = async (retryAuth: boolean): Promise<HttpResponse> => {
      const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
      const authorization = await this.authorization();
      if (authorization) headers.Authorization = authorization;
      let body = request.body;
      if (request.json !== undefined) {
        body = JSON.stringify(request.json);
        headers['Content-Type'] ??= 'application/json; charset=utf-8';
      }
      const response = await this.fetchOnce(url, { method: request.method ?? 'GET', headers, ...(body !== undefined && { body }) }, request.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, where);
      // An expired token: fetch a new one once.
      if (response.status === 401 && retryAuth && this.options.auth.type === 'client-credentials') {
        this.token = null;
        return send(false);
      }
      return response;
    };
    return send(true);
  }

  /** A request whose 2xx answer must be JSON: other statuses throw ({@link httpFailure}), a body that is not JSON throws `protocol`. */
  async json(path: string, request: HttpRequest = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
    const response = await this.request(path, request);
    if (response.status < 200 || response.status > 299) throw httpFailure(response);
    return { status: response.status, body: parseJson(response), headers: response.headers };
  }

  private async fetchOnce(url: URL, init: RequestInit, timeoutMs: number, where: string): Promise<HttpResponse> {
    let response: Response;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      response = await this.fetchImpl(url, { ...init, signal, redirect: 'manual' });
    } catch (error) {
      throw networkFailure(error, where, timeoutMs, signal.aborted);
    }
    let bytes: Uint8Array;
    try {
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > MAX_BODY_BYTES) throw new MisError('protocol', `The answer of ${where} is ${length} bytes, more than the desk reads.`);
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof MisError) throw error;
      throw networkFailure(error, where, timeoutMs, signal.aborted);
    }
    const { text, charset } = decodeBody(bytes, response.headers.get('content-type'));
    return { status: response.status, headers: response.headers, text, charset, where };
  }

  private async authorization(): Promise<string | null> {
    const auth = this.options.auth;
    switch (auth.type) {
      case 'none':
        return null;
      case 'basic':
        return `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
      case 'bearer':
        return `Bearer ${auth.token}`;
      case 'client-credentials':
        return `Bearer ${await this.clientCredentialsToken(auth)}`;
    }
  }

  /** OAuth2 client credentials (RFC 6749 §4.4), as SMART backend services use with a client secret. */
  private async clientCredentialsToken(auth: Extract<HttpAuth, { type: 'client-credentials' }>): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.token && this.token.expiresAt - TOKEN_MARGIN_MS > now) return this.token.value;
    const url = new URL(auth.tokenUrl);
    const where = `${url.origin}${url.pathname}`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(auth.scope && { scope: auth.scope }) });
    const response = await this.fetchOnce(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          Authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
        },
        body: form.toString(),
      },
      this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      where,
    );
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new MisError('auth', `The token endpoint ${where} refused the client id or secret (HTTP ${response.status}).`);
    }
    if (response.status < 200 || response.status > 299) throw httpFailure(response);
    const body = parseJson(response) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new MisError('protocol', `The token endpoint ${where} answered without an access_token.`);
    const lifetimeSec = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    this.token = { value: body.access_token, expiresAt: now + lifetimeSec * 1000 };
    return this.token.value;
  }
}

/**
 * Decodes a body: the `charset` of its Content-Type, else a BOM, else UTF-8 — and when that is
 * not valid UTF-8, windows-1251 (a 1C server or a Russian export that does not say).
 */
export function decodeBody(bytes: Uint8Array, contentType: string | null): { text: string; charset: string } {
  const declared = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? null;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), charset: 'utf-8' };
  if (declared !== null) {
    const charset = declared === 'cp1251' || declared === 'win-1251' ? 'windows-1251' : declared;
    try {
      return { text: new TextDecoder(charset).decode(bytes), charset };
    } catch {
      // an unknown charset name: guess below
    }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), charset: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1251').decode(bytes), charset: 'windows-1251' };
  }
}

/** The body as JSON, or `protocol` naming where and what came instead (never the body itself: it may hold patient data). */
export function parseJson(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new MisError('protocol', `${response.where} answered HTTP ${response.status} with a body that is not JSON (${type}; ${(error as Error).message.slice(0, 120)}).`);
  }
}

/**
 * A non-2xx answer as a {@link MisError}: 401/403 `auth` (transient: IT fixes it), 408/429/5xx
 * `unreachable` (transient), 404/405 `protocol` (a wrong path — transient, the status bar says
 * so), other 4xx `rejected` (permanent). `reason` is the server's own explanation when the
 * caller has read one (an OperationOutcome, a 1C error text).
 */
export function httpFailure(response: HttpResponse, reason?: string | null): MisError {
  const why = reason ? `: ${reason.slice(0, 500)}` : '';
  const status = response.status;
  if (status === 401) return new MisError('auth', `${response.where} refused the desk's credentials (HTTP 401)${why}.`);
  if (status === 403) return new MisError('auth', `${response.where} refused: the desk's user has no permission (HTTP 403)${why}.`);
  if (status === 404 || status === 405) return new MisError('protocol', `${response.where} does not exist on this server (HTTP ${status})${why}.`);
  if (status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400)) {
    const retryAfter = response.headers.get('retry-after');
    return new MisError('unreachable', `${response.where} answered HTTP ${status}${retryAfter ? ` (retry after ${retryAfter.slice(0, 40)})` : ''}${why}.`);
  }
  return new MisError('rejected', `${response.where} refused the request (HTTP ${status})${why}.`);
}

function networkFailure(error: unknown, where: string, timeoutMs: number, aborted: boolean): MisError {
  if (aborted || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) {
    return new MisError('timeout', `${where} did not answer within ${Math.round(timeoutMs / 1000)} s.`, { cause: error });
  }
  const code = errorCode(error);
  return new MisError('unreachable', `${where} cannot be reached (${code ?? (error instanceof Error ? error.message : 'network error')}).`, { cause: error });
}

/** The system error code under a fetch failure (`ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`). */
export function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|ERR_SSL/i;

/**
 * Diagnostic step `reach`: a TCP connection to the base URL's host and port. Fails naming the
 * system's reason: refused (nothing listens — a wrong port, the service stopped), not found
 * (a wrong host name), timed out (a firewall).
 */
export async function checkReach(baseUrl: string, timeoutMs = 5_000): Promise<string> {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DiagnosticFailure('checkNetwork', `No answer from ${host}:${port} within ${Math.round(timeoutMs / 1000)} s (a firewall, or the server is down).`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      const code = errorCode(error) ?? error.message;
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reject(new DiagnosticFailure('checkHostAndPort', `The host name ${host} is not known to this computer's DNS (${code}).`));
      else if (code === 'ECONNREFUSED') reject(new DiagnosticFailure('checkHostAndPort', `Nothing accepts connections on ${host}:${port} (${code}): a wrong port, or the service is stopped.`));
      else reject(new DiagnosticFailure('checkNetwork', `Cannot connect to ${host}:${port} (${code}).`));
    });
  });
  return `Connected to ${host}:${port} in ${Date.now() - started} ms.`;
}

/**
 * Diagnostic step `tls`: for https, a TLS handshake that verifies the certificate (names the
 * subject, issuer and expiry, or why it is not trusted); for http a warning that patient data
 * would cross the network unencrypted.
 */
export async function checkTls(baseUrl: string, timeoutMs = 5_000): Promise<string | { detail: string; warning: true }> {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') {
    return { detail: 'Plain HTTP: patient data crosses the network unencrypted. Use https:// unless the MIS is on this computer or a closed clinic network.', warning: true };
  }
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: url.hostname, port, servername: url.hostname, timeout: timeoutMs });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const protocol = socket.getProtocol();
      socket.destroy();
      resolve(`${protocol ?? 'TLS'}; certificate for ${cert.subject?.CN ?? url.hostname} from ${cert.issuer?.CN ?? cert.issuer?.O ?? 'unknown issuer'}, valid until ${cert.valid_to}.`);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new DiagnosticFailure('checkNetwork', `The TLS handshake with ${url.hostname}:${port} did not finish within ${Math.round(timeoutMs / 1000)} s.`));
    });
    socket.once('error', (error) => {
      const code = errorCode(error) ?? error.message;
      reject(new DiagnosticFailure(TLS_CODES.test(code) ? 'checkCertificate' : 'checkNetwork', `TLS with ${url.hostname}:${port} failed: ${code}.`));
    });
  });
}

import { httpFailure, type HttpClient, type HttpRequest, type HttpResponse } from '../http/http-client';
import { MisError } from '../mis/mis-connector';
import { asResource, operationOutcomeText } from './fhir-mapping';
import type { FhirBundle } from './fhir-resources';

/**
 * FHIR's REST conventions over the shared {@link HttpClient}: `application/fhir+json`, answers
 * read as JSON, errors read from their OperationOutcome into the `MisError` message (`Слот уже
 * занят`, not only `HTTP 409`), `next` links kept on the configured server.
 */

export interface FhirAnswer {
  status: number;
  /** The parsed body; null when there was none or (for an error status) it was not JSON. */
  body: unknown;
  response: HttpResponse;
}

const ACCEPT = 'application/fhir+json, application/json;q=0.9';

export class FhirApi {
  private warnedAboutLinks = false;

  constructor(
    readonly http: HttpClient,
    private readonly onLinkRewritten: (from: string) => void = () => {},
  ) {}

  /**
   * Any request; every HTTP status comes back. A 2xx body that is not JSON throws `protocol`
   * (a proxy's login page, a truncated answer); an error status's body is read when it is JSON.
   */
  async call(path: string, request: HttpRequest = {}): Promise<FhirAnswer> {
    const headers: Record<string, string> = { Accept: ACCEPT, ...request.headers };
    if (request.json !== undefined) headers['Content-Type'] ??= 'application/fhir+json; charset=utf-8';
    const response = await this.http.request(this.onServer(path), { ...request, headers });
    const ok = response.status >= 200 && response.status < 300;
    const text = response.text.replace(/^\uFEFF/, '').trim();
    if (text === '') return { status: response.status, body: null, response };
    try {
      return { status: response.status, body: JSON.parse(text), response };
    } catch (error) {
      if (!ok) return { status: response.status, body: null, response };
      const type = response.headers.get('content-type') ?? 'no content type';
      throw new MisError('protocol', `${response.where} answered HTTP ${response.status} with a body that is not JSON (${type}; ${(error as Error).message.slice(0, 120)}).`);
    }
  }

  /** A 2xx JSON answer's body, else the failure ({@link failure}). */
  async read(path: string, request: HttpRequest = {}): Promise<unknown> {
    const answer = await this.call(path, request);
    if (answer.status < 200 || answer.status > 299) throw this.failure(answer);
    return answer.body;
  }

  /** A search page: a `Bundle`, else `protocol`. */
  async bundle(path: string, query?: HttpRequest['query']): Promise<FhirBundle> {
    const body = await this.read(path, query === undefined ? {} : { query });
    const bundle = asResource<FhirBundle>(body, 'Bundle');
    if (!bundle) throw new MisError('protocol', `The server answered a search with something other than a FHIR Bundle (${describeBody(body)}).`);
    return bundle;
  }

  /** An error answer as a `MisError` of the right kind, with the OperationOutcome's words when there are some. */
  failure(answer: FhirAnswer): MisError {
    return httpFailure(answer.response, operationOutcomeText(answer.body));
  }

  /**
   * A server behind a proxy often writes its `next` links with its own inner address
   * (`http://hapi:8080/fhir?_getpages=…`): a link on another origin whose path is under the
   * configured base path is followed on the configured server instead. Any other origin is
   * left for the client to refuse.
   */
  onServer(path: string): string {
    if (!/^https?:\/\//i.test(path)) return path;
    let url: URL;
    try {
      url = new URL(path);
    } catch {
      return path;
    }
    const base = this.http.baseUrl;
    if (url.origin === base.origin) return path;
    const basePath = base.pathname.replace(/\/+$/, '');
    if (url.pathname === basePath || url.pathname.startsWith(`${basePath}/`) || (basePath === '' && url.pathname.startsWith('/'))) {
      if (!this.warnedAboutLinks) {
        this.warnedAboutLinks = true;
        this.onLinkRewritten(url.origin);
      }
      return `${base.origin}${url.pathname}${url.search}`;
    }
    return path;
  }
}

/** What a body was, for a message: its resourceType or JSON type — never its content. */
export function describeBody(body: unknown): string {
  if (body === null) return 'an empty body';
  if (typeof body === 'object' && !Array.isArray(body)) {
    const type = (body as { resourceType?: unknown }).resourceType;
    return typeof type === 'string' ? `a ${type.slice(0, 60)}` : 'a JSON object without resourceType';
  }
  return Array.isArray(body) ? 'a JSON array' : `a JSON ${typeof body}`;
}

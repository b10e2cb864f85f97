import { MisError, type MisConnectorManifest } from '../mis/mis-connector';
import { HttpClient, type HttpResponse } from '../http/http-client';
import type { OnecHttpConfig } from './onec-config';
import { OnecHttpConfigSchema } from './onec-config';

/** What both modes share: the manifest, the HTTP client for the infobase, reading 1C's error bodies. */

export const ONEC_HTTP_CONNECTOR_ID = 'onec-http';
const CONNECTOR_VERSION = '1.0.0';

/**
 * The manifest as registered: the HTTP-service mode (the default) pulls by 1C's change number
 * and writes once per key. A connector made in OData mode carries {@link onecODataManifest}
 * instead (read only, whole passes diffed).
 */
export function onecHttpServiceManifest(apiVersion: number): MisConnectorManifest {
  return {
    id: ONEC_HTTP_CONNECTOR_ID,
    kind: 'mis',
    version: CONNECTOR_VERSION,
    apiVersion,
    title: '1С:Медицина (HTTP-сервис, OData)',
    capabilities: ['changesSince', 'getCard', 'findByPhone', 'search', 'submit', 'schedule', 'booking', 'callLists'],
    pull: 'cursor',
    push: 'idempotent',
    configSchema: OnecHttpConfigSchema as MisConnectorManifest['configSchema'],
  };
}

/** The manifest of a connector in OData mode: no writes, no schedule, whole passes diffed against the last one. */
export function onecODataManifest(apiVersion: number): MisConnectorManifest {
  return { ...onecHttpServiceManifest(apiVersion), capabilities: ['changesSince', 'getCard', 'findByPhone', 'search'], pull: 'full', push: 'none' };
}

/** The infobase's HTTP client: basic auth (UTF-8 user name and password, as 1C reads them), the configured timeout. */
export function onecClient(config: OnecHttpConfig, fetchImpl?: typeof fetch): HttpClient {
  return new HttpClient({
    baseUrl: config.baseUrl,
    auth: { type: 'basic', user: config.user, password: config.password },
    timeoutMs: Math.round(config.timeoutSec * 1000),
    ...(fetchImpl && { fetch: fetchImpl }),
  });
}

/** The short error code a 1C answer carries (`{ "error": "slot-taken" }`, OData's `odata.error.code`), never its free text (it may name a patient). */
export function onecErrorCode(response: HttpResponse): string | null {
  try {
    const body = JSON.parse(response.text.replace(/^\uFEFF/, '')) as unknown;
    if (typeof body !== 'object' || body === null) return null;
    const record = body as Record<string, unknown>;
    const code = typeof record.error === 'string' ? record.error : (record['odata.error'] as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' || typeof code === 'number' ? String(code).replace(/[^\w.-]/g, '').slice(0, 60) || null : null;
  } catch {
    return null;
  }
}

/** A body that must be a JSON object: otherwise `protocol`, naming where. */
export function expectObject(body: unknown, where: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MisError('protocol', `${where} answered JSON that is not an object.`);
  return body as Record<string, unknown>;
}

/** A field of an answer that must be an array: otherwise `protocol`, naming the field. */
export function expectArray(body: Record<string, unknown>, key: string, where: string, optional = false): unknown[] {
  const value = body[key];
  if (value === undefined && optional) return [];
  if (!Array.isArray(value)) throw new MisError('protocol', `${where} answered without the array "${key}".`);
  return value;
}

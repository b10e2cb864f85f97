import type { ScheduleStream } from '../../../../src-shared/schedule/schedule-model';
import { BookingRejectionSchema } from '../../../../src-shared/schedule/schedule-model';
import { normalizePhone } from '../../patients/phone-normalisation';
import type { Logger } from '../../log/logger';
import { checkReach, checkTls, httpFailure, parseJson, type HttpClient, type HttpResponse } from '../http/http-client';
import {
  DiagnosticFailure,
  MIS_CONNECTOR_API_VERSION,
  MisError,
  type DiagnosticCheck,
  type MisChangesPage,
  type MisConnector,
  type MisConnectorManifest,
  type MisHealth,
  type MisStreamOptions,
  type MisStreamPage,
  type MisSubmission,
  type MisSubmitResult,
} from '../mis/mis-connector';
import { BookingCancelPayloadSchema, BookingCreatePayloadSchema, BookingMovePayloadSchema, CallListOutcomePayloadSchema, MIS_WRITE_KINDS } from '../mis/mis-writes';
import type { OnecHttpConfig, OnecHttpServiceMode } from './onec-config';
import { expectArray, expectObject, onecClient, onecErrorCode, onecHttpServiceManifest } from './onec-common';
import { cardFromServicePatient } from './onec-patient-mapping';
import { onecDate, onecDateTime, onecId, onecRef, onecText, onecVersion } from './onec-values';

/**
 * `onec-http` in HTTP-service mode: the clinic's 1C programmer publishes the methods of
 * docs/1c-http-service.md under `/hs/<service>/` and the desk reads patients by 1C's change
 * number, looks callers up, reads the schedule and sends notes and bookings, each write once
 * per idempotency key (1C keeps a register of the keys it applied).
 */

const CURSOR = /^hs1:(\d{1,15})$/;
const SEARCH_LIMIT = 50;

const BOOKING_SCHEMAS = {
  [MIS_WRITE_KINDS.bookingCreate]: BookingCreatePayloadSchema,
  [MIS_WRITE_KINDS.bookingMove]: BookingMovePayloadSchema,
  [MIS_WRITE_KINDS.bookingCancel]: BookingCancelPayloadSchema,
} as const;

export class OnecHttpServiceConnector implements MisConnector {
  readonly manifest: MisConnectorManifest = onecHttpServiceManifest(MIS_CONNECTOR_API_VERSION);
  readonly pollIntervalMs: number;
  private readonly client: HttpClient;
  private readonly mode: OnecHttpServiceMode;

  constructor(
    private readonly config: OnecHttpConfig,
    private readonly logger: Logger,
    fetchImpl?: typeof fetch,
  ) {
    if (config.mode.type !== 'http-service') throw new Error('OnecHttpServiceConnector needs mode http-service');
    this.mode = config.mode;
    this.client = onecClient(config, fetchImpl);
    this.pollIntervalMs = config.syncIntervalSec * 1000;
  }

  /** A method's path under the publication: `hs/registratura/v1/patients/changes`. */
  private path(method: keyof OnecHttpServiceMode['paths'], params: Record<string, string> = {}): string {
    let path = this.mode.paths[method];
    for (const [name, value] of Object.entries(params)) path = path.replaceAll(`{${name}}`, encodeURIComponent(value));
    return `${this.mode.servicePath.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  }

  private async getJson(path: string, query?: Record<string, string | number>): Promise<Record<string, unknown>> {
    const response = await this.client.request(path, { ...(query && { query }) });
    if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
    return expectObject(parseJson(response), response.where);
  }

  async health(): Promise<MisHealth> {
    const started = Date.now();
    await this.getJson(this.pingPath());
    const latencyMs = Date.now() - started;
    return { state: latencyMs > 3_000 ? 'degraded' : 'online', latencyMs };
  }

  private pingPath(): string {
    return `${this.mode.servicePath.replace(/\/+$/, '')}/ping`;
  }

  async changesSince(cursor: string | null, limit: number): Promise<MisChangesPage> {
    const since = cursor === null ? 0 : decodeCursor(cursor);
    const path = this.path('changes');
    const body = await this.getJson(path, { since, limit: Math.max(1, Math.floor(limit)) });
    const where = `${this.client.baseUrl.origin}/…/${this.mode.paths.changes}`;
    const next = onecVersion(body.next);
    if (next === null) throw new MisError('protocol', `${where} answered without a change number "next".`);
    if (typeof body.more !== 'boolean') throw new MisError('protocol', `${where} answered without "more": true/false.`);
    const merges = expectArray(body, 'merged', where, true).flatMap((entry) => {
      const m = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
      const from = onecId(m.from);
      const into = onecId(m.into);
      return from && into ? [{ from, into }] : [];
    });
    return {
      cards: expectArray(body, 'items', where).map((item) => cardFromServicePatient(item, this.config.timeZone)),
      deletions: expectArray(body, 'deleted', where, true).flatMap((id) => {
        const ref = onecId(id);
        return ref ? [ref] : [];
      }),
      merges,
      nextCursor: `hs1:${next}`,
      hasMore: body.more,
      ...(onecVersion(body.total) !== null && { total: onecVersion(body.total)! }),
    };
  }

  async getCard(misId: string): Promise<unknown> {
    const response = await this.client.request(this.path('patient', { id: misId }));
    if (response.status === 404 && onecErrorCode(response) === 'not-found') return null;
    if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
    return cardFromServicePatient(parseJson(response), this.config.timeZone);
  }

  /**
   * Asks the service with the number in E.164 (`phone=+79161234567`) and its last ten digits
   * (`national=9161234567`): the service matches whatever form its staff typed (the doc says how).
   */
  async findByPhone(raw: string): Promise<unknown[]> {
    const phone = normalizePhone(String(raw));
    const digits = String(raw).replace(/\D/g, '');
    if (!phone && digits.length < 10) return [];
    const query = phone ? { phone: phone.e164, national: phone.national10 } : { phone: `+${digits}`, national: digits.slice(-10) };
    return this.items(this.path('patientsByPhone'), query);
  }

  async search(query: string): Promise<unknown[]> {
    const q = String(query).trim().slice(0, 200);
    if (q === '') return [];
    return this.items(this.path('search'), { q, limit: SEARCH_LIMIT });
  }

  private async items(path: string, query: Record<string, string | number>): Promise<unknown[]> {
    const body = await this.getJson(path, query);
    return expectArray(body, 'items', path)
      .slice(0, SEARCH_LIMIT)
      .map((item) => cardFromServicePatient(item, this.config.timeZone));
  }

  async streamChangesSince(stream: ScheduleStream, cursor: string | null, limit: number, options: MisStreamOptions): Promise<MisStreamPage> {
    const since = cursor === null ? 0 : decodeCursor(cursor);
    const path = this.path('schedule', { stream });
    const body = await this.getJson(path, { since, limit: Math.max(1, Math.floor(limit)), today: options.today, horizonDays: options.horizonDays });
    const next = onecVersion(body.next);
    if (next === null || typeof body.more !== 'boolean') throw new MisError('protocol', `${path} answered without "next" and "more".`);
    return {
      records: expectArray(body, 'records', path).map((record) => scheduleRecord(stream, record, this.config.timeZone)),
      removed: expectArray(body, 'removed', path, true).flatMap((id) => onecId(id) ?? []),
      nextCursor: `hs1:${next}`,
      hasMore: body.more,
      ...(onecVersion(body.total) !== null && { total: onecVersion(body.total)! }),
    };
  }

  /**
   * Booking writes go to `bookings`, everything else (wrap-ups, new-patient drafts, callback and
   * call-list outcomes) to `notes`, as `{ key, kind, payload }`. A booking payload that fails its
   * schema is refused here (`rejected`), never sent.
   */
  async submit(submission: MisSubmission): Promise<MisSubmitResult> {
    const bookingSchema = BOOKING_SCHEMAS[submission.kind as keyof typeof BOOKING_SCHEMAS];
    const schema = bookingSchema ?? (submission.kind === MIS_WRITE_KINDS.callListOutcome ? CallListOutcomePayloadSchema : null);
    if (schema && !schema.safeParse(submission.payload).success) {
      throw new MisError('rejected', `The ${submission.kind} payload is not valid; it was not sent to 1C.`);
    }
    const path = this.path(bookingSchema ? 'bookings' : 'notes');
    const response = await this.client.request(path, { method: 'POST', json: { key: submission.idempotencyKey, kind: submission.kind, payload: submission.payload } });
    if (response.status === 409 || response.status === 422) throw writeRefusal(response, submission.kind);
    if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
    const body = expectObject(parseJson(response), response.where);
    const status = body.status;
    const ref = onecText(body.ref);
    if ((status !== 'applied' && status !== 'duplicate') || ref === null) throw new MisError('protocol', `${response.where} answered without status "applied" / "duplicate" and a "ref".`);
    const appointmentId = onecId(body.appointmentId);
    if (status === 'duplicate') this.logger.info('onec-http.submit.duplicate', { kind: submission.kind });
    return { status, ref, ...(appointmentId !== null && { appointmentId }) };
  }

  diagnostics(): DiagnosticCheck[] {
    let ping: Record<string, unknown> | null = null;
    const pingPath = this.pingPath();
    return [
      { step: 'reach', run: () => checkReach(this.config.baseUrl) },
      { step: 'tls', run: () => checkTls(this.config.baseUrl) },
      {
        step: 'auth',
        run: async () => {
          const response = await this.client.request(pingPath);
          if (response.status === 401 || response.status === 403) {
            throw new DiagnosticFailure('checkCredentials', `1C refused the user «${this.config.user}» (HTTP ${response.status}): check the user name, the password and that the user may use the HTTP service.`);
          }
          if (response.status === 404) throw new DiagnosticFailure('checkPublication', `${response.where} is not there (HTTP 404): the HTTP service is not published on the web server (Администрирование → Публикация на веб-сервере → HTTP-сервисы).`);
          if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
          ping = expectObject(parseJson(response), response.where);
          return `1C accepted the user (HTTP ${response.status}).`;
        },
      },
      {
        step: 'metadata',
        run: () => {
          const version = onecText(ping?.version) ?? 'not given';
          return Promise.resolve(`The HTTP service answers at ${pingPath} (version ${version}).`);
        },
      },
      {
        step: 'read-patient',
        run: async () => {
          const page = await this.changesSince(null, 1).catch((error: unknown) => {
            if (error instanceof MisError && error.kind === 'protocol') throw new DiagnosticFailure('checkEndpointPath', `Reading the changes failed: ${error.message} Check the method paths.`);
            throw error;
          });
          if (page.cards.length === 0) return { detail: 'The service answered, but sent no patient: is the change register filled?', warning: true as const };
          return `Read a patient (${page.total !== undefined ? `${page.total} changes in all` : 'more waiting'}).`;
        },
      },
      {
        step: 'read-schedule',
        run: async () => {
          const response = await this.client.request(this.path('schedule', { stream: 'branches' }), { query: { since: 0, limit: 1 } });
          if (response.status === 404) return { detail: 'The service has no schedule method: booking from the desk stays off.', warning: true as const };
          if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
          parseJson(response);
          return 'The schedule answers.';
        },
      },
      {
        step: 'write-permission',
        run: () => {
          const canWrite = ping?.canWrite;
          if (canWrite === false) return Promise.reject(new DiagnosticFailure('checkPermissions', `The service says the user «${this.config.user}» may not write: notes and bookings would stay undelivered.`));
          if (canWrite !== true) return Promise.resolve({ detail: 'The service does not say whether the user may write ("canWrite" in ping).', warning: true as const });
          return Promise.resolve('The user may write notes and bookings.');
        },
      },
    ];
  }
}

/** `hs1:<number>`, else `rejected`: the desk starts the stream over. */
function decodeCursor(cursor: string): number {
  const match = CURSOR.exec(cursor);
  if (!match) throw new MisError('rejected', 'The sync position was not issued by this 1C HTTP service; the desk starts over.');
  return Number(match[1]);
}

/** A 409/422 answer to a write: a booking's reason as a typed rejection (slot-taken…), anything else `refused`. */
function writeRefusal(response: HttpResponse, kind: string): MisError {
  const code = onecErrorCode(response);
  const rejection = BookingRejectionSchema.safeParse(code);
  return new MisError('rejected', `1C refused the ${kind} (HTTP ${response.status}${code ? `: ${code}` : ''}).`, { rejection: rejection.success ? rejection.data : 'refused' });
}

/** Schedule records as 1C writes them → the desk's shapes: offset-less times on the 1C clock, empty references as null. */
function scheduleRecord(stream: ScheduleStream, raw: unknown, timeZone: string): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const record = { ...(raw as Record<string, unknown>) };
  if (typeof record.id === 'string') record.id = onecRef(record.id) ?? record.id;
  if (stream === 'slots') {
    record.startsAt = onecDateTime(record.startsAt, timeZone) ?? record.startsAt;
    for (const key of ['doctorId', 'patientMisId', 'appointmentId', 'serviceId'] as const) {
      if (typeof record[key] === 'string') record[key] = onecId(record[key]);
    }
  }
  if (stream === 'doctors' && typeof record.branchId === 'string') record.branchId = onecRef(record.branchId) ?? record.branchId;
  if (stream === 'call-tasks') {
    record.dueDate = onecDate(record.dueDate) ?? record.dueDate;
    if (typeof record.patientMisId === 'string') record.patientMisId = onecRef(record.patientMisId) ?? record.patientMisId;
  }
  return record;
}

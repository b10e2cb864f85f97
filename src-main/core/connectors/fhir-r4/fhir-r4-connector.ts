import { MisIdSchema } from '../../../../src-shared/patients/patient-card';
import type { ScheduleStream } from '../../../../src-shared/schedule/schedule-model';
import { systemClock, type Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
import { normalizePhone } from '../../patients/phone-normalisation';
import { checkReach, checkTls, HttpClient } from '../http/http-client';
import {
  DiagnosticFailure,
  MIS_CONNECTOR_API_VERSION,
  MisError,
  type DiagnosticCheck,
  type MisCapability,
  type MisChangesPage,
  type MisConnector,
  type MisConnectorManifest,
  type MisHealth,
  type MisStreamOptions,
  type MisStreamPage,
  type MisSubmission,
  type MisSubmitResult,
} from '../mis/mis-connector';
import { FhirApi } from './fhir-api';
import { FhirR4ConfigSchema, type FhirR4Config } from './fhir-config';
import { alreadyDelivered, decodePatientsCursor, emptyScan, encodePatientsCursor, finishScan, noteDelivered, type ScanCursor } from './fhir-cursor';
import { asResource, bundleEntries, isObject, mappingOptions, nextLink, patientFate, patientPhones, patientToCard, resourceId, type PatientMappingOptions } from './fhir-mapping';
import type { FhirBundle, FhirPatient, FhirResource } from './fhir-resources';
import { schedulePage } from './fhir-schedule';
import { escapeSearchValue, nameParam, parsePatientQuery, phoneForms, punctuatedPhoneForms, snilsForms } from './fhir-search';
import { submitWrite, writeSwitch } from './fhir-writes';

/** The connector's own version. */
export const FHIR_R4_CONNECTOR_VERSION = '1.0.0';

/** Every capability the connector can have; an instance drops `booking` / `submit` when its settings turn those writes off. */
export const FHIR_R4_CAPABILITIES: readonly MisCapability[] = ['changesSince', 'getCard', 'findByPhone', 'search', 'submit', 'schedule', 'booking'];

export const FHIR_R4_MANIFEST: MisConnectorManifest<FhirR4Config> = {
  id: 'fhir-r4',
  kind: 'mis',
  version: FHIR_R4_CONNECTOR_VERSION,
  apiVersion: MIS_CONNECTOR_API_VERSION,
  title: 'FHIR R4',
  capabilities: FHIR_R4_CAPABILITIES,
  pull: 'since',
  push: 'idempotent',
  configSchema: FhirR4ConfigSchema,
};

/** Cards a lookup returns at most. */
const LOOKUP_LIMIT = 50;
/** Slower than this, `health()` says degraded. */
const SLOW_MS = 2_000;

export interface FhirR4ConnectorOptions {
  config: FhirR4Config;
  logger: Logger;
  clock?: Clock;
  /** For tests: another fetch. */
  fetch?: typeof fetch;
}

/**
 * A MIS that speaks FHIR R4 (README.md here): patients by `Patient` search (delta sync by
 * `_lastUpdated`), the schedule from `Location` / `PractitionerRole` / `HealthcareService` /
 * `Slot`, writes as conditional creates. Returns data only; every failure is a `MisError`.
 */
export class FhirR4Connector implements MisConnector {
  readonly manifest: MisConnectorManifest;
  readonly pollIntervalMs: number;
  private readonly api: FhirApi;
  private readonly mapping: PatientMappingOptions;
  private readonly clock: Clock;
  /** False once the server refused `_sort=_lastUpdated` (some façades cannot sort). */
  private sortByLastUpdated = true;

  constructor(private readonly options: FhirR4ConnectorOptions) {
    const { config } = options;
    this.clock = options.clock ?? systemClock;
    const http = new HttpClient({ baseUrl: config.baseUrl, auth: config.auth, timeoutMs: config.timeoutSec * 1000, now: () => this.clock.now(), ...(options.fetch && { fetch: options.fetch }) });
    this.api = new FhirApi(http, (origin) => options.logger.warn('mis.fhir.next-link-rewritten', { from: origin, to: http.baseUrl.origin }));
    this.mapping = mappingOptions(config.identifierSystems);
    this.pollIntervalMs = config.syncIntervalSec * 1000;
    const anyWrite = Object.values(config.writes).some(Boolean);
    this.manifest = {
      ...FHIR_R4_MANIFEST,
      capabilities: FHIR_R4_CAPABILITIES.filter((c) => (c !== 'booking' || config.writes.bookings) && (c !== 'submit' || anyWrite)),
      push: anyWrite ? 'idempotent' : 'none',
    } as MisConnectorManifest;
  }

  private get config(): FhirR4Config {
    return this.options.config;
  }

  /** One light request: the CapabilityStatement's summary, or (a server without one) a one-patient search. */
  async health(): Promise<MisHealth> {
    const started = this.clock.now();
    const meta = await this.api.call('metadata', { query: { _summary: 'true' } });
    if (meta.status === 404 || meta.status === 405 || meta.status === 501) await this.api.bundle('Patient', { _count: 1 });
    else if (meta.status < 200 || meta.status > 299) throw this.api.failure(meta);
    const latencyMs = Math.max(0, this.clock.now() - started);
    return { state: latencyMs > SLOW_MS ? 'degraded' : 'online', latencyMs };
  }

  // ---- patients ------------------------------------------------------------------------------

  async changesSince(cursor: string | null, limit: number): Promise<MisChangesPage> {
    let scan: ScanCursor = cursor === null ? emptyScan() : decodePatientsCursor(cursor);
    const count = Math.max(1, Math.min(Math.floor(limit) || 1, this.config.pageSize));
    let bundle: FhirBundle;
    if (scan.next !== null) {
      const answer = await this.api.call(scan.next);
      if (answer.status === 404 || answer.status === 410) {
        // The server forgot the paged search: this scan starts again from its own start (a few cards come twice, harmlessly).
        this.options.logger.info('mis.fhir.paging-expired', { status: answer.status });
        scan = { ...scan, next: null, delivered: 0, total: null };
        bundle = await this.firstPatientsPage(scan, count);
      } else {
        if (answer.status < 200 || answer.status > 299) throw this.api.failure(answer);
        const page = asResource<FhirBundle>(answer.body, 'Bundle');
        if (!page) throw new MisError('protocol', 'The server answered a page of the patient search with something other than a FHIR Bundle.');
        bundle = page;
      }
    } else {
      bundle = await this.firstPatientsPage(scan, count);
    }
    const deliveredBefore = scan.delivered;
    const page: MisChangesPage = { cards: [], deletions: [], merges: [], nextCursor: '', hasMore: false, origins: [] };
    const now = this.clock.now();
    const { matches } = bundleEntries(bundle);
    for (const resource of matches) {
      const patient = asResource<FhirPatient>(resource, 'Patient');
      if (!patient) continue;
      const id = resourceId(patient);
      if (id === null) continue;
      const lastUpdated = isObject(patient.meta) && typeof patient.meta.lastUpdated === 'string' ? patient.meta.lastUpdated : null;
      if (alreadyDelivered(scan, id, lastUpdated)) continue;
      noteDelivered(scan, id, lastUpdated);
      const fate = patientFate(patient);
      if (fate.kind === 'deleted') page.deletions.push(id);
      else if (fate.kind === 'merged') page.merges.push({ from: id, into: fate.into });
      else {
        page.cards.push(patientToCard(patient, this.mapping, now));
        page.origins!.push(`Patient/${id}`);
      }
    }
    const next = nextLink(bundle);
    const scanTotal = scan.total;
    page.hasMore = next !== null && matches.length > 0;
    scan = page.hasMore ? { ...scan, next } : finishScan(scan);
    page.nextCursor = encodePatientsCursor(scan);
    if (scanTotal !== null) page.total = Math.max(page.cards.length + page.deletions.length + page.merges.length, scanTotal - deliveredBefore);
    return page;
  }

  private async firstPatientsPage(scan: ScanCursor, count: number): Promise<FhirBundle> {
    const query = { _count: count, ...(scan.from !== null && { _lastUpdated: `ge${scan.from}` }) };
    let bundle: FhirBundle;
    if (this.sortByLastUpdated) {
      const answer = await this.api.call('Patient', { query: { ...query, _sort: '_lastUpdated' } });
      if (answer.status === 400 || answer.status === 422) {
        // Some servers cannot sort by _lastUpdated; the scan does not need the order.
        this.sortByLastUpdated = false;
        this.options.logger.info('mis.fhir.sort-unsupported', { status: answer.status });
        bundle = await this.api.bundle('Patient', query);
      } else {
        if (answer.status < 200 || answer.status > 299) throw this.api.failure(answer);
        const body = asResource<FhirBundle>(answer.body, 'Bundle');
        if (!body) throw new MisError('protocol', 'The server answered the patient search with something other than a FHIR Bundle.');
        bundle = body;
      }
    } else {
      bundle = await this.api.bundle('Patient', query);
    }
    scan.total = typeof bundle.total === 'number' ? bundle.total : null;
    return bundle;
  }

  async getCard(misId: string): Promise<unknown> {
    if (!MisIdSchema.safeParse(misId).success) return null;
    const answer = await this.api.call(`Patient/${encodeURIComponent(misId)}`);
    if (answer.status === 404 || answer.status === 410) return null;
    if (answer.status < 200 || answer.status > 299) throw this.api.failure(answer);
    const patient = asResource<FhirPatient>(answer.body, 'Patient');
    if (!patient) throw new MisError('protocol', `The server answered a read of Patient/${misId} with something other than a Patient.`);
    return patientFate(patient).kind === 'live' ? patientToCard(patient, this.mapping, this.clock.now()) : null;
  }

  /**
   * Cards carrying the number: `phone=` with its canonical forms OR-ed (one request), and when
   * none is stored so, with the punctuated forms. Only active patients; a merged-away one
   * leads to its survivor. Kept only when the card really carries the number (a server that
   * ignores an unknown parameter answers with everyone).
   */
  async findByPhone(raw: string): Promise<unknown[]> {
    const phone = normalizePhone(String(raw));
    if (phone === null) return [];
    const now = this.clock.now();
    const carries = (patient: FhirPatient) => patientPhones(patient, now).some((p) => p.national10 === phone.national10);
    for (const forms of [phoneForms(phone.e164), punctuatedPhoneForms(phone.e164)]) {
      if (forms.length === 0) continue;
      const patients = (await this.searchPatients({ phone: forms.map(escapeSearchValue).join(','), _count: LOOKUP_LIMIT })).filter(carries);
      if (patients.length > 0) return this.liveCards(patients);
    }
    return [];
  }

  /**
   * The MIS's own search: a birth date (`12.03.1985`), an ОМС policy (16 digits), a СНИЛС (11
   * digits or `112-233-445 95`) or name words (each a `name` prefix, AND-ed; ё folded in).
   */
  async search(query: string): Promise<unknown[]> {
    const parsed = parsePatientQuery(String(query));
    if (parsed === null) return [];
    const params: Record<string, string | number | string[]> = { _count: LOOKUP_LIMIT };
    if (parsed.names.length > 0) params.name = parsed.names.map(nameParam);
    if (parsed.birthDate !== null) params.birthdate = parsed.birthDate;
    if (parsed.identifier !== null) {
      const values = parsed.identifier.kind === 'snils' ? snilsForms(parsed.identifier.digits) : [parsed.identifier.digits];
      params.identifier = values.map(escapeSearchValue).join(',');
    }
    const cards = await this.liveCards(await this.searchPatients(params));
    if (parsed.identifier === null) return cards;
    const field = parsed.identifier.kind === 'oms' ? 'omsPolicy' : 'snils';
    return cards.filter((card) => card[field] === parsed.identifier!.digits);
  }

  private async searchPatients(query: Record<string, string | number | string[]>): Promise<FhirPatient[]> {
    const bundle = await this.api.bundle('Patient', query);
    return bundleEntries(bundle)
      .matches.map((r) => asResource<FhirPatient>(r, 'Patient'))
      .filter((p): p is FhirPatient => p !== null && resourceId(p) !== null);
  }

  /** Active patients as cards; a merged-away patient replaced by its survivor (read when not among them); at most 50. */
  private async liveCards(patients: FhirPatient[]): Promise<Record<string, unknown>[]> {
    const now = this.clock.now();
    const byId = new Map<string, Record<string, unknown>>();
    const successors = new Set<string>();
    for (const patient of patients) {
      const fate = patientFate(patient);
      if (fate.kind === 'live') byId.set(patient.id!, patientToCard(patient, this.mapping, now));
      else if (fate.kind === 'merged') successors.add(fate.into);
    }
    for (const id of successors) {
      if (byId.has(id) || byId.size >= LOOKUP_LIMIT) continue;
      const survivor = await this.getCard(id);
      if (isObject(survivor)) byId.set(id, survivor);
    }
    return [...byId.values()].slice(0, LOOKUP_LIMIT);
  }

  // ---- writes and schedule -------------------------------------------------------------------

  submit(submission: MisSubmission): Promise<MisSubmitResult> {
    return submitWrite({ api: this.api, writes: this.config.writes, logger: this.options.logger }, submission);
  }

  streamChangesSince(stream: ScheduleStream, cursor: string | null, limit: number, options: MisStreamOptions): Promise<MisStreamPage> {
    return schedulePage(this.api, stream, cursor, limit, this.config.pageSize, options);
  }

  // ---- test connection -----------------------------------------------------------------------

  /**
   * reach → tls → auth (`metadata`, then one patient: 401/403 name the credentials) →
   * read-patient (the server's FHIR version) → read-schedule (a warning when it publishes no
   * slots) → write-permission (what its CapabilityStatement says about creating the resources
   * the enabled writes make; a warning when it publishes none).
   */
  diagnostics(): DiagnosticCheck[] {
    const baseUrl = this.config.baseUrl;
    let capability: FhirResource | null = null;
    let capabilityNote = '';
    return [
      { step: 'reach', run: () => checkReach(baseUrl) },
      { step: 'tls', run: () => checkTls(baseUrl) },
      {
        step: 'auth',
        run: async () => {
          const meta = await this.api.call('metadata');
          if (meta.status >= 200 && meta.status < 300) capability = asResource(meta.body, 'CapabilityStatement');
          else capabilityNote = ` (no CapabilityStatement: HTTP ${meta.status})`;
          const answer = await this.api.call('Patient', { query: { _count: 1 } });
          if (answer.status === 401 || answer.status === 403) {
            const failure = this.api.failure(answer);
            const how = this.config.auth.type === 'none' ? 'the server wants credentials and none are configured' : `the server refused the ${this.config.auth.type} credentials`;
            throw new DiagnosticFailure(answer.status === 403 ? 'checkPermissions' : 'checkCredentials', `${how}: ${failure.message}`);
          }
          if (answer.status < 200 || answer.status > 299) throw this.api.failure(answer);
          return `HTTP ${answer.status} from ${answer.response.where} (${this.config.auth.type === 'none' ? 'no authentication' : this.config.auth.type})${capabilityNote}.`;
        },
      },
      {
        step: 'read-patient',
        run: async () => {
          const bundle = await this.api.bundle('Patient', { _count: 1 });
          const patients = bundleEntries(bundle).matches.filter((r) => r.resourceType === 'Patient');
          const version = capability && typeof capability.fhirVersion === 'string' ? capability.fhirVersion : null;
          const software = capability && isObject(capability.software) && typeof capability.software.name === 'string' ? ` (${capability.software.name.slice(0, 80)})` : '';
          const server = version ? `server FHIR ${version.slice(0, 20)}${software}` : 'the server does not say its FHIR version';
          const total = typeof bundle.total === 'number' ? ` of ${bundle.total}` : '';
          if (version !== null && !version.startsWith('4.0')) return { detail: `Read ${patients.length} patient${total}; ${server} — this connector speaks FHIR R4 (4.0.1).`, warning: true };
          if (patients.length === 0) return { detail: `The server has no patients yet; ${server}.`, warning: true };
          return `Read ${patients.length} patient${total}; ${server}.`;
        },
      },
      {
        step: 'read-schedule',
        run: async () => {
          const answer = await this.api.call('Slot', { query: { _count: 1 } });
          if (answer.status === 404 || answer.status === 400) return { detail: `The server publishes no Slot resources (HTTP ${answer.status}): booking will show no schedule.`, warning: true };
          if (answer.status < 200 || answer.status > 299) throw this.api.failure(answer);
          const bundle = asResource<FhirBundle>(answer.body, 'Bundle');
          const slots = bundle ? bundleEntries(bundle).matches.filter((r) => r.resourceType === 'Slot').length : 0;
          if (slots === 0) return { detail: 'The server has no slots: booking will show no schedule.', warning: true };
          return `Read ${slots} slot${bundle && typeof bundle.total === 'number' ? ` of ${bundle.total}` : ''}.`;
        },
      },
      {
        step: 'write-permission',
        run: async () => writePermission(capability, this.config),
      },
    ];
  }

  async release(): Promise<void> {
    // Nothing held: fetch's keep-alive sockets close by themselves.
  }
}

/** The resource type each enabled write creates. */
function writtenTypes(config: FhirR4Config): string[] {
  const types = new Set<string>();
  for (const [kind, type] of [
    ['wrapup', 'Communication'],
    ['callback-outcome', 'Task'],
    ['call-list.outcome', 'Task'],
    ['new-patient', 'Patient'],
    ['booking.create', 'Appointment'],
  ] as const) {
    const toggle = writeSwitch(kind);
    if (toggle !== null && config.writes[toggle]) types.add(type);
  }
  return [...types];
}

function writePermission(capability: FhirResource | null, config: FhirR4Config): string | { detail: string; warning: true } {
  const types = writtenTypes(config);
  if (types.length === 0) return 'No writes are enabled in the settings.';
  if (capability === null) return { detail: `The server publishes no CapabilityStatement; whether it lets the desk create ${types.join(', ')} shows on the first write.`, warning: true };
  const rest = (Array.isArray(capability.rest) ? capability.rest : []).find((r) => isObject(r) && (r.mode === 'server' || r.mode === undefined));
  const resources = isObject(rest) && Array.isArray(rest.resource) ? rest.resource.filter(isObject) : [];
  const missing: string[] = [];
  const unconditional: string[] = [];
  for (const type of types) {
    const entry = resources.find((r) => r.type === type);
    const canCreate = entry !== undefined && Array.isArray(entry.interaction) && entry.interaction.some((i) => isObject(i) && i.code === 'create');
    if (!canCreate) missing.push(type);
    else if (entry.conditionalCreate === false) unconditional.push(type);
  }
  if (missing.length > 0) {
    throw new DiagnosticFailure('checkPermissions', `The server's CapabilityStatement does not allow creating ${missing.join(', ')}; turn those writes off in the settings or ask the MIS administrator.`);
  }
  if (unconditional.length > 0) {
    return { detail: `The server creates ${unconditional.join(', ')} but says it has no conditional create: a write retried after a lost answer could be made twice.`, warning: true };
  }
  return `The server allows creating ${types.join(', ')} (conditional create).`;
}

/** Makes the connector from validated settings. */
export function createFhirR4Connector(options: FhirR4ConnectorOptions): FhirR4Connector {
  return new FhirR4Connector(options);
}

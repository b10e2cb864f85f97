import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../../src-shared/time/clock';
import { normalizePhone } from '../../patients/phone-normalisation';
import type { Logger } from '../../log/logger';
import { checkReach, checkTls, httpFailure, parseJson, type HttpClient } from '../http/http-client';
import {
  DiagnosticFailure,
  MIS_CONNECTOR_API_VERSION,
  MisError,
  type DiagnosticCheck,
  type MisChangesPage,
  type MisConnector,
  type MisConnectorManifest,
  type MisHealth,
  type MisSubmitResult,
} from '../mis/mis-connector';
import type { OnecHttpConfig, OnecODataMode } from './onec-config';
import { expectArray, expectObject, onecClient, onecErrorCode, onecODataManifest } from './onec-common';
import { odataAny, odataDateTime, odataGuid, odataString, parseODataMetadata } from './onec-odata-query';
import { cardFromODataEntity, phoneFieldNames } from './onec-patient-mapping';
import { isGuid, onecBoolean, onecRef, onecVersion, storedPhoneForms } from './onec-values';

/**
 * `onec-http` in OData mode: read only, through 1C's standard OData interface (OData v3,
 * `/odata/standard.odata/`), by the configured catalog and field names.
 *
 * 1C's OData has no "changed since": `DataVersion` is an opaque text, not ordered. So a sync is
 * a whole pass over the catalog (`$orderby=Ref_Key`, `$top`/`$skip`), diffed against the last
 * completed pass kept in `stateDir` (id → DataVersion, the card's version number, gone): only
 * records whose DataVersion changed are returned; a deletion mark is a deletion, or a merge when
 * the "merged into" reference is filled; a record missing from the pass is checked by key and
 * then deleted. The card's `version` is 1C's own when it is a number, else the connector's:
 * `max(previous + 1, now)`, monotonic even when the state folder is lost.
 */

const CURSOR = /^od1:([0-9a-z]{1,24}):(\d{1,9})$/;
const FIRST_PASS = '0';
const SEARCH_LIMIT = 50;
/** Records missing from a pass are checked one by one up to this many (a $skip shift vs a real deletion). */
const VERIFY_MISSING_MAX = 100;
/** Completed passes kept on disk: the newest and the one a not-yet-stored last page was diffed against. */
const SNAPSHOTS_KEPT = 3;

/** A record as the last completed pass saw it: DataVersion, the card's version, whether it was gone (deleted or merged). */
type SnapshotEntry = [dataVersion: string, version: number, gone: 0 | 1];
type Snapshot = Map<string, SnapshotEntry>;

interface Pass {
  baseId: string;
  base: Snapshot;
  seen: Snapshot;
  skip: number;
}

export class OnecODataConnector implements MisConnector {
  readonly manifest: MisConnectorManifest = onecODataManifest(MIS_CONNECTOR_API_VERSION);
  readonly pollIntervalMs: number;
  private readonly client: HttpClient;
  private readonly mode: OnecODataMode;
  private pass: Pass | null = null;
  /** The newest completed pass, read once and kept (screen pops version cards against it). */
  private latest: { id: string; snapshot: Snapshot } | null = null;
  private snapshotCounter = 0;

  constructor(
    private readonly config: OnecHttpConfig,
    private readonly stateDir: string,
    private readonly logger: Logger,
    private readonly clock: Clock,
    fetchImpl?: typeof fetch,
  ) {
    if (config.mode.type !== 'odata') throw new Error('OnecODataConnector needs mode odata');
    this.mode = config.mode;
    this.client = onecClient(config, fetchImpl);
    this.pollIntervalMs = config.syncIntervalSec * 1000;
  }

  private get fields(): OnecODataMode['fields'] {
    return this.mode.fields;
  }

  private odataPath(resource: string): string {
    return `odata/standard.odata/${resource}`;
  }

  /** The attributes a card is made of, for `$select` (the tabular section comes inline with its name). */
  private select(): string {
    const f = this.fields;
    const names = [f.id, f.version, f.deletionMark, f.mergedInto, f.surname, f.givenName, f.patronymic, f.birthDate, f.sex, f.omsPolicy, f.snils, f.contactSection, ...phoneFieldNames(f)];
    return [...new Set(names.filter((name) => name !== ''))].join(',');
  }

  /** A query of the configured entity set; its `value` array, or `protocol` when the answer has none. */
  private async rows(resource: string, query: Record<string, string | number>): Promise<Record<string, unknown>[]> {
    const response = await this.client.request(this.odataPath(resource), { query: { $format: 'json', ...query } });
    if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
    const body = expectObject(parseJson(response), response.where);
    return expectArray(body, 'value', response.where).map((row) => expectObject(row, response.where));
  }

  async health(): Promise<MisHealth> {
    const started = Date.now();
    await this.rows(this.mode.entity, { $top: 1, $select: this.fields.id });
    const latencyMs = Date.now() - started;
    return { state: latencyMs > 3_000 ? 'degraded' : 'online', latencyMs };
  }

  async changesSince(cursor: string | null, limit: number): Promise<MisChangesPage> {
    const { baseId, skip } = cursor === null ? { baseId: FIRST_PASS, skip: 0 } : decodeCursor(cursor);
    let pass = this.pass;
    if (pass === null || pass.baseId !== baseId || skip > pass.skip) {
      // A new pass, or one this process has not run (a restart): start it from the top.
      pass = { baseId, base: this.loadSnapshot(baseId), seen: new Map(), skip: 0 };
    } else {
      pass.skip = skip;
    }
    this.pass = pass;
    const top = Math.max(1, Math.min(Math.floor(limit), this.mode.pageSize));
    const rows = await this.rows(this.mode.entity, { $orderby: this.fields.id, $top: top, $skip: pass.skip, $select: this.select() });
    const page: MisChangesPage = { cards: [], deletions: [], merges: [], nextCursor: '', hasMore: true };
    for (const row of rows) this.diffRow(row, pass, page);
    if (rows.length === top) {
      pass.skip += rows.length;
      page.nextCursor = `od1:${baseId}:${pass.skip}`;
      return page;
    }
    await this.finishPass(pass, page);
    return page;
  }

  /** One record against the last pass: returned only when its DataVersion changed (or it is new). */
  private diffRow(row: Record<string, unknown>, pass: Pass, page: MisChangesPage): void {
    const f = this.fields;
    const id = onecRef(row[f.id]);
    if (id === null) {
      this.logger.warn('onec-http.odata.row-without-key', { entity: this.mode.entity, field: f.id });
      return;
    }
    const dataVersion = String(row[f.version] ?? '');
    const gone = onecBoolean(row[f.deletionMark]);
    const previous = pass.base.get(id);
    const changed = previous === undefined || previous[0] !== dataVersion;
    const version = onecVersion(row[f.version]) ?? (changed ? Math.max(previous ? previous[1] + 1 : 0, this.clock.now()) : previous[1]);
    pass.seen.set(id, [dataVersion, version, gone ? 1 : 0]);
    if (!changed) return;
    if (gone) {
      const into = f.mergedInto === '' ? null : onecRef(row[f.mergedInto]);
      if (into !== null && into !== id) page.merges.push({ from: id, into });
      else page.deletions.push(id);
      return;
    }
    page.cards.push(cardFromODataEntity(row, f, version));
  }

  /** The end of a pass: records the pass did not see are checked by key, then it is saved as the next base. */
  private async finishPass(pass: Pass, page: MisChangesPage): Promise<void> {
    const missing = [...pass.base].filter(([id, entry]) => entry[2] === 0 && !pass.seen.has(id)).map(([id]) => id);
    for (const [index, id] of missing.entries()) {
      const row = index < VERIFY_MISSING_MAX ? await this.entity(id) : null;
      if (row === null) {
        page.deletions.push(id);
        pass.seen.set(id, ['', pass.base.get(id)![1], 1]);
      } else {
        this.diffRow(row, pass, page);
      }
    }
    const id = this.saveSnapshot(pass.seen);
    this.pass = null;
    page.nextCursor = `od1:${id}:0`;
    page.hasMore = false;
  }

  /** One record by key, or null when 1C has none (404). */
  private async entity(id: string): Promise<Record<string, unknown> | null> {
    const response = await this.client.request(this.odataPath(`${this.mode.entity}(${odataGuid(id)})`), { query: { $format: 'json', $select: this.select() } });
    if (response.status === 404) return null;
    if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
    return expectObject(parseJson(response), response.where);
  }

  async getCard(misId: string): Promise<unknown> {
    if (!isGuid(misId)) return null;
    const row = await this.entity(misId.toLowerCase());
    return row === null ? null : this.liveCard(row);
  }

  /** A record as a card outside a pass, versioned against the last pass; null when it is marked for deletion. */
  private liveCard(row: Record<string, unknown>): unknown {
    if (onecBoolean(row[this.fields.deletionMark])) return null;
    const id = onecRef(row[this.fields.id]);
    const known = id === null ? undefined : this.latestSnapshot().get(id);
    const dataVersion = String(row[this.fields.version] ?? '');
    const version = onecVersion(row[this.fields.version]) ?? (known && known[0] === dataVersion ? known[1] : Math.max(known ? known[1] + 1 : 0, this.clock.now()));
    return cardFromODataEntity(row, this.fields, version);
  }

  /**
   * OData compares whole strings only, so the number is asked in the forms staff type it
   * (`+79161234567`, `89161234567`, `8 (916) 123-45-67`, …: `storedPhoneForms`) in each phone
   * attribute and in the contact-information section; the answers are then checked by their
   * normalised number.
   */
  async findByPhone(raw: string): Promise<unknown[]> {
    const phone = normalizePhone(String(raw));
    if (!phone) return [];
    const forms = storedPhoneForms(phone.e164).map(odataString);
    const f = this.fields;
    const found = new Map<string, Record<string, unknown>>();
    const fieldNames = phoneFieldNames(f);
    if (fieldNames.length > 0) {
      const filter = odataAny(fieldNames.flatMap((name) => forms.map((form) => `${name} eq ${form}`)));
      for (const row of await this.rows(this.mode.entity, { $filter: filter, $top: SEARCH_LIMIT, $select: this.select() })) {
        const id = onecRef(row[f.id]);
        if (id !== null) found.set(id, row);
      }
    }
    if (f.contactSection !== '') {
      const filter = odataAny(forms.map((form) => `${f.contactValue} eq ${form}`));
      const owners = await this.rows(`${this.mode.entity}_${f.contactSection}`, { $filter: filter, $top: SEARCH_LIMIT, $select: 'Ref_Key' });
      for (const owner of owners) {
        const id = onecRef(owner.Ref_Key);
        if (id === null || found.has(id)) continue;
        const row = await this.entity(id);
        if (row !== null) found.set(id, row);
      }
    }
    return [...found.values()]
      .map((row) => this.liveCard(row))
      .filter((card) => card !== null && (card as { phones: { national10: string }[] }).phones.some((p) => p.national10 === phone.national10));
  }

  /**
   * Every word a part of the full name (`substringof` on the configured description, as typed
   * and with a capital first letter, since 1C compares case-sensitively on some DBMS); a date
   * `ДД.ММ.ГГГГ` is the birth date. Marked-for-deletion records are left out.
   */
  async search(query: string): Promise<unknown[]> {
    const words = String(query).trim().slice(0, 200).split(/\s+/).filter((word) => word !== '').slice(0, 5);
    if (words.length === 0) return [];
    const f = this.fields;
    const clauses = words.map((word) => {
      const date = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(word);
      if (date) return `${f.birthDate} eq ${odataDateTime(`${date[3]}-${date[2]}-${date[1]}`)}`;
      const variants = [...new Set([word, word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()])];
      return odataAny(variants.map((variant) => `substringof(${odataString(variant)}, ${f.description})`));
    });
    const filter = `${f.deletionMark} eq false and ${clauses.join(' and ')}`;
    const rows = await this.rows(this.mode.entity, { $filter: filter, $top: SEARCH_LIMIT, $select: this.select() });
    return rows.map((row) => this.liveCard(row)).filter((card) => card !== null);
  }

  /** OData mode takes no writes: refused for good, so the "not delivered" list tells IT to switch to the HTTP service. */
  submit(): Promise<MisSubmitResult> {
    return Promise.reject(
      new MisError('rejected', 'The 1C connector is in OData mode, which is read only: notes, new patients and bookings are not sent. Switch it to the HTTP service (docs/1c-http-service.md) to send them.'),
    );
  }

  diagnostics(): DiagnosticCheck[] {
    let metadataXml = '';
    return [
      { step: 'reach', run: () => checkReach(this.config.baseUrl) },
      { step: 'tls', run: () => checkTls(this.config.baseUrl) },
      {
        step: 'auth',
        run: async () => {
          const response = await this.client.request(this.odataPath('$metadata'), { headers: { Accept: 'application/xml' } });
          if (response.status === 401 || response.status === 403) {
            throw new DiagnosticFailure('checkCredentials', `1C refused the user «${this.config.user}» (HTTP ${response.status}): check the user name, the password and the user's rights.`);
          }
          if (response.status === 404) throw new DiagnosticFailure('checkPublication', `${response.where} is not there (HTTP 404): publish the standard OData interface (Публикация на веб-сервере → Публиковать стандартный интерфейс OData).`);
          if (response.status < 200 || response.status > 299) throw httpFailure(response, onecErrorCode(response));
          metadataXml = response.text;
          return `1C accepted the user (HTTP ${response.status}).`;
        },
      },
      { step: 'metadata', run: () => Promise.resolve(this.checkMetadata(metadataXml)) },
      {
        step: 'read-patient',
        run: async () => {
          const rows = await this.rows(this.mode.entity, { $top: 1, $select: this.select() });
          if (rows.length === 0) return { detail: `${this.mode.entity} returned no record: nothing published, or the catalog is empty.`, warning: true as const };
          return `Read a record of ${this.mode.entity}.`;
        },
      },
      {
        step: 'write-permission',
        run: () => Promise.resolve({ detail: 'OData mode is read only: wrap-up notes, new patients and bookings are not sent to 1C.', warning: true as const }),
      },
    ];
  }

  /** `$metadata` against the settings: the entity set published, the configured fields present. */
  private checkMetadata(xml: string): string | { detail: string; warning: true } {
    const metadata = parseODataMetadata(xml);
    if (metadata.entitySets.length === 0) {
      return { detail: 'The administrator has published nothing in OData: $metadata lists no entity set (Настройка стандартного интерфейса OData: add the patients catalog).', warning: true };
    }
    const entity = this.mode.entity;
    if (!metadata.entitySets.includes(entity)) {
      const catalogs = metadata.entitySets.filter((name) => name.startsWith('Catalog_') && !name.slice(8).includes('_'));
      throw new DiagnosticFailure(
        'checkPublication',
        `${entity} is not published. Published catalogs (${catalogs.length}): ${catalogs.slice(0, 15).join(', ')}${catalogs.length > 15 ? ', …' : ''}.`,
      );
    }
    const properties = metadata.properties.get(entity);
    if (properties) {
      const f = this.fields;
      const wanted = [f.id, f.version, f.deletionMark, f.surname, f.givenName, f.patronymic, f.birthDate, f.sex, f.description, f.omsPolicy, f.snils, f.mergedInto, f.contactSection, ...phoneFieldNames(f)];
      const missing = [...new Set(wanted.filter((name) => name !== '' && !properties.has(name)))];
      if (missing.length > 0) throw new DiagnosticFailure('checkPublication', `${entity} has no field ${missing.join(', ')}: publish them or change the field mapping.`);
    }
    return `${metadata.entitySets.length} entity sets published; ${entity} has every mapped field.`;
  }

  // ---- passes kept in stateDir ----

  private snapshotFile(id: string): string {
    return join(this.stateDir, `odata-pass-${id}.json`);
  }

  private loadSnapshot(id: string): Snapshot {
    if (id === FIRST_PASS) return new Map();
    const file = this.snapshotFile(id);
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { entity?: unknown; entries?: unknown };
      if (data.entity !== this.mode.entity || !Array.isArray(data.entries)) throw new Error('another entity');
      return new Map((data.entries as [string, string, number, 0 | 1][]).map(([key, dataVersion, version, gone]) => [key, [dataVersion, version, gone]]));
    } catch {
      throw new MisError('rejected', 'The sync position refers to an OData pass this connector no longer has (its state folder was reset or the entity changed); the desk starts over.');
    }
  }

  private latestSnapshot(): Snapshot {
    const id = this.snapshotIds().at(-1);
    if (id === undefined) return new Map();
    if (this.latest?.id !== id) {
      try {
        this.latest = { id, snapshot: this.loadSnapshot(id) };
      } catch {
        this.latest = { id, snapshot: new Map() };
      }
    }
    return this.latest.snapshot;
  }

  /** Saved pass ids, oldest first (ids sort by time: base-36 milliseconds, fixed width). */
  private snapshotIds(): string[] {
    if (!existsSync(this.stateDir)) return [];
    return readdirSync(this.stateDir)
      .map((name) => /^odata-pass-([0-9a-z]+)\.json$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .sort();
  }

  private saveSnapshot(snapshot: Snapshot): string {
    mkdirSync(this.stateDir, { recursive: true });
    const previous = this.snapshotIds().at(-1) ?? '';
    let id = `${Math.max(0, this.clock.now()).toString(36).padStart(10, '0')}${(this.snapshotCounter++ % 1296).toString(36).padStart(2, '0')}`;
    if (id <= previous) id = `${previous.slice(0, 10)}${(parseInt(previous.slice(10) || '0', 36) + 1).toString(36).padStart(2, '0')}`;
    const file = this.snapshotFile(id);
    const entries = [...snapshot].map(([key, [dataVersion, version, gone]]) => [key, dataVersion, version, gone]);
    writeFileSync(`${file}.tmp`, JSON.stringify({ entity: this.mode.entity, entries }));
    renameSync(`${file}.tmp`, file);
    this.latest = { id, snapshot };
    for (const old of this.snapshotIds().slice(0, -SNAPSHOTS_KEPT)) rmSync(this.snapshotFile(old), { force: true });
    return id;
  }
}

function decodeCursor(cursor: string): { baseId: string; skip: number } {
  const match = CURSOR.exec(cursor);
  if (!match) throw new MisError('rejected', 'The sync position was not issued by this OData connector; the desk starts over.');
  return { baseId: match[1]!, skip: Number(match[2]) };
}

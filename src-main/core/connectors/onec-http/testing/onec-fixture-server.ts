import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FIXTURE_EMPTY_REF, fixtureGuid, fixturePatients, type FixturePatient } from './onec-fixture-data';
import { compileODataFilter } from './onec-odata-filter';

/**
 * A 1C:Medicina infobase as the `onec-http` connector sees it, in memory, on 127.0.0.1: the
 * HTTP service of docs/1c-http-service.md under `/<base>/hs/registratura/v1/` and the standard
 * OData interface under `/<base>/odata/standard.odata/`, both over one set of patients, behind
 * basic auth (a Cyrillic user name works). For unit, contract and e2e tests (a Playwright
 * process can start it too): `control` edits patients, counts notes per key, loses the answer
 * of the next write, injects 401 / 500 / malformed answers, switches the body encoding and can
 * make OData publish nothing.
 */

export type FixtureFault = 401 | 500 | 'malformed';

export interface OnecFixtureOptions {
  /** Default 0 (any free port). */
  port?: number;
  user: string;
  password: string;
  /** Body encoding; windows-1251 as older 1C publications answer. */
  encoding?: 'utf-8' | 'windows-1251';
  /** The infobase's publication name (`clinic`). */
  base?: string;
}

export interface OnecFixtureControl {
  /** Changes a patient as 1C staff would: a new change number (HTTP service) and DataVersion (OData). */
  editPatient(id: string, patch: Partial<Omit<FixturePatient, 'id'>>): void;
  /** Marks a patient for deletion; with `into`, as a duplicate merged into that patient. */
  markDeleted(id: string, into?: string): void;
  /** Records made by notes (and bookings) under `key`: 1 when applied once, whatever the retries. */
  notesFor(key: string): number;
  /** How many write requests arrived with `key` (retries included). */
  writeRequestsFor(key: string): number;
  /** The kind and payload of the note applied under `key`, or null. */
  noteOf(key: string): { kind: string; payload: unknown } | null;
  /** Every applied write in order (key, kind, the 1C ref): an e2e finds the key the desk chose. */
  listNotes(): { key: string; kind: string; ref: string }[];
  /** The next write is applied and its answer never sent (held until the client gives up). */
  loseNextAnswer(): void;
  /** The next `count` requests (any path) answer the fault instead. */
  failNext(count: number, fault: FixtureFault): void;
  /** `declareCharset: false` answers windows-1251 with a bare `application/json` (the desk must guess). */
  setEncoding(encoding: 'utf-8' | 'windows-1251', options?: { declareCharset?: boolean }): void;
  /** OData publishes nothing: `$metadata` without entity sets, every query an empty `value`. */
  publishNothing(nothing: boolean): void;
  /** Takes a schedule slot as another channel would (the front desk). */
  takeSlot(slotId: string): void;
  /** Requests seen, in order (method, path after the base, query), for asserting paging. */
  readonly requests: { method: string; path: string; query: URLSearchParams }[];
}

export interface OnecFixtureServer {
  /** The infobase publication, e.g. `http://127.0.0.1:PORT/clinic`. */
  url: string;
  control: OnecFixtureControl;
  close(): Promise<void>;
}

interface StoredPatient extends FixturePatient {
  changeNo: number;
  dataVersion: number;
}

const SERVICE = 'hs/registratura/v1/';
const ODATA = 'odata/standard.odata/';
const ENTITY = 'Catalog_Пациенты';
const CONTACTS = `${ENTITY}_КонтактнаяИнформация`;

/** windows-1251 bytes of each character it has (built from the platform's decoder: one table, no hand-typed copy). */
const CP1251 = (() => {
  const table = new Map<string, number>();
  const decoder = new TextDecoder('windows-1251');
  for (let byte = 0x80; byte <= 0xff; byte++) table.set(decoder.decode(new Uint8Array([byte])), byte);
  return table;
})();

function encode1251(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    bytes.push(code < 0x80 ? code : (CP1251.get(ch) ?? 0x3f));
  }
  return Buffer.from(bytes);
}

/** Starts the fixture; `close()` stops it and every connection it holds. */
export async function startOnecFixtureServer(options: OnecFixtureOptions): Promise<OnecFixtureServer> {
  const base = `/${options.base ?? 'clinic'}/`;
  let changeCounter = 0;
  const patients = new Map<string, StoredPatient>();
  for (const patient of fixturePatients()) patients.set(patient.id, { ...patient, changeNo: ++changeCounter, dataVersion: 1 });
  const notes = new Map<string, { ref: string; kind: string; payload: unknown; appointmentId?: string }>();
  const writeRequests = new Map<string, number>();
  const slots = new Map<string, { taken: boolean }>([[fixtureGuid(5001), { taken: false }], [fixtureGuid(5002), { taken: false }]]);
  const faults: FixtureFault[] = [];
  let loseNext = false;
  let encoding = options.encoding ?? 'utf-8';
  let declareCharset = true;
  let nothingPublished = false;
  const requests: OnecFixtureControl['requests'] = [];
  const sockets = new Set<Socket>();
  const expectedAuth = `${options.user}:${options.password}`;

  const send = (res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const bytes = encoding === 'windows-1251' ? encode1251(text) : Buffer.from(text, 'utf8');
    const charset = declareCharset ? `; charset=${encoding}` : '';
    res.writeHead(status, { 'Content-Type': `${contentType}${charset}`, 'Content-Length': bytes.length });
    res.end(bytes);
  };

  const live = (p: StoredPatient) => !p.deletionMark;
  const digits10 = (text: string) => text.replace(/\D/g, '').slice(-10);
  const fold = (text: string) => text.toLowerCase().replace(/ё/g, 'е');

  const servicePatient = (p: StoredPatient) => ({
    id: p.id,
    version: p.dataVersion,
    surname: p.surname,
    name: p.name,
    patronymic: p.patronymic,
    birthDate: p.birthDate,
    sex: p.sex,
    phones: p.phones,
    email: p.email,
    address: p.address,
    omsPolicy: p.omsPolicy,
    snils: p.snils,
    dms: null,
    allergies: '',
    vip: p.vip,
    consentSms: p.consentSms,
    consentCalls: p.consentCalls,
    lastVisit: p.lastVisit,
    appointments: p.appointments,
  });

  const odataPatient = (p: StoredPatient): Record<string, unknown> => ({
    Ref_Key: p.id,
    DataVersion: Buffer.from([0, 0, 0, p.dataVersion, 0, 0, 0, 0]).toString('base64'),
    DeletionMark: p.deletionMark,
    Code: p.id.slice(-6),
    Description: [p.surname, p.name, p.patronymic].filter(Boolean).join(' '),
    Фамилия: p.surname,
    Имя: p.name,
    Отчество: p.patronymic,
    ДатаРождения: p.birthDate,
    Пол: p.sex,
    НомерПолисаОМС: p.omsPolicy,
    СНИЛС: p.snils,
    ОсновнойПациент_Key: p.mergedInto,
    КонтактнаяИнформация: [
      ...p.phones.map((phone, i) => ({ LineNumber: String(i + 1), Тип: 'Телефон', Вид: phone.kind, Представление: phone.number })),
      ...(p.email ? [{ LineNumber: String(p.phones.length + 1), Тип: 'АдресЭлектроннойПочты', Вид: 'Email', Представление: p.email }] : []),
    ],
  });

  const project = (row: Record<string, unknown>, select: string | null): Record<string, unknown> => {
    if (!select) return row;
    const names = select.split(',').map((name) => name.trim());
    return Object.fromEntries(Object.entries(row).filter(([key]) => names.includes(key)));
  };

  const metadata = (): string => {
    const properties = Object.keys(odataPatient([...patients.values()][0]!))
      .map((name) => `<Property Name="${name}" Type="Edm.String"/>`)
      .join('');
    const sets = nothingPublished
      ? ''
      : `<EntitySet Name="${ENTITY}" EntityType="StandardODATA.${ENTITY}"/><EntitySet Name="${CONTACTS}" EntityType="StandardODATA.${CONTACTS}"/><EntitySet Name="Catalog_Врачи" EntityType="StandardODATA.Catalog_Врачи"/>`;
    const types = nothingPublished ? '' : `<EntityType Name="${ENTITY}"><Key><PropertyRef Name="Ref_Key"/></Key>${properties}</EntityType>`;
    return `<?xml version="1.0" encoding="UTF-8"?><edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0"><edmx:DataServices m:DataServiceVersion="3.0"><Schema Namespace="StandardODATA">${types}<EntityContainer Name="InfoBase" m:IsDefaultEntityContainer="true">${sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  };

  const handleOData = (res: ServerResponse, resource: string, query: URLSearchParams): void => {
    if (resource === '$metadata') return send(res, 200, metadata(), 'application/xml');
    const filterText = query.get('$filter');
    let filter: (row: Record<string, unknown>) => boolean = () => true;
    try {
      if (filterText) filter = compileODataFilter(filterText);
    } catch (error) {
      return send(res, 400, { 'odata.error': { code: '-1', message: { lang: 'ru', value: (error as Error).message } } });
    }
    const select = query.get('$select');
    const byKey = /^Catalog_Пациенты\(guid'([0-9a-fA-F-]{36})'\)$/u.exec(resource);
    if (byKey) {
      const patient = nothingPublished ? undefined : patients.get(byKey[1]!.toLowerCase());
      if (!patient) return send(res, 404, { 'odata.error': { code: '-1', message: { lang: 'ru', value: 'Объект не найден' } } });
      return send(res, 200, { 'odata.metadata': `${base}${ODATA}$metadata#${ENTITY}/@Element`, ...project(odataPatient(patient), select) });
    }
    let rows: Record<string, unknown>[];
    if (resource === ENTITY) rows = [...patients.values()].map(odataPatient);
    else if (resource === CONTACTS) rows = [...patients.values()].flatMap((p) => (odataPatient(p).КонтактнаяИнформация as Record<string, unknown>[]).map((row) => ({ Ref_Key: p.id, ...row })));
    else return send(res, 404, { 'odata.error': { code: '-1', message: { lang: 'ru', value: 'Неизвестный ресурс' } } });
    if (nothingPublished) rows = [];
    rows = rows.filter(filter);
    if (query.get('$orderby') === 'Ref_Key') rows.sort((a, b) => String(a.Ref_Key).localeCompare(String(b.Ref_Key)));
    const skip = Number(query.get('$skip') ?? 0);
    const top = query.has('$top') ? Number(query.get('$top')) : rows.length;
    return send(res, 200, { 'odata.metadata': `${base}${ODATA}$metadata#${resource}`, value: rows.slice(skip, skip + top).map((row) => project(row, select)) });
  };

  const readBody = (req: IncomingMessage): Promise<unknown> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          resolve(null);
        }
      });
    });

  const write = async (req: IncomingMessage, res: ServerResponse, target: 'notes' | 'bookings'): Promise<void> => {
    const body = (await readBody(req)) as { key?: unknown; kind?: unknown; payload?: unknown } | null;
    if (!body || typeof body.key !== 'string' || typeof body.kind !== 'string') return send(res, 400, { error: 'bad-request' });
    writeRequests.set(body.key, (writeRequests.get(body.key) ?? 0) + 1);
    const existing = notes.get(body.key);
    let answer: { status: number; body: unknown };
    if (existing) {
      answer = { status: 200, body: { status: 'duplicate', ref: existing.ref, ...(existing.appointmentId && { appointmentId: existing.appointmentId }) } };
    } else if (target === 'bookings' && body.kind === 'booking.create') {
      const slotId = String((body.payload as { slotId?: unknown } | null)?.slotId ?? '');
      const slot = slots.get(slotId);
      if (!slot) answer = { status: 409, body: { error: 'slot-gone' } };
      else if (slot.taken) answer = { status: 409, body: { error: 'slot-taken', alternatives: [] } };
      else {
        slot.taken = true;
        const record = { ref: fixtureGuid(20_000 + notes.size), kind: body.kind, payload: body.payload, appointmentId: fixtureGuid(30_000 + notes.size) };
        notes.set(body.key, record);
        answer = { status: 200, body: { status: 'applied', ref: record.ref, appointmentId: record.appointmentId } };
      }
    } else {
      const record = { ref: fixtureGuid(20_000 + notes.size), kind: body.kind, payload: body.payload };
      notes.set(body.key, record);
      answer = { status: 200, body: { status: 'applied', ref: record.ref } };
    }
    if (loseNext) {
      loseNext = false;
      return; // applied, the answer never sent: the socket is closed when the client gives up or the server stops
    }
    send(res, answer.status, answer.body);
  };

  const handleService = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    const method = req.method ?? 'GET';
    if (path === 'ping') return send(res, 200, { service: 'registratura', version: '1.0', canWrite: true });
    if (path === 'patients/changes') {
      const since = Number(query.get('since') ?? 0);
      const limit = Math.max(1, Number(query.get('limit') ?? 100));
      if (!Number.isInteger(since) || since < 0 || since > changeCounter) return send(res, 410, { error: 'cursor-unknown' });
      const changed = [...patients.values()].filter((p) => p.changeNo > since).sort((a, b) => a.changeNo - b.changeNo);
      const page = changed.slice(0, limit);
      const next = page.at(-1)?.changeNo ?? Math.max(since, 0);
      return send(res, 200, {
        items: page.filter(live).map(servicePatient),
        deleted: page.filter((p) => p.deletionMark && p.mergedInto === FIXTURE_EMPTY_REF).map((p) => p.id),
        merged: page.filter((p) => p.deletionMark && p.mergedInto !== FIXTURE_EMPTY_REF).map((p) => ({ from: p.id, into: p.mergedInto })),
        next,
        more: changed.length > page.length,
        total: changed.length,
      });
    }
    if (path === 'patients/by-phone') {
      const wanted = digits10(query.get('national') ?? query.get('phone') ?? '');
      if (wanted.length < 10) return send(res, 400, { error: 'phone-required' });
      return send(res, 200, { items: [...patients.values()].filter((p) => live(p) && p.phones.some((phone) => digits10(phone.number) === wanted)).map(servicePatient) });
    }
    if (path === 'patients/search') {
      const words = fold(query.get('q') ?? '').split(/\s+/).filter(Boolean);
      const found = [...patients.values()].filter((p) => live(p) && words.length > 0 && words.every((word) => fold(`${p.surname} ${p.name} ${p.patronymic}`).includes(word)));
      return send(res, 200, { items: found.slice(0, Number(query.get('limit') ?? 50)).map(servicePatient) });
    }
    const one = /^patients\/([^/]+)$/.exec(path);
    if (one) {
      const patient = patients.get(decodeURIComponent(one[1]!).toLowerCase());
      if (!patient || !live(patient)) return send(res, 404, { error: 'not-found' });
      return send(res, 200, servicePatient(patient));
    }
    const schedule = /^schedule\/(branches|doctors|services|slots|call-tasks)$/.exec(path);
    if (schedule) {
      const since = Number(query.get('since') ?? 0);
      const today = query.get('today') ?? '2026-12-07';
      const records: Record<string, unknown[]> = {
        branches: [{ id: fixtureGuid(4001), version: 1, name: 'Клиника на Садовой', address: 'г. Тверь, ул. Садовая, д. 1' }],
        doctors: [{ id: fixtureGuid(4101), version: 1, name: 'Смирнова Ольга Петровна', specialty: 'терапевт', branchId: fixtureGuid(4001), room: '12' }],
        services: [{ id: fixtureGuid(4201), version: 1, name: 'Приём терапевта', specialty: 'терапевт', durationMin: 20, kind: 'paid', priceRub: 1800, prepare: '' }],
        slots: [...slots].map(([id, slot], i) => ({
          id,
          version: slot.taken ? 2 : 1,
          doctorId: fixtureGuid(4101),
          startsAt: `${today}T${String(9 + i).padStart(2, '0')}:00:00`,
          durationMin: 20,
          state: slot.taken ? 'booked' : 'free',
          patientMisId: FIXTURE_EMPTY_REF,
          appointmentId: FIXTURE_EMPTY_REF,
          serviceId: FIXTURE_EMPTY_REF,
        })),
        'call-tasks': [],
      };
      const list = since > 0 ? [] : records[schedule[1]!]!;
      return send(res, 200, { records: list, removed: [], next: 1, more: false, total: list.length });
    }
    if (method === 'POST' && path === 'notes') return write(req, res, 'notes');
    if (method === 'POST' && path === 'bookings') return write(req, res, 'bookings');
    return send(res, 404, '<html><body>404 Not Found</body></html>', 'text/html');
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const path = decodeURIComponent(url.pathname);
    if (!path.startsWith(base)) return send(res, 404, '<html><body>404 Not Found</body></html>', 'text/html');
    const rest = path.slice(base.length);
    requests.push({ method: req.method ?? 'GET', path: rest, query: url.searchParams });
    const fault = faults.shift();
    if (fault === 401 || !authorised(req.headers.authorization, expectedAuth)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="1C:Enterprise"', 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('401 Unauthorized');
    }
    if (fault === 500) return send(res, 500, '<html><body>Ошибка сервера 1С</body></html>', 'text/html');
    if (fault === 'malformed') return send(res, 200, '{"items": [{"id": "9b2f', 'application/json');
    if (rest.startsWith(SERVICE)) {
      void handleService(req, res, rest.slice(SERVICE.length), url.searchParams).catch(() => send(res, 500, { error: 'internal' }));
      return;
    }
    if (rest.startsWith(ODATA)) return handleOData(res, rest.slice(ODATA.length), url.searchParams);
    return send(res, 404, '<html><body>404 Not Found</body></html>', 'text/html');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const patientOf = (id: string): StoredPatient => {
    const patient = patients.get(id.toLowerCase());
    if (!patient) throw new Error(`the fixture has no patient ${id}`);
    return patient;
  };

  const control: OnecFixtureControl = {
    editPatient(id, patch) {
      const patient = patientOf(id);
      Object.assign(patient, patch, { changeNo: ++changeCounter, dataVersion: patient.dataVersion + 1 });
    },
    markDeleted(id, into) {
      const patient = patientOf(id);
      Object.assign(patient, { deletionMark: true, mergedInto: into ?? FIXTURE_EMPTY_REF, changeNo: ++changeCounter, dataVersion: patient.dataVersion + 1 });
    },
    notesFor: (key) => (notes.has(key) ? 1 : 0),
    writeRequestsFor: (key) => writeRequests.get(key) ?? 0,
    noteOf: (key) => {
      const note = notes.get(key);
      return note ? { kind: note.kind, payload: note.payload } : null;
    },
    listNotes: () => [...notes].map(([key, note]) => ({ key, kind: note.kind, ref: note.ref })),
    loseNextAnswer() {
      loseNext = true;
    },
    failNext(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    setEncoding(next, setOptions) {
      encoding = next;
      declareCharset = setOptions?.declareCharset ?? true;
    },
    publishNothing(nothing) {
      nothingPublished = nothing;
    },
    takeSlot(slotId) {
      const slot = slots.get(slotId);
      if (slot) slot.taken = true;
    },
    requests,
  };

  return {
    url: `http://127.0.0.1:${port}${base.replace(/\/$/, '')}`,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function authorised(header: string | undefined, expected: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  return match !== null && Buffer.from(match[1]!, 'base64').toString('utf8') === expected;
}

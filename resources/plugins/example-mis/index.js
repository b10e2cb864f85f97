/**
 * The example MIS plugin of the Registratura connector SDK (apiVersion 3; docs/connector-sdk.md).
 *
 * An in-memory clinic of seven synthetic patients (one a duplicate merged into another) with
 * an ordered change log, so `changesSince` pages are real deltas; a caller lookup by any form
 * of a number; a search by name; writes applied once per idempotency key; "test connection"
 * steps; and deliberate misbehaviour (crash, hang, flood, throw) to show how the desk isolates
 * and restarts a plugin. Plain modern JavaScript, no dependencies: copy the folder to
 * `<data dir>/plugins/` and choose "Example clinic" as the MIS.
 *
 * All people here are invented. Their numbers are in the +7 999 000-xx-xx block.
 */

/** The clinic's password (see the README): a wrong one fails every call as `auth`. */
const PASSWORD = 'example';
const MISBEHAVIOURS = ['none', 'crash', 'hang', 'flood', 'throw'];
const TRIGGERS = ['start', 'search', 'changesSince', 'findByPhone'];
/** Writes the clinic takes (the desk's outbox kinds besides booking). */
const WRITE_KINDS = new Set(['wrapup', 'new-patient', 'callback-outcome']);
const SEARCH_LIMIT = 50;
const NAME = /^[\p{L}\p{M}][\p{L}\p{M}' .\u2019-]{0,99}$/u;

/** The patients as the clinic starts: everything a desk card needs. */
const PEOPLE = [
  { misId: 'EX-1001', surname: 'Веснина', givenName: 'Ольга', patronymic: 'Игоревна', birthDate: '1984-05-17', sex: 'female', phones: [['9990001001', 'mobile']], omsPolicy: '7799000000001001', snils: '00000001001', lastVisit: '2025-11-20' },
  { misId: 'EX-1002', surname: 'Кудрявцев', givenName: 'Артём', patronymic: 'Павлович', birthDate: '1979-11-02', sex: 'male', phones: [['9990001002', 'mobile'], ['4950001002', 'home']], omsPolicy: null, snils: null, lastVisit: null },
  { misId: 'EX-1003', surname: 'Ёлкина', givenName: 'Дарья', patronymic: 'Сергеевна', birthDate: '1992-02-29', sex: 'female', phones: [['9990001003', 'mobile']], omsPolicy: '7799000000001003', snils: null, lastVisit: '2026-01-14' },
  { misId: 'EX-1004', surname: 'Самойлов', givenName: 'Глеб', patronymic: 'Андреевич', birthDate: '2014-08-09', sex: 'male', phones: [['9990001005', 'relative']], omsPolicy: null, snils: null, lastVisit: null },
  { misId: 'EX-1005', surname: 'Самойлова', givenName: 'Нина', patronymic: 'Викторовна', birthDate: '1986-03-30', sex: 'female', phones: [['9990001005', 'mobile']], omsPolicy: null, snils: '00000001005', lastVisit: '2025-09-02' },
  { misId: 'EX-1006', surname: 'Тихомиров', givenName: 'Лев', patronymic: 'Аркадьевич', birthDate: '1950-12-12', sex: 'male', phones: [['9990001006', 'mobile'], ['4950001006', 'work']], omsPolicy: null, snils: null, lastVisit: null, allergies: 'пенициллин' },
  // A duplicate of EX-1002 made at the front desk without the letter ё; merged below.
  { misId: 'EX-1007', surname: 'Кудрявцев', givenName: 'Артем', patronymic: 'Павлович', birthDate: '1979-11-02', sex: 'male', phones: [['9990001002', 'mobile']], omsPolicy: null, snils: null, lastVisit: null },
];

/** A card as the desk's `PatientCardSchema` wants it (strict: no other fields). */
function card(person, version) {
  return {
    misId: person.misId,
    version,
    surname: person.surname,
    givenName: person.givenName,
    patronymic: person.patronymic,
    birthDate: person.birthDate,
    sex: person.sex,
    phones: person.phones.map(([national10, kind]) => ({ e164: `+7${national10}`, national10, kind })),
    email: null,
    address: null,
    omsPolicy: person.omsPolicy,
    dms: null,
    snils: person.snils,
    flags: { allergies: person.allergies ?? null, vip: false, preferredChannel: null, consentSms: true, consentCalls: true },
    lastVisit: person.lastVisit,
    appointments: [],
  };
}

/** An error the desk understands: `kind` is one of unreachable, timeout, rejected, auth, protocol. */
function misError(kind, message, extra = {}) {
  return Object.assign(new Error(message), { kind, ...extra });
}

/** The last ten digits of a Russian number in any form (`+7 (999) 000-10-01`, `89990001001`), or null. */
function national10(raw) {
  if (typeof raw !== 'string' || raw.length > 64) return null;
  const digits = raw.replace(/\D/g, '');
  if (digits.length === 11 && (digits[0] === '7' || digits[0] === '8')) return digits.slice(1);
  if (digits.length === 10) return digits;
  return null;
}

function fold(text) {
  return text.toLowerCase().replaceAll('ё', 'е');
}

/** Checks the config the desk passes (its form follows plugin.json's configSchema); throws naming the field. */
function readConfig(config) {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error('config: must be an object');
  const known = new Set(['password', 'latencyMs', 'misbehave', 'on']);
  for (const key of Object.keys(config)) if (!known.has(key)) throw new Error(`config.${key}: not a setting of the example clinic`);
  const { password = '', latencyMs = 0, misbehave = 'none', on = 'search' } = config;
  if (typeof password !== 'string') throw new Error('config.password: must be text');
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 5000) throw new Error('config.latencyMs: must be a whole number of milliseconds from 0 to 5000');
  if (!MISBEHAVIOURS.includes(misbehave)) throw new Error(`config.misbehave: must be one of ${MISBEHAVIOURS.join(', ')}`);
  if (!TRIGGERS.includes(on)) throw new Error(`config.on: must be one of ${TRIGGERS.join(', ')}`);
  return { password, latencyMs, misbehave, on };
}

/** Does the misbehaviour asked for; `crash` and `hang` never return. */
function misbehave(how, log) {
  if (how === 'crash') {
    // An uncaught exception outside any call: the worker dies, as a real plugin's bug would kill it.
    setImmediate(() => {
      throw new Error('the example plugin crashed on purpose');
    });
    return new Promise(() => {});
  }
  if (how === 'hang') {
    // A busy loop: nothing but terminating the worker stops it.
    for (let spins = 0; ; spins++) if (spins < 0) break;
  }
  if (how === 'flood') {
    for (let i = 0; i < 20_000; i++) log.info('example.flood', { i });
    return null;
  }
  if (how === 'oversize') return [{ misId: 'EX-1001', padding: 'x'.repeat(9 * 1024 * 1024) }];
  if (how === 'throw') throw new Error('the example plugin failed on purpose');
  return null;
}

/**
 * The SDK's entry point: called once per start of the plugin's worker with the desk's config
 * (secrets put back) and `{ log, pluginDir, stateDir }`. Throwing here fails "test connection"
 * at its first step with the message, as a config problem.
 */
export function createConnector(config, { log }) {
  const settings = readConfig(config);
  const run = Math.random().toString(36).slice(2, 8);
  /** The change log: upserts and merges, each with the card's state then. */
  const changes = [];
  const people = new Map();
  const versions = new Map();
  const mergedInto = new Map();
  const applied = new Map();
  const writes = [];
  let nextMisId = 2001;
  let loseNextAnswer = false;

  function upsert(person) {
    const version = (versions.get(person.misId) ?? 0) + 1;
    versions.set(person.misId, version);
    people.set(person.misId, person);
    changes.push({ type: 'upsert', card: card(person, version) });
  }
  for (const person of PEOPLE) upsert(person);
  mergedInto.set('EX-1007', 'EX-1002');
  changes.push({ type: 'merge', from: 'EX-1007', into: 'EX-1002' });
  upsert(people.get('EX-1002'));

  const live = () => [...people.values()].filter((person) => !mergedInto.has(person.misId));
  const current = (person) => card(person, versions.get(person.misId));

  async function enter(method) {
    if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
    if (settings.password !== '' && settings.password !== PASSWORD) throw misError('auth', 'the example clinic refused the password', { hint: 'checkCredentials' });
    if (settings.misbehave !== 'none' && settings.on === method) return misbehave(settings.misbehave, log);
    return null;
  }

  const connector = {
    async health() {
      await enter('health');
      return { state: 'online', latencyMs: settings.latencyMs };
    },

    async changesSince(cursor, limit) {
      await enter('changesSince');
      let from = 0;
      if (cursor !== null) {
        const match = /^ex1:([a-z0-9]{1,8}):(\d{1,9})$/.exec(String(cursor));
        // A cursor of another run (the clinic lives in memory) or never issued: the desk starts over.
        if (!match || match[1] !== run || Number(match[2]) > changes.length) throw misError('rejected', 'the cursor was not issued by this run of the example clinic');
        from = Number(match[2]);
      }
      const size = Math.max(1, Math.min(Number(limit) || 100, 1000));
      const slice = changes.slice(from, from + size);
      const to = from + slice.length;
      return {
        cards: slice.filter((change) => change.type === 'upsert').map((change) => change.card),
        deletions: [],
        merges: slice.filter((change) => change.type === 'merge').map(({ from: gone, into }) => ({ from: gone, into })),
        nextCursor: `ex1:${run}:${to}`,
        hasMore: to < changes.length,
        total: changes.length - from,
      };
    },

    async getCard(misId) {
      await enter('getCard');
      const person = people.get(String(misId));
      return person && !mergedInto.has(person.misId) ? current(person) : null;
    },

    async findByPhone(raw) {
      const odd = await enter('findByPhone');
      if (odd !== null) return odd;
      const wanted = national10(raw);
      if (wanted === null) return [];
      return live()
        .filter((person) => person.phones.some(([number]) => number === wanted))
        .map(current);
    },

    async search(query) {
      const text = String(query).trim();
      // Triggers for demos and the desk's end-to-end tests: type `!crash` in the desk's search box.
      const trigger = /^!(crash|hang|flood|throw|oversize)$/.exec(text);
      if (trigger) return misbehave(trigger[1], log);
      const odd = await enter('search');
      if (odd !== null) return odd;
      const words = fold(text).split(/\s+/).filter(Boolean);
      if (words.length === 0) return [];
      const digits = text.replace(/\D/g, '');
      return live()
        .filter((person) => {
          if (digits.length >= 4 && person.phones.some(([number]) => number.endsWith(digits.slice(-10)))) return true;
          const names = [person.surname, person.givenName, person.patronymic ?? ''].map(fold);
          return words.every((word) => person.misId.toLowerCase() === word || names.some((name) => name.startsWith(word)));
        })
        .slice(0, SEARCH_LIMIT)
        .map(current);
    },

    async submit({ idempotencyKey, kind, payload }) {
      await enter('submit');
      if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 200) throw misError('rejected', 'idempotencyKey: must be 1–200 characters');
      const earlier = applied.get(idempotencyKey);
      if (earlier !== undefined) return { status: 'duplicate', ref: earlier };
      if (!WRITE_KINDS.has(kind)) throw misError('rejected', `the example clinic takes no "${String(kind).slice(0, 40)}" writes`);
      if (typeof payload !== 'object' || payload === null || typeof payload.localId !== 'string') throw misError('rejected', 'payload.localId: must be text');
      let ref = `EX-W-${writes.length + 1}`;
      if (kind === 'new-patient') {
        for (const field of ['surname', 'givenName']) if (typeof payload[field] !== 'string' || !NAME.test(payload[field])) throw misError('rejected', `payload.${field}: must be letters`);
        const phone = national10(payload.phone);
        if (phone === null) throw misError('rejected', 'payload.phone: must be a Russian number');
        const misId = `EX-${nextMisId++}`;
        const patronymic = typeof payload.patronymic === 'string' && NAME.test(payload.patronymic) ? payload.patronymic : null;
        const birthDate = typeof payload.birthDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(payload.birthDate) ? payload.birthDate : '1900-01-01';
        upsert({ misId, surname: payload.surname, givenName: payload.givenName, patronymic, birthDate, sex: 'unknown', phones: [[phone, 'mobile']], omsPolicy: null, snils: null, lastVisit: null });
        ref = misId;
      }
      writes.push({ key: idempotencyKey, kind });
      applied.set(idempotencyKey, ref);
      log.info('example.write-applied', { kind, ref });
      if (loseNextAnswer) {
        loseNextAnswer = false;
        throw misError('timeout', 'the answer was lost on the way back (on purpose); the write was applied');
      }
      return { status: 'applied', ref };
    },

    /** "Test connection": the steps plugin.json lists under `diagnostics`, one call each. */
    async diagnose(step) {
      if (step === 'auth') {
        if (settings.password === '') return { detail: 'No password set: the example clinic is open to anyone.', warning: true };
        if (settings.password !== PASSWORD) throw misError('auth', 'The example clinic refused the password.', { hint: 'checkCredentials' });
        return 'The example clinic accepted the password.';
      }
      if (step === 'read-patient') {
        const first = await connector.getCard('EX-1001');
        if (first === null) throw misError('protocol', 'The example clinic has no patient EX-1001.');
        return `Read patient EX-1001 (version ${first.version}); ${live().length} patients in the clinic.`;
      }
      throw misError('protocol', `The example clinic has no check "${String(step).slice(0, 40)}".`);
    },

    // Controls for the plugin's own tests and demos (not part of the SDK contract).
    async controlEdit(misId, surname) {
      const person = people.get(misId);
      if (!person || !NAME.test(surname)) throw misError('rejected', 'no such patient or not a name');
      upsert({ ...person, surname });
      return versions.get(misId);
    },
    async controlWritesFor(key) {
      return writes.filter((write) => write.key === key).length;
    },
    async controlLoseNextAnswer() {
      loseNextAnswer = true;
      return true;
    },
  };
  if (settings.misbehave !== 'none' && settings.on === 'start') {
    if (settings.misbehave === 'throw') throw new Error('the example plugin failed on purpose at start');
    return Promise.resolve(misbehave(settings.misbehave, log)).then(() => connector);
  }
  log.info('example.started', { patients: live().length, run });
  return connector;
}

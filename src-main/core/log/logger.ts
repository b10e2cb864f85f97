export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogContext = Record<string, unknown>;

export interface Logger {
  debug(event: string, context?: LogContext): void;
  info(event: string, context?: LogContext): void;
  warn(event: string, context?: LogContext): void;
  error(event: string, context?: LogContext): void;
}

export interface LogRecord {
  time: string;
  level: LogLevel;
  event: string;
  context?: LogContext;
}

export type LogSink = (record: LogRecord) => void;

/**
 * Keys whose values never reach a log, whatever they hold (a part of the key is enough:
 * `callerName`, `patientPhone`, `birthDate`, `omsPolicy`). Patient data and secrets are
 * special-category data (152-ФЗ): the log says that something happened, not to whom.
 */
const REDACTED_KEYS =
  /pass(word|wd)?|secret|token|key|credential|authoriz|cookie|name|surname|patronymic|phone|number|caller|birth|snils|policy|insur|passport|address|email|allerg|diagnos|complaint|comment|note|text|query|search/i;

/**
 * Key words too short to look for inside other words (`pin` is in `mapping`, `tel` in
 * `hotel`): matched as a whole word of the key (`pin`, `userPin`, `pin_hash`, `last4`). A
 * `body` or `payload` is a whole message from elsewhere (an MIS answer), so it goes too.
 */
const REDACTED_KEY_WORDS = new Set(['pin', 'pins', 'dob', 'fio', 'oms', 'dms', 'inn', 'tel', 'mail', 'mobile', 'msisdn', 'street', 'city', 'suffix', 'last4', 'tail', 'ending', 'digits', 'body', 'payload']);

function isRedactedKey(key: string): boolean {
  if (REDACTED_KEYS.test(key)) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => REDACTED_KEY_WORDS.has(word));
}

/**
 * What a key is worth knowing, worked out once: the same few hundred keys come by on every line
 * (`callId`, `ms`, `error`). Bounded, so keys made from data (a map by number) cannot grow it.
 */
const KEY_MEMO_MAX = 4_096;
const keyMemo = new Map<string, { redacted: boolean; masked: string }>();
function keyInfo(key: string): { redacted: boolean; masked: string } {
  let info = keyMemo.get(key);
  if (!info) {
    info = { redacted: isRedactedKey(key), masked: maskText(key, 64) };
    if (keyMemo.size < KEY_MEMO_MAX) keyMemo.set(key, info);
  }
  return info;
}

/** `scheme://[userinfo@]host[:port][/path][?query][#fragment]`: userinfo and query can carry a login, a token or a name. */
const URL_PATTERN = /\b([a-z][a-z0-9+.-]{1,15}:\/\/)(?:[^\s/?#@"'<>]{0,256}@)?([^\s/?#"'<>]{0,255})([^\s?#"'<>]{0,2048})([?#][^\s"'<>]{0,2048})?/gi;
/** An e-mail address (a SIP URI's `user@host` is left to the digit rule: a number in it is masked there). */
const EMAIL = /(?<!\bsips?:[^\s@]{0,64})[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}\.\p{L}{2,24}(?![\p{L}\p{N}-])/gu;
/** A date written with dots or slashes (12.03.1985, 12/03/85); ISO dates are digit runs below. */
const DOTTED_DATE = /(?<![\d.])\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?![\d.])/g;
/** Digit runs long enough to be a phone, policy, СНИЛС or date (`8 (916) 123-45-67`, `112-233-445 95`, `1985-03-12`). */
const LONG_DIGITS = /\+?\d[\d\s\-()]{5,}\d/g;
/** In free text, four or five digits on their own ("ends in 4567"); not a port after a colon. */
const SHORT_DIGITS = /(?<![\p{L}\p{N}:.])\d{4,5}(?![\p{L}\p{N}.])/gu;
/** A Cyrillic word (with its hyphen or apostrophe halves): the desk logs in English codes, so Russian text comes from the clinic's data. */
const CYRILLIC_WORD = /\p{Script=Cyrillic}+(?:[-'\u2019]\p{Script=Cyrillic}+)*/gu;
const CYRILLIC_RUN = /\[text\](?:[\s,.]+\[text\])+/g;
/**
 * A capitalised Latin word standing on its own (`Smith`, `Anna Ivanova`, `Rimskaya-Korsakova`),
 * not part of an identifier or path (`TypeError`, `Europe/Moscow`, `Catalog_Patients`).
 */
const TITLE_WORD = /(?<![\p{L}\p{N}_/\\@#-])\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*(?![\p{L}\p{N}_/\\@#-])/gu;

/**
 * Capitalised English words that error messages and our own texts start with or name: kept.
 * Every other capitalised Latin word in free text may be a name, and is masked.
 */
const ENGLISH_WORDS = new Set(
  (
    'a an the and or not no nor yes is are was were be been being it its this that these those there here what when where which who why how ' +
    'all any some none nothing every each only also too to of in on at by for from with without into onto after before while during as if else ' +
    'then than but so because please try retry again cannot can could would should must may might will shall do does did done has have had ' +
    'get got set put post read write open opened close closed start started starting stop stopped stopping connect connecting connection connected ' +
    'disconnected refused reset failed fail failure error errors warning unknown unexpected invalid missing expected required wrong bad empty ' +
    'duplicate already exists exist found timeout timed out aborted abort cancelled canceled denied forbidden unauthorized permission access ' +
    'request response server client socket file files folder directory path database table column row index key value field type string ' +
    'number object array null undefined true false input output data message status code reason network host port internal service ' +
    'unavailable available busy locked lock full disk space memory limit exceeded many large long short version newer older new old plugin ' +
    'connector worker thread process child exit exited signal killed crashed restart restarting restarted patient patients card cards call calls ' +
    'queue agent booking appointment slot schedule sync outbox journal cache audit settings config configuration schema bundle extension ' +
    'interface authentication authorization attempted originate nobody free another use unlock switch sign enter bring excel asterisk math ' +
    'buffer malformed unparseable unsupported supported parse parsing syntax range reference uncaught unhandled promise rejection rejected ' +
    'invalidated expired certificate self signed unable verify first leaf chunk body header headers method url uri domain name names ' +
    'desk registratura electron chromium node sqlite cipher integrity check quick damaged corrupt unreadable rebuild rebuilding replaced ' +
    'diagnostics support log logs level debug info warn mis pbx sip registration registered register unregistered offline online reconnecting ' +
    'answer answered ringing missed lost hold held transfer dial dialled dialing user users operator supervisor cashier admin role roles ' +
    'person people session sessions idle pin screen window tray menu quit show hide hidden visible see note'
  ).split(' '),
);

/** Lower-case ASCII codes without digits: nothing any rule below could match. */
const CODE = /^[a-z_.:/-]{0,120}$/;
const NON_ASCII = /\P{ASCII}/u;
const DIGIT = /\d/;
const CAPITAL = /\p{Lu}/u;

const MAX_STRING = 500;
const MAX_KEYS = 50;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;
const STACK_FRAMES = 8;

/**
 * Makes a log context safe, whatever the caller passed: values under keys naming secrets or
 * personal data masked, free text masked (see {@link maskText}), errors reduced to their name,
 * masked message, code, cause and stack frames, and everything cut to size.
 */
export function redact(value: unknown, key = '', depth = 0): unknown {
  if (key !== '' && keyInfo(key).redacted && !isErrorName(key, value)) return value === undefined ? undefined : '[redacted]';
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'number') return maskNumber(value);
  if (typeof value === 'bigint') return maskText(String(value));
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'function') return '[function]';
  if (typeof value === 'symbol') return '[symbol]';
  if (value instanceof Error) return redactError(value, depth);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '[invalid date]' : maskText(value.toISOString());
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[bytes ${value.byteLength}]`;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => redact(item, '', depth + 1));
  if (value instanceof Set) return redact([...value], key, depth);
  if (value instanceof Map) return redactEntries([...value.entries()].map(([k, v]) => [String(k), v]), depth);
  if (typeof value === 'object') return redactEntries(Object.entries(value as Record<string, unknown>), depth);
  return `[${typeof value}]`;
}

/** An error's `name` (`TypeError`, `DatabaseError`) under a `name` key: a class name, kept when a written record is redacted again. */
function isErrorName(key: string, value: unknown): boolean {
  return key === 'name' && typeof value === 'string' && /^(?:[A-Z][A-Za-z0-9]{0,40})?Error$/.test(value);
}

function redactEntries(entries: [string, unknown][], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, MAX_KEYS)) {
    // A key can carry data too (a map by phone number): it is masked like any text.
    out[keyInfo(k).masked] = redact(v, k, depth + 1);
  }
  return out;
}

/** A number the size of a phone (10–12 digits) or a policy (14 and more); counts, ms and epoch-ms times stay. */
function maskNumber(value: number): number | string {
  if (!Number.isFinite(value) || !Number.isInteger(value)) return value;
  const digits = String(Math.abs(value)).replace(/\D/g, '').length;
  return (digits >= 10 && digits <= 12) || digits >= 14 ? '[digits]' : value;
}

function redactError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(error.name) ? error.name : 'Error',
    message: maskText(error.message),
  };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = redact(code, 'code', depth + 1);
  if (depth < MAX_DEPTH) {
    // What a library put on its error (an HTTP status, a kind, a path); masked like any context.
    for (const [k, v] of Object.entries(error).slice(0, 10)) {
      if (!(k in out) && k !== 'stack' && k !== 'cause') out[keyInfo(k).masked] = redact(v, k, depth + 1);
    }
    if (error.cause !== undefined) out.cause = redact(error.cause, '', depth + 1);
    const errors = (error as { errors?: unknown }).errors;
    if (Array.isArray(errors)) out.errors = redact(errors.slice(0, 5), '', depth + 1);
  }
  // Only the frames: the stack's first lines repeat the message, which is masked above.
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, STACK_FRAMES)
    .map((line) => line.trim().slice(0, 300));
  if (frames.length > 0) out.stack = frames.join('\n');
  return out;
}

/**
 * Masks free text, whatever it is (a value, an array item, an error's message, an event name,
 * a key): a URL's userinfo and query, e-mail addresses, dates, digit runs of a phone, policy or
 * СНИЛС, four or five digits on their own in a sentence, every Cyrillic word, and every
 * capitalised Latin word that is not a common English word (a name); then cuts it to `max`.
 * Our own codes — lower-case, dotted, hyphenated — pass unchanged.
 */
export function maskText(value: string, max = MAX_STRING): string {
  // Our own codes (`softphone.refused-unparseable`, `web`, `pbx.online`) have nothing to mask.
  if (value.length <= max && CODE.test(value)) return value;
  let text = value.length > max * 4 ? value.slice(0, max * 4) : value;
  if (text.includes('://')) text = text.replace(URL_PATTERN, (_all, scheme: string, host: string, path: string, query: string | undefined) => `${scheme}${host}${path}${query ? '?[query]' : ''}`);
  if (text.includes('@')) text = text.replace(EMAIL, '[email]');
  if (DIGIT.test(text)) {
    text = text.replace(DOTTED_DATE, '[date]').replace(LONG_DIGITS, '[digits]');
    if (/\s/.test(text)) text = text.replace(SHORT_DIGITS, '[digits]');
  }
  if (NON_ASCII.test(text)) text = text.replace(CYRILLIC_WORD, '[text]').replace(CYRILLIC_RUN, '[text]');
  if (CAPITAL.test(text)) text = text.replace(TITLE_WORD, (word) => (word.split('-').every((part) => ENGLISH_WORDS.has(part.toLowerCase())) ? word : '[name]'));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function createLogger(sinks: LogSink[], minimum: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
  const write = (level: LogLevel, event: string, context?: LogContext) => {
    if (order[level] < order[minimum]) return;
    const record: LogRecord = { time: new Date().toISOString(), level, event: maskText(String(event), 120) };
    if (context) {
      try {
        record.context = redactContext(context);
      } catch {
        // A getter that throws, a proxy: the line is still written, without what could not be read.
        record.context = { unreadable: true };
      }
    }
    for (const sink of sinks) {
      try {
        sink(record);
      } catch {
        // A broken sink (disk full, closed stream) must never take the desk down.
      }
    }
  };
  return {
    debug: (event, context) => write('debug', event, context),
    info: (event, context) => write('info', event, context),
    warn: (event, context) => write('warn', event, context),
    error: (event, context) => write('error', event, context),
  };
}

/** A context as it is written: always an object (a caller passing an Error or a string gets it under `value`). */
export function redactContext(context: unknown): LogContext {
  const safe = redact(context);
  return safe !== null && typeof safe === 'object' && !Array.isArray(safe) && !(context instanceof Error) ? (safe as LogContext) : { value: safe };
}

/** Human-readable lines on stderr; stdout is kept for the host's one ready line. */
export function stderrSink(): LogSink {
  return (record) => {
    const context = record.context ? ` ${JSON.stringify(record.context)}` : '';
    process.stderr.write(`${record.time} ${record.level.toUpperCase()} ${record.event}${context}\n`);
  };
}

export const silentLogger: Logger = createLogger([]);

/**
 * The desk's SIP wire guard: every message between the WebSocket and SIP.js passes here (the
 * transport wrapper in sip-js-phone.ts). Pure: no SIP.js import, no I/O, never throws.
 *
 * Why it exists. RFC 3261 §20.20 / §20.39 allow any URI in `From` and `To` (`addr-spec` is
 * `SIP-URI / SIPS-URI / absoluteURI`), and trunks and SBCs deliver `tel:` URIs (RFC 3966) there.
 * SIP.js 0.21.2's grammar accepts only `sip:`/`sips:` in those headers; on any header it cannot
 * parse it drops the whole message without a response ("Failed to parse incoming message.
 * Dropping."). The caller heard ringing until the server gave up, and the desk never saw the call.
 *
 * What it does with a request from the network:
 * 1. **Maps what is well-formed into what SIP.js parses** (From and To only, losslessly):
 *    - a `tel:` URI becomes the equivalent SIP URI of RFC 3261 §19.1.6,
 *      `sip:<telephone-subscriber>@from.caller-id.invalid;user=phone` (the host is reserved,
 *      RFC 2606, and marks the rewrite), so the number reaches the screen pop unchanged;
 *    - any other absolute URI (`urn:`, `http:` …) becomes `sip:anonymous@from.caller-id.invalid`
 *      (no number the desk could look up or dial; P-Asserted-Identity still can carry one);
 *    - an unquoted display name that is not `*(token LWS)` (UTF-8, commas, `@`: PBXs send them
 *      unquoted) is quoted (RFC 3261 §25.1 quoted-string), and control characters in a display
 *      name become spaces — they are cosmetic, the call must not be lost over them.
 *    The originals are kept per Call-ID and put back into everything the desk sends in that call
 *    ({@link SipWireGuard.outbound}): a response's From and To equal the request's byte for byte
 *    (RFC 3261 §8.2.6.2), and an in-dialog request carries the caller's original URI (§12.2.1.1).
 * 2. **Refuses what the stack still drops.** SIP.js parses each message once, as before; when it
 *    drops one it says so only in its log, which the transport reads while delivering
 *    (`stackFailureOf` in sip-js-phone.ts) and hands to {@link SipWireGuard.refusal}. What is
 *    malformed (a broken Contact, Via, CSeq, an unbalanced `<` or quote …) in a request other
 *    than ACK is refused with `400` built here from the raw headers (RFC 3261 §8.2.6: Via, From, To + tag, Call-ID, CSeq
 *    copied; §21.4.1: the reason phrase names the problem) plus `Warning: 399 registratura …`
 *    (§20.43), so the caller hears a refusal instead of silence. Without Via, From, To, Call-ID
 *    and CSeq no response can be routed, and an ACK is never answered (§17.2.1): those are
 *    dropped. Every refusal or drop has a reason code for the log — never the number or the name.
 * Responses from the network are never rewritten (they answer the desk's own requests); one the
 * stack cannot parse is dropped with its reason.
 */

import { parseAddress } from './sip-headers';

/** The reserved host that marks a rewritten URI: `from.caller-id.invalid` / `to.caller-id.invalid`. */
export const REWRITE_HOST_SUFFIX = 'caller-id.invalid';

/** Headers SIP.js 0.21.2 parses itself (core/messages/parser.js); a failure in any of them drops the message. */
export const STACK_PARSED_HEADERS = [
  'via',
  'from',
  'to',
  'call-id',
  'contact',
  'content-length',
  'content-type',
  'cseq',
  'max-forwards',
  'www-authenticate',
  'proxy-authenticate',
  'refer-to',
  'record-route',
] as const;
export type StackParsedHeader = (typeof STACK_PARSED_HEADERS)[number];

/**
 * Why a message could not be handed to the stack. Safe to log: names a header or a part of the
 * message, never a value.
 */
export type WireProblem =
  | `malformed-${StackParsedHeader}`
  | `missing-${StackParsedHeader}`
  | 'malformed-start-line'
  | 'malformed-framing'
  | 'malformed-header'
  | 'missing-header';

/**
 * Why the stack would not take a message, as it reported it: a header it could not parse, its
 * start line, the framing, or a mandatory header it found missing. `header` is the name only.
 */
export type StackFailure =
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'missing'; readonly header: string }
  | { readonly kind: 'start-line' }
  | { readonly kind: 'framing' };

export type Refusal =
  /** Send `reply` back on the transport. */
  | { readonly action: 'refuse'; readonly reply: string; readonly status: 400; readonly method: string; readonly problem: WireProblem }
  /** Nothing can be answered (a response, an ACK, no Via/From/To/Call-ID/CSeq): log and drop. */
  | { readonly action: 'drop'; readonly method: string | null; readonly problem: WireProblem };

/** Calls whose From/To were rewritten, remembered for their responses and in-dialog requests. */
const MAX_REMEMBERED_CALLS = 512;

/** Compact header forms (RFC 3261 §7.3.3) of the headers this module reads. */
const COMPACT: Readonly<Record<string, string>> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', r: 'refer-to' };

/** RFC 3261 §25.1 `token` characters. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/u;
/** `Method SP Request-URI SP SIP-Version` (RFC 3261 §7.1), loosely: enough to know it is a request. */
const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) \S+ SIP\/2\.0$/u;
/**
 * What a SIP quoted-string cannot carry (RFC 3261 §25.1 `qdtext`: no C0 control but tab, no DEL):
 * a wire-grammar rule, so SIP.js parses the message. It is not the display rule — C1, bidi and
 * invisible characters are valid UTF-8 here and reach `parseCaller`, where `oneLineText`
 * (`src-shared/text`) blanks them before anything is shown.
 */
// eslint-disable-next-line no-control-regex -- replacing control characters is the point
const SIP_QDTEXT_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/gu;

interface HeaderField {
  /** Lower-case canonical name (`f` → `from`). */
  readonly name: string;
  readonly value: string;
  /** Index of its first line in {@link SplitMessage.lines}, and how many lines it spans (folding). */
  readonly line: number;
  readonly span: number;
}

interface SplitMessage {
  readonly startLine: string;
  /** Header lines as received (index 0 is the start line). */
  readonly lines: string[];
  readonly headers: HeaderField[];
  /** Everything from the blank line on (`\r\n\r\n` + body), or '' when there is none. */
  readonly rest: string;
}

/** Split a message into start line, header fields (unfolded, RFC 3261 §7.3.1) and the rest. */
function split(raw: string): SplitMessage {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const rest = end < 0 ? '' : raw.slice(end);
  const lines = head.split('\r\n');
  const headers: HeaderField[] = [];
  for (let i = 1; i < lines.length; i++) {
    const first = lines[i]!;
    let value = first;
    let span = 1;
    while (i + span < lines.length && /^[ \t]/u.test(lines[i + span]!)) {
      value += ` ${lines[i + span]!.trim()}`;
      span++;
    }
    const colon = value.indexOf(':');
    if (colon > 0) {
      const name = value.slice(0, colon).trim().toLowerCase();
      headers.push({ name: COMPACT[name] ?? name, value: value.slice(colon + 1).trim(), line: i, span });
    }
    i += span - 1;
  }
  return { startLine: lines[0] ?? '', lines, headers, rest };
}

const first = (m: SplitMessage, name: string) => m.headers.find((h) => h.name === name);

/** The message with some header fields replaced by one line each; every other byte as received. */
function withHeaders(m: SplitMessage, replaced: ReadonlyMap<HeaderField, string>): string {
  const out: string[] = [m.lines[0] ?? ''];
  for (let i = 1; i < m.lines.length; i++) {
    const field = [...replaced.keys()].find((h) => h.line === i);
    if (field) {
      out.push(replaced.get(field)!);
      i += field.span - 1;
    } else out.push(m.lines[i]!);
  }
  return out.join('\r\n') + m.rest;
}

/**
 * The display name in a form SIP.js parses (RFC 3261 §25.1), or null when it cannot be repaired:
 * a quoted string keeps its text with control characters blanked; `*(token LWS)` stays; anything
 * else unquoted is quoted (`\` escaped). An unquoted name with a stray `"` is not guessed at.
 */
export function repairDisplayName(display: string): string | null {
  if (display === '') return '';
  if (display.startsWith('"') && display.endsWith('"') && display.length >= 2) return display.replace(SIP_QDTEXT_CONTROL, ' ');
  if (display.split(/[ \t]+/u).every((word) => TOKEN.test(word))) return display;
  if (display.includes('"')) return null;
  return `"${display.replace(SIP_QDTEXT_CONTROL, ' ').replace(/\\/gu, '\\\\')}"`;
}

/** Characters RFC 3261 §25.1 allows unescaped in a SIP `user` part. */
const SIP_USER_CHAR = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/u;
/** RFC 3966 §3 telephone-subscriber, loosely: a global or local number, then `;` parameters. */
const TEL_NUMBER = /^(?:\+[0-9().-]*[0-9][0-9().-]*|[0-9A-Fa-f*#().-]*[0-9A-Fa-f*#][0-9A-Fa-f*#().-]*)$/u;
/** RFC 3261 §25.1 absoluteURI after the scheme: no spaces, quotes, angle brackets or controls. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const OPAQUE = /^[^\s<>"\\\u0000-\u001f\u007f]+$/u;

/** A tel: subscriber as a SIP user part: what §25.1 does not allow unescaped is %-encoded. */
function asSipUser(subscriber: string): string {
  let out = '';
  for (let i = 0; i < subscriber.length; i++) {
    const ch = subscriber[i]!;
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/u.test(subscriber.slice(i + 1, i + 3))) {
      out += subscriber.slice(i, i + 3);
      i += 2;
    } else if (SIP_USER_CHAR.test(ch)) out += ch;
    else out += encodeURIComponent(ch).replace(/[!'()*]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  return out;
}

/**
 * The URI in a form SIP.js parses: `sip:`/`sips:` as is; a `tel:` number as its RFC 3261 §19.1.6
 * SIP equivalent on the marker host; any other absolute URI (RFC 3261 §25.1 `absoluteURI`,
 * including a `tel:` without a number) as `sip:anonymous@<marker>`. Null when it is not a URI.
 */
export function repairUri(uri: string, role: 'from' | 'to'): string | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/u.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return null;
  if (scheme === 'sip' || scheme === 'sips') return uri;
  const rest = uri.slice(scheme.length + 1);
  if (!OPAQUE.test(rest)) return null;
  const host = `${role}.${REWRITE_HOST_SUFFIX}`;
  if (scheme === 'tel' && TEL_NUMBER.test(rest.split(';')[0]!)) return `sip:${asSipUser(rest)}@${host};user=phone`;
  return `sip:anonymous@${host}`;
}

/** A From/To value SIP.js can parse, or null when nothing needs (or can) be changed. */
export function repairAddress(value: string, role: 'from' | 'to'): string | null {
  const parts = parseAddress(value);
  if (!parts) return null;
  const uri = repairUri(parts.uri, role);
  const display = repairDisplayName(parts.display);
  if (uri === null || display === null) return null;
  if (uri === parts.uri && display === parts.display) return null;
  return `${display === '' ? '' : `${display} `}<${uri}>${parts.params}`;
}

interface Remembered {
  /** Rewritten header value → original, for the exact echo in responses. */
  readonly values: Map<string, string>;
  /** Role of the rewritten URI → the original URI, for the desk's own in-dialog requests. */
  readonly uris: Map<'from' | 'to', string>;
}

/** `Via`, `From`, `To`… as written in a response (canonical case). */
const DISPLAY_NAME: Readonly<Record<string, string>> = { via: 'Via', from: 'From', to: 'To', 'call-id': 'Call-ID', cseq: 'CSeq' };

function reasonPhrase(problem: WireProblem): string {
  if (problem === 'malformed-start-line') return 'Malformed Request-Line';
  if (problem === 'malformed-header') return 'Malformed header field';
  if (problem === 'missing-header') return 'Missing header field';
  if (problem === 'malformed-framing') return 'Malformed message';
  const [kind, ...rest] = problem.split('-');
  const header = rest.join('-');
  const name = DISPLAY_NAME[header] ?? header.replace(/(^|-)([a-z])/gu, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
  return kind === 'missing' ? `Missing ${name} header field` : `Malformed ${name} header field`;
}

/**
 * A stateless `400` for a request the stack cannot parse (RFC 3261 §8.2.6, §21.4.1), from the
 * request's raw header fields; null when it cannot be routed back (no Via, From, To, Call-ID or CSeq).
 */
export function badRequestReply(raw: string, problem: WireProblem, toTag: string): string | null {
  const m = split(raw);
  const vias = m.headers.filter((h) => h.name === 'via');
  const from = first(m, 'from');
  const to = first(m, 'to');
  const callId = first(m, 'call-id');
  const cseq = first(m, 'cseq');
  if (vias.length === 0 || !from || !to || !callId || !cseq) return null;
  const toParams = to.value.slice(Math.max(to.value.lastIndexOf('>'), 0));
  const toValue = /;\s*tag\s*=/iu.test(toParams) ? to.value : `${to.value};tag=${toTag}`;
  return [
    `SIP/2.0 400 ${reasonPhrase(problem)}`,
    ...vias.map((v) => `Via: ${v.value}`),
    `From: ${from.value}`,
    `To: ${toValue}`,
    `Call-ID: ${callId.value}`,
    `CSeq: ${cseq.value}`,
    `Warning: 399 registratura "${reasonPhrase(problem)}"`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function problemOf(failure: StackFailure): WireProblem {
  if (failure.kind === 'start-line') return 'malformed-start-line';
  if (failure.kind === 'framing') return 'malformed-framing';
  const lower = failure.header.toLowerCase().replace(/_/gu, '-');
  const name = COMPACT[lower] ?? lower;
  const known = (STACK_PARSED_HEADERS as readonly string[]).includes(name);
  if (failure.kind === 'missing') return known ? (`missing-${name}` as WireProblem) : 'missing-header';
  return known ? (`malformed-${name}` as WireProblem) : 'malformed-header';
}

/** Methods a log line may name (RFC 3261 and its extensions); any other token is `request`. */
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE']);

/** The request's method as the log may show it (a known method, else `request`); null for anything but a request. */
function methodOf(m: SplitMessage): string | null {
  const method = REQUEST_LINE.exec(m.startLine)?.[1];
  if (method === undefined) return null;
  return KNOWN_METHODS.has(method) ? method : 'request';
}

function randomTag(): string {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return `rg${words[0]!.toString(36)}${words[1]!.toString(36)}`;
}

/** See the module comment. One per transport; remembers at most {@link MAX_REMEMBERED_CALLS} calls. */
export class SipWireGuard {
  private readonly calls = new Map<string, Remembered>();

  /** @param newTag the To tag of a refusal (RFC 3261 §19.3: random, ≥ 32 bits). */
  constructor(private readonly newTag: () => string = randomTag) {}

  /** How many calls have rewritten From/To remembered (for tests and bounds). */
  get remembered(): number {
    return this.calls.size;
  }

  /**
   * A message from the network in the form the stack is given: a request's From/To repaired
   * ({@link repairAddress}) and remembered for the call; everything else byte for byte.
   */
  inbound(raw: string): { readonly message: string; readonly rewritten: boolean } {
    const m = split(raw);
    if (methodOf(m) === null) return { message: raw, rewritten: false };
    const replaced = new Map<HeaderField, string>();
    const values = new Map<string, string>();
    const uris = new Map<'from' | 'to', string>();
    for (const role of ['from', 'to'] as const) {
      const header = first(m, role);
      if (!header) continue;
      const repaired = repairAddress(header.value, role);
      if (repaired === null) continue;
      replaced.set(header, `${role === 'from' ? 'From' : 'To'}: ${repaired}`);
      values.set(repaired, header.value);
      const original = parseAddress(header.value);
      if (original && repaired.includes(`@${role}.${REWRITE_HOST_SUFFIX}`)) uris.set(role, original.uri);
    }
    if (replaced.size === 0) return { message: raw, rewritten: false };
    const callId = first(m, 'call-id');
    if (callId) this.remember(callId.value, { values, uris });
    return { message: withHeaders(m, replaced), rewritten: true };
  }

  /**
   * What to do with a message the stack could not take (`failure`, as the stack reported it):
   * a request other than ACK is refused with a `400` built from its raw headers when it can be
   * routed back; anything else is dropped. Either way the verdict carries a loggable reason.
   */
  refusal(raw: string, failure: StackFailure): Refusal {
    const m = split(raw);
    const method = methodOf(m);
    const problem = problemOf(failure);
    if (method === null || method === 'ACK') return { action: 'drop', method, problem };
    const reply = badRequestReply(raw, problem, this.newTag());
    if (reply === null) return { action: 'drop', method, problem };
    return { action: 'refuse', reply, status: 400, method, problem };
  }

  /**
   * Put the caller's original From/To back into what the desk sends in a call whose headers were
   * rewritten: the exact value where the stack echoes it (responses), else the original URI in
   * place of the marker URI (the desk's own in-dialog requests). Other messages pass untouched.
   */
  outbound(raw: string): string {
    if (this.calls.size === 0) return raw;
    const m = split(raw);
    const callId = first(m, 'call-id');
    const remembered = callId ? this.calls.get(callId.value) : undefined;
    if (!remembered) return raw;
    const replaced = new Map<HeaderField, string>();
    for (const header of m.headers) {
      if (header.name !== 'from' && header.name !== 'to') continue;
      let value = header.value;
      for (const [rewrittenValue, original] of remembered.values) {
        if (value.startsWith(rewrittenValue)) {
          value = original + value.slice(rewrittenValue.length);
          break;
        }
      }
      if (value === header.value) {
        value = value.replace(/<sips?:[^<>]*@(from|to)\.caller-id\.invalid[^<>]*>/giu, (whole, role: string) => {
          const uri = remembered.uris.get(role.toLowerCase() as 'from' | 'to');
          return uri === undefined ? whole : `<${uri}>`;
        });
      }
      if (value !== header.value) replaced.set(header, `${header.name === 'from' ? 'From' : 'To'}: ${value}`);
    }
    return replaced.size > 0 ? withHeaders(m, replaced) : raw;
  }

  private remember(callId: string, entry: Remembered): void {
    const known = this.calls.get(callId);
    if (known) {
      for (const [k, v] of entry.values) known.values.set(k, v);
      for (const [k, v] of entry.uris) known.uris.set(k, v);
      return;
    }
    this.calls.set(callId, entry);
    if (this.calls.size > MAX_REMEMBERED_CALLS) this.calls.delete(this.calls.keys().next().value!);
  }
}

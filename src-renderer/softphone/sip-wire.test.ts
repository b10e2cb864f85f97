import { Core } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src-shared/random/seeded-random';
import { parseCaller } from './sip-headers';
import { parseAddress } from './sip-headers';
import { stackFailureOf } from './sip-js-phone';
import { badRequestReply, repairAddress, SipWireGuard, type Refusal, type StackFailure } from './sip-wire';

// The wire guard with SIP.js 0.21.2's real parser as its judge: every caller-id form a trunk
// delivers must reach the stack in a form it parses, with the number the screen pop needs; what
// cannot be parsed is answered 400 (or dropped when nothing can be answered), never silently lost.

const guard = () => new SipWireGuard(() => 'rgtag1');

/** SIP.js's parser on `message`: null when it parses, else the failure its log reports. */
function stackFailure(message: string): StackFailure | null {
  let failure: StackFailure | null = null;
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  factory.level = Core.Levels.warn;
  factory.connector = (_level, category, _label, content: unknown) => {
    const found = stackFailureOf(category, String(content));
    if (found && found !== 'dropped') failure ??= found;
  };
  if (Core.Parser.parseMessage(message, factory.getLogger('sip.Parser'))) return null;
  if (failure === null) throw new Error('SIP.js dropped a message without saying why in its log');
  return failure;
}

type Judged = { readonly action: 'deliver'; readonly message: string } | Refusal;

/** What the desk's transport does with `raw`: the guard's form to SIP.js, or the guard's refusal of what SIP.js drops. */
function judge(raw: string, g: SipWireGuard = guard()): Judged {
  const { message } = g.inbound(raw);
  const failure = stackFailure(message);
  return failure ? g.refusal(raw, failure) : { action: 'deliver', message };
}

function invite(from: string, extra: readonly string[] = [], options: { to?: string; method?: string } = {}): string {
  const method = options.method ?? 'INVITE';
  const body = method === 'INVITE' ? 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 8\r\n' : '';
  return [
    `${method} sip:1001@desk.invalid;transport=ws SIP/2.0`,
    'Via: SIP/2.0/WSS 127.0.0.1:5066;branch=z9hG4bK-proxy',
    'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-trunk;rport=5999',
    'Record-Route: <sip:127.0.0.1:5066;transport=ws;lr>',
    `From: ${from};tag=trunk1`,
    `To: ${options.to ?? '<sip:1001@registratura.test>'}`,
    'Call-ID: call-1@trunk',
    `CSeq: 1 ${method}`,
    'Max-Forwards: 69',
    'Contact: <sip:trunk@127.0.0.1:5999>',
    ...extra,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${new TextEncoder().encode(body).length}`,
    '',
    body,
  ].join('\r\n');
}

function delivered(verdict: Judged): string {
  if (verdict.action !== 'deliver') throw new Error(`expected deliver, got ${verdict.action} (${verdict.problem})`);
  return verdict.message;
}

function headerOf(message: string, name: string): string[] {
  const head = message.split('\r\n\r\n')[0]!;
  return head
    .split('\r\n')
    .slice(1)
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(line.indexOf(':') + 1).trim());
}

const log = new Core.LoggerFactory();
log.builtinEnabled = false;
const parse = (message: string) => Core.Parser.parseMessage(message, log.getLogger('test'));

const N = '9161234567';

describe('SipWireGuard.inbound: every caller-id form reaches SIP.js, with the number the pop looks up', () => {
  // [label, From value without tag, P-Asserted-Identity headers, the caller number the desk reads]
  const FORMS: [string, string, string[], string][] = [
    ['sip: national 8…', `<sip:8${N}@trunk.test>`, [], `8${N}`],
    ['sip: 7… without +', `<sip:7${N}@trunk.test>`, [], `7${N}`],
    ['sip: ten digits', `"Caller" <sip:${N}@trunk.test>`, [], N],
    ['sip: +7 with user=phone', `<sip:+7${N}@trunk.test;user=phone>`, [], `+7${N}`],
    ['sips: +7', `<sips:+7${N}@trunk.test>`, [], `+7${N}`],
    ['sip: escaped +', `<sip:%2B7${N}@trunk.test>`, [], `+7${N}`],
    ['tel: +7 with separators', '<tel:+7-916-123-45-67>', [], '+7-916-123-45-67'],
    ['tel: without angle brackets (params are header params)', `tel:+7${N}`, [], `+7${N}`],
    ['tel: with ( ) and .', '"Caller" <tel:+7(916)123.45.67>', [], '+7916123.45.67'],
    ['tel: national with phone-context', `<tel:8${N};phone-context=+7>`, [], `8${N}`],
    ['tel: local with phone-context domain', '<tel:1234;phone-context=clinic.example.ru>', [], '1234'],
    ['tel: upper-case scheme', `<TEL:+7${N}>`, [], `+7${N}`],
    ['tel: with * and #', '<tel:*100#;phone-context=+7>', [], '*100#'],
    ['anonymous From, PAI sip:', '"Anonymous" <sip:anonymous@anonymous.invalid>', [`<sip:+7${N}@trunk.test;user=phone>`], `+7${N}`],
    ['anonymous From, PAI tel:', '"Anonymous" <sip:anonymous@anonymous.invalid>', ['<tel:+7-916-123-45-67>'], '+7-916-123-45-67'],
    ['anonymous From, PAI sip + tel in one header', '<sip:anonymous@anonymous.invalid>', [`"Caller" <sip:8${N}@trunk.test>, <tel:+7${N}>`], `8${N}`],
    ['tel: From and PAI', '<tel:+74950000000>', [`<tel:+7${N}>`], `+7${N}`],
    ['urn: From (no number), PAI tel:', '<urn:service:sos>', [`<tel:+7${N}>`], `+7${N}`],
    ['urn: From, no PAI', '<urn:service:sos>', [], 'anonymous'],
    ['tel: without a number', '<tel:anonymous>', [], 'anonymous'],
    ['unquoted UTF-8 display name', `Иванова Мария <sip:8${N}@trunk.test>`, [], `8${N}`],
    ['unquoted display name with a comma and @', `Dr. Ivanov, clinic@home <tel:+7${N}>`, [], `+7${N}`],
    ['control characters in a quoted display name', `"Iva\u0001n\u0007" <tel:+7${N}>`, [], `+7${N}`],
    ['bidi override and quoted-pairs in the display name', `"\u202eИванова\u202c \\"Мама\\" <img src=x>" <sip:+7${N}@trunk.test>`, [], `+7${N}`],
    ['10 KB display name', `"${'Я'.repeat(5_000)}" <tel:+7-916-123-45-67>`, [], '+7-916-123-45-67'],
    ['10 KB unquoted display name', `${'Я'.repeat(5_000)} <tel:+7${N}>`, [], `+7${N}`],
  ];

  it.each(FORMS)('%s', (_label, from, pai, number) => {
    const message = delivered(judge(invite(from, pai.map((v) => `P-Asserted-Identity: ${v}`))));
    const parsed = parse(message);
    expect(parsed, 'SIP.js parses what the guard delivers').toBeDefined();
    const caller = parseCaller(headerOf(message, 'From')[0], headerOf(message, 'P-Asserted-Identity'));
    expect(caller.number).toBe(number);
    // eslint-disable-next-line no-control-regex -- no control character may reach the screen
    expect(caller.displayName).not.toMatch(/[\u0000-\u001f\u202a-\u202e]/u);
    expect(Array.from(caller.displayName).length).toBeLessThanOrEqual(200);
    // Only From/To may change; the body and every other header are as received.
    expect(message.split('\r\n\r\n')[1]).toBe(invite(from).split('\r\n\r\n')[1]);
    expect(headerOf(message, 'P-Asserted-Identity')).toEqual(pai);
    expect(headerOf(message, 'Contact')).toEqual(['<sip:trunk@127.0.0.1:5999>']);
  });

  it('keeps a well-formed sip: message byte for byte (no rewrite, nothing remembered)', () => {
    const g = guard();
    const raw = invite(`"Иванова" <sip:+7${N}@trunk.test;user=phone>`);
    expect(g.inbound(raw)).toEqual({ message: raw, rewritten: false });
    expect(g.remembered).toBe(0);
  });

  it('maps a tel: To as well (a trunk addressing the clinic number)', () => {
    const message = delivered(judge(invite(`<sip:+7${N}@trunk.test>`, [], { to: '<tel:+74951234567>' })));
    expect(parse(message)).toBeDefined();
    expect(headerOf(message, 'To')[0]).toBe('<sip:+74951234567@to.caller-id.invalid;user=phone>');
  });

  it('passes a CANCEL and an in-dialog BYE of a tel: caller the same way', () => {
    const g = guard();
    delivered(judge(invite('<tel:+7-916-123-45-67>'), g));
    for (const method of ['CANCEL', 'BYE', 'ACK']) {
      const message = delivered(judge(invite('<tel:+7-916-123-45-67>', [], { method, to: '<sip:1001@registratura.test>;tag=desk1' }), g));
      expect(parse(message), method).toBeDefined();
    }
    expect(g.remembered).toBe(1);
  });
});

describe('SipWireGuard.inbound: what the stack cannot parse is refused with 400, with a reason and no caller data', () => {
  const HOSTILE: [string, string, string[], string][] = [
    ['unbalanced angle bracket in From', `<sip:+7${N}@trunk.test`, [], 'malformed-from'],
    ['unbalanced quote in From', `"Ivan <sip:+7${N}@trunk.test>`, [], 'malformed-from'],
    ['stray quote in an unquoted name', `Ivan "Terrible <sip:+7${N}@trunk.test>`, [], 'malformed-from'],
    ['spaces in the user part', `<sip:+7 916 123 45 67@trunk.test>`, [], 'malformed-from'],
    ['no URI at all', '"Ivan Petrov"', [], 'malformed-from'],
    ['two URIs', `<sip:+7${N}@a.test> <sip:1@b.test>`, [], 'malformed-from'],
    ['a second Contact that does not parse', `<tel:+7${N}>`, ['Contact: <sip:x@y'], 'malformed-contact'],
    ['a tel: Contact (RFC 3261 §8.1.1.8 wants SIP)', `<tel:+7${N}>`, ['Contact: <tel:+7916>'], 'malformed-contact'],
    ['a Content-Type that does not parse', `<sip:+7${N}@trunk.test>`, ['Content-Type: application/sdp;;'], 'malformed-content-type'],
    ['a Record-Route that does not parse', `<sip:+7${N}@trunk.test>`, ['Record-Route: <sip:x'], 'malformed-record-route'],
  ];

  it.each(HOSTILE)('%s', (_label, from, extra, problem) => {
    const raw = invite(from, extra);
    const verdict = judge(raw);
    expect(verdict).toMatchObject({ action: 'refuse', status: 400, method: 'INVITE', problem });
    if (verdict.action !== 'refuse') return;
    // What goes to the log (method, problem) carries no number and no name.
    expect(`${verdict.method} ${verdict.problem}`).not.toMatch(/\d{3}|Ivan/u);
    expect(verdict.reply.endsWith('\r\n\r\n')).toBe(true);
    expect(verdict.reply.split('\r\n')[0]).toMatch(/^SIP\/2\.0 400 Malformed [A-Za-z-]+ header field$/u);
    // RFC 3261 §8.2.6.2: Vias in order, From, Call-ID and CSeq copied; To gets a tag.
    expect(headerOf(verdict.reply, 'Via')).toEqual(headerOf(raw, 'Via'));
    expect(headerOf(verdict.reply, 'From')).toEqual(headerOf(raw, 'From'));
    expect(headerOf(verdict.reply, 'To')).toEqual(['<sip:1001@registratura.test>;tag=rgtag1']);
    expect(headerOf(verdict.reply, 'Call-ID')).toEqual(['call-1@trunk']);
    expect(headerOf(verdict.reply, 'CSeq')).toEqual(['1 INVITE']);
    expect(headerOf(verdict.reply, 'Warning')[0]).toMatch(/^399 registratura "Malformed /u);
  });

  it('refuses a request whose start line does not parse', () => {
    const raw = invite(`<sip:+7${N}@trunk.test>`).replace('INVITE sip:1001@desk.invalid;transport=ws SIP/2.0', 'INVITE <sip:1001@desk.invalid> SIP/2.0');
    expect(judge(raw)).toMatchObject({ action: 'refuse', problem: 'malformed-start-line' });
  });

  it('keeps an existing To tag in the refusal', () => {
    const raw = invite(`<sip:+7${N}@trunk.test`, [], { method: 'BYE', to: '<sip:1001@registratura.test>;tag=desk9' });
    const verdict = judge(raw);
    expect(verdict.action === 'refuse' && headerOf(verdict.reply, 'To')).toEqual(['<sip:1001@registratura.test>;tag=desk9']);
  });

  it('never answers an ACK (RFC 3261 §17.2.1) or a response, and drops what cannot be routed back', () => {
    expect(judge(invite(`<sip:1@a`, [], { method: 'ACK' }))).toEqual({ action: 'drop', method: 'ACK', problem: 'malformed-from' });
    const response = invite(`<sip:1@a`).replace(/^INVITE \S+ SIP\/2\.0/u, 'SIP/2.0 180 Ringing');
    expect(judge(response)).toEqual({ action: 'drop', method: null, problem: 'malformed-from' });
    const noCallId = invite(`<sip:1@a`).replace('Call-ID: call-1@trunk\r\n', '');
    expect(judge(noCallId)).toMatchObject({ action: 'drop', method: 'INVITE' });
    expect(judge('garbage\r\n\r\n')).toEqual({ action: 'drop', method: null, problem: 'malformed-start-line' });
    expect(judge('no line ending at all')).toEqual({ action: 'drop', method: null, problem: 'malformed-framing' });
  });

  it('refuses a request the stack finds a mandatory header missing in, when it can be answered', () => {
    const noMaxForwards = invite(`<sip:+7${N}@trunk.test>`).replace('Max-Forwards: 69\r\n', '');
    expect(judge(noMaxForwards).action).toBe('deliver');
    // SIP.js names the header `call_id`; the problem names it as RFC 3261 does.
    const raw = invite(`<sip:+7${N}@trunk.test>`);
    expect(guard().refusal(raw, { kind: 'missing', header: 'call_id' })).toMatchObject({ action: 'refuse', problem: 'missing-call-id' });
    // Without To no correct response exists (§8.2.6.2): dropped, with its reason.
    const noTo = raw.replace('To: <sip:1001@registratura.test>\r\n', '');
    expect(guard().refusal(noTo, { kind: 'missing', header: 'to' })).toEqual({ action: 'drop', method: 'INVITE', problem: 'missing-to' });
  });

  it('reason codes name only headers SIP.js parses, never what a header held', () => {
    const raw = invite('<sip:1@a.test>');
    expect(guard().refusal(raw, { kind: 'header', header: '+7-916-123-45-67' })).toMatchObject({ action: 'refuse', problem: 'malformed-header' });
    expect(guard().refusal(raw, { kind: 'missing', header: 'Иванова' })).toMatchObject({ action: 'refuse', problem: 'missing-header' });
    expect(guard().refusal(raw, { kind: 'header', header: 'f' })).toMatchObject({ problem: 'malformed-from' });
    // A made-up method token could carry anything: the log names only known methods.
    const odd = raw.replace(/^INVITE /u, 'X79161234567 ');
    expect(guard().refusal(odd, { kind: 'header', header: 'from' })).toMatchObject({ action: 'refuse', method: 'request' });
  });

  it('randomised hostile From values: never throws, and a routable request is delivered parseable or refused with a parseable 400, never dropped', () => {
    const seed = Number(process.env.WIRE_SEED ?? Date.now() % 2 ** 31);
    console.warn(`sip-wire randomised seed ${seed} (rerun with WIRE_SEED=${seed})`);
    const next = seededRandom(seed);
    const pieces = ['"', '\\', '<', '>', ';', ',', '@', ':', ' ', '\t', '\u0000', '\u0007', '\u007f', '\u202e', 'Я', '📞', 'sip:', 'tel:', 'sips:', 'urn:x', '+7', '916', '-', '(', ')', '%2B', '%', 'tag=', 'user=phone', 'phone-context=+7', '=', '?', '#', '*', 'a.test'];
    for (let i = 0; i < 2_000; i++) {
      let from = '';
      const length = 1 + Math.floor(next() * 12);
      for (let k = 0; k < length; k++) from += pieces[Math.floor(next() * pieces.length)];
      const verdict = judge(invite(from));
      const context = `seed ${seed}, case ${i}: ${JSON.stringify(from)}`;
      expect(verdict.action, context).not.toBe('drop');
      if (verdict.action === 'deliver') expect(parse(verdict.message), context).toBeDefined();
      if (verdict.action === 'refuse') {
        expect(verdict.reply, context).toMatch(/^SIP\/2\.0 400 Malformed [A-Za-z-]+ header field\r\nVia: /u);
        expect(headerOf(verdict.reply, 'Call-ID'), context).toEqual(['call-1@trunk']);
      }
    }
  });
});

describe('SipWireGuard.outbound: the caller gets its own From/To back', () => {
  it('responses echo the original header values exactly (RFC 3261 §8.2.6.2)', () => {
    const g = guard();
    const original = 'Иванова <tel:+7-916-123-45-67>;tag=trunk1';
    const message = delivered(judge(invite('Иванова <tel:+7-916-123-45-67>', [], { to: '<tel:+74951234567>' }), g));
    const rewrittenFrom = headerOf(message, 'From')[0]!;
    const rewrittenTo = headerOf(message, 'To')[0]!;
    const response = ['SIP/2.0 180 Ringing', 'Via: SIP/2.0/WSS 127.0.0.1:5066;branch=z9hG4bK-proxy', `From: ${rewrittenFrom}`, `To: ${rewrittenTo};tag=desk1`, 'Call-ID: call-1@trunk', 'CSeq: 1 INVITE', 'Content-Length: 0', '', ''].join('\r\n');
    const out = g.outbound(response);
    expect(headerOf(out, 'From')).toEqual([original]);
    expect(headerOf(out, 'To')).toEqual(['<tel:+74951234567>;tag=desk1']);
    expect(out.split('\r\n').slice(0, 2)).toEqual(response.split('\r\n').slice(0, 2));
  });

  it("the desk's own in-dialog requests carry the caller's original URI (RFC 3261 §12.2.1.1)", () => {
    const g = guard();
    delivered(judge(invite('"Caller" <tel:8916;phone-context=+7>', [], { to: '<tel:+74951234567>' }), g));
    // As SIP.js builds a BYE: From = our To (with our tag), To = the caller's URI re-serialised.
    const bye = ['BYE sip:trunk@127.0.0.1:5999 SIP/2.0', 'Via: SIP/2.0/WSS desk.invalid;branch=z9hG4bK-bye', 'To: "Caller" <sip:8916%3Bphone-context%3D+7@from.caller-id.invalid;user=phone>;tag=trunk1', 'From: <sip:+74951234567@to.caller-id.invalid;user=phone>;tag=desk1', 'Call-ID: call-1@trunk', 'CSeq: 2 BYE', 'Content-Length: 0', '', ''].join('\r\n');
    const out = g.outbound(bye);
    expect(headerOf(out, 'To')).toEqual(['"Caller" <tel:8916;phone-context=+7>;tag=trunk1']);
    expect(headerOf(out, 'From')).toEqual(['<tel:+74951234567>;tag=desk1']);
  });

  it('leaves every other call untouched and remembers a bounded number of calls', () => {
    const g = guard();
    const other = invite('<sip:1@a.test>').replace('call-1@trunk', 'other@trunk');
    expect(g.outbound(other)).toBe(other);
    for (let i = 0; i < 600; i++) g.inbound(invite(`<tel:+7${N}>`).replace('call-1@trunk', `call-${i}@trunk`));
    expect(g.remembered).toBe(512);
    expect(g.outbound(other)).toBe(other);
  });
});

describe('address helpers', () => {
  it('parseAddress splits name-addr and addr-spec (RFC 3261 §20.10)', () => {
    expect(parseAddress('"A \\" B" <tel:+7916>;tag=1')).toEqual({ display: '"A \\" B"', uri: 'tel:+7916', params: ';tag=1', bracketed: true });
    expect(parseAddress('tel:+7916;phone-context=+7;tag=1')).toEqual({ display: '', uri: 'tel:+7916', params: ';phone-context=+7;tag=1', bracketed: false });
    expect(parseAddress('<sip:1@a')).toBeNull();
    expect(parseAddress('"unterminated <sip:1@a>')).toBeNull();
  });

  it('repairAddress changes only what SIP.js cannot parse', () => {
    expect(repairAddress('<sip:1@a.test>;tag=x', 'from')).toBeNull();
    expect(repairAddress('Ivan Petrov <sip:1@a.test>;tag=x', 'from')).toBeNull();
    expect(repairAddress('Иван <sip:1@a.test>;tag=x', 'from')).toBe('"Иван" <sip:1@a.test>;tag=x');
    expect(repairAddress('C:\\path <sip:1@a.test>', 'from')).toBe('"C:\\\\path" <sip:1@a.test>');
    expect(repairAddress('<tel:*100#;phone-context=+7>', 'from')).toBe('<sip:*100%23;phone-context=+7@from.caller-id.invalid;user=phone>');
    expect(repairAddress('<tel:+7#1>', 'from')).toBe('<sip:anonymous@from.caller-id.invalid>');
  });

  it('badRequestReply needs Via, From, To, Call-ID and CSeq', () => {
    expect(badRequestReply('INVITE sip:a@b SIP/2.0\r\nFrom: x\r\nTo: y\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n', 'malformed-from', 't')).toBeNull();
  });
});

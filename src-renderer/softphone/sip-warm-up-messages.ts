/**
 * Made-up SIP messages of the kinds the desk's first call brings (RFC 3261 §7, WebSocket
 * transport per RFC 7118): an incoming INVITE as a proxy or PBX relays it, and the responses to
 * an outgoing INVITE (100, 407 with a digest challenge, 180, 200 with SDP). `SipJsPhone` parses
 * them once while the desk is idle, so SIP.js's header grammar and the desk's caller parsing are
 * compiled before the first caller rather than while that caller's INVITE is handled (measured in
 * V8: the first parse of such an INVITE ~60 ms, later ones ~2 ms). Text only: nothing here is
 * ever sent, and no SIP.js import (the parsing is in sip-js-phone.ts).
 *
 * All names are synthetic (`.invalid`, RFC 6761); the numbers are no one's.
 */

const CRLF = '\r\n';

const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS warm-up',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host generation 0',
  'a=ice-ufrag:WaRm',
  'a=ice-pwd:warmupwarmupwarmupwarmup',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:126 telephone-event/8000',
  '',
].join(CRLF);

function message(startLine: string, headers: readonly string[], body = ''): string {
  return [startLine, ...headers, `Content-Length: ${body.length}`, '', body].join(CRLF);
}

const DIALOG = [
  'Via: SIP/2.0/WSS warm-up-desk.invalid;branch=z9hG4bK-warm-up-1;received=192.0.2.20;rport=50060',
  'Record-Route: <sip:192.0.2.1:5060;transport=ws;r2=on;lr=on;ftag=warm-up-from>',
  'Record-Route: <sip:192.0.2.1:5060;r2=on;lr=on;ftag=warm-up-from>',
  'From: "Reception" <sip:1001@warm-up.invalid>;tag=warm-up-from',
  'To: <sip:2002@warm-up.invalid>;tag=warm-up-to',
  'Call-ID: warm-up-call@warm-up.invalid',
];

/** An incoming call as a proxy relays it: two Vias, Record-Route, P-Asserted-Identity, Call-Info, SDP offer. */
export const WARM_UP_INVITE = message(
  'INVITE sip:warm-up@warm-up-desk.invalid;transport=ws SIP/2.0',
  [
    'Record-Route: <sip:192.0.2.1:5060;transport=ws;r2=on;lr=on;ftag=warm-up-caller>',
    'Record-Route: <sip:192.0.2.1:5060;r2=on;lr=on;ftag=warm-up-caller>',
    'Via: SIP/2.0/WS 192.0.2.1:5060;branch=z9hG4bK-warm-up-proxy',
    'Via: SIP/2.0/WS warm-up-caller.invalid;rport=50070;received=192.0.2.30;branch=z9hG4bK-warm-up-caller',
    'Max-Forwards: 69',
    'To: <sip:1001@warm-up.invalid>',
    'From: "Warm-up Caller" <sip:2001@warm-up.invalid>;tag=warm-up-caller',
    'Call-ID: warm-up-incoming@warm-up.invalid',
    'CSeq: 2 INVITE',
    'Contact: <sip:warm-up@warm-up-caller.invalid;transport=ws;ob>',
    'P-Asserted-Identity: "Warm-up Caller" <sip:+70000000000@warm-up.invalid;user=phone>',
    'P-Asserted-Identity: <tel:+70000000000>',
    'Call-Info: <sip:192.0.2.1>;answer-after=0',
    'Allow: ACK,CANCEL,INVITE,MESSAGE,BYE,OPTIONS,INFO,NOTIFY,REFER',
    'Supported: outbound',
    'User-Agent: warm-up',
    'Content-Type: application/sdp',
  ],
  SDP,
);

/** The responses an outgoing INVITE gets through an authenticating proxy, in order. */
export const WARM_UP_RESPONSES: readonly string[] = [
  message('SIP/2.0 100 Trying', [...DIALOG.filter((h) => !h.startsWith('Record-Route') && !h.startsWith('To')), 'To: <sip:2002@warm-up.invalid>', 'CSeq: 1 INVITE']),
  message('SIP/2.0 407 Proxy Authentication Required', [
    ...DIALOG.filter((h) => !h.startsWith('Record-Route')),
    'CSeq: 1 INVITE',
    'Proxy-Authenticate: Digest realm="warm-up.invalid", nonce="d2FybS11cC1ub25jZQ", qop="auth", algorithm=MD5',
    'Server: warm-up',
  ]),
  message('SIP/2.0 180 Ringing', [...DIALOG, 'CSeq: 2 INVITE', 'Contact: <sip:warm-up@warm-up-callee.invalid;transport=ws>', 'Allow: ACK,CANCEL,INVITE,BYE,OPTIONS,INFO,NOTIFY,REFER']),
  message(
    'SIP/2.0 200 OK',
    [...DIALOG, 'CSeq: 2 INVITE', 'Contact: <sip:warm-up@warm-up-callee.invalid;transport=ws>', 'Supported: outbound', 'Allow: ACK,CANCEL,INVITE,BYE,OPTIONS,INFO,NOTIFY,REFER', 'Content-Type: application/sdp'],
    SDP,
  ),
];

/** The headers SIP.js and the desk read from these on demand (the rest SIP.js parses on receipt). */
export const WARM_UP_LAZY_HEADERS: readonly string[] = ['P-Asserted-Identity', 'Call-Info', 'Allow', 'Supported'];

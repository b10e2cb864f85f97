import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './kamailio';

// SIPp (Debian `sip-tester`) as the trunk: a plain SIP client that sends the desk one INVITE
// with exactly the From / P-Asserted-Identity a test chooses, over UDP to Kamailio's trunk
// listener (e2e/sip/kamailio.cfg, UDP_PORT), which routes it to the desk's WebSocket. One SIPp
// process per call, started and stopped by its PID, every wait bounded.

const SIPP_BIN = process.env.SIPP_PATH ?? '/usr/bin/sipp';

/** What the trunk puts in the INVITE. Header values are sent byte for byte (UTF-8). */
export interface TrunkInvite {
  /** The From header value without its tag (the helper appends `;tag=…`). */
  from: string;
  /** P-Asserted-Identity header values, one header each (RFC 3325 §9.1). */
  assertedIdentity?: string[];
  /** Further raw header lines (`Name: value`), e.g. `Privacy: id`. */
  extraHeaders?: string[];
}

/**
 * What the caller expects from the desk:
 * - `ring`: 180 Ringing, then the caller hangs up when the test says so ({@link SippCall.hangUp}):
 *   CANCEL, 200 for the CANCEL, 487 for the INVITE, ACK (RFC 3261 §9.1, §17.1.1.3).
 * - `refused`: a final 4xx response from the desk itself (its `Warning: 399 registratura …`,
 *   RFC 3261 §20.43), ACKed.
 */
export type TrunkExpectation = 'ring' | 'refused';

export interface SippResult {
  /** SIPp's exit code: 0 when the call went exactly as the scenario expected. */
  code: number | null;
  /** Every SIP message SIPp sent and received (`-trace_msg`). */
  messages: string;
  /** SIPp's error log (`-trace_err`): unexpected messages, timeouts. */
  errors: string;
  /** The status lines of the responses SIPp received, in order (`SIP/2.0 180 Ringing` …). */
  statusLines: string[];
}

export interface SippCall {
  callId: string;
  pid: number;
  /** Tells the caller to hang up (the `ring` scenario sends CANCEL once this arrives). */
  hangUp(): Promise<void>;
  /** Resolves when SIPp has exited (bounded: killed by PID after `timeoutMs`). */
  finished(): Promise<SippResult>;
  /** SIGTERM, then SIGKILL, by PID; resolves once it has exited. */
  stop(): Promise<void>;
}

const CRLF_LINES = (text: string) => text.replace(/\r?\n/gu, '\n');

/** CDATA may hold anything but its own terminator; split it if a header ever contains one. */
function cdata(text: string): string {
  return `<![CDATA[${text.replace(/\]\]>/gu, ']]]]><![CDATA[>')}]]>`;
}

/** A plausible plain-RTP offer (RFC 4566). The desk only rings; media never starts. */
const SDP = ['v=0', 'o=trunk 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 8 0 101', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\n');

/** The signal {@link SippCall.hangUp} sends straight to SIPp's own port: matched to the call by Call-ID. */
export const HANG_UP_METHOD = 'MESSAGE';

function scenario(invite: TrunkInvite, expectation: TrunkExpectation, ids: { callId: string; branch: string; fromTag: string }, target: { user: string; domain: string }): string {
  const headers = (method: 'INVITE' | 'CANCEL' | 'ACK', cseqMethod: string) =>
    [
      `${method} sip:${target.user}@${target.domain} SIP/2.0`,
      `Via: SIP/2.0/UDP [local_ip]:[local_port];branch=${ids.branch};rport`,
      `From: ${invite.from};tag=${ids.fromTag}`,
      method === 'INVITE' || method === 'CANCEL' ? `To: <sip:${target.user}@${target.domain}>` : `To: <sip:${target.user}@${target.domain}>[peer_tag_param]`,
      // SIPp maps what it receives to its call by its own [call_id] (shaped by -cid_str below).
      'Call-ID: [call_id]',
      `CSeq: 1 ${cseqMethod}`,
      'Max-Forwards: 70',
    ];
  const inviteText = [
    ...headers('INVITE', 'INVITE'),
    'Contact: <sip:trunk@[local_ip]:[local_port];transport=udp>',
    ...(invite.assertedIdentity ?? []).map((value) => `P-Asserted-Identity: ${value}`),
    ...(invite.extraHeaders ?? []),
    'Content-Type: application/sdp',
    'Content-Length: [len]',
    '',
    SDP,
  ].join('\n');
  const cancelText = [...headers('CANCEL', 'CANCEL'), 'Content-Length: 0', '', ''].join('\n');
  const ackText = [...headers('ACK', 'ACK'), 'Content-Length: 0', '', ''].join('\n');
  const steps =
    expectation === 'ring'
      ? [
          `<send retrans="500">${cdata(inviteText)}</send>`,
          '<recv response="100" optional="true"/>',
          '<recv response="183" optional="true"/>',
          // The desk rings: without it the call fails (15 s, and SIPp CANCELs it).
          '<recv response="180" timeout="15000"/>',
          // The test has seen the pop: it tells the caller to hang up.
          `<recv request="${HANG_UP_METHOD}" timeout="60000"/>`,
          `<send>${cdata(cancelText)}</send>`,
          // The proxy's 200 for the CANCEL and the desk's 487 for the INVITE race on loopback.
          '<recv response="200" optional="true"/>',
          '<recv response="487" timeout="10000"/>',
          `<send>${cdata(ackText)}</send>`,
        ]
      : [
          `<send retrans="500">${cdata(inviteText)}</send>`,
          '<recv response="100" optional="true"/>',
          // The refusal must come from the desk (its Warning header), not from the proxy.
          `<recv response="400" timeout="15000"><action><ereg regexp="^ *399 registratura &quot;" search_in="hdr" header="Warning:" check_it="true" assign_to="warning"/></action></recv>`,
          '<Reference variables="warning"/>',
          `<send>${cdata(ackText)}</send>`,
        ];
  return ['<?xml version="1.0" encoding="UTF-8" ?>', '<scenario name="registratura trunk caller-id">', ...steps, '</scenario>', ''].join('\n');
}

function statusLinesOf(messages: string): string[] {
  return [...CRLF_LINES(messages).matchAll(/^(SIP\/2\.0 \d{3} .*)$/gmu)].map((m) => m[1]!);
}

/**
 * Starts SIPp to send one INVITE to `target` through Kamailio's trunk listener on
 * 127.0.0.1:`udpPort`. Resolves once SIPp is running; {@link SippCall.finished} resolves when it
 * exits (or is killed by PID after `timeoutMs`).
 */
export async function trunkCall(options: {
  udpPort: number;
  target: { user: string; domain: string };
  invite: TrunkInvite;
  expect: TrunkExpectation;
  timeoutMs?: number;
}): Promise<SippCall> {
  if (!existsSync(SIPP_BIN)) throw new Error(`SIPp not found at ${SIPP_BIN}: apt-get install sip-tester`);
  const dir = mkdtempSync(join(tmpdir(), 'registratura-sipp-'));
  const token = randomBytes(6).toString('hex');
  // SIPp's Call-ID of its first (only) call with `-cid_str trunk-TOKEN-%u@%s`.
  const ids = { callId: `trunk-${token}-1@127.0.0.1`, branch: `z9hG4bK-trunk-${token}`, fromTag: `trunk-${token}` };
  const scenarioPath = join(dir, 'scenario.xml');
  writeFileSync(scenarioPath, scenario(options.invite, options.expect, ids, options.target));
  const localPort = await freeUdpPort();
  const controlPort = await freeUdpPort();
  const messagesPath = join(dir, 'messages.log');
  const errorsPath = join(dir, 'errors.log');
  const timeoutMs = options.timeoutMs ?? 90_000;
  const child = spawn(
    SIPP_BIN,
    [
      `127.0.0.1:${options.udpPort}`,
      '-sf', scenarioPath,
      '-m', '1',
      '-t', 'u1',
      '-i', '127.0.0.1',
      '-p', String(localPort),
      '-cp', String(controlPort),
      '-cid_str', `trunk-${token}-%u@%s`,
      '-nostdin',
      '-trace_msg', '-message_file', messagesPath,
      '-trace_err', '-error_file', errorsPath,
      '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pid = child.pid;
  if (!pid) throw new Error('SIPp did not start');
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  let killTimer: NodeJS.Timeout | null = setTimeout(() => void stop(), timeoutMs + 5_000);

  async function stop(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 3_000))]);
    if (timedOut) {
      try {
        process.kill(pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      await exited;
    }
  }

  let result: Promise<SippResult> | null = null;
  return {
    callId: ids.callId,
    pid,
    async hangUp() {
      const socket = createSocket('udp4');
      const text = [
        `${HANG_UP_METHOD} sip:trunk@127.0.0.1:${localPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-hangup-${token}`,
        'From: <sip:test@127.0.0.1>;tag=hangup',
        `To: <sip:trunk@127.0.0.1:${localPort}>`,
        `Call-ID: ${ids.callId}`,
        `CSeq: 1 ${HANG_UP_METHOD}`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      await new Promise<void>((resolveSent, reject) => socket.send(text, localPort, '127.0.0.1', (error) => (error ? reject(error) : resolveSent())));
      socket.close();
    },
    finished() {
      result ??= exited.then((code) => {
        if (killTimer) clearTimeout(killTimer);
        killTimer = null;
        const out: SippResult = { code, messages: read(messagesPath), errors: `${read(errorsPath)}${stderr}`, statusLines: statusLinesOf(read(messagesPath)) };
        rmSync(dir, { recursive: true, force: true });
        return out;
      });
      return result;
    },
    async stop() {
      await stop();
      if (killTimer) clearTimeout(killTimer);
      killTimer = null;
    },
  };
}

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { LAN_ICE_QUIET_MS, LanIceCompletion, candidateKind, lanIceCompletionApplies } from './ice-gathering';

// What Chromium gathers on loopback with `iceServers: []`: UDP host first, TCP host (`tcptype active`, port 9) ~130 ms later.
const UDP_HOST = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host generation 0', type: 'host', protocol: 'udp' };
const UDP_HOST_V6 = { candidate: 'candidate:2 1 udp 2122262783 ::1 54322 typ host generation 0', type: 'host', protocol: 'udp' };
const TCP_HOST = { candidate: 'candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0', type: 'host', protocol: 'tcp' };
const END = { candidate: '' };

function setup() {
  const clock = new ManualClock();
  let completions = 0;
  const policy = new LanIceCompletion(clock, () => completions++);
  return { clock, policy, completions: () => completions };
}

describe('LanIceCompletion (stop waiting for ICE on a LAN)', () => {
  it('a UDP host candidate and 30 quiet ms complete the gathering, once', () => {
    const { clock, policy, completions } = setup();
    policy.onCandidate(UDP_HOST);
    clock.advance(LAN_ICE_QUIET_MS - 1);
    expect(completions()).toBe(0);
    clock.advance(1);
    expect(completions()).toBe(1);
    // A TCP candidate arriving after the offer went out changes nothing.
    policy.onCandidate(TCP_HOST);
    clock.advance(1_000);
    expect(completions()).toBe(1);
  });

  it('every further candidate within the quiet window starts it again', () => {
    const { clock, policy, completions } = setup();
    policy.onCandidate(UDP_HOST);
    clock.advance(20);
    policy.onCandidate(UDP_HOST_V6);
    clock.advance(20);
    expect(completions()).toBe(0);
    clock.advance(10);
    expect(completions()).toBe(1);
  });

  it('only TCP candidates: waits (for complete or the SDH timeout)', () => {
    const { clock, policy, completions } = setup();
    policy.onCandidate(TCP_HOST);
    clock.advance(1_000);
    expect(completions()).toBe(0);
    expect(clock.pending()).toEqual([]);
  });

  it('a TCP candidate after the UDP one delays completion by its own quiet window', () => {
    const { clock, policy, completions } = setup();
    policy.onCandidate(UDP_HOST);
    clock.advance(15);
    policy.onCandidate(TCP_HOST);
    clock.advance(29);
    expect(completions()).toBe(0);
    clock.advance(1);
    expect(completions()).toBe(1);
  });

  it('server-reflexive or relayed UDP candidates alone do not count as the LAN host candidate', () => {
    const { clock, policy, completions } = setup();
    policy.onCandidate({ candidate: 'candidate:4 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 0.0.0.0 rport 0' });
    policy.onCandidate({ candidate: 'candidate:5 1 udp 41885439 198.51.100.2 50000 typ relay raddr 0.0.0.0 rport 0' });
    clock.advance(1_000);
    expect(completions()).toBe(0);
  });

  it('the end-of-candidates marker cancels the early completion (gathering finished by itself)', () => {
    const { clock, policy, completions } = setup();
    policy.onCandidate(UDP_HOST);
    policy.onCandidate(END);
    clock.advance(1_000);
    expect(completions()).toBe(0);
    policy.onCandidate(null);
    expect(clock.pending()).toEqual([]);
  });

  it('restart begins a new round (ICE-restart re-offer); dispose leaves no timer', () => {
    const { clock, policy, completions } = setup();
    policy.onCandidate(UDP_HOST);
    clock.advance(30);
    expect(completions()).toBe(1);
    policy.restart();
    policy.onCandidate(TCP_HOST);
    clock.advance(100);
    expect(completions()).toBe(1);
    policy.onCandidate(UDP_HOST);
    clock.advance(30);
    expect(completions()).toBe(2);
    policy.restart();
    policy.onCandidate(UDP_HOST);
    policy.dispose();
    expect(clock.pending()).toEqual([]);
    clock.advance(1_000);
    expect(completions()).toBe(2);
  });
});

describe('candidateKind', () => {
  it('reads type and protocol from the fields, else from the SDP line (RFC 8839 §5.1)', () => {
    expect(candidateKind(UDP_HOST)).toEqual({ type: 'host', protocol: 'udp' });
    expect(candidateKind({ candidate: 'candidate:3 1 TCP 1518280447 127.0.0.1 9 typ host tcptype active' })).toEqual({ type: 'host', protocol: 'tcp' });
    expect(candidateKind({ candidate: 'a=candidate:1 1 udp 1 abc.local 5000 typ host' })).toEqual({ type: 'host', protocol: 'udp' });
    expect(candidateKind({ candidate: 'garbage' })).toBeNull();
    expect(candidateKind({ candidate: '' })).toBeNull();
  });
});

describe('lanIceCompletionApplies', () => {
  it('only without ICE servers: STUN/TURN keep the full gathering', () => {
    expect(lanIceCompletionApplies([])).toBe(true);
    expect(lanIceCompletionApplies([{ urls: 'stun:stun.clinic.example:3478' }])).toBe(false);
  });
});

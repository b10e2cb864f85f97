/**
 * When to stop waiting for ICE gathering before sending a non-trickle SDP offer or answer. No
 * SIP.js or DOM import: it is fed candidate events and a {@link Clock}, so it is tested with fake
 * candidates and the fake clock.
 *
 * Why: SIP over WebSocket here is non-trickle — the INVITE's offer and the 200 OK's answer must
 * carry the candidates (RFC 3264 offer/answer; no trickle ICE, RFC 8838/8840), so SIP.js waits for
 * `iceGatheringState === 'complete'` (or its `iceGatheringTimeout`) before sending them. In
 * Chromium on a LAN with no ICE servers the UDP host candidates arrive in ~10–20 ms, but the TCP
 * host candidates (RFC 6544, `tcptype active`, port 9) only at ~130 ms and `complete` right after
 * — every call set-up paid that wait twice (our offer, the far end's answer when it is a desk too).
 * On a LAN the host candidates are all ICE needs (RFC 8445 §5.1.1.1: the host candidate pair
 * connects directly), and TCP candidates only help where UDP is blocked, which a LAN with no
 * STUN/TURN configured does not do. With ICE servers configured (a NAT or firewall between the
 * parties) the server-reflexive/relayed candidates matter, so the full gathering is kept.
 */
import type { Clock } from '../../src-shared/time/clock';

/** The parts of an `RTCIceCandidate` we read; structurally compatible with the DOM type. */
export interface IceCandidateLike {
  /** `host`, `srflx`, `prflx`, `relay` (Chromium fills it; parsed from `candidate` otherwise). */
  readonly type?: string | null;
  /** `udp` or `tcp`. */
  readonly protocol?: string | null;
  /** The SDP `candidate:` attribute value (RFC 8839 §5.1). */
  readonly candidate?: string;
}

/** How long after the last candidate, once a UDP host candidate is in, gathering counts as done. */
export const LAN_ICE_QUIET_MS = 30;

/**
 * `{ type, protocol }` of a candidate, lower-case, from the object's fields or else from its SDP
 * line (`candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …`).
 * Null for an end-of-candidates marker (`candidate: ''`) or anything unparseable.
 */
export function candidateKind(c: IceCandidateLike): { type: string; protocol: string } | null {
  const line = c.candidate ?? '';
  const fields = line.replace(/^a=/u, '').replace(/^candidate:/u, '').trim().split(/\s+/u);
  const typIndex = fields.indexOf('typ');
  const type = (c.type ?? (typIndex >= 0 ? fields[typIndex + 1] : undefined))?.toLowerCase();
  const protocol = (c.protocol ?? (fields.length >= 3 ? fields[2] : undefined))?.toLowerCase();
  if (!type || !protocol) return null;
  return { type, protocol };
}

/** Whether a call on this account may finish gathering early: only on a LAN (no ICE servers). */
export function lanIceCompletionApplies(iceServers: readonly unknown[]): boolean {
  return iceServers.length === 0;
}

/**
 * The LAN completion rule for one gathering round: once at least one UDP host candidate has been
 * gathered and no further candidate has arrived for `quietMs`, call `complete` (once per round).
 * A candidate arriving in the quiet window restarts it. Only TCP (or other) candidates never
 * complete it early. The caller's own gathering timeout still bounds the wait; this only ever
 * shortens it. {@link restart} begins a new round (an ICE-restart re-offer gathers afresh).
 */
export class LanIceCompletion {
  private sawUdpHost = false;
  private timer: unknown = null;
  private done = false;

  constructor(
    private readonly clock: Clock,
    private readonly complete: () => void,
    private readonly quietMs = LAN_ICE_QUIET_MS,
  ) {}

  /** An `icecandidate` event's candidate; null (or an empty one) is the end-of-candidates marker. */
  onCandidate(candidate: IceCandidateLike | null | undefined): void {
    if (this.done) return;
    if (!candidate || !candidate.candidate) {
      // Gathering is complete: the SDH finishes on its own `icegatheringstatechange`.
      this.cancel();
      this.done = true;
      return;
    }
    const kind = candidateKind(candidate);
    if (kind?.type === 'host' && kind.protocol === 'udp') this.sawUdpHost = true;
    if (!this.sawUdpHost) return;
    this.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.done = true;
      this.complete();
    }, this.quietMs);
  }

  /** A new gathering round (`iceGatheringState` back to `gathering`). */
  restart(): void {
    this.cancel();
    this.sawUdpHost = false;
    this.done = false;
  }

  /** Stop for good (the peer connection is closing or gathering completed). */
  dispose(): void {
    this.cancel();
    this.done = true;
  }

  private cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

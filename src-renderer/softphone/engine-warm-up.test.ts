import { describe, expect, it } from 'vitest';
import { warmUpPeerConnection, type PeerConnectionConstructor } from './engine-warm-up';

/** A stand-in for RTCPeerConnection that records what was asked of it. */
class FakePeerConnection {
  static made: FakePeerConnection[] = [];
  static failOn: string | null = null;
  readonly calls: string[] = [];
  closed = false;

  constructor(readonly configuration?: RTCConfiguration) {
    FakePeerConnection.made.push(this);
  }

  private step(name: string): void {
    this.calls.push(name);
    if (FakePeerConnection.failOn === name) throw new Error(`${name} refused`);
  }

  addTransceiver(kind: string, init: RTCRtpTransceiverInit): void {
    this.step(`addTransceiver ${kind} ${init.direction ?? ''}`);
  }

  addTrack(): void {
    this.step('addTrack');
  }

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    this.step('createOffer');
    return { type: 'offer', sdp: 'v=0 (offer)' };
  }

  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    this.step('createAnswer');
    return { type: 'answer', sdp: 'v=0 (answer)' };
  }

  async setLocalDescription(): Promise<void> {
    this.step('setLocalDescription');
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    this.step(`setRemoteDescription ${description.type}`);
  }

  close(): void {
    this.closed = true;
  }
}

const Fake = FakePeerConnection as unknown as PeerConnectionConstructor;

function reset(failOn: string | null = null): void {
  FakePeerConnection.made = [];
  FakePeerConnection.failOn = failOn;
}

describe('warmUpPeerConnection', () => {
  it('negotiates one audio section between two connections and closes both: no track, no local description (no ICE gathering), no ICE servers', async () => {
    reset();
    expect(await warmUpPeerConnection(Fake)).toBe(true);
    const [offerer, answerer] = FakePeerConnection.made;
    expect(FakePeerConnection.made).toHaveLength(2);
    expect(offerer!.calls).toEqual(['addTransceiver audio sendrecv', 'createOffer']);
    expect(answerer!.calls).toEqual(['setRemoteDescription offer', 'createAnswer']);
    for (const pc of FakePeerConnection.made) {
      expect(pc.configuration).toEqual({ iceServers: [] });
      expect(pc.closed).toBe(true);
    }
  });

  it('a step the browser refuses ends it quietly, with every connection made closed', async () => {
    for (const failOn of ['addTransceiver audio sendrecv', 'createOffer', 'setRemoteDescription offer', 'createAnswer']) {
      reset(failOn);
      expect(await warmUpPeerConnection(Fake)).toBe(false);
      expect(FakePeerConnection.made.length).toBeGreaterThan(0);
      expect(FakePeerConnection.made.every((pc) => pc.closed)).toBe(true);
    }
  });

  it('without WebRTC (Node, a browser without it) there is nothing to warm', async () => {
    expect(await warmUpPeerConnection(null)).toBe(false);
    expect(await warmUpPeerConnection()).toBe(false);
  });
});

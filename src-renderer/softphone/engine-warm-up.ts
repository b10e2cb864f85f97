/**
 * Starting the page's WebRTC engine before the first call needs it. No SIP.js import, and every
 * browser global is feature-detected (Node tests pass a fake constructor or get `false`).
 *
 * Why: the first `new RTCPeerConnection` of a page starts Chromium's peer-connection factory
 * (its signaling and network threads, the voice engine, the codec factories), and the first
 * offer enumerates the codecs. Measured in Chromium on this project's 2-core machine: the first
 * connection of a fresh page took 15–86 ms to construct and its offer 7–43 ms; after one warm-up
 * they took 2–9 ms and 3–10 ms — time that otherwise lands between the click on Call (or Answer)
 * and the INVITE (or 200 OK) of the day's first call.
 *
 * What it does, and what it never does: two connections in the page negotiate one audio section
 * with each other — offer, the other side applies it, answers — and both are closed. Neither sets
 * its own description, so no ICE gathering starts: no socket is opened, no packet (not even an
 * mDNS announcement) leaves the machine, and no SIP message is involved. No track is added: the
 * microphone is not opened (the OS shows nothing) and nothing is played.
 */

/** `RTCPeerConnection`'s constructor, or what a test puts in its place. */
export type PeerConnectionConstructor = new (configuration?: RTCConfiguration) => RTCPeerConnection;

/** The browser's `RTCPeerConnection`, feature-detected (none in Node or without WebRTC). */
export function browserPeerConnection(): PeerConnectionConstructor | null {
  const pc = (globalThis as { RTCPeerConnection?: PeerConnectionConstructor }).RTCPeerConnection;
  return typeof pc === 'function' ? pc : null;
}

/**
 * Warms the WebRTC engine as described above. Resolves true when the negotiation ran, false
 * without WebRTC or when the browser refused a step (then the first call simply pays as before).
 * Never throws; both connections are closed whatever happens.
 */
export async function warmUpPeerConnection(PeerConnection: PeerConnectionConstructor | null = browserPeerConnection()): Promise<boolean> {
  if (!PeerConnection) return false;
  let offerer: RTCPeerConnection | null = null;
  let answerer: RTCPeerConnection | null = null;
  try {
    offerer = new PeerConnection({ iceServers: [] });
    offerer.addTransceiver('audio', { direction: 'sendrecv' });
    const offer = await offerer.createOffer();
    answerer = new PeerConnection({ iceServers: [] });
    await answerer.setRemoteDescription(offer);
    await answerer.createAnswer();
    return true;
  } catch {
    return false;
  } finally {
    for (const pc of [offerer, answerer]) {
      try {
        pc?.close();
      } catch {
        // Already closed.
      }
    }
  }
}

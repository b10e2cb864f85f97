import { WebSocket } from 'ws';
import type { DeskHost } from './desk-host';

/**
 * Calls the contract over the host's WebSocket bridge, the way the renderer does (token and
 * Origin included). Used to drive the demo clinic as its own staff would.
 */
export async function bridgeRequest(host: DeskHost, name: string, input: unknown): Promise<unknown> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge?token=${host.token}`, { origin: host.origin });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no answer in 10 s`)), 10_000);
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; id?: number; ok?: boolean; value?: unknown; error?: { message: string } };
        if (frame.type !== 'response' || frame.id !== 1) return;
        clearTimeout(timer);
        if (frame.ok) resolve(frame.value);
        else reject(new Error(`${name}: ${frame.error?.message}`));
      });
      ws.send(JSON.stringify({ type: 'request', id: 1, name, input }));
    });
  } finally {
    ws.close();
  }
}

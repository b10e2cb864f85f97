import net from 'node:net';

/** One AMI message as header pairs (first value of each name, names lower-cased). */
export type AmiFields = Record<string, string>;

/**
 * Asks an AMI server one list action (`QueueSummary`, `QueueStatus`) the way any AMI client does
 * — its own TCP session, `Login`, the action, read to the `…Complete` event — and returns the
 * list's events. The e2e specs compare the desk's figures with what the PBX itself answers.
 */
export async function amiList(port: number, action: string, headers: Record<string, string> = {}, login = { username: 'admin', secret: 'amipass' }): Promise<AmiFields[]> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setEncoding('utf8');
  try {
    return await new Promise<AmiFields[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`AMI ${action}: no complete answer in 5 s`)), 5_000);
      let buffer = '';
      const events: AmiFields[] = [];
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 4);
          const fields: AmiFields = {};
          for (const line of block.split('\r\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) fields[line.slice(0, colon).toLowerCase()] ??= line.slice(colon + 1).trim();
          }
          if (fields.response === 'Error') {
            clearTimeout(timer);
            reject(new Error(`AMI ${action}: ${fields.message ?? 'error'}`));
            return;
          }
          if (fields.actionid !== 'q-1' || !fields.event) continue;
          if (fields.event.toLowerCase() === `${action.toLowerCase()}complete`) {
            clearTimeout(timer);
            resolve(events);
            return;
          }
          events.push(fields);
        }
      });
      socket.once('connect', () => {
        const lines = [`Action: Login`, `Username: ${login.username}`, `Secret: ${login.secret}`, `ActionID: login-1`, '', `Action: ${action}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'ActionID: q-1', '', ''];
        socket.write(lines.join('\r\n'));
      });
    });
  } finally {
    socket.destroy();
  }
}

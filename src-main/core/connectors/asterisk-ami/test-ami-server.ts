// Test support (not used by the app): a scripted AMI server on 127.0.0.1 (port 0) that answers the
// client's actions with the captured server bytes of the transcripts, ActionIDs rewritten to
// the client's own.
import { createServer, type Server, type Socket } from 'node:net';
import { AmiParser, type AmiMessage } from './ami-parser';
import { actionIdOf, actionOf, type TranscriptStep } from './test-transcripts';

export type FakeHandler = (action: AmiMessage, conn: FakeConnection) => void;

export class FakeConnection {
  constructor(readonly socket: Socket) {}

  send(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** `Response: Success` (or Error) with the action's ActionID and a Message. */
  respond(action: AmiMessage, response: 'Success' | 'Error', message: string, extra = ''): void {
    this.send(`Response: ${response}\r\nActionID: ${action.actionId ?? ''}\r\n${extra}Message: ${message}\r\n\r\n`);
  }

  /** A transcript step's server bytes, its recorded ActionID replaced by this action's. */
  replay(action: AmiMessage, step: TranscriptStep): void {
    const recorded = actionIdOf(step);
    const text = recorded ? step.server.split(`ActionID: ${recorded}\r\n`).join(`ActionID: ${action.actionId ?? ''}\r\n`) : step.server;
    this.send(text);
  }
}

export class FakeAmi {
  readonly actions: AmiMessage[] = [];
  readonly connections = new Set<FakeConnection>();
  private readonly waiters: { name: string; resolve: (m: AmiMessage) => void }[] = [];
  private readonly connectionWaiters: ((c: FakeConnection) => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(handler: FakeHandler, options: { banner?: string | null } = {}): Promise<FakeAmi> {
    const server = createServer();
    let fake: FakeAmi | null = null;
    server.on('connection', (socket) => {
      const conn = new FakeConnection(socket);
      fake?.connections.add(conn);
      socket.on('close', () => fake?.connections.delete(conn));
      socket.on('error', () => {});
      const banner = options.banner === undefined ? 'Asterisk Call Manager/11.0.0\r\n' : options.banner;
      if (banner) socket.write(banner);
      const parser = new AmiParser();
      socket.on('data', (chunk) => {
        for (const message of parser.feed(chunk)) {
          fake?.actions.push(message);
          const name = (message.get('Action') ?? '').toLowerCase();
          for (const waiter of [...(fake?.waiters ?? [])]) {
            if (waiter.name === name) {
              fake?.waiters.splice(fake.waiters.indexOf(waiter), 1);
              waiter.resolve(message);
            }
          }
          handler(message, conn);
        }
      });
      for (const waiter of fake?.connectionWaiters.splice(0) ?? []) waiter(conn);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    fake = new FakeAmi(server, typeof address === 'object' && address ? address.port : 0);
    return fake;
  }

  /** Resolves with the next action of that name the server receives. */
  nextAction(name: string): Promise<AmiMessage> {
    return new Promise((resolve) => this.waiters.push({ name: name.toLowerCase(), resolve }));
  }

  nextConnection(): Promise<FakeConnection> {
    return new Promise((resolve) => this.connectionWaiters.push(resolve));
  }

  received(name: string): AmiMessage[] {
    return this.actions.filter((a) => (a.get('Action') ?? '').toLowerCase() === name.toLowerCase());
  }

  async close(): Promise<void> {
    for (const conn of this.connections) conn.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Answers each action with the first unused transcript step of the same `Action` (`pick` may
 * narrow it); `Login`, `Filter` and `Logoff` have defaults when the script has none.
 */
export function scriptedHandler(steps: readonly TranscriptStep[], options: { filter?: 'ok' | 'denied'; pick?: (action: AmiMessage, step: TranscriptStep) => boolean } = {}): FakeHandler {
  const unused = [...steps];
  return (action, conn) => {
    const name = (action.get('Action') ?? '').toLowerCase();
    const index = unused.findIndex((step) => actionOf(step).toLowerCase() === name && (options.pick?.(action, step) ?? true));
    if (index >= 0) {
      const [step] = unused.splice(index, 1);
      if (step) conn.replay(action, step);
      return;
    }
    if (name === 'login') conn.respond(action, 'Success', 'Authentication accepted');
    else if (name === 'filter') {
      if (options.filter === 'denied') conn.respond(action, 'Error', 'Permission denied');
      else conn.respond(action, 'Success', 'Success');
    } else if (name === 'logoff') conn.send(`Response: Goodbye\r\nActionID: ${action.actionId ?? ''}\r\nMessage: Thanks for all the fish.\r\n\r\n`);
  };
}

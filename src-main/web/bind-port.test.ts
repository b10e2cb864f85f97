import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../core/startup/startup-error';
import { bindPort, listenError, type BoundPort } from './bind-port';

let bound: BoundPort | undefined;
let squatter: Server | undefined;
afterEach(async () => {
  await bound?.close();
  await new Promise((resolve) => (squatter ? squatter.close(resolve) : resolve(null)));
  bound = undefined;
  squatter = undefined;
});

describe('bindPort', () => {
  it('takes a free loopback port and answers 503 "starting" until the desk serves', async () => {
    bound = await bindPort(0);
    expect(bound.port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${bound.port}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('The desk is starting; reload this page in a moment.\n');
  });

  it('refuses a port another program holds with one line naming the port and what to do', async () => {
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    const error = await bindPort(port).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).exitCode).toBe(2);
    expect((error as StartupError).message).toBe(
      `port ${port} on 127.0.0.1 is already in use by another program (or another desk). Start with another --port, or leave --port out to pick a free one.`,
    );
  });

  it('names privileged ports and a missing loopback; passes anything else through', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(listenError(80, errno('EACCES')).message).toBe(
      'port 80 needs administrator rights on this machine (EACCES). Use a --port from 1024 to 65535, or leave --port out to pick a free one.',
    );
    expect(listenError(8080, errno('EADDRNOTAVAIL'))).toBeInstanceOf(StartupError);
    const odd = errno('EMFILE');
    expect(listenError(8080, odd)).toBe(odd);
    expect(listenError(8080, odd)).not.toBeInstanceOf(StartupError);
  });
});

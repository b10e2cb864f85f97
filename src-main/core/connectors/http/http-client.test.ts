import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticFailure, isMisError, type MisError } from '../mis/mis-connector';
import { checkReach, checkTls, decodeBody, HttpClient } from './http-client';
import { closedPort } from '../../testing/closed-port';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
}

async function failure(promise: Promise<unknown>): Promise<MisError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMisError(error)) throw new Error(`expected a MisError, got ${String(error)}`);
  return error;
}


describe('decodeBody', () => {
  const cp1251 = Buffer.from([0xc8, 0xe2, 0xe0, 0xed, 0xee, 0xe2, 0xe0, 0x20, 0xa8]); // «Иванова Ё» in windows-1251

  it('reads the charset the server declares, a BOM, else UTF-8, falling back to windows-1251', () => {
    expect(decodeBody(cp1251, 'application/json; charset=windows-1251')).toEqual({ text: 'Иванова Ё', charset: 'windows-1251' });
    expect(decodeBody(cp1251, 'application/json')).toEqual({ text: 'Иванова Ё', charset: 'windows-1251' });
    expect(decodeBody(Buffer.from('\uFEFFСемёнова', 'utf8'), null)).toEqual({ text: 'Семёнова', charset: 'utf-8' });
    expect(decodeBody(Buffer.from('Семёнова', 'utf8'), 'text/plain; charset="UTF-8"')).toEqual({ text: 'Семёнова', charset: 'utf-8' });
    expect(decodeBody(cp1251, 'application/json; charset=cp1251').text).toBe('Иванова Ё');
  });
});

describe('HttpClient', () => {
  it('sends basic auth in UTF-8 (1C user names are Cyrillic) and reads JSON', async () => {
    let authorization = '';
    const url = await serve((req, res) => {
      authorization = req.headers.authorization ?? '';
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
    const client = new HttpClient({ baseUrl: url, auth: { type: 'basic', user: 'Регистратура', password: 'пароль' } });
    const { body } = await client.json('patients', { query: { phone: '+79161234567', kind: ['a', 'b'] } });
    expect(body).toEqual({ ok: true, path: '/base/patients?phone=%2B79161234567&kind=a&kind=b' });
    expect(Buffer.from(authorization.replace('Basic ', ''), 'base64').toString('utf8')).toBe('Регистратура:пароль');
  });

  it('turns statuses into the error kinds the outbox and the status bar act on', async () => {
    const url = await serve((req, res) => {
      res.statusCode = Number(req.url!.split('/').pop());
      if (res.statusCode === 429) res.setHeader('retry-after', '30');
      res.end('{}');
    });
    const client = new HttpClient({ baseUrl: url, auth: { type: 'none' } });
    expect((await failure(client.json('401'))).kind).toBe('auth');
    expect((await failure(client.json('403'))).kind).toBe('auth');
    expect((await failure(client.json('404'))).kind).toBe('protocol');
    const busy = await failure(client.json('429'));
    expect([busy.kind, busy.permanent, busy.message]).toEqual(['unreachable', false, expect.stringContaining('retry after 30')]);
    expect((await failure(client.json('500'))).kind).toBe('unreachable');
    const refused = await failure(client.json('422'));
    expect([refused.kind, refused.permanent]).toEqual(['rejected', true]);
  });

  it('says a body that is not JSON is a protocol error, naming where and without the body', async () => {
    const url = await serve((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<html>Иванова Анна 8 916 123-45-67</html>');
    });
    const error = await failure(new HttpClient({ baseUrl: url, auth: { type: 'none' } }).json('Patient'));
    expect(error.kind).toBe('protocol');
    expect(error.message).toContain('/base/Patient');
    expect(error.message).toContain('text/html');
    expect(error.message).not.toContain('Иванова');
  });

  it('times out a server that does not answer, and says an unreachable one is unreachable', async () => {
    const url = await serve(() => {
      // never answers
    });
    const slow = await failure(new HttpClient({ baseUrl: url, auth: { type: 'none' }, timeoutMs: 200 }).json('x'));
    expect(slow.kind).toBe('timeout');
    const port = await closedPort();
    const down = await failure(new HttpClient({ baseUrl: `http://127.0.0.1:${port}/`, auth: { type: 'none' } }).json('x'));
    expect(down.kind).toBe('unreachable');
    expect(down.message).toContain('ECONNREFUSED');
  });

  it('gets a client-credentials token once, reuses it, and fetches a new one after a 401', async () => {
    let tokens = 0;
    const seen: string[] = [];
    const url = await serve((req, res, body) => {
      if (req.url === '/base/token') {
        tokens += 1;
        expect(body).toContain('grant_type=client_credentials');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: `t${tokens}`, expires_in: 3600 }));
        return;
      }
      seen.push(req.headers.authorization ?? '');
      res.statusCode = seen.length === 2 ? 401 : 200;
      res.end('{}');
    });
    const client = new HttpClient({ baseUrl: url, auth: { type: 'client-credentials', tokenUrl: `${url}/token`, clientId: 'desk', clientSecret: 's3cret' } });
    await client.json('a');
    await client.json('b');
    expect(seen).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t2']);
    expect(tokens).toBe(2);
  });

  it('refuses to follow a link to another server', () => {
    const client = new HttpClient({ baseUrl: 'http://127.0.0.1:1/fhir', auth: { type: 'none' } });
    expect(() => client.url('http://evil.example/fhir/Patient?page=2')).toThrow(/another server/);
    expect(client.url('http://127.0.0.1:1/fhir/Patient?page=2').href).toBe('http://127.0.0.1:1/fhir/Patient?page=2');
  });
});

describe('diagnostic checks', () => {
  it('reach names a refused port and an unknown host, with what to check', async () => {
    const port = await closedPort();
    const refused = await checkReach(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DiagnosticFailure);
    expect(refused).toMatchObject({ hint: 'checkHostAndPort', message: expect.stringContaining('ECONNREFUSED') });
    const url = await serve((_req, res) => res.end());
    expect(await checkReach(url)).toMatch(/^Connected to 127\.0\.0\.1:\d+ in \d+ ms\.$/);
  });

  it('tls names a certificate nobody vouches for, and the client refuses to send patient data over it', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const server = createHttpsServer(
      { cert: readFileSync(join(here, 'testing', 'self-signed-127.0.0.1.cert.pem')), key: readFileSync(join(here, 'testing', 'self-signed-127.0.0.1.key.pem')) },
      (_req, res) => res.end('{}'),
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    const refused = await checkTls(url).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DiagnosticFailure);
    expect(refused).toMatchObject({ hint: 'checkCertificate', message: expect.stringContaining('SELF_SIGNED') });
    const error = await failure(new HttpClient({ baseUrl: url, auth: { type: 'none' } }).json('metadata'));
    expect([error.kind, error.message]).toEqual(['unreachable', expect.stringContaining('SELF_SIGNED')]);
  });

  it('tls warns that plain HTTP is unencrypted', async () => {
    expect(await checkTls('http://127.0.0.1:8080/fhir')).toEqual({ detail: expect.stringContaining('unencrypted'), warning: true });
  });
});

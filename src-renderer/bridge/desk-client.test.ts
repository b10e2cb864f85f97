// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../src-shared/ipc/errors';
import { createFakeDesk } from '../test-support/fake-desk';
import { bridgeUrl, connectDesk, deskPageUrl, readBridgeToken, TOKEN_STORAGE_KEY } from './desk-client';
import type { SocketLike } from './ws-desk-client';

afterEach(() => {
  delete window.desk;
  sessionStorage.clear();
  window.history.replaceState(null, '', '/');
});

describe('bridge token and URL', () => {
  it('takes the token from the query and keeps it in sessionStorage for reloads', () => {
    expect(readBridgeToken('?token=abc123', sessionStorage)).toBe('abc123');
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(readBridgeToken('', sessionStorage)).toBe('abc123');
    expect(readBridgeToken('', null)).toBeNull();
  });

  it("addresses another page of the desk for a new tab with this tab's token, or bare without one", () => {
    expect(deskPageUrl('/supervisor')).toBe('/supervisor');
    sessionStorage.setItem(TOKEN_STORAGE_KEY, 'a b');
    expect(deskPageUrl('/supervisor')).toBe('/supervisor?token=a%20b');
  });

  it('uses wss for https pages and ws otherwise, on the page host', () => {
    expect(bridgeUrl({ protocol: 'http:', host: '127.0.0.1:4100' }, 'a b')).toBe('ws://127.0.0.1:4100/bridge?token=a%20b');
    expect(bridgeUrl({ protocol: 'https:', host: 'desk.local' }, 't')).toBe('wss://desk.local/bridge?token=t');
  });
});

describe('connectDesk', () => {
  it('uses the preload API when window.desk exists and maps its failures to DeskError', async () => {
    const fake = createFakeDesk();
    fake.handle('settings.get', () => {
      throw Object.assign(new Error('nope'), { code: 'SECRETS_UNAVAILABLE' });
    });
    window.desk = fake;
    const client = connectDesk();
    expect(client.kind).toBe('ipc');
    expect(client.bridgeState()).toBe('open');
    await expect(client.request('app.info', {})).resolves.toMatchObject({ name: 'Registratura' });
    const error = await client.request('settings.get', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeskError);
    expect(error).toMatchObject({ code: 'SECRETS_UNAVAILABLE' });
  });

  it('otherwise opens the WebSocket bridge with the page token and hides the token from the address bar', () => {
    window.history.replaceState(null, '', '/index.html?token=s3cret#x');
    const urls: string[] = [];
    class RecordingSocket implements SocketLike {
      readyState = 0;
      onopen = null;
      onclose = null;
      onmessage = null;
      onerror = null;
      constructor(url: string) {
        urls.push(url);
      }
      send(): void {}
      close(): void {}
    }
    const client = connectDesk({ Socket: RecordingSocket });
    expect(client.kind).toBe('websocket');
    expect(urls).toEqual([`ws://${window.location.host}/bridge?token=s3cret`]);
    expect(window.location.search).toBe('');
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('s3cret');
    client.close();
  });
});

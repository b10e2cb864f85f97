import { describe, expect, it, vi } from 'vitest';
import type { AppInfo } from '../../../src-shared/app/app-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Role } from '../../../src-shared/settings/settings-schema';
import { createAppHandlers } from './app-handlers';
import { DIAL_REQUEST_TTL_MS, DialRequestMailbox } from './dial-requests';

const info: AppInfo = { name: 'Registratura', version: '1', host: 'web', dataDir: '/tmp/x' };
const context = { host: 'web' as const, client: 't' };

describe('app handlers', () => {
  it('app.info answers the build and host', () => {
    expect(createAppHandlers({ info, role: () => 'operator' })['app.info']({}, context)).toEqual(info);
  });

  it.each<Role>(['operator', 'cashier'])('app.openSupervisor is FORBIDDEN for a %s desk and opens nothing', (role) => {
    const open = vi.fn();
    const handlers = createAppHandlers({ info, role: () => role, openSupervisorWindow: open });
    let thrown: unknown;
    try {
      handlers['app.openSupervisor']({}, context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeskError);
    expect((thrown as DeskError).code).toBe('FORBIDDEN');
    expect(open).not.toHaveBeenCalled();
  });

  it('a supervisor desk: the host opens the window (Electron) and the answer says so', () => {
    const open = vi.fn();
    const handlers = createAppHandlers({ info, role: () => 'supervisor', openSupervisorWindow: open });
    expect(handlers['app.openSupervisor']({}, context)).toEqual({ opened: 'window' });
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('a supervisor desk without a window opener (the browser host): the page opens the route', () => {
    expect(createAppHandlers({ info, role: () => 'supervisor' })['app.openSupervisor']({}, context)).toEqual({ opened: 'route' });
  });

  it('reads the role on every request (a role changed in the settings counts at once)', () => {
    let role: Role = 'supervisor';
    const handlers = createAppHandlers({ info, role: () => role });
    expect(handlers['app.openSupervisor']({}, context)).toEqual({ opened: 'route' });
    role = 'operator';
    expect(() => handlers['app.openSupervisor']({}, context)).toThrow(DeskError);
  });
});

describe('app.attention', () => {
  it('asks the host to bring its window forward (Electron) and says so', () => {
    const attention = vi.fn();
    const handlers = createAppHandlers({ info, role: () => 'operator', requestAttention: attention });
    expect(handlers['app.attention']({ reason: 'ringing' }, context)).toEqual({ shown: true });
    expect(attention).toHaveBeenCalledTimes(1);
  });

  it('answers shown: false in a host that cannot (the browser)', () => {
    expect(createAppHandlers({ info, role: () => 'operator' })['app.attention']({ reason: 'ringing' }, context)).toEqual({ shown: false });
  });
});

describe('app.takeDialRequest', () => {
  it('hands the waiting link’s number to the first window that asks, and to no other', () => {
    const dialRequests = new DialRequestMailbox();
    const handlers = createAppHandlers({ info, role: () => 'operator', dialRequests });
    expect(handlers['app.takeDialRequest']({}, context)).toEqual({ request: null });
    dialRequests.post({ number: '+79161234567', source: 'link' });
    expect(handlers['app.takeDialRequest']({}, context)).toEqual({ request: { number: '+79161234567', source: 'link' } });
    expect(handlers['app.takeDialRequest']({}, context)).toEqual({ request: null });
  });

  it('is always null in a host without links (the browser reads ?dial= itself)', () => {
    expect(createAppHandlers({ info, role: () => 'operator' })['app.takeDialRequest']({}, context)).toEqual({ request: null });
  });
});

describe('DialRequestMailbox', () => {
  it('keeps the newest link only, and lets it lapse after the TTL', () => {
    let now = 1_000;
    const box = new DialRequestMailbox(() => now);
    box.post({ number: '101', source: 'link' });
    box.post({ number: '+79161234567', source: 'link' });
    expect(box.take()).toEqual({ number: '+79161234567', source: 'link' });
    box.post({ number: '102', source: 'link' });
    now += DIAL_REQUEST_TTL_MS;
    expect(box.take()).toEqual({ number: '102', source: 'link' });
    box.post({ number: '103', source: 'link' });
    now += DIAL_REQUEST_TTL_MS + 1;
    expect(box.take()).toBeNull();
  });
});

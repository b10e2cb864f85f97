import { describe, expect, it, vi } from 'vitest';
import type { AppInfo } from '../../../src-shared/app/app-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Role } from '../../../src-shared/settings/settings-schema';
import { createAppHandlers } from './app-handlers';

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

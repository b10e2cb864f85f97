import { describe, expect, test } from 'vitest';
import type { Role, SessionState, SessionView } from '../../../src-shared/access/access-model';
import { requests, type ProductionRequestName } from '../../../src-shared/ipc/contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { checkAllowed } from './request-guard';
import { REQUEST_POLICY } from './request-policy';

function session(state: SessionState, role: Role): SessionView {
  return { state, role, person: state === 'open' ? null : { id: 'p1', name: 'Сотрудник', role }, idleLockMinutes: 5, retryAfter: null };
}

function outcome(name: ProductionRequestName, view: SessionView, input: unknown = {}): string {
  try {
    checkAllowed(name, input, view);
    return 'ok';
  } catch (error) {
    if (error instanceof DeskError) return error.code;
    throw error;
  }
}

describe('request guard', () => {
  test('every request of the contract has a policy (and no policy names a request that is not there)', () => {
    expect(Object.keys(REQUEST_POLICY).sort()).toEqual(Object.keys(requests).sort());
  });

  test.each(['operator', 'supervisor', 'cashier'] as const)('a signed-in %s reads patient data; the phone, status and session always work', (role) => {
    const view = session('signed-in', role);
    for (const name of ['patients.search', 'patients.get', 'patients.history', 'screenPop.show', 'calls.wrapUp', 'callbacks.list'] as const) expect(outcome(name, view)).toBe('ok');
    for (const name of ['sip.credentials', 'calls.record', 'status.snapshot', 'session.lock', 'agent.setStatus', 'screenPop.lookup'] as const) expect(outcome(name, view)).toBe('ok');
  });

  test.each(['operator', 'supervisor', 'cashier', 'admin'] as const)('a locked desk (%s) refuses every patient-data request with LOCKED, but still answers the phone and the pop', (role) => {
    const view = session('locked', role);
    const patientRequests = (Object.keys(REQUEST_POLICY) as ProductionRequestName[]).filter((name) => REQUEST_POLICY[name] === 'patient');
    expect(patientRequests.length).toBeGreaterThan(30);
    for (const name of patientRequests) expect(outcome(name, view), name).toBe('LOCKED');
    for (const name of ['sip.credentials', 'calls.record', 'screenPop.lookup', 'session.unlock', 'session.signIn'] as const) expect(outcome(name, view), name).toBe('ok');
  });

  test('signed out: patient data refused with SIGNED_OUT; settings changes refused too', () => {
    const view: SessionView = { state: 'signed-out', role: 'operator', person: null, idleLockMinutes: 5, retryAfter: null };
    expect(outcome('patients.get', view)).toBe('SIGNED_OUT');
    expect(outcome('settings.update', view, { language: 'en' })).toBe('SIGNED_OUT');
    expect(outcome('connectors.list', view)).toBe('SIGNED_OUT');
    expect(outcome('screenPop.lookup', view)).toBe('ok');
  });

  test('admin: settings, connectors and staff, never a patient', () => {
    const view = session('signed-in', 'admin');
    for (const name of ['patients.search', 'patients.get', 'callbacks.list', 'supervisor.board', 'screenPop.lookup', 'queue.view'] as const) expect(outcome(name, view), name).toBe('FORBIDDEN');
    expect(outcome('settings.update', view, { privacy: { cacheRetentionDays: 10 } })).toBe('ok');
    expect(outcome('connectors.diagnose', view)).toBe('ok');
    expect(outcome('session.resetPin', view)).toBe('ok');
  });

  test.each(['operator', 'supervisor', 'cashier'] as const)('a signed-in %s changes only their own workstation settings', (role) => {
    const view = session('signed-in', role);
    expect(outcome('settings.update', view, { language: 'en', audio: { microphoneId: 'x' }, desktop: { autostart: true } })).toBe('ok');
    expect(outcome('settings.update', view, { privacy: { hiddenFields: { operator: [], supervisor: [], cashier: [] } } })).toBe('FORBIDDEN');
    expect(outcome('settings.update', view, { access: { idleLockMinutes: 0 } })).toBe('FORBIDDEN');
    expect(outcome('settings.update', view, { role: 'admin' })).toBe('FORBIDDEN');
    expect(outcome('settings.setSipPassword', view)).toBe('FORBIDDEN');
    expect(outcome('connectors.preview', view)).toBe('FORBIDDEN');
    expect(outcome('session.resetPin', view)).toBe('FORBIDDEN');
  });

  test('an open desk (no staff list) works as before: its role reads patients and changes settings', () => {
    const view = session('open', 'cashier');
    expect(outcome('patients.get', view)).toBe('ok');
    expect(outcome('settings.update', view, { privacy: { cacheRetentionDays: 10 } })).toBe('ok');
    expect(outcome('connectors.list', view)).toBe('ok');
    // Nobody administers staff on a desk without staff.
    expect(outcome('session.resetPin', view)).toBe('FORBIDDEN');
  });
});

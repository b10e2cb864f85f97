import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Person } from '../../../src-shared/access/access-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import { applySettingsPatch, DEFAULT_SETTINGS, type Settings } from '../../../src-shared/settings/settings-schema';
import { ManualClock } from '../../../src-shared/time/manual-clock';
import { createLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { hashPin, verifyPin } from './pin-hash';
import { FIRST_WAIT_MS, SessionService, WRONG_PINS_BEFORE_WAIT } from './session-service';

const CHEAP = { N: 2 ** 10, r: 8, p: 1 };
const people: Person[] = [
  { id: 'ivanova', name: 'Иванова А.', role: 'operator' },
  { id: 'petrova', name: 'Кассир Петрова', role: 'cashier' },
  { id: 'it', name: 'Администратор', role: 'admin' },
];

let dir: string;
let secrets: KeyFileSecretStore;
let records: LogRecord[];
let clock: ManualClock;
let settings: Settings;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'session-'));
  records = [];
  secrets = new KeyFileSecretStore(join(dir, 'secrets'), createLogger([]));
  clock = new ManualClock();
  settings = applySettingsPatch(DEFAULT_SETTINGS, { access: { people, idleLockMinutes: 5 } });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function makeSession(pins?: Map<string, string>): SessionService {
  const logger = createLogger([(record) => records.push(record)], 'debug');
  return new SessionService({ settings: () => settings, secrets, logger, clock, pinHashParams: CHEAP, ...(pins && { provisionedPins: pins }) });
}

async function code(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof DeskError) return error.code;
    throw error;
  }
  return 'ok';
}

describe('PIN hashing', () => {
  test('a PIN is kept as a salted scrypt hash that verifies only that PIN', async () => {
    const a = await hashPin('2468', CHEAP);
    const b = await hashPin('2468', CHEAP);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b); // fresh salt each time
    expect(a).not.toContain('2468');
    expect(await verifyPin('2468', a)).toBe(true);
    expect(await verifyPin('2469', a)).toBe(false);
    expect(await verifyPin('', a)).toBe(false);
  });

  test('a damaged or hostile stored hash never verifies and never throws', async () => {
    for (const stored of ['', 'plain', 'scrypt$1024$8$1$$', 'scrypt$1000$8$1$c2FsdHNhbHQ=$' + 'A'.repeat(44), 'scrypt$1073741824$8$1$c2FsdHNhbHQ=$' + 'A'.repeat(44), 'bcrypt$x$y$z$w$v']) {
      expect(await verifyPin('1234', stored)).toBe(false);
    }
  });
});

describe('session', () => {
  test('without a staff list the desk is open, in its role, and the audit names the SIP account', () => {
    settings = applySettingsPatch(DEFAULT_SETTINGS, { role: 'cashier', sip: { uri: 'sip:1001@pbx.example' } });
    const session = makeSession();
    expect(session.view()).toMatchObject({ state: 'open', role: 'cashier', person: null });
    expect(session.auditActor()).toEqual({ actor: 'sip:1001', actorName: null, role: 'cashier' });
  });

  test('with a staff list the desk starts signed out; the first sign-in sets the PIN, the next checks it', async () => {
    const session = makeSession();
    expect(session.view().state).toBe('signed-out');
    expect(session.signInChoices().find((c) => c.id === 'petrova')).toEqual({ id: 'petrova', name: 'Кассир Петрова', role: 'cashier', hasPin: false });
    const view = await session.signIn('petrova', '4321');
    expect(view).toMatchObject({ state: 'signed-in', role: 'cashier', person: { id: 'petrova', name: 'Кассир Петрова' } });
    expect(session.auditActor()).toEqual({ actor: 'person:petrova', actorName: 'Кассир Петрова', role: 'cashier' });
    expect(secrets.get('access.pin.petrova')).toMatch(/^scrypt\$/);
    session.signOut();
    expect(await code(session.signIn('petrova', '0000'))).toBe('WRONG_PIN');
    expect((await session.signIn('petrova', '4321')).state).toBe('signed-in');
    // The PIN never reaches the log or the vault in clear.
    expect(JSON.stringify(records)).not.toContain('4321');
    expect(readFileSync(join(dir, 'secrets', 'secrets.json'), 'utf8')).not.toContain('4321');
  });

  test('switching operator without a restart: the role and the audit follow the new person', async () => {
    const session = makeSession();
    const changes: string[] = [];
    session.onChange((v) => changes.push(`${v.state}:${v.person?.id ?? '-'}:${v.role}`));
    await session.signIn('ivanova', '1111');
    await session.signIn('petrova', '2222');
    expect(changes).toEqual(['signed-in:ivanova:operator', 'signed-in:petrova:cashier']);
    expect(session.auditActor().actor).toBe('person:petrova');
  });

  test('idle minutes without input lock the desk; input restarts the wait; the same PIN unlocks', async () => {
    const session = makeSession();
    await session.signIn('ivanova', '1111');
    clock.advance(4 * 60_000);
    session.activity();
    clock.advance(4 * 60_000);
    expect(session.view().state).toBe('signed-in');
    clock.advance(60_000 + 1);
    expect(session.view()).toMatchObject({ state: 'locked', role: 'operator', person: { id: 'ivanova' } });
    expect(await code(session.unlock('9999'))).toBe('WRONG_PIN');
    expect(await code(session.unlock(undefined))).toBe('WRONG_PIN');
    expect((await session.unlock('1111')).state).toBe('signed-in');
  });

  test('a locked desk can be taken over by another person signing in', async () => {
    const session = makeSession();
    await session.signIn('ivanova', '1111');
    session.lock('hotkey');
    expect((await session.signIn('petrova', '2222')).person?.id).toBe('petrova');
  });

  test('an open desk locks too, and unlocks without a PIN (nobody to ask for one)', async () => {
    settings = applySettingsPatch(DEFAULT_SETTINGS, { access: { idleLockMinutes: 1 } });
    const session = makeSession();
    clock.advance(60_000);
    expect(session.view().state).toBe('locked');
    expect((await session.unlock(undefined)).state).toBe('open');
  });

  test('idle lock 0 never locks', () => {
    settings = applySettingsPatch(DEFAULT_SETTINGS, { access: { idleLockMinutes: 0 } });
    const session = makeSession();
    expect(clock.pending()).toEqual([]);
    expect(session.view().state).toBe('open');
  });

  test(`${WRONG_PINS_BEFORE_WAIT} wrong PINs in a row make the next try wait, doubling; the right PIN after the wait works`, async () => {
    const session = makeSession();
    await session.signIn('ivanova', '1111');
    session.signOut();
    for (let i = 0; i < WRONG_PINS_BEFORE_WAIT; i++) expect(await code(session.signIn('ivanova', '0000'))).toBe('WRONG_PIN');
    expect(await code(session.signIn('ivanova', '1111'))).toBe('SIGN_IN_WAIT');
    clock.advance(FIRST_WAIT_MS);
    expect(await code(session.signIn('ivanova', '0000'))).toBe('WRONG_PIN');
    clock.advance(FIRST_WAIT_MS);
    expect(await code(session.signIn('ivanova', '1111'))).toBe('SIGN_IN_WAIT'); // the second wait is twice as long
    clock.advance(FIRST_WAIT_MS);
    expect((await session.signIn('ivanova', '1111')).state).toBe('signed-in');
    // Another person is not made to wait for someone else's mistakes.
    session.signOut();
    expect((await session.signIn('petrova', '2222')).state).toBe('signed-in');
  });

  test('provisioned first PINs are hashed for people without one, and never overwrite a PIN a person chose', async () => {
    secrets.set('access.pin.ivanova', await hashPin('7777', CHEAP));
    const session = makeSession(new Map([['ivanova', '1111'], ['petrova', '5555']]));
    await session.storeProvisionedPins();
    expect(await code(session.signIn('petrova', '5555'))).toBe('ok');
    expect(await code(session.signIn('ivanova', '1111'))).toBe('WRONG_PIN');
    expect(await code(session.signIn('ivanova', '7777'))).toBe('ok');
  });

  test('a person removed from the list is signed out at once; a changed role applies at once', async () => {
    const session = makeSession();
    await session.signIn('ivanova', '1111');
    settings = applySettingsPatch(settings, { access: { people: people.map((p) => (p.id === 'ivanova' ? { ...p, role: 'supervisor' } : p)) } });
    session.settingsChanged();
    expect(session.view().role).toBe('supervisor');
    settings = applySettingsPatch(settings, { access: { people: people.filter((p) => p.id !== 'ivanova') } });
    session.settingsChanged();
    expect(session.view()).toMatchObject({ state: 'signed-out', person: null });
  });

  test('an admin resets a PIN: the person chooses a new one at the next sign-in', async () => {
    const session = makeSession();
    await session.signIn('petrova', '2222');
    session.resetPin('petrova');
    session.signOut();
    expect(session.signInChoices().find((c) => c.id === 'petrova')?.hasPin).toBe(false);
    expect((await session.signIn('petrova', '3333')).state).toBe('signed-in');
  });

  test('changing one\'s own PIN needs the current one', async () => {
    const session = makeSession();
    await session.signIn('ivanova', '1111');
    expect(await code(session.changePin('0000', '2222'))).toBe('WRONG_PIN');
    await session.changePin('1111', '2222');
    session.lock();
    expect((await session.unlock('2222')).state).toBe('signed-in');
  });
});

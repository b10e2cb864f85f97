import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import type { RaceChildConfig } from './demo-schedule-race-child';
import { DemoSchedule } from './demo-schedule';

const CHILD = fileURLToPath(new URL('./demo-schedule-race-child.ts', import.meta.url));
const REGISTER = pathToFileURL(fileURLToPath(new URL('../../sync/reliability/register-ts.mjs', import.meta.url))).href;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
/** The children run this repo's TypeScript directly, which needs Node ≥ 22.7 (npm scripts run on 22). */
const canRunTs = major > 22 || (major === 22 && minor >= 7);
const DESKS = 3;

interface Desk {
  ready: Promise<void>;
  go(): void;
  answers: Promise<string[]>;
}

function startDesk(config: RaceChildConfig): Desk {
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--import', REGISTER, CHILD, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (out.startsWith('READY\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const answers = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      markReady();
      if (code === 0) resolve(JSON.parse(out.replace('READY\n', '').trim()) as string[]);
      else reject(new Error(`desk ${config.desk} exited ${code}: ${err}`));
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), answers };
}

describe('DemoSchedule shared by desk processes', () => {
  it(
    'three desk processes booking the same 40 slots at the same instant: each slot goes to exactly one of them',
    async () => {
      // Never skipped: under an older Node this says why instead of passing silently.
      expect(canRunTs, `the desk processes run TypeScript directly: Node ≥ 22.7 is needed (npm test runs on it), this is ${process.version}`).toBe(true);
      const scheduleFile = join(mkdtempSync(join(tmpdir(), 'rg-race-')), 'schedule.db');
      const patients = 20_000;
      const setup = new DemoSchedule({ path: scheduleFile, patients, clock: new ManualClock(Date.now()) });
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const services = setup.services();
      const specialtyOf = new Map(setup.doctors().map((d) => [d.id, d.specialty]));
      const slots = [0, 1, 2, 3, 4, 5, 6]
        .flatMap((days) => setup.daySlots(new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)))
        .filter((slot) => slot.state === 'free' && slot.startsAt.slice(0, 10) >= tomorrow)
        .slice(0, 40)
        .map((slot) => ({ id: slot.id, doctorId: slot.doctorId, startsAt: slot.startsAt, serviceId: services.find((s) => s.specialty === specialtyOf.get(slot.doctorId))!.id }));
      expect(slots).toHaveLength(40);
      const desks = Array.from({ length: DESKS }, (_, desk) => startDesk({ scheduleFile, desk, patients, slots }));
      await Promise.all(desks.map((desk) => desk.ready));
      for (const desk of desks) desk.go();
      const answers = await Promise.all(desks.map((desk) => desk.answers));
      for (const [i, slot] of slots.entries()) {
        const perDesk = answers.map((desk) => desk[i]);
        expect(perDesk.filter((a) => a === 'applied'), slot.id).toHaveLength(1);
        expect(perDesk.filter((a) => a === 'slot-taken'), slot.id).toHaveLength(DESKS - 1);
        const winner = perDesk.indexOf('applied');
        expect(setup.slot(slot.id)).toMatchObject({ state: 'booked', patientMisId: String(1_000_000 + winner), version: 2 });
      }
      expect(setup.ledgerEntries('booking.create')).toHaveLength(slots.length);
      setup.close();
    },
    60_000,
  );
});

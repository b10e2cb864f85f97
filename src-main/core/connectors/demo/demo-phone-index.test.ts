import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticPatient } from '../../demo/synthetic-patients';
import { buildPhoneRun, loadPhoneIndex, ownersOf, savePhoneIndex } from './demo-phone-index';

const SEED = 1;
const runs = () => [buildPhoneRun(0, 300, SEED), buildPhoneRun(300, 600, SEED), buildPhoneRun(600, 700, SEED)];
const path = () => join(mkdtempSync(join(tmpdir(), 'demo-phone-index-')), 'phone-index.bin');

describe('the demo MIS phone index', () => {
  it('finds every owner of a number across runs, in patient order', () => {
    const index = runs();
    for (const patient of [0, 299, 300, 599, 600, 699]) {
      for (const phone of syntheticPatient(patient, SEED).phones) {
        const owners = [...ownersOf(index, phone.national10)];
        const scanned = Array.from({ length: 700 }, (_, i) => i).filter((i) => syntheticPatient(i, SEED).phones.some((p) => p.national10 === phone.national10));
        expect(owners).toEqual(scanned);
      }
    }
    expect([...ownersOf(index, '0000000000')]).toEqual([]);
  });

  it('is saved and loaded back exactly, for the same clinic only', () => {
    const file = path();
    const index = runs();
    savePhoneIndex(file, { seed: SEED, patients: 700 }, index);
    expect(loadPhoneIndex(file, { seed: SEED, patients: 700 })).toEqual(index);
    expect(loadPhoneIndex(file, { seed: 2, patients: 700 })).toBeNull();
    expect(loadPhoneIndex(file, { seed: SEED, patients: 701 })).toBeNull();
    expect(loadPhoneIndex(join(file, '..', 'missing.bin'), { seed: SEED, patients: 700 })).toBeNull();
  });

  it('treats a cut-short, garbled or foreign file as no index (rebuilt), never as an error', () => {
    const file = path();
    savePhoneIndex(file, { seed: SEED, patients: 700 }, runs());
    const whole = readFileSync(file);
    const identity = { seed: SEED, patients: 700 };

    writeFileSync(file, whole.subarray(0, whole.length - 5));
    expect(loadPhoneIndex(file, identity)).toBeNull();

    const unsorted = Buffer.from(whole);
    const firstKey = 24 + 3 * 4;
    unsorted.writeDoubleLE(9_999_999_999, firstKey); // first key now larger than the second
    writeFileSync(file, unsorted);
    expect(loadPhoneIndex(file, identity)).toBeNull();

    const foreignOwner = Buffer.from(whole);
    foreignOwner.writeInt32LE(5_000, whole.length - 4);
    writeFileSync(file, foreignOwner);
    expect(loadPhoneIndex(file, identity)).toBeNull();

    writeFileSync(file, 'not an index at all');
    expect(loadPhoneIndex(file, identity)).toBeNull();
  });
});

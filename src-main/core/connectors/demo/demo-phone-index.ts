import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { syntheticPatient } from '../../demo/synthetic-patients';

/**
 * The demo MIS's caller lookup index: the base population's phone numbers (ten national digits
 * as doubles: they fit exactly) with their owners' indices, as sorted runs of consecutive
 * patients. Runs, not one sorted array, so the index can be built a slice at a time between
 * other work on the desk's thread; a lookup binary-searches each run (a million patients are
 * 500 runs: microseconds).
 *
 * Building it generates every patient once — seconds and much garbage for a million, in the
 * process that paints screen pops — so it is saved beside the demo ledger and loaded on the
 * next start. The file is only a cache: anything wrong with it (missing, another clinic, cut
 * short, garbage) means "build it again", never an error.
 */
export interface PhoneRun {
  keys: Float64Array;
  owners: Int32Array;
}

/** Indexes patients `from` … `to − 1` of the clinic `seed`. */
export function buildPhoneRun(from: number, to: number, seed: number): PhoneRun {
  const keys: number[] = [];
  const owners: number[] = [];
  for (let index = from; index < to; index++) {
    for (const phone of syntheticPatient(index, seed).phones) {
      keys.push(Number(phone.national10));
      owners.push(index);
    }
  }
  const order = new Int32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => keys[a]! - keys[b]! || owners[a]! - owners[b]!);
  const run: PhoneRun = { keys: new Float64Array(order.length), owners: new Int32Array(order.length) };
  order.forEach((source, target) => {
    run.keys[target] = keys[source]!;
    run.owners[target] = owners[source]!;
  });
  return run;
}

/** Owners of `national10` in patient order (runs cover ascending patient ranges). */
export function* ownersOf(runs: readonly PhoneRun[], national10: string): Generator<number> {
  const key = Number(national10);
  for (const { keys, owners } of runs) {
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keys[mid]! < key) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < keys.length && keys[i] === key; i++) yield owners[i]!;
  }
}

/** Which clinic an index file belongs to. */
export interface PhoneIndexIdentity {
  seed: number;
  patients: number;
}

const MAGIC = 'RGDPIX01';
const HEADER_BYTES = 8 + 4 * 4;

/**
 * Writes the complete index: magic, seed, patients, run count, entry count, each run's length,
 * then every key (f64) and every owner (i32), little-endian. Written to a temporary file and
 * renamed, so a crash never leaves half a file under the real name.
 */
export function savePhoneIndex(path: string, identity: PhoneIndexIdentity, runs: readonly PhoneRun[]): void {
  const entries = runs.reduce((sum, run) => sum + run.keys.length, 0);
  const buffer = Buffer.alloc(HEADER_BYTES + runs.length * 4 + entries * 12);
  buffer.write(MAGIC, 0, 'latin1');
  buffer.writeInt32LE(identity.seed, 8);
  buffer.writeUInt32LE(identity.patients, 12);
  buffer.writeUInt32LE(runs.length, 16);
  buffer.writeUInt32LE(entries, 20);
  let offset = HEADER_BYTES;
  for (const run of runs) offset = buffer.writeUInt32LE(run.keys.length, offset);
  for (const run of runs) for (const key of run.keys) offset = buffer.writeDoubleLE(key, offset);
  for (const run of runs) for (const owner of run.owners) offset = buffer.writeInt32LE(owner, offset);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.writing`;
  writeFileSync(temporary, buffer, { mode: 0o600 });
  renameSync(temporary, path);
}

/** The saved index of this clinic, or `null` when there is none or it cannot be trusted. */
export function loadPhoneIndex(path: string, identity: PhoneIndexIdentity): PhoneRun[] | null {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch {
    return null;
  }
  if (buffer.length < HEADER_BYTES || buffer.toString('latin1', 0, 8) !== MAGIC) return null;
  if (buffer.readInt32LE(8) !== identity.seed || buffer.readUInt32LE(12) !== identity.patients) return null;
  const runCount = buffer.readUInt32LE(16);
  const entries = buffer.readUInt32LE(20);
  if (buffer.length !== HEADER_BYTES + runCount * 4 + entries * 12) return null;
  const lengths: number[] = [];
  let total = 0;
  for (let i = 0; i < runCount; i++) {
    const length = buffer.readUInt32LE(HEADER_BYTES + i * 4);
    lengths.push(length);
    total += length;
  }
  if (total !== entries) return null;
  let keyOffset = HEADER_BYTES + runCount * 4;
  let ownerOffset = keyOffset + entries * 8;
  const runs: PhoneRun[] = [];
  for (const length of lengths) {
    const run: PhoneRun = { keys: new Float64Array(length), owners: new Int32Array(length) };
    for (let i = 0; i < length; i++) {
      run.keys[i] = buffer.readDoubleLE(keyOffset);
      run.owners[i] = buffer.readInt32LE(ownerOffset);
      keyOffset += 8;
      ownerOffset += 4;
      // Sorted within a run, owners inside the clinic: anything else is not our file.
      if ((i > 0 && run.keys[i]! < run.keys[i - 1]!) || run.owners[i]! < 0 || run.owners[i]! >= identity.patients) return null;
    }
    runs.push(run);
  }
  return runs;
}

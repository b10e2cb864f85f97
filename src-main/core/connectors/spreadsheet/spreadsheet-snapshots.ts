import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the desk already has, per import generation, in the connector's `stateDir`: one
 * `snapshot-<generation>.json` per import (written atomically: a temp file, then rename), holding
 * every row's key with the hash of its card and the card's version, plus the generation's own
 * change list (keys changed, ids deleted) that its pages are cut from. Ids and hashes only —
 * never a name, phone or date of birth.
 */
export interface Snapshot {
  generation: number;
  /** The generation this one was diffed against (0: nothing, a full import). */
  base: number;
  /** The version given to the cards changed in this generation; grows with every generation. */
  stamp: number;
  /** The export's fingerprint (`fingerprintOf`). */
  fingerprint: string;
  /** Row key → [card hash, card version]. */
  entries: Map<string, [string, number]>;
  /** Keys of the rows that changed, in the file's order (the pages' cards). */
  changed: string[];
  /** Ids gone since the base (the pages' deletions, after the cards). */
  deleted: string[];
}

const FORMAT = 'registratura-spreadsheet-snapshot/1';
const FILE = /^snapshot-(\d{1,15})\.json$/;
/** Generations kept: the newest few, so a cursor the desk has not committed yet still resolves. */
export const SNAPSHOTS_KEPT = 4;

export class SnapshotStore {
  constructor(private readonly dir: string) {}

  /** Generation numbers on disk, ascending. */
  async generations(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    return names
      .map((name) => FILE.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** One generation, or null when it is missing or unreadable (then the desk's cursor is refused and a full import follows). */
  async read(generation: number): Promise<Snapshot | null> {
    let text: string;
    try {
      text = await readFile(this.path(generation), 'utf8');
    } catch {
      return null;
    }
    try {
      const raw = JSON.parse(text) as { format?: unknown; generation?: unknown; base?: unknown; stamp?: unknown; fingerprint?: unknown; entries?: unknown; changed?: unknown; deleted?: unknown };
      if (raw.format !== FORMAT || raw.generation !== generation || typeof raw.base !== 'number' || typeof raw.stamp !== 'number' || typeof raw.fingerprint !== 'string') return null;
      if (!Array.isArray(raw.entries) || !isStrings(raw.changed) || !isStrings(raw.deleted)) return null;
      const entries = new Map<string, [string, number]>();
      for (const entry of raw.entries as unknown[]) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || typeof entry[2] !== 'number') return null;
        entries.set(entry[0], [entry[1], entry[2]]);
      }
      return { generation, base: raw.base, stamp: raw.stamp, fingerprint: raw.fingerprint, entries, changed: raw.changed, deleted: raw.deleted };
    } catch {
      return null;
    }
  }

  /** Writes a generation atomically (temp file, rename), then drops all but the newest {@link SNAPSHOTS_KEPT}. */
  async write(snapshot: Snapshot): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const body = JSON.stringify({
      format: FORMAT,
      generation: snapshot.generation,
      base: snapshot.base,
      stamp: snapshot.stamp,
      fingerprint: snapshot.fingerprint,
      entries: [...snapshot.entries].map(([key, [hash, version]]) => [key, hash, version]),
      changed: snapshot.changed,
      deleted: snapshot.deleted,
    });
    const temp = `${this.path(snapshot.generation)}.${process.pid}.tmp`;
    await writeFile(temp, body, { encoding: 'utf8', flush: true });
    await rename(temp, this.path(snapshot.generation));
    const all = await this.generations();
    for (const old of all.slice(0, Math.max(0, all.length - SNAPSHOTS_KEPT))) await rm(this.path(old), { force: true });
  }

  private path(generation: number): string {
    return join(this.dir, `snapshot-${generation}.json`);
  }
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

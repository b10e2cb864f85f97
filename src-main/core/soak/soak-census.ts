import { EventEmitter, getEventListeners } from 'node:events';

/** One collection (or listener list) the census found, by the first path that reached it. */
export interface CensusEntry {
  /** Where it hangs from the roots: `core.pbx.listeners`, `core.demoClinic.demo.log`; `[*]` stands for "inside an entry". */
  path: string;
  kind: 'Map' | 'Set' | 'Array' | 'emitter' | 'abort-signal';
  /** Entries, elements or listeners (summed over every collection that shares the path). */
  size: number;
}

export interface CensusOptions {
  /** Objects visited at most (the walk stops there: a census is a sample, not a heap snapshot). */
  maxObjects?: number;
  /** Entries of one collection walked into (its size is always counted whole). */
  entriesWalked?: number;
}

/** Objects never walked into: native handles, binary data, and values that hold no collections. */
function opaque(value: object): boolean {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return true;
  if (value instanceof Date || value instanceof RegExp || value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) return true;
  // better-sqlite3's Database and Statement: their state lives in native code.
  const name = value.constructor?.name;
  return name === 'Database' || name === 'Statement';
}

/**
 * A census of the collections reachable from `roots` through data properties (never getters, so
 * nothing runs): every Map, Set and Array with its size, every EventEmitter with its listener
 * count and every AbortSignal with its `abort` listeners. What closures hold is out of its reach
 * (the heap figures cover that). The soak takes one after warm-up and one at the end and names
 * the collections that grew with the calls.
 */
export function takeCensus(roots: Record<string, unknown>, options: CensusOptions = {}): Map<string, CensusEntry> {
  const maxObjects = options.maxObjects ?? 200_000;
  const entriesWalked = options.entriesWalked ?? 20;
  const found = new Map<string, CensusEntry>();
  const seen = new WeakSet<object>();
  const queue: [unknown, string][] = Object.entries(roots).map(([name, value]) => [value, name]);
  let visited = 0;
  const count = (path: string, kind: CensusEntry['kind'], size: number) => {
    const entry = found.get(path);
    if (entry) entry.size += size;
    else found.set(path, { path, kind, size });
  };
  for (let head = 0; head < queue.length && visited < maxObjects; head++) {
    const [value, path] = queue[head]!;
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) continue;
    const object = value as object;
    if (seen.has(object) || opaque(object)) continue;
    seen.add(object);
    visited += 1;
    if (typeof value === 'function') continue;
    if (object instanceof Map) {
      count(path, 'Map', object.size);
      let walked = 0;
      for (const [key, entry] of object) {
        if (walked++ >= entriesWalked) break;
        if (typeof key === 'object') queue.push([key, `${path}[*]`]);
        queue.push([entry, `${path}[*]`]);
      }
      continue;
    }
    if (object instanceof Set) {
      count(path, 'Set', object.size);
      let walked = 0;
      for (const entry of object) {
        if (walked++ >= entriesWalked) break;
        queue.push([entry, `${path}[*]`]);
      }
      continue;
    }
    if (Array.isArray(object)) {
      count(path, 'Array', object.length);
      for (let i = 0; i < Math.min(object.length, entriesWalked); i++) queue.push([object[i], `${path}[*]`]);
      continue;
    }
    if (object instanceof EventEmitter) {
      count(`${path}#listeners`, 'emitter', object.eventNames().reduce((sum, name) => sum + object.listenerCount(name), 0));
    }
    if (object instanceof AbortSignal) {
      count(`${path}#abort`, 'abort-signal', getEventListeners(object, 'abort').length);
      continue;
    }
    for (const key of Object.getOwnPropertyNames(object)) {
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      if (descriptor && 'value' in descriptor) queue.push([descriptor.value, `${path}.${key}`]);
    }
  }
  return found;
}

/** A collection that grew between two censuses. */
export interface CensusGrowth {
  path: string;
  kind: CensusEntry['kind'];
  before: number;
  after: number;
}

/**
 * The collections that grew from `before` to `after` by at least `minimum` entries and by more
 * than `share` of their size before (a Map of 3 going to 5 is not news; one of 40 going to 2,040 is).
 */
export function censusGrowth(before: Map<string, CensusEntry>, after: Map<string, CensusEntry>, minimum = 20, share = 0.1): CensusGrowth[] {
  const grown: CensusGrowth[] = [];
  for (const [path, entry] of after) {
    const was = before.get(path)?.size ?? 0;
    if (entry.size - was >= minimum && entry.size > was * (1 + share)) grown.push({ path, kind: entry.kind, before: was, after: entry.size });
  }
  return grown.sort((a, b) => b.after - b.before - (a.after - a.before));
}

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCard } from '../../db/test-support';
import { silentLogger } from '../../log/logger';
import { PatientCacheService } from '../../cache/patient-cache-service';
import { KeyFileSecretStore } from '../../secrets/key-file-secret-store';
import type { PluginStateEvent } from './plugin-supervisor';

/** The example plugin shipped in the repo. */
export const EXAMPLE_PLUGIN_DIR = fileURLToPath(new URL('../../../../resources/plugins/example-mis', import.meta.url));

/** A temporary data directory with `plugins/`; `install` copies the example or writes a plugin folder. */
export function pluginsHome(): { dataDir: string; pluginsDir: string; installExample(folder?: string): string; write(folder: string, files: Record<string, string>): string; remove(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-plugins-'));
  const pluginsDir = join(dataDir, 'plugins');
  mkdirSync(pluginsDir);
  return {
    dataDir,
    pluginsDir,
    installExample: (folder = 'example-mis') => {
      const target = join(pluginsDir, folder);
      cpSync(EXAMPLE_PLUGIN_DIR, target, { recursive: true });
      return target;
    },
    write: (folder, files) => {
      const target = join(pluginsDir, folder);
      mkdirSync(target, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(target, name), text);
      return target;
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Records state events and resolves a wait when an event matching it arrives (now or later). */
export class StateLog {
  readonly events: PluginStateEvent[] = [];
  private waiters: { match: (event: PluginStateEvent) => boolean; resolve: (event: PluginStateEvent) => void; from: number }[] = [];

  readonly listener = (event: PluginStateEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (this.events.length - 1 >= waiter.from && waiter.match(event)) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(event);
      }
    }
  };

  /** The next event (after the ones seen so far) that matches. */
  next(match: (event: PluginStateEvent) => boolean): Promise<PluginStateEvent> {
    return new Promise((resolve) => this.waiters.push({ match, resolve, from: this.events.length }));
  }

  states(): string[] {
    return this.events.map((event) => (event.reason ? `${event.state}:${event.reason}` : event.state));
  }
}

/**
 * A real patient cache (encrypted SQLite, `cards` synthetic cards) to look callers up in while
 * a plugin misbehaves: the screen pop's path on the main thread.
 */
export function openTestCache(cards: number): { cache: PatientCacheService; phoneOf(index: number): string; close(): Promise<void> } {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-plugin-cache-'));
  const cache = new PatientCacheService({ dataDir, secrets: new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger), logger: silentLogger, cacheSizeMb: 8, integrityCheck: null });
  cache.start();
  const batch = Array.from({ length: cards }, (_, i) => testCard(i));
  cache.require().applyCards(batch);
  return {
    cache,
    phoneOf: (index) => batch[index % cards]!.phones[0]!.e164,
    close: async () => {
      await cache.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Looks callers up in `cache` over and over, one per turn of the event loop, until `fault`
 * settles: each sample is the time from asking for a turn to having the card (the wait of a
 * screen pop arriving then). Returns the samples in ms.
 */
export async function lookupLatencyDuring(fault: Promise<unknown>, lookup: (n: number) => number): Promise<number[]> {
  let settled = false;
  void fault.then(
    () => (settled = true),
    () => (settled = true),
  );
  const samples: number[] = [];
  for (let n = 0; !settled || samples.length < 5; n++) {
    const started = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (lookup(n) < 1) throw new Error('the cache lost a card during the plugin fault');
    samples.push(performance.now() - started);
  }
  return samples;
}

/** `p50=… p95=… max=… ms (n=…)` of latency samples. */
export function latencyFigure(samples: number[]): { line: string; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const p95 = at(0.95);
  const max = sorted[sorted.length - 1]!;
  return { line: `p50=${at(0.5).toFixed(2)} p95=${p95.toFixed(2)} max=${max.toFixed(2)} ms (n=${sorted.length})`, p95, max };
}

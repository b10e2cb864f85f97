import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, homedir, platform, release, type as osType, version as osVersion } from 'node:os';
import { basename, join } from 'node:path';
import { strToU8, zip, type AsyncZippable } from 'fflate';
import type { DiagnosticsBundle } from '../../../src-shared/diagnostics/diagnostics-contract';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import type { CoreStatus } from '../../../src-shared/status/system-status';
import { deskLogPath } from '../host-logger';
import { logFilesOf } from '../log/file-sink';
import type { Logger } from '../log/logger';
import { bundledLog } from './bundle-logs';
import { databasesReport, type CacheForDiagnostics, type JournalForDiagnostics } from './database-report';
import type { SipRegistrationHistory } from './sip-registration-history';
import { scrubText, settingsForSupport } from './support-settings';

/** Bundles kept in `<dataDir>/diagnostics/`; older ones are deleted when a new one is saved. */
export const BUNDLES_KEPT = 10;
const BUNDLE_NAME = /^registratura-diagnostics-\d{8}T\d{6}Z(?:-\d+)?\.zip$/;

/** What a bundle is made from: the core's services as they are now. */
export interface DiagnosticsBundleSources {
  dataDir: string;
  settings: { view(): SettingsView };
  status: { snapshot(): CoreStatus };
  cache: CacheForDiagnostics;
  journal: JournalForDiagnostics;
  sipHistory: SipRegistrationHistory;
  logger: Logger;
  /** This build and which host runs it. */
  version: { app: string; host: 'electron' | 'web' };
  /** The log file whose current and rotated files go in (default `<dataDir>/logs/desk.log`). */
  logPath?: string;
  now?: () => Date;
  /** The user's home folder, written as `~` in every path (default the OS's; null: none). */
  home?: string | null;
}

/** `20251206T081700Z`: the bundle's name sorts by time and says it is UTC. */
export function bundleTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * Writes `<dataDir>/diagnostics/registratura-diagnostics-<UTC time>.zip` (0600, folder 0700)
 * for support: `manifest.json` (every file and what it is), `versions.json`, `settings.json`
 * (no secrets, no names), `connectors.json` (health), `sip-registration.json`, `databases.json`
 * (integrity, pages, schema versions — no rows) and `logs/` (the log and its rotated files, each
 * record redacted again). Nothing in it identifies a patient; the desk's own tests search every
 * file of a real bundle for the patients they handled. Written to a `.partial` name and renamed,
 * so a half-written zip never sits under the final name; the newest {@link BUNDLES_KEPT} are kept.
 */
export async function saveDiagnosticsBundle(sources: DiagnosticsBundleSources): Promise<DiagnosticsBundle> {
  const started = Date.now();
  const now = (sources.now ?? (() => new Date()))();
  const home = sources.home === undefined ? homedir() : sources.home;
  const paths = (value: unknown): unknown => scrubPaths(value, home);
  const json = (value: unknown) => strToU8(`${JSON.stringify(value, null, 2)}\n`);

  const contents: { name: string; about: string; data: Uint8Array }[] = [];
  const add = (name: string, about: string, data: Uint8Array) => contents.push({ name, about, data });

  add('versions.json', 'the app, its runtime and the operating system', json(versions(sources.version)));
  add('settings.json', 'the settings without secrets, logins or people’s names', json(settingsForSupport(sources.settings.view(), home)));
  const view = sources.settings.view();
  add(
    'connectors.json',
    'which MIS and PBX connectors, their state, the cache and the journal as the status bar sees them',
    json(
      paths({
        connectors: { mis: view.settings.connectors.mis.id, pbx: view.settings.connectors.pbx.id },
        status: sources.status.snapshot(),
        cache: sources.cache.status(),
        journal: sources.journal.status(),
      }),
    ),
  );
  add(
    'sip-registration.json',
    'the softphone’s registration changes since the desk started (state and reason code)',
    json({ since: sources.sipHistory.since, dropped: sources.sipHistory.dropped, changes: sources.sipHistory.list() }),
  );
  add('databases.json', 'cache.db and journal.db: quick_check, page counts, schema versions, sizes (no rows)', json(paths(await databasesReport(sources.cache, sources.journal, sources.dataDir))));
  const logs = logFilesOf(sources.logPath ?? deskLogPath(sources.dataDir));
  const logNotes: { file: string; lines: number; dropped: number }[] = [];
  for (const file of logs) {
    const log = await bundledLog(file, home);
    const name = `logs/${basename(file)}`;
    add(name, 'the desk’s log (one JSON record a line), every record redacted again', strToU8(log.text));
    logNotes.push({ file: name, lines: log.lines, dropped: log.dropped });
  }

  const manifest = {
    format: 1,
    createdAt: now.toISOString(),
    app: 'Registratura',
    version: sources.version.app,
    host: sources.version.host,
    privacy: 'No patient data: logs are redacted again as they are bundled; settings carry no secrets, logins or names; databases are described, never copied.',
    files: [{ name: 'manifest.json', about: 'this list' }, ...contents.map(({ name, about, data }) => ({ name, about, bytes: data.byteLength }))],
    logs: logNotes,
  };
  const files: AsyncZippable = { 'manifest.json': json(manifest) };
  for (const { name, data } of contents) files[name] = data;
  const zipped = await zipAsync(files, now);

  const folder = join(sources.dataDir, 'diagnostics');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const path = freePath(folder, `registratura-diagnostics-${bundleTimestamp(now)}`);
  const partial = `${path}.partial`;
  writeFileSync(partial, zipped, { mode: 0o600 });
  renameSync(partial, path);
  pruneBundles(folder, basename(path));
  const names = Object.keys(files);
  sources.logger.info('diagnostics.bundle-saved', { files: names.length, bytes: zipped.byteLength, logFiles: logs.length, ms: Date.now() - started });
  return { path, bytes: zipped.byteLength, files: names };
}

function versions(version: DiagnosticsBundleSources['version']) {
  const runtime = process.versions as NodeJS.ProcessVersions & { electron?: string; chrome?: string };
  return {
    app: { name: 'Registratura', version: version.app, host: version.host },
    runtime: {
      node: runtime.node,
      electron: runtime.electron ?? null,
      chromium: runtime.chrome ?? null,
      v8: runtime.v8,
      modules: runtime.modules,
      openssl: runtime.openssl ?? null,
    },
    os: { platform: platform(), type: osType(), release: release(), version: safeOsVersion(), arch: arch() },
    locale: { language: Intl.DateTimeFormat().resolvedOptions().locale, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
  };
}

function safeOsVersion(): string | null {
  try {
    return osVersion();
  } catch {
    return null;
  }
}

/** Every string with the home folder as `~` (paths name the Windows or Linux user). */
function scrubPaths(value: unknown, home: string | null): unknown {
  if (typeof value === 'string') return scrubText(value, home);
  if (Array.isArray(value)) return value.map((item) => scrubPaths(item, home));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubPaths(v, home)]));
  return value;
}

function zipAsync(files: AsyncZippable, at: Date): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zip(files, { level: 6, mtime: at }, (error, data) => (error ? reject(error) : resolve(data)));
  });
}

/** The name for this second, or `-2`, `-3` … when a bundle of the same second exists. */
function freePath(folder: string, stem: string): string {
  const taken = new Set(safeList(folder));
  let name = `${stem}.zip`;
  for (let n = 2; taken.has(name); n++) name = `${stem}-${n}.zip`;
  return join(folder, name);
}

function pruneBundles(folder: string, keep: string): void {
  const bundles = safeList(folder)
    .filter((name) => BUNDLE_NAME.test(name))
    .sort();
  for (const name of bundles.slice(0, Math.max(0, bundles.length - BUNDLES_KEPT))) {
    if (name !== keep) rmSync(join(folder, name), { force: true });
  }
  // A `.partial` left by a crash mid-write.
  for (const name of safeList(folder).filter((n) => n.endsWith('.zip.partial'))) rmSync(join(folder, name), { force: true });
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { BackoffPolicy } from '../../../../src-shared/time/backoff';
import type { Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
import type { MisConnectorManifest, MisConnectorRegistration } from '../mis/mis-connector';
import { BUILT_IN_MIS_IDS, readPluginFolder, type PluginFolder } from './plugin-manifest';
import { DEFAULT_PLUGIN_CALL_TIMEOUTS, PluginMisConnector, type PluginCallTimeouts } from './plugin-mis-connector';
import { PluginSupervisor, type PluginLimits, type PluginStateEvent } from './plugin-supervisor';
import { workerThreadTransport, type PluginTransportFactory } from './plugin-transport';

/** Why a plugin folder was not loaded, listed on the settings screen (`pluginProblems`). */
export interface PluginProblem {
  folder: string;
  problem: string;
}

export interface LoadMisPluginsOptions {
  logger: Logger;
  clock: Clock;
  /** Every state change of every plugin connector (`status-mis`). */
  onState?: (event: PluginStateEvent) => void;
  /** How plugins run: worker threads (default; the browser host) or Electron's utility processes. */
  transport?: PluginTransportFactory;
  /** Ids a plugin may not take (default: the built-in MIS connectors). */
  reservedIds?: readonly string[];
  /** Tests shorten these; the defaults are the SDK's. */
  timeouts?: Partial<PluginCallTimeouts>;
  limits?: Partial<PluginLimits>;
  backoff?: BackoffPolicy;
  startTimeoutMs?: number;
}

export interface LoadedMisPlugins {
  registrations: Record<string, MisConnectorRegistration>;
  problems: PluginProblem[];
}

/** A plugin's config as the desk checks it: any object — the plugin checks its own in `createConnector`. */
const PluginConfigSchema = z.record(z.string(), z.unknown());

/**
 * Finds the MIS plugins in `pluginsDir` (`<data dir>/plugins/<folder>/plugin.json`), one per
 * folder in name order, and makes a registration for each that loads (docs/connector-sdk.md).
 * No folder: no plugins and no problem. A folder that cannot load (see `readPluginFolder`),
 * or whose id a built-in or an earlier folder has, is listed in `problems` and skipped.
 * Nothing runs until a connector is created: each `create` starts its own isolated worker.
 */
export function loadMisPlugins(pluginsDir: string, options: LoadMisPluginsOptions): LoadedMisPlugins {
  const registrations: Record<string, MisConnectorRegistration> = {};
  const problems: PluginProblem[] = [];
  if (!existsSync(pluginsDir)) return { registrations, problems };
  let entries: string[];
  try {
    entries = readdirSync(pluginsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    return { registrations, problems: [{ folder: '.', problem: `the plugins folder could not be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }] };
  }
  const reserved = new Set(options.reservedIds ?? BUILT_IN_MIS_IDS);
  const folderOf = new Map<string, string>();
  for (const folder of entries) {
    const read = readPluginFolder(realpathSync(join(pluginsDir, folder)), folder);
    if ('problem' in read) {
      problems.push({ folder, problem: read.problem });
      continue;
    }
    const { id } = read.manifest;
    if (reserved.has(id)) {
      problems.push({ folder, problem: `id "${id}" is taken by a built-in connector` });
      continue;
    }
    const earlier = folderOf.get(id);
    if (earlier !== undefined) {
      problems.push({ folder, problem: `id "${id}" is already used by the plugin in folder "${earlier}"` });
      continue;
    }
    folderOf.set(id, folder);
    registrations[id] = pluginRegistration(read, options);
    options.logger.info('plugin.found', { plugin: id, version: read.manifest.version, folder });
  }
  for (const { folder, problem } of problems) options.logger.warn('plugin.refused', { folder, problem });
  return { registrations, problems };
}

function pluginRegistration(plugin: PluginFolder, options: LoadMisPluginsOptions): MisConnectorRegistration {
  const { manifest: declared } = plugin;
  const manifest: MisConnectorManifest = {
    id: declared.id,
    kind: 'mis',
    version: declared.version,
    apiVersion: declared.apiVersion,
    title: declared.title,
    capabilities: declared.capabilities,
    ...(declared.pull === undefined ? {} : { pull: declared.pull }),
    ...(declared.push === undefined ? {} : { push: declared.push }),
    configSchema: PluginConfigSchema,
    jsonSchema: declared.configSchema,
    preview: declared.preview,
  };
  const transport = options.transport ?? workerThreadTransport();
  const timeouts = { ...DEFAULT_PLUGIN_CALL_TIMEOUTS, ...options.timeouts };
  let instances = 0;
  return {
    manifest,
    create: (context) => {
      const supervisor = new PluginSupervisor({
        id: declared.id,
        instance: ++instances,
        start: { type: 'start', main: pathToFileURL(plugin.mainPath).href, config: context.config, pluginDir: plugin.dir, stateDir: context.stateDir },
        transport,
        clock: options.clock,
        logger: context.logger,
        ...(options.onState ? { onState: options.onState } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
      });
      return new PluginMisConnector(manifest, supervisor, declared.diagnostics, timeouts);
    },
  };
}

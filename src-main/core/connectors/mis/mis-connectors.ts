import { join } from 'node:path';
import { z } from 'zod';
import { connectorFormFields } from '../../../../src-shared/connectors/connector-form';
import { isSecretConfigKey } from '../../../../src-shared/connectors/connector-model';
import type { StatusDetail } from '../../../../src-shared/status/system-status';
import type { Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
import { DEMO_MIS_MANIFEST, type DemoMis } from '../demo/demo-mis';
import type { MisConnector, MisConnectorManifest, MisConnectorRegistration } from './mis-connector';

/**
 * The MIS connectors this build has, by id: the built-ins (the demo clinic, which its own
 * service makes and owns; `fhir-r4`, `onec-http`, `spreadsheet`) and the plugins found in the
 * data directory (each a proxy to an isolated process). A plugin cannot take a built-in's id.
 */
export function misConnectorRegistry(options: {
  demoMis: () => DemoMis | null;
  builtIns?: Readonly<Record<string, MisConnectorRegistration>>;
  plugins?: Readonly<Record<string, MisConnectorRegistration>>;
}): Record<string, MisConnectorRegistration> {
  const registry: Record<string, MisConnectorRegistration> = {
    demo: {
      manifest: DEMO_MIS_MANIFEST as MisConnectorManifest,
      create: () => {
        const mis = options.demoMis();
        if (!mis) throw new Error('The demo MIS is made by the demo clinic service, which is not running.');
        return mis;
      },
    },
    ...options.builtIns,
  };
  for (const [id, registration] of Object.entries(options.plugins ?? {})) {
    if (!(id in registry)) registry[id] = registration;
  }
  return registry;
}

/**
 * The config paths of a connector's secrets (its form's `secret` fields); given a config, only
 * those its choices show (`auth.password` while `auth.type` is `basic`, not a token stored for
 * an earlier `bearer`).
 */
export function secretPaths(manifest: MisConnectorManifest, config?: Record<string, unknown>): string[] {
  return connectorFormFields(configJsonSchema(manifest))
    .filter((field) => field.type === 'secret')
    .filter((field) => config === undefined || field.showWhen === null || String(valueAt(config, field.showWhen.path)) === field.showWhen.equals)
    .map((field) => field.path);
}

function valueAt(config: Record<string, unknown>, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A manifest's config schema as JSON Schema (a plugin ships JSON Schema and gives it as `jsonSchema`). */
export function configJsonSchema(manifest: MisConnectorManifest): unknown {
  if (manifest.jsonSchema !== undefined) return manifest.jsonSchema;
  try {
    return z.toJSONSchema(manifest.configSchema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}

/** Puts stored secrets back into a config at their paths (`auth.password`), where the form left them out. */
export function withSecrets(config: Record<string, unknown>, secrets: Record<string, string>): Record<string, unknown> {
  const out = structuredClone(config);
  for (const [path, value] of Object.entries(secrets)) {
    const keys = path.split('.');
    let node: Record<string, unknown> = out;
    let reachable = true;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        reachable = false;
        break;
      }
      node = next as Record<string, unknown>;
    }
    const last = keys[keys.length - 1]!;
    if (reachable && (node[last] === undefined || node[last] === '')) node[last] = value;
  }
  return out;
}

/** What the config's first problems are, as one line naming each field (`connectors.mis.config.baseUrl: Invalid URL`). */
export function misConfigProblems(manifest: MisConnectorManifest, config: unknown, options: { secretsMayBeStored?: boolean } = {}): string | null {
  const parsed = manifest.configSchema.safeParse(config);
  if (parsed.success) return null;
  // A provisioning file may leave a secret out: it may already be in the secret store.
  const issues = options.secretsMayBeStored ? parsed.error.issues.filter((issue) => !isSecretConfigKey(String(issue.path[issue.path.length - 1] ?? ''))) : parsed.error.issues;
  if (issues.length === 0) return null;
  return issues
    .slice(0, 3)
    .map((issue) => `connectors.mis.config.${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export type MisCreation = { connector: MisConnector; owned: boolean } | { connector: null; reason: StatusDetail; problem: string };

/**
 * Makes the configured MIS connector: its config (stored secrets put back) validated by its
 * schema, then its factory with a state folder of its own under `<dataDir>/connectors/<id>`.
 */
export function createMisConnector(input: {
  registry: Readonly<Record<string, MisConnectorRegistration>>;
  id: string;
  config: Record<string, unknown>;
  secrets: (id: string, paths: readonly string[]) => Record<string, string>;
  dataDir: string;
  logger: Logger;
  clock: Clock;
}): MisCreation {
  const registration = input.registry[input.id];
  if (!registration) return { connector: null, reason: 'connectorNotAvailable', problem: `MIS connector "${input.id}" is not in this build and no plugin provides it.` };
  const config = withSecrets(input.config, input.secrets(input.id, secretPaths(registration.manifest, input.config)));
  const parsed = registration.manifest.configSchema.safeParse(config);
  if (!parsed.success) return { connector: null, reason: 'notConfigured', problem: misConfigProblems(registration.manifest, config) ?? 'invalid config' };
  const connector = registration.create({ config: parsed.data, stateDir: join(input.dataDir, 'connectors', input.id), logger: input.logger, clock: input.clock });
  return { connector, owned: input.id !== 'demo' };
}

/**
 * Which MIS a choice points at, for the cache: the connector and where its data lives (a base
 * URL, a folder). Two desks' settings that differ only in page size or poll interval are the
 * same MIS; another server or connector is not.
 */
export function misIdentity(choice: { id: string; config: Record<string, unknown> }): string {
  const where = ['baseUrl', 'folder', 'url'].map((key) => choice.config[key]).find((value): value is string => typeof value === 'string' && value !== '');
  return where === undefined ? choice.id : `${choice.id} ${where.replace(/\/+$/, '')}`;
}

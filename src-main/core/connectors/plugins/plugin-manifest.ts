import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { connectorFormFields } from '../../../../src-shared/connectors/connector-form';
import { isSecretConfigKey, MisCapabilitySchema, PullModeSchema, PushModeSchema } from '../../../../src-shared/connectors/connector-model';
import { MIS_CONNECTOR_API_VERSION } from '../mis/mis-connector';
import { PLUGIN_DIAGNOSTIC_STEPS } from './plugin-mis-connector';

/** The oldest SDK `apiVersion` a plugin may be built for (the SDK began at 3). */
export const MIN_PLUGIN_API_VERSION = 3;

/** Ids of the built-in MIS connectors: a plugin may not take one. */
export const BUILT_IN_MIS_IDS: readonly string[] = ['demo', 'fhir-r4', 'onec-http', 'spreadsheet'];

/** Largest `plugin.json` read. */
const MAX_MANIFEST_BYTES = 256 * 1024;

/**
 * `plugin.json`, the manifest a plugin folder ships (docs/connector-sdk.md, "The manifest").
 * Strict, so a misspelt key (`capabilites`) is a clear problem rather than a silently missing
 * ability. `configSchema` is JSON Schema (the settings form is rendered from it).
 */
export const PluginManifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be 1–64 lowercase letters, digits and dashes'),
    kind: z.enum(['mis', 'pbx']),
    title: z.string().trim().min(1).max(200),
    version: z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]{1,30})?$/, 'must be semver like 1.0.0'),
    apiVersion: z.number().int().positive(),
    main: z
      .string()
      .min(1)
      .max(260)
      .regex(/\.(?:m?js|cjs)$/, 'must be a .js, .mjs or .cjs file'),
    capabilities: z.array(MisCapabilitySchema).max(20).default([]),
    pull: PullModeSchema.optional(),
    push: PushModeSchema.optional(),
    configSchema: z
      .record(z.string(), z.unknown())
      .refine((schema) => schema.type === 'object', { message: 'must be a JSON Schema of "type": "object"' })
      .default({ type: 'object', properties: {} }),
    /** The steps of "test connection" the plugin runs through `diagnose(step)`, in order. */
    diagnostics: z.array(PLUGIN_DIAGNOSTIC_STEPS).max(10).default([]),
    preview: z.boolean().default(false),
    description: z.string().max(2_000).optional(),
    author: z.string().max(200).optional(),
    homepage: z.string().max(500).optional(),
  })
  .strict();
export type PluginManifest = z.infer<typeof PluginManifestSchema>;

/** A plugin folder read and checked: its manifest and the absolute path of its main file. */
export interface PluginFolder {
  folder: string;
  dir: string;
  manifest: PluginManifest;
  mainPath: string;
}

/**
 * Reads and checks one plugin folder's `plugin.json`. Returns the plugin or the one problem that
 * stops it, in words for the person installing it (never throws): bad JSON, a field that fails
 * the schema, a main file missing or outside the folder, an `apiVersion` this desk does not
 * speak, a PBX plugin, a secret field the secret store would not keep.
 */
export function readPluginFolder(dir: string, folder: string): PluginFolder | { problem: string } {
  const file = join(dir, 'plugin.json');
  if (!existsSync(file)) return { problem: 'no plugin.json in the folder' };
  let text: string;
  try {
    if (statSync(file).size > MAX_MANIFEST_BYTES) return { problem: `plugin.json is larger than ${MAX_MANIFEST_BYTES / 1024} KB` };
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    return { problem: `plugin.json could not be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `plugin.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = PluginManifestSchema.safeParse(json);
  if (!parsed.success) {
    return {
      problem: `plugin.json: ${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')}`,
    };
  }
  const manifest = parsed.data;
  if (manifest.kind === 'pbx') return { problem: 'PBX plugins are not supported in this version' };
  if (manifest.apiVersion > MIS_CONNECTOR_API_VERSION) {
    return { problem: `built for SDK apiVersion ${manifest.apiVersion}; this desk speaks ${MIS_CONNECTOR_API_VERSION} — update the desk or use the plugin's build for ${MIS_CONNECTOR_API_VERSION}` };
  }
  if (manifest.apiVersion < MIN_PLUGIN_API_VERSION) {
    return { problem: `built for SDK apiVersion ${manifest.apiVersion}, older than ${MIN_PLUGIN_API_VERSION}, the oldest this desk supports — ask its vendor for an update` };
  }
  if (isAbsolute(manifest.main) || normalize(manifest.main).split(/[\\/]/).includes('..')) return { problem: `main "${manifest.main}" must be a path inside the plugin's folder` };
  const mainPath = join(dir, normalize(manifest.main));
  if (!mainPath.startsWith(dir + sep) || !existsSync(mainPath) || !statSync(mainPath).isFile()) return { problem: `main "${manifest.main}" is not in the folder` };
  const misnamedSecret = connectorFormFields(manifest.configSchema).find((field) => field.type === 'secret' && !isSecretConfigKey(field.path.split('.').at(-1) ?? ''));
  if (misnamedSecret) {
    return { problem: `configSchema: "${misnamedSecret.path}" is marked secret, but only fields named password, token, clientSecret or secret are kept in the secret store` };
  }
  return { folder, dir, manifest, mainPath };
}

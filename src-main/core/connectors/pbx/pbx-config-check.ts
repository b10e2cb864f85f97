import type { PbxConnectorManifest } from './pbx-connector';

/**
 * What is wrong with a PBX connector's config, as one line naming each field
 * (`connectors.pbx.config.port: port must be 1–65535`), or null when it is valid. One rule for
 * the provisioning file (checked before anything starts) and the host (stored settings).
 */
export function pbxConfigProblems(manifest: PbxConnectorManifest, config: unknown): string | null {
  const parsed = manifest.configSchema.safeParse(config);
  if (parsed.success) return null;
  return parsed.error.issues
    .slice(0, 3)
    .map((issue) => `connectors.pbx.config.${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

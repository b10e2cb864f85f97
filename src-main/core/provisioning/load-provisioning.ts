import { readFileSync } from 'node:fs';
import { DEMO_MIS_MANIFEST } from '../connectors/demo/demo-mis';
import { BUILT_IN_MIS_CONNECTORS } from '../connectors/mis/built-in-mis-connectors';
import type { MisConnectorManifest } from '../connectors/mis/mis-connector';
import { misConfigProblems } from '../connectors/mis/mis-connectors';
import { ProvisioningSchema, type Provisioning } from '../../../src-shared/settings/settings-schema';
import { pbxConfigProblems } from '../connectors/pbx/pbx-config-check';
import { PBX_MANIFESTS } from '../connectors/pbx/pbx-connectors';

export class ProvisioningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

/**
 * Reads an IT provisioning file (`--config FILE`). Any problem is a ProvisioningError whose
 * message names the file and the field, so the desk can refuse to start with a clear line
 * instead of silently running with half a configuration. The PBX connector's own config is
 * checked here too, against that connector's schema.
 */
export function loadProvisioningFile(path: string): Provisioning {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProvisioningError(`Cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ProvisioningError(`Config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ProvisioningSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new ProvisioningError(`Config file ${path} is invalid: ${problems}`);
  }
  const pbx = parsed.data.connectors?.pbx;
  const manifest = pbx ? PBX_MANIFESTS[pbx.id] : undefined;
  const problems = pbx && manifest ? pbxConfigProblems(manifest, pbx.config) : null;
  if (problems !== null) throw new ProvisioningError(`Config file ${path} is invalid: ${problems}`);
  const mis = parsed.data.connectors?.mis;
  const misManifest = mis ? (mis.id === 'demo' ? (DEMO_MIS_MANIFEST as MisConnectorManifest) : BUILT_IN_MIS_CONNECTORS[mis.id]?.manifest) : undefined;
  if (mis && misManifest) {
    // A secret the file leaves out may already be in the secret store: it is not the file's problem.
    const misProblems = misConfigProblems(misManifest, mis.config, { secretsMayBeStored: true });
    if (misProblems !== null) throw new ProvisioningError(`Config file ${path} is invalid: ${misProblems}`);
  }
  return parsed.data;
}

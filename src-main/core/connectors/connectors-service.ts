import { z } from 'zod';
import { connectorFormFields } from '../../../src-shared/connectors/connector-form';
import type { ConnectorDescriptor, ConnectorKind, ConnectorPreview, ConnectorsView, DiagnosticsResult } from '../../../src-shared/connectors/connector-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Clock } from '../../../src-shared/time/clock';
import type { Logger } from '../log/logger';
import type { SettingsService } from '../settings/settings-service';
import { amiDiagnostics } from './asterisk-ami/ami-diagnostics';
import type { AmiConfig } from './asterisk-ami/asterisk-ami-config';
import { continueDiagnostics, runDiagnostics } from './mis/diagnostics';
import type { DiagnosticCheck, MisConnector, MisConnectorManifest, MisConnectorRegistration } from './mis/mis-connector';
import { configJsonSchema, createMisConnector, misConfigProblems, secretPaths } from './mis/mis-connectors';
import type { PbxConnectorManifest } from './pbx/pbx-connector';
import { pbxConfigProblems } from './pbx/pbx-config-check';
import { DiagnosticFailure } from './mis/mis-connector';

export interface ConnectorsServiceOptions {
  settings: SettingsService;
  misRegistry: () => Readonly<Record<string, MisConnectorRegistration>>;
  pbxManifests: Readonly<Record<string, PbxConnectorManifest>>;
  /** Plugins found that could not be loaded, and why. */
  pluginProblems: () => { folder: string; problem: string }[];
  /** Ids of MIS connectors that are plugins. */
  pluginIds: () => ReadonlySet<string>;
  dataDir: string;
  logger: Logger;
  clock: Clock;
}

/** People's names of the built-ins (a plugin names itself in its manifest). */
const TITLES: Record<string, { ru: string; en: string }> = {
  demo: { ru: 'Демо-клиника (встроенная)', en: 'Demo clinic (built in)' },
  'fhir-r4': { ru: 'FHIR R4', en: 'FHIR R4' },
  'onec-http': { ru: '1С:Медицина (HTTP-сервис или OData)', en: '1C:Medicina (HTTP service or OData)' },
  spreadsheet: { ru: 'Выгрузка пациентов в таблицу (CSV, XLSX)', en: 'Patient export spreadsheet (CSV, XLSX)' },
  'asterisk-ami': { ru: 'Asterisk AMI (Asterisk, MikoPBX, FreePBX)', en: 'Asterisk AMI (Asterisk, MikoPBX, FreePBX)' },
};

/**
 * The connector settings (docs/architecture.md, "Connectors"): every connector's form from its
 * schema, "test connection" with the form's unsaved config (secrets it leaves out come from the
 * secret store), and a file source's preview. A trial connector is made for the request and
 * released after it; the running one is never touched.
 */
export class ConnectorsService {
  constructor(private readonly options: ConnectorsServiceOptions) {}

  list(): ConnectorsView {
    const { settings } = this.options;
    const language = settings.settings.language === 'en' ? 'en' : 'ru';
    const mis = Object.values(this.options.misRegistry()).map((registration) => this.describeMis(registration.manifest, language));
    const pbx = Object.values(this.options.pbxManifests).map((manifest) => this.describePbx(manifest, language));
    const choice = settings.settings.connectors;
    const misRegistration = this.options.misRegistry()[choice.mis.id];
    const misSecrets = misRegistration ? secretPaths(misRegistration.manifest) : [];
    return {
      mis,
      pbx,
      current: {
        mis: { id: choice.mis.id, config: choice.mis.config, secretsSet: settings.misSecretsSet(choice.mis.id, misSecrets) },
        pbx: { id: choice.pbx.id, config: choice.pbx.config, secretsSet: settings.pbxSecret() === null ? [] : ['secret'] },
      },
      pluginProblems: this.options.pluginProblems(),
    };
  }

  async diagnose(kind: ConnectorKind, id: string, config: Record<string, unknown>): Promise<DiagnosticsResult> {
    if (kind === 'pbx') return this.diagnosePbx(id, config);
    const registration = this.options.misRegistry()[id];
    if (!registration) throw new DeskError('NOT_AVAILABLE', `MIS connector "${id}" is not in this build.`);
    let trial: MisConnector | null = null;
    const configCheck: DiagnosticCheck = {
      step: 'config',
      run: async () => {
        const made = this.trial(id, config);
        if (made.connector === null) throw new DiagnosticFailure('fixConfig', made.problem);
        trial = made.connector;
        return 'The settings are complete and valid.';
      },
    };
    // The connector's own checks exist only once the config step made it.
    const checks: DiagnosticCheck[] = [configCheck];
    const result = await runDiagnostics(checks);
    try {
      if (trial === null) return result;
      const made = trial as MisConnector;
      return await continueDiagnostics(result, () => made.diagnostics?.() ?? [{ step: 'read-patient', run: async () => `Health: ${JSON.stringify(await made.health())}` } satisfies DiagnosticCheck]);
    } finally {
      if (trial !== null && id !== 'demo') await (trial as MisConnector).release?.().catch(() => undefined);
    }
  }

  async preview(kind: ConnectorKind, id: string, config: Record<string, unknown>): Promise<ConnectorPreview> {
    if (kind !== 'mis') throw new DeskError('NOT_AVAILABLE', 'Only a file-based MIS source has a preview.');
    const made = this.trial(id, config);
    if (made.connector === null) throw new DeskError('INVALID_INPUT', made.problem);
    try {
      if (!made.connector.preview) throw new DeskError('NOT_AVAILABLE', `MIS connector "${id}" reads no file to preview.`);
      return await made.connector.preview();
    } finally {
      if (id !== 'demo') await made.connector.release?.().catch(() => undefined);
    }
  }

  private trial(id: string, config: Record<string, unknown>): { connector: MisConnector } | { connector: null; problem: string } {
    const { settings, dataDir, logger, clock } = this.options;
    try {
      const made = createMisConnector({ registry: this.options.misRegistry(), id, config, secrets: (cid, paths) => settings.misSecrets(cid, paths), dataDir, logger, clock });
      return made.connector === null ? { connector: null, problem: made.problem } : { connector: made.connector };
    } catch (error) {
      return { connector: null, problem: error instanceof Error ? error.message : String(error) };
    }
  }

  private async diagnosePbx(id: string, config: Record<string, unknown>): Promise<DiagnosticsResult> {
    const manifest = this.options.pbxManifests[id];
    if (!manifest) throw new DeskError('NOT_AVAILABLE', `PBX connector "${id}" is not in this build.`);
    const stored = this.options.settings.pbxSecret();
    const withSecret = id === 'asterisk-ami' && (config.secret === undefined || config.secret === '') && stored !== null ? { ...config, secret: stored } : config;
    const configCheck = await runDiagnostics([
      {
        step: 'config',
        run: async () => {
          const problem = pbxConfigProblems(manifest, withSecret);
          if (problem !== null) throw new DiagnosticFailure('fixConfig', problem);
          return 'The settings are complete and valid.';
        },
      },
    ]);
    if (id !== 'asterisk-ami') return configCheck;
    return continueDiagnostics(configCheck, () => amiDiagnostics(manifest.configSchema.parse(withSecret) as AmiConfig, typeof withSecret.secret === 'string' ? withSecret.secret : '', this.options.clock));
  }

  private describeMis(manifest: MisConnectorManifest, language: 'ru' | 'en'): ConnectorDescriptor {
    const plugin = this.options.pluginIds().has(manifest.id);
    return {
      id: manifest.id,
      kind: 'mis',
      title: manifest.title ?? TITLES[manifest.id]?.[language] ?? manifest.id,
      version: manifest.version,
      apiVersion: manifest.apiVersion,
      source: plugin ? 'plugin' : 'built-in',
      capabilities: [...manifest.capabilities],
      pull: manifest.pull ?? null,
      push: manifest.push ?? null,
      fields: connectorFormFields(configJsonSchema(manifest), language),
      preview: manifest.preview === true,
    };
  }

  private describePbx(manifest: PbxConnectorManifest, language: 'ru' | 'en'): ConnectorDescriptor {
    let schema: unknown = {};
    try {
      schema = z.toJSONSchema(manifest.configSchema, { io: 'input', unrepresentable: 'any' });
    } catch {
      // a schema JSON Schema cannot express: no form, the provisioning file still works
    }
    return {
      id: manifest.id,
      kind: 'pbx',
      title: TITLES[manifest.id]?.[language] ?? manifest.id,
      version: manifest.version,
      apiVersion: manifest.apiVersion,
      source: 'built-in',
      capabilities: [...manifest.capabilities],
      pull: null,
      push: null,
      fields: connectorFormFields(schema, language),
      preview: false,
    };
  }
}

/** `misConfigProblems` re-exported for the provisioning check. */
export { misConfigProblems };

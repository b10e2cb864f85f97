import {
  applySettingsPatch,
  DEFAULT_SETTINGS,
  patchedPaths,
  SettingsSchema,
  type Provisioning,
  type Settings,
  type SettingsPatch,
  type SettingsView,
} from '../../../src-shared/settings/settings-schema';
import { DeskError } from '../../../src-shared/ipc/errors';
import { isSecretConfigKey } from '../../../src-shared/connectors/connector-model';
import type { Logger } from '../log/logger';
import { SecretsUnavailableError, type SecretStore } from '../secrets/secret-store';
import type { SettingsStorage } from './settings-storage';

/**
 * Settings = what the user saved, overlaid with what IT provisioned (`--config FILE`).
 * Provisioned paths win at every start and are refused from the UI ("managed").
 * The SIP password only ever lives in the secret store.
 */
export class SettingsService {
  private stored: Settings;
  private readonly managed: string[];
  private readonly recoveredFrom: string | null;
  private readonly provisioning: Provisioning;
  private readonly listeners = new Set<(view: SettingsView) => void>();
  /**
   * First PINs from the provisioning file by person id: the session service hashes each into the
   * secret store for a person who has none yet, and they never reach the settings file.
   */
  readonly provisionedPins: ReadonlyMap<string, string>;

  constructor(
    private readonly storage: SettingsStorage,
    private readonly secrets: SecretStore,
    private readonly logger: Logger,
    provisioning: Provisioning = {},
  ) {
    const pbxSecret = takeConnectorSecret(provisioning);
    const misSecrets = takeMisSecrets(pbxSecret.rest);
    const pins = takePeoplePins(misSecrets.rest);
    this.provisioning = pins.rest;
    this.provisionedPins = pins.pins;
    const { settings, recoveredFrom } = this.load();
    this.stored = settings;
    this.recoveredFrom = recoveredFrom;
    this.managed = patchedPaths(provisioning);
    const password = provisioning.sip?.password;
    if (password !== undefined && this.secrets.kind !== 'unavailable') {
      if (!this.secrets.has('sip.password') || this.secrets.get('sip.password') !== password) {
        this.secrets.set('sip.password', password);
        this.logger.info('settings.provisioned-sip-password-stored');
      }
    }
    if (pbxSecret.secret !== null && this.secrets.kind !== 'unavailable') {
      if (!this.secrets.has(PBX_SECRET) || this.secrets.get(PBX_SECRET) !== pbxSecret.secret) {
        this.secrets.set(PBX_SECRET, pbxSecret.secret);
        this.logger.info('settings.provisioned-pbx-secret-stored');
      }
    }
    if (this.secrets.kind !== 'unavailable') {
      for (const [name, value] of misSecrets.secrets) {
        if (this.secrets.get(name) !== value) {
          this.secrets.set(name, value);
          this.logger.info('settings.provisioned-mis-secret-stored', { name });
        }
      }
    }
  }

  /**
   * The stored secrets of MIS connector `id` by config path (`auth.password` → its value), to be
   * put back into its config when it is created. Never log them.
   */
  misSecrets(id: string, paths: readonly string[]): Record<string, string> {
    const found: Record<string, string> = {};
    if (this.secrets.kind === 'unavailable') return found;
    for (const path of paths) {
      try {
        const value = this.secrets.get(misSecretName(id, path));
        if (value) found[path] = value;
      } catch {
        // an unreadable store: the connector runs without the secret (and says auth failed)
      }
    }
    return found;
  }

  /** Which of `paths` have a stored secret for MIS connector `id` (for the form's "stored" marks). */
  misSecretsSet(id: string, paths: readonly string[]): string[] {
    if (this.secrets.kind === 'unavailable') return [];
    return paths.filter((path) => this.secrets.has(misSecretName(id, path)));
  }

  /** The PBX connector's secret (the AMI secret), or null. Never log it. */
  pbxSecret(): string | null {
    if (this.secrets.kind === 'unavailable') return null;
    try {
      return this.secrets.get(PBX_SECRET) || null;
    } catch {
      return null;
    }
  }

  /** Effective settings: stored, then provisioning on top. */
  get settings(): Settings {
    return applySettingsPatch(this.stored, this.provisioning);
  }

  view(): SettingsView {
    return {
      settings: this.settings,
      managed: [...this.managed],
      sipPasswordSet: this.secrets.has('sip.password'),
      secretStorage: this.secrets.kind,
      recoveredFrom: this.recoveredFrom,
    };
  }

  onChange(listener: (view: SettingsView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(input: SettingsPatch): SettingsView {
    const { rest: withMisSecrets, secret } = takeConnectorSecret(input);
    const { rest: patch, secrets: misSecrets } = takeMisSecrets(withMisSecrets);
    // A refused update changes nothing: not even the secret it carried.
    const touched = patchedPaths(patch).filter((path) => this.managed.includes(path));
    if (touched.length > 0) {
      throw new DeskError('SETTINGS_MANAGED', `These settings are managed by your IT department's provisioning file: ${touched.join(', ')}.`);
    }
    const next = applySettingsPatch(this.stored, patch);
    if (secret !== null) {
      try {
        this.secrets.set(PBX_SECRET, secret);
      } catch (error) {
        if (error instanceof SecretsUnavailableError) throw new DeskError('SECRETS_UNAVAILABLE', error.message);
        throw error;
      }
      this.logger.info('settings.pbx-secret', { action: 'stored' });
    }
    for (const [name, value] of misSecrets) {
      try {
        this.secrets.set(name, value);
      } catch (error) {
        if (error instanceof SecretsUnavailableError) throw new DeskError('SECRETS_UNAVAILABLE', error.message);
        throw error;
      }
      this.logger.info('settings.mis-secret', { action: 'stored', name });
    }
    this.storage.write(next);
    this.stored = next;
    this.logger.info('settings.updated', { paths: patchedPaths(patch) });
    return this.changed();
  }

  setSipPassword(password: string | null): SettingsView {
    try {
      if (password === null) this.secrets.delete('sip.password');
      else this.secrets.set('sip.password', password);
    } catch (error) {
      if (error instanceof SecretsUnavailableError) throw new DeskError('SECRETS_UNAVAILABLE', error.message);
      throw error;
    }
    this.logger.info('settings.sip-password', { action: password === null ? 'cleared' : 'stored' });
    return this.changed();
  }

  /**
   * The stored SIP password, or null. Only for the `sip.credentials` request (the renderer's
   * softphone must authenticate itself); never log it.
   */
  sipPassword(): string | null {
    if (this.secrets.kind === 'unavailable') return null;
    try {
      return this.secrets.get('sip.password') || null;
    } catch (error) {
      if (error instanceof SecretsUnavailableError) throw new DeskError('SECRETS_UNAVAILABLE', error.message);
      throw error;
    }
  }

  private changed(): SettingsView {
    const view = this.view();
    for (const listener of this.listeners) listener(view);
    return view;
  }

  private load(): { settings: Settings; recoveredFrom: string | null } {
    let raw: unknown;
    try {
      raw = this.storage.read();
    } catch (error) {
      return this.recover(`unreadable (${(error as Error).message})`);
    }
    if (raw === undefined) return { settings: structuredClone(DEFAULT_SETTINGS), recoveredFrom: null };
    const parsed = SettingsSchema.safeParse(raw);
    if (parsed.success) return { settings: parsed.data, recoveredFrom: null };
    const issue = parsed.error.issues[0];
    return this.recover(`invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }

  private recover(reason: string): { settings: Settings; recoveredFrom: string } {
    const aside = this.storage.quarantine();
    this.logger.warn('settings.recovered', { reason, movedTo: aside });
    return { settings: structuredClone(DEFAULT_SETTINGS), recoveredFrom: aside };
  }
}

/** The secret-store name of the PBX connector's secret. */
const PBX_SECRET = 'pbx.secret';

/**
 * Takes `connectors.pbx.config.secret` out of a patch or provisioning file: the AMI secret goes
 * to the secret store, never to the settings file or a window (as the SIP password does).
 */
function takeConnectorSecret<P extends SettingsPatch>(patch: P): { rest: P; secret: string | null } {
  const pbx = patch.connectors?.pbx;
  if (!pbx || !Object.hasOwn(pbx.config, 'secret')) return { rest: patch, secret: null };
  // Whatever it holds, a secret never stays in the settings: only a non-empty text is stored.
  const { secret, ...config } = pbx.config;
  return { rest: { ...patch, connectors: { ...patch.connectors, pbx: { ...pbx, config } } }, secret: typeof secret === 'string' && secret !== '' ? secret : null };
}

/** The secret-store name of a MIS connector's secret at a config path. */
export function misSecretName(id: string, path: string): `mis.${string}` {
  return `mis.${id}.${path}`;
}

/**
 * Takes every secret (`SECRET_CONFIG_KEYS`, at any depth) out of `connectors.mis.config`: each
 * non-empty text goes to the secret store under {@link misSecretName}; an empty one means "keep
 * the stored one". None stays in the settings.
 */
function takeMisSecrets<P extends SettingsPatch>(patch: P): { rest: P; secrets: [`mis.${string}`, string][] } {
  const mis = patch.connectors?.mis;
  if (!mis) return { rest: patch, secrets: [] };
  const secrets: [`mis.${string}`, string][] = [];
  const strip = (value: unknown, prefix: string): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (isSecretConfigKey(key)) {
        if (typeof inner === 'string' && inner !== '') secrets.push([misSecretName(mis.id, path), inner]);
        continue;
      }
      out[key] = strip(inner, path);
    }
    return out;
  };
  const config = strip(mis.config, '') as Record<string, unknown>;
  return { rest: { ...patch, connectors: { ...patch.connectors, mis: { ...mis, config } } }, secrets };
}

/** Takes each provisioned person's first `pin` out of a provisioning file (people stay, without it). */
export function takePeoplePins(provisioning: Provisioning): { rest: Provisioning; pins: Map<string, string> } {
  const pins = new Map<string, string>();
  const people = provisioning.access?.people;
  if (!people) return { rest: provisioning, pins };
  const stripped = people.map(({ pin, ...person }) => {
    if (pin !== undefined) pins.set(person.id, pin);
    return person;
  });
  return { rest: { ...provisioning, access: { ...provisioning.access, people: stripped } }, pins };
}

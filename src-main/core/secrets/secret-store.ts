import type { SecretStorageKind } from '../../../src-shared/settings/settings-schema';

/** Names of the secrets the desk keeps; nothing else is accepted. */
/** `web.token`: the browser host's token when it runs on a fixed `--port` (kept so its address stays valid). */
/** `mis.<connector>.<path>`: a MIS connector's secret (`mis.fhir-r4.auth.password`). */
/** `access.pin.<personId>`: a person's PIN as a salted scrypt hash (never the PIN). */
export type SecretName = 'sip.password' | 'pbx.secret' | 'db.key' | 'web.token' | `mis.${string}` | `access.pin.${string}`;

/**
 * Where passwords and database keys live. Electron: the OS keychain through safeStorage.
 * Browser host and tests: a 0600 key file — the weaker mode, said so in the log and the UI.
 */
export interface SecretStore {
  readonly kind: SecretStorageKind;
  get(name: SecretName): string | undefined;
  set(name: SecretName, value: string): void;
  delete(name: SecretName): void;
  has(name: SecretName): boolean;
}

/** A store that refuses every write: used when no protected storage exists (Linux basic_text). */
export class UnavailableSecretStore implements SecretStore {
  readonly kind = 'unavailable' as const;
  constructor(readonly reason: string) {}
  get(): undefined {
    return undefined;
  }
  has(): boolean {
    return false;
  }
  set(): void {
    throw new SecretsUnavailableError(this.reason);
  }
  delete(): void {}
}

export class SecretsUnavailableError extends Error {
  readonly code = 'SECRETS_UNAVAILABLE';
  constructor(reason: string) {
    super(reason);
    this.name = 'SecretsUnavailableError';
  }
}

/** True when the stored secret `name` can be read back (false when it is missing or sealed under a lost key). */
export function opensSecret(store: Pick<SecretStore, 'get'>, name: SecretName): boolean {
  try {
    return store.get(name) !== undefined;
  } catch {
    return false;
  }
}

import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/log/logger';
import type { SecretStore } from '../core/secrets/secret-store';

/** 24 random bytes, base64url: 32 characters, 192 bits. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

export interface HostTokenOptions {
  /** `--port N` with N > 0: the address is meant to stay the same across restarts. */
  fixedPort: boolean;
  /** `--new-token`: replace the kept token (a link that leaked stops working). */
  renew: boolean;
  secrets: Pick<SecretStore, 'get' | 'set'>;
  logger: Logger;
  generate?: () => string;
}

/**
 * The token in the host's address. With `--port 0` (the default) every start gets a new one,
 * so an old link never works again. With a fixed `--port`, the token is kept in the data
 * folder's secret store (sealed like the SIP password), so the same address — and a tab left
 * open on it — works again after a restart; `--new-token` replaces it. If the store cannot keep
 * it, this start uses a fresh one and says so in the log.
 */
export function hostToken(options: HostTokenOptions): string {
  const generate = options.generate ?? newToken;
  if (!options.fixedPort) return generate();
  if (!options.renew) {
    let kept: string | undefined;
    try {
      kept = options.secrets.get('web.token');
    } catch (error) {
      options.logger.warn('web.token-unreadable', { error });
    }
    if (kept !== undefined && TOKEN_SHAPE.test(kept)) return kept;
  }
  const token = generate();
  try {
    options.secrets.set('web.token', token);
    options.logger.info('web.token-created', { kept: true, renewed: options.renew });
  } catch (error) {
    options.logger.warn('web.token-not-kept', { error, detail: 'this start uses a new token; the address changes at the next start' });
  }
  return token;
}

import { isSecretConfigKey } from '../../../src-shared/connectors/connector-model';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';

/**
 * Keys whose values are secrets wherever they are: the connector secrets the settings move to
 * the secret store (`password`, `secret`, `token`, `clientSecret`) should the file still hold
 * one, and what else carries one (an ICE server's `credential`, an API key, a PIN).
 */
const SECRET_KEY = /pass(word|phrase|wd)?$|secret|token|credential|api[-_]?key|private[-_]?key|authorization|cookie|^pin$|pinhash/i;
/** Named like a secret, but say only what kind of store or whether one is set. */
const NOT_SECRET = new Set(['secretStorage', 'secretsSet', 'sipPasswordSet']);
/** Logins: a service account may carry a person's name (`ivanova`); the bundle says only that one is set. */
const LOGIN_KEY = /^(user(name)?|login|account)$/i;
/** Query parameters of a URL whose values are secrets (`?token=…`, `&sig=…`). */
const SECRET_PARAM = /pass|secret|token|key|auth|sig|session|code/i;

/**
 * The settings as support may see them: every value under a secret key replaced by `[set]`
 * (or `[empty]`), logins likewise, URLs without their userinfo and secret query values, the
 * people IT provisioned as their id and role only (their display names are staff names, left
 * out to be safe), this desk's agent and SIP display names as `[set]`, and the user's home
 * folder as `~` in every path. What is left is configuration: which connector, which server,
 * which timings — the clinic's, never a patient's.
 */
export function settingsForSupport(view: SettingsView, home: string | null): unknown {
  const { settings } = view;
  const scrubbed = {
    ...view,
    settings: {
      ...settings,
      sip: { ...settings.sip, displayName: mark(settings.sip.displayName) },
      agent: { ...settings.agent, name: mark(settings.agent.name) },
      access: { ...settings.access, people: settings.access.people.map(({ id, role }) => ({ id, role })) },
    },
  };
  return scrub(scrubbed, '', home);
}

function mark(value: unknown): string {
  return value === '' || value === null || value === undefined ? '[empty]' : '[set]';
}

function scrub(value: unknown, key: string, home: string | null): unknown {
  if (key !== '' && !NOT_SECRET.has(key) && (SECRET_KEY.test(key) || isSecretConfigKey(key) || LOGIN_KEY.test(key))) return mark(value);
  if (typeof value === 'string') return scrubText(value, home);
  if (Array.isArray(value)) return value.map((item) => scrub(item, '', home));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrub(v, k, home)]));
  }
  return value;
}

/** A URL without its login and secret query values; the home folder as `~`. */
export function scrubText(text: string, home: string | null): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]{1,15}:\/\/)[^\s/?#@]*@/gi, '$1');
  out = out.replace(/([?&;])([^=&#\s]+)=([^&#\s]*)/g, (all, sep: string, name: string) => (SECRET_PARAM.test(name) ? `${sep}${name}=[set]` : all));
  if (home && home.length > 1) out = out.split(home).join('~');
  return out;
}

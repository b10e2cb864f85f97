import { requests } from '../../../src-shared/ipc/contract';
import {
  SettingsPatchSchema,
  type Language,
  type Role,
  type Settings,
  type SettingsPatch,
  type SipAccount,
} from '../../../src-shared/settings/settings-schema';

export type IceServer = SipAccount['iceServers'][number];

/** The form's editable fields, keyed by the same dotted paths `view.managed` uses. */
export const FIELD_PATHS = [
  'role',
  'language',
  'sip.server',
  'sip.uri',
  'sip.authUser',
  'sip.displayName',
  'sip.iceGatheringTimeoutMs',
  'sip.iceServers',
  'sip.autoAnswerIntercom',
  'sip.dtmfMode',
  'audio.microphoneId',
  'audio.speakerId',
  'audio.ringerId',
] as const;
export type FieldPath = (typeof FIELD_PATHS)[number];
/** The fields edited as one string (all but the ICE server list). */
export type TextPath = Exclude<FieldPath, 'sip.iceServers'>;
/** The password is not a setting (it goes to the secret store) but is validated like one. */
export type ErrorPath = FieldPath | 'sip.password';

/**
 * One ICE server row as typed: `urls` holds one URL or several (separated by commas or spaces,
 * sharing the row's username and credential). `key` only keeps React rows stable.
 */
export interface IceServerDraft {
  key: string;
  urls: string;
  username: string;
  credential: string;
}

/** The stricter rules the editor applies (the schema takes any non-empty string as a URL). */
export const MAX_ICE_SERVERS = 8;
const MAX_ICE_URLS = 8;
const MAX_ICE_URL_LENGTH = 512;
const MAX_ICE_SECRET_LENGTH = 256;

/** What the inputs hold: text as typed, so an invalid number can be shown and explained. */
export interface Draft {
  role: Role;
  language: Language;
  'sip.server': string;
  'sip.uri': string;
  'sip.authUser': string;
  'sip.displayName': string;
  'sip.iceGatheringTimeoutMs': string;
  'sip.iceServers': readonly IceServerDraft[];
  /** A checkbox: `'true'` or `'false'`. */
  'sip.autoAnswerIntercom': string;
  'sip.dtmfMode': string;
  /** `MediaDeviceInfo.deviceId`, `''` for the system default. */
  'audio.microphoneId': string;
  'audio.speakerId': string;
  'audio.ringerId': string;
}

export function draftFrom(settings: Settings): Draft {
  return {
    role: settings.role,
    language: settings.language,
    'sip.server': settings.sip.server,
    'sip.uri': settings.sip.uri,
    'sip.authUser': settings.sip.authUser,
    'sip.displayName': settings.sip.displayName,
    'sip.iceGatheringTimeoutMs': String(settings.sip.iceGatheringTimeoutMs),
    'sip.iceServers': iceRowsFrom(settings.sip.iceServers),
    'sip.autoAnswerIntercom': String(settings.sip.autoAnswerIntercom),
    'sip.dtmfMode': settings.sip.dtmfMode,
    'audio.microphoneId': settings.audio.microphoneId,
    'audio.speakerId': settings.audio.speakerId,
    'audio.ringerId': settings.audio.ringerId,
  };
}

/** When settings change underneath the form, take the new values for fields the user has not edited. */
export function rebaseDraft(draft: Draft, oldBase: Settings, newBase: Settings): Draft {
  const before = draftFrom(oldBase);
  const after = draftFrom(newBase);
  const next = { ...draft };
  for (const path of FIELD_PATHS) {
    if (path === 'sip.iceServers') {
      if (sameIceServers(iceServersFromRows(draft[path]), iceServersFromRows(before[path]))) next[path] = after[path];
    } else if (draft[path] === before[path]) {
      (next as Record<TextPath, string>)[path] = after[path];
    }
  }
  return next;
}

let nextIceRowKey = 1;

/** A fresh empty row for the editor. */
export function newIceRow(): IceServerDraft {
  return { key: `ice-${nextIceRowKey++}`, urls: '', username: '', credential: '' };
}

export function iceRowsFrom(servers: readonly IceServer[]): IceServerDraft[] {
  return servers.map((server) => ({
    ...newIceRow(),
    urls: (typeof server.urls === 'string' ? [server.urls] : server.urls).join(', '),
    username: server.username ?? '',
    credential: server.credential ?? '',
  }));
}

/** The URLs typed in one row: split on commas and white space, empties dropped. */
export function splitIceUrls(text: string): string[] {
  return text.split(/[\s,]+/).filter((url) => url !== '');
}

const isTurnUrl = (url: string) => /^turns?:/i.test(url);

/** A row with a `turn:` / `turns:` URL needs a username and a credential (and shows their fields). */
export function rowNeedsCredentials(row: Pick<IceServerDraft, 'urls'>): boolean {
  return splitIceUrls(row.urls).some(isTurnUrl);
}

/**
 * The servers the rows stand for: one URL as a string, several as an array; the username and
 * credential only for a row with a TURN URL (STUN takes none), and only when filled in.
 */
export function iceServersFromRows(rows: readonly IceServerDraft[]): IceServer[] {
  return rows.map((row) => {
    const urls = splitIceUrls(row.urls);
    const server: IceServer = { urls: urls.length === 1 ? urls[0]! : urls };
    if (rowNeedsCredentials(row)) {
      if (row.username !== '') server.username = row.username;
      if (row.credential !== '') server.credential = row.credential;
    }
    return server;
  });
}

/** Equal as the phone would use them: `'x'` and `['x']` are the same; credentials count only for TURN. */
function sameIceServers(a: readonly IceServer[], b: readonly IceServer[]): boolean {
  const normal = (servers: readonly IceServer[]) =>
    JSON.stringify(
      servers.map((server) => {
        const urls = typeof server.urls === 'string' ? [server.urls] : [...server.urls];
        const turn = urls.some(isTurnUrl);
        return [urls, turn ? (server.username ?? '') : '', turn ? (server.credential ?? '') : ''];
      }),
    );
  return normal(a) === normal(b);
}

const HOST = String.raw`(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)`;
const STUN_URL = new RegExp(String.raw`^stun:${HOST}(?::(\d{1,5}))?$`, 'i');
const TURN_URL = new RegExp(String.raw`^turns?:${HOST}(?::(\d{1,5}))?(?:\?transport=(?:udp|tcp))?$`, 'i');

/** The i18n key of what is wrong with one URL, or null (RFC 7064 / 7065, as browsers accept them). */
function iceUrlProblem(url: string): string | null {
  if (url.length > MAX_ICE_URL_LENGTH) return 'settings.errors.iceUrlTooLong';
  if (!/^(?:stun|turns?):/i.test(url)) return 'settings.errors.iceUrlScheme';
  if (url.includes('//')) return 'settings.errors.iceUrlSlashes';
  const match = (isTurnUrl(url) ? TURN_URL : STUN_URL).exec(url);
  if (!match) return 'settings.errors.iceUrlInvalid';
  if (match[1] !== undefined) {
    const port = Number(match[1]);
    if (port < 1 || port > 65_535) return 'settings.errors.iceUrlPort';
  }
  return null;
}

/** i18n keys per input of one row; absent means fine. */
export interface IceRowErrors {
  urls?: string;
  username?: string;
  credential?: string;
}

/** Checks one row the way the phone will need it; null when it is fine. */
export function validateIceRow(row: IceServerDraft): IceRowErrors | null {
  const errors: IceRowErrors = {};
  const urls = splitIceUrls(row.urls);
  if (urls.length === 0) errors.urls = 'settings.errors.iceUrlEmpty';
  else if (urls.length > MAX_ICE_URLS) errors.urls = 'settings.errors.iceUrlTooMany';
  else {
    const problem = urls.map(iceUrlProblem).find((found) => found !== null);
    if (problem) errors.urls = problem;
  }
  if (rowNeedsCredentials(row)) {
    if (row.username === '') errors.username = 'settings.errors.iceUsernameMissing';
    else if (row.username.length > MAX_ICE_SECRET_LENGTH) errors.username = 'settings.errors.tooLong';
    if (row.credential === '') errors.credential = 'settings.errors.iceCredentialMissing';
    else if (row.credential.length > MAX_ICE_SECRET_LENGTH) errors.credential = 'settings.errors.tooLong';
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** Errors of every row that has any, by row key. */
export function validateIceRows(rows: readonly IceServerDraft[]): Record<string, IceRowErrors> {
  const found: Record<string, IceRowErrors> = {};
  for (const row of rows) {
    const errors = validateIceRow(row);
    if (errors) found[row.key] = errors;
  }
  return found;
}

export function isManaged(path: string, managed: readonly string[]): boolean {
  return managed.some((entry) => entry === path || path.startsWith(`${entry}.`));
}

function parseTimeout(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

function fieldValue(draft: Draft, path: FieldPath): unknown {
  if (path === 'sip.iceServers') return iceServersFromRows(draft[path]);
  if (path === 'sip.iceGatheringTimeoutMs') return parseTimeout(draft[path]);
  if (path === 'sip.autoAnswerIntercom') return draft[path] === 'true';
  return draft[path];
}

function currentValue(settings: Settings, path: FieldPath): unknown {
  switch (path) {
    case 'role':
      return settings.role;
    case 'language':
      return settings.language;
    case 'sip.server':
      return settings.sip.server;
    case 'sip.uri':
      return settings.sip.uri;
    case 'sip.authUser':
      return settings.sip.authUser;
    case 'sip.displayName':
      return settings.sip.displayName;
    case 'sip.iceGatheringTimeoutMs':
      return settings.sip.iceGatheringTimeoutMs;
    case 'sip.iceServers':
      return settings.sip.iceServers;
    case 'sip.autoAnswerIntercom':
      return settings.sip.autoAnswerIntercom;
    case 'sip.dtmfMode':
      return settings.sip.dtmfMode;
    case 'audio.microphoneId':
      return settings.audio.microphoneId;
    case 'audio.speakerId':
      return settings.audio.speakerId;
    case 'audio.ringerId':
      return settings.audio.ringerId;
  }
}

/** Device ids are opaque: compared and sent as they are, never trimmed. */
const isVerbatim = (path: FieldPath) => path.startsWith('audio.');

function isChanged(draft: Draft, settings: Settings, path: FieldPath): boolean {
  const value = fieldValue(draft, path);
  const current = currentValue(settings, path);
  if (path === 'sip.iceServers') return !sameIceServers(value as IceServer[], current as IceServer[]);
  if (typeof value === 'string' && typeof current === 'string') return (isVerbatim(path) ? value : value.trim()) !== current;
  return !Object.is(value, current);
}

function addToPatch(patch: Record<string, unknown>, path: FieldPath, value: unknown): void {
  const dot = path.indexOf('.');
  if (dot > 0) {
    const group = (patch[path.slice(0, dot)] ??= {}) as Record<string, unknown>;
    group[path.slice(dot + 1)] = value;
  } else {
    patch[path] = value;
  }
}

/** The unvalidated patch: changed fields only, never a field IT manages. */
export function buildRawPatch(draft: Draft, settings: Settings, managed: readonly string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const path of FIELD_PATHS) {
    if (isManaged(path, managed) || !isChanged(draft, settings, path)) continue;
    addToPatch(patch, path, fieldValue(draft, path));
  }
  return patch;
}

/** i18n key under `settings.errors.*` for an invalid field. */
function errorKeyFor(path: ErrorPath): string {
  switch (path) {
    case 'sip.server':
      return 'server';
    case 'sip.uri':
      return 'uri';
    case 'sip.authUser':
    case 'sip.displayName':
      return 'tooLong';
    case 'sip.iceGatheringTimeoutMs':
      return 'iceTimeout';
    case 'sip.password':
      return 'password';
    case 'sip.iceServers':
      return 'iceServers';
    default:
      return 'generic';
  }
}

export type FieldErrors = Partial<Record<ErrorPath, string>>;

export type PatchValidation = { ok: true; patch: SettingsPatch } | { ok: false; errors: FieldErrors };

/** Validates a patch with the very schema main uses; errors are i18n keys per field. */
export function validatePatch(raw: Record<string, unknown>): PatchValidation {
  const result = SettingsPatchSchema.safeParse(raw);
  if (result.success) return { ok: true, patch: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const path = issue.path.join('.');
    // `sip.iceServers.0.urls` belongs to the `sip.iceServers` field.
    const known = FIELD_PATHS.find((field) => path === field || path.startsWith(`${field}.`)) ?? null;
    if (known && !errors[known]) errors[known] = `settings.errors.${errorKeyFor(known)}`;
  }
  return { ok: false, errors };
}

/** The error key for one field as it stands in the draft (changed or not), or null. */
export function validateField(draft: Draft, path: TextPath): string | null {
  const raw: Record<string, unknown> = {};
  addToPatch(raw, path, fieldValue(draft, path));
  const result = validatePatch(raw);
  return result.ok ? null : (result.errors[path] ?? `settings.errors.${errorKeyFor(path)}`);
}

/** A typed password must satisfy the contract's input schema; empty means "keep the stored one". */
export function validatePassword(password: string): string | null {
  if (password === '') return null;
  const result = requests['settings.setSipPassword'].input.safeParse({ password });
  return result.success ? null : `settings.errors.${errorKeyFor('sip.password')}`;
}

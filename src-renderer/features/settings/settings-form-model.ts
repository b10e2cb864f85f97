import { requests } from '../../../src-shared/ipc/contract';
import {
  SettingsPatchSchema,
  type Language,
  type Role,
  type Settings,
  type SettingsPatch,
} from '../../../src-shared/settings/settings-schema';

/** The form's editable fields, keyed by the same dotted paths `view.managed` uses. */
export const FIELD_PATHS = [
  'role',
  'language',
  'sip.server',
  'sip.uri',
  'sip.authUser',
  'sip.displayName',
  'sip.iceGatheringTimeoutMs',
  'sip.autoAnswerIntercom',
  'sip.dtmfMode',
  'audio.microphoneId',
  'audio.speakerId',
  'audio.ringerId',
] as const;
export type FieldPath = (typeof FIELD_PATHS)[number];
/** The password is not a setting (it goes to the secret store) but is validated like one. */
export type ErrorPath = FieldPath | 'sip.password';

/** What the inputs hold: text as typed, so an invalid number can be shown and explained. */
export interface Draft {
  role: Role;
  language: Language;
  'sip.server': string;
  'sip.uri': string;
  'sip.authUser': string;
  'sip.displayName': string;
  'sip.iceGatheringTimeoutMs': string;
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
    if (draft[path] === before[path]) (next as Record<FieldPath, string>)[path] = after[path];
  }
  return next;
}

export function isManaged(path: string, managed: readonly string[]): boolean {
  return managed.some((entry) => entry === path || path.startsWith(`${entry}.`));
}

function parseTimeout(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

function fieldValue(draft: Draft, path: FieldPath): unknown {
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
    const known = (FIELD_PATHS as readonly string[]).includes(path) ? (path as FieldPath) : null;
    if (known && !errors[known]) errors[known] = `settings.errors.${errorKeyFor(known)}`;
  }
  return { ok: false, errors };
}

/** The error key for one field as it stands in the draft (changed or not), or null. */
export function validateField(draft: Draft, path: FieldPath): string | null {
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

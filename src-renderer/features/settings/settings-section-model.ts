import type { z } from 'zod';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import { isManaged } from './settings-form-model';

/**
 * The single fields of a settings section saved on its own (agent and queue, schedule and call
 * lists), pure: the draft (text as typed, keyed by the dotted `group.key` paths `view.managed`
 * uses), following settings changed underneath, the checks with the schema's own field schemas,
 * and the patch of changed, unmanaged fields. Each section names its fields once in a spec.
 */
export interface SectionFieldSpec {
  /** The schema's own field schema (`agentFields.name`, `callListFields.retryMinutes` …). */
  schema: z.ZodType;
  /** The error key under `<errorPrefix>.`. */
  error: string;
  /** A whole number typed as text; else a text sent trimmed. */
  numeric?: boolean;
}

export interface SectionSpec<P extends string> {
  paths: readonly P[];
  fields: Record<P, SectionFieldSpec>;
  /** i18n prefix of the field errors, e.g. `settings.agentQueue.errors`. */
  errorPrefix: string;
}

export type SectionDraft<P extends string> = Record<P, string>;
export type SectionFieldErrors<P extends string> = Partial<Record<P, string>>;
export type SectionPatch = Record<string, Record<string, unknown>>;

function split(path: string): [string, string] {
  const dot = path.indexOf('.');
  return [path.slice(0, dot), path.slice(dot + 1)];
}

/** The stored value at `group.key`. */
export function storedValue(settings: Settings, path: string): unknown {
  const [group, key] = split(path);
  return (settings as unknown as Record<string, Record<string, unknown>>)[group]?.[key];
}

export function sectionDraftFrom<P extends string>(spec: SectionSpec<P>, settings: Settings): SectionDraft<P> {
  return Object.fromEntries(spec.paths.map((path) => [path, String(storedValue(settings, path) ?? '')])) as SectionDraft<P>;
}

/** Settings changed underneath (another window, our own save): take the new values of what the operator has not edited. */
export function rebaseSection<P extends string>(spec: SectionSpec<P>, draft: SectionDraft<P>, oldBase: Settings, newBase: Settings): SectionDraft<P> {
  const before = sectionDraftFrom(spec, oldBase);
  const after = sectionDraftFrom(spec, newBase);
  const next = { ...draft };
  for (const path of spec.paths) if (draft[path] === before[path]) next[path] = after[path];
  return next;
}

/** The field's value as the patch carries it: numbers parsed (a whole number as typed, else NaN), text trimmed. */
export function sectionValue<P extends string>(spec: SectionSpec<P>, path: P, text: string): string | number {
  const trimmed = text.trim();
  if (!spec.fields[path].numeric) return trimmed;
  return /^\d{1,6}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** The i18n key of what is wrong with one field as typed (the schema's own field schema), or null. */
export function validateSectionField<P extends string>(spec: SectionSpec<P>, path: P, text: string): string | null {
  const field = spec.fields[path];
  return field.schema.safeParse(sectionValue(spec, path, text)).success ? null : `${spec.errorPrefix}.${field.error}`;
}

/**
 * Checks every field IT does not manage and collects what changed by group (managed paths are
 * neither checked nor sent). `values` holds every field as it would be stored: typed where valid
 * and unmanaged, else the stored value, for checks across fields.
 */
export function collectSectionPatch<P extends string>(
  spec: SectionSpec<P>,
  draft: SectionDraft<P>,
  settings: Settings,
  managed: readonly string[],
): { fieldErrors: SectionFieldErrors<P>; patch: SectionPatch; values: Record<P, unknown> } {
  const fieldErrors: SectionFieldErrors<P> = {};
  const patch: SectionPatch = {};
  const values = {} as Record<P, unknown>;
  for (const path of spec.paths) {
    const stored = storedValue(settings, path);
    values[path] = stored;
    if (isManaged(path, managed)) continue;
    const error = validateSectionField(spec, path, draft[path]);
    if (error) {
      fieldErrors[path] = error;
      continue;
    }
    const value = sectionValue(spec, path, draft[path]);
    values[path] = value;
    if (value === stored) continue;
    const [group, key] = split(path);
    (patch[group] ??= {})[key] = value;
  }
  return { fieldErrors, patch, values };
}

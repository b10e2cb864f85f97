import type { z } from 'zod';
import {
  agentFields,
  agentStatusFields,
  callbackFields,
  PauseReasonSchema,
  queueFields,
  SettingsPatchSchema,
  type Settings,
  type SettingsPatch,
} from '../../../src-shared/settings/settings-schema';
import { isManaged } from './settings-form-model';
import { textRowsFrom, type TextRow } from './text-rows';

/**
 * Settings → Agent and queue, pure: the draft of the section's single fields (text as typed,
 * keyed by the dotted paths `view.managed` uses), the pause reason rows, their checks with the
 * schema's own field schemas, and the patch of changed, unmanaged fields.
 */
export const AGENT_QUEUE_PATHS = ['agent.extension', 'agent.name', 'queue.slaSeconds', 'callbacks.slaMinutes', 'callbacks.pauseAfterRingNoAnswer'] as const;
export type AgentQueuePath = (typeof AGENT_QUEUE_PATHS)[number];
export type AgentQueueDraft = Record<AgentQueuePath, string>;
export const PAUSE_REASONS_PATH = 'agentStatus.pauseReasons';

export type ReasonRow = TextRow;

/** Row checks; keys under `settings.agentQueue.errors`. */
export type ReasonError = 'empty' | 'tooLong' | 'format' | 'duplicate';
/** List checks; keys under `settings.agentQueue.errors`. */
export type ReasonListError = 'tooFew' | 'tooMany';

/** Error keys under `settings.agentQueue.errors`, one per field. */
const FIELD_ERROR: Record<AgentQueuePath, string> = {
  'agent.extension': 'extension',
  'agent.name': 'name',
  'queue.slaSeconds': 'queueSla',
  'callbacks.slaMinutes': 'callbackSla',
  'callbacks.pauseAfterRingNoAnswer': 'noAnswer',
};

const FIELD_SCHEMA: Record<AgentQueuePath, z.ZodType> = {
  'agent.extension': agentFields.extension,
  'agent.name': agentFields.name,
  'queue.slaSeconds': queueFields.slaSeconds,
  'callbacks.slaMinutes': callbackFields.slaMinutes,
  'callbacks.pauseAfterRingNoAnswer': callbackFields.pauseAfterRingNoAnswer,
};

const isNumeric = (path: AgentQueuePath) => path !== 'agent.extension' && path !== 'agent.name';

export function agentQueueDraftFrom(settings: Settings): AgentQueueDraft {
  return {
    'agent.extension': settings.agent.extension,
    'agent.name': settings.agent.name,
    'queue.slaSeconds': String(settings.queue.slaSeconds),
    'callbacks.slaMinutes': String(settings.callbacks.slaMinutes),
    'callbacks.pauseAfterRingNoAnswer': String(settings.callbacks.pauseAfterRingNoAnswer),
  };
}

export const reasonRowsFrom = textRowsFrom;

const sameTexts = (a: readonly ReasonRow[], b: readonly string[]) => a.length === b.length && a.every((row, i) => row.text === b[i]);

/** Settings changed underneath (another window, our own save): take the new values of what the operator has not edited. */
export function rebaseAgentQueue(
  draft: AgentQueueDraft,
  rows: readonly ReasonRow[],
  oldBase: Settings,
  newBase: Settings,
): { draft: AgentQueueDraft; rows: readonly ReasonRow[] } {
  const before = agentQueueDraftFrom(oldBase);
  const after = agentQueueDraftFrom(newBase);
  const next = { ...draft };
  for (const path of AGENT_QUEUE_PATHS) if (draft[path] === before[path]) next[path] = after[path];
  const untouched = sameTexts(rows, oldBase.agentStatus.pauseReasons);
  return { draft: next, rows: untouched && !sameTexts(rows, newBase.agentStatus.pauseReasons) ? reasonRowsFrom(newBase.agentStatus.pauseReasons) : rows };
}

/** The field's value as the patch carries it: numbers parsed (a whole number as typed, else NaN), text trimmed. */
function valueOf(path: AgentQueuePath, text: string): string | number {
  const trimmed = text.trim();
  if (!isNumeric(path)) return trimmed;
  return /^\d{1,6}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function currentOf(settings: Settings, path: AgentQueuePath): string | number {
  switch (path) {
    case 'agent.extension':
      return settings.agent.extension;
    case 'agent.name':
      return settings.agent.name;
    case 'queue.slaSeconds':
      return settings.queue.slaSeconds;
    case 'callbacks.slaMinutes':
      return settings.callbacks.slaMinutes;
    case 'callbacks.pauseAfterRingNoAnswer':
      return settings.callbacks.pauseAfterRingNoAnswer;
  }
}

/** The i18n key of what is wrong with one field as typed (the schema's own field schema), or null. */
export function validateAgentQueueField(path: AgentQueuePath, text: string): string | null {
  return FIELD_SCHEMA[path].safeParse(valueOf(path, text)).success ? null : `settings.agentQueue.errors.${FIELD_ERROR[path]}`;
}

/** Row checks by row key, with `PauseReasonSchema` (1..40, one line, no ':') and no repeats. */
export function validateReasonRows(rows: readonly ReasonRow[]): Record<string, ReasonError> {
  const errors: Record<string, ReasonError> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const result = PauseReasonSchema.safeParse(row.text);
    if (!result.success) {
      const code = result.error.issues[0]?.code;
      errors[row.key] = code === 'too_small' ? 'empty' : code === 'too_big' ? 'tooLong' : 'format';
    } else if (seen.has(result.data)) {
      errors[row.key] = 'duplicate';
    } else {
      seen.add(result.data);
    }
  }
  return errors;
}

/** The list's own limits (1..12), or null. */
export function validateReasonCount(rows: readonly ReasonRow[]): ReasonListError | null {
  const issue = agentStatusFields.pauseReasons.safeParse(rows.map((_, i) => `r${i}`)).error?.issues[0]?.code;
  return issue === 'too_small' ? 'tooFew' : issue === 'too_big' ? 'tooMany' : null;
}

export type AgentQueuePatch = Pick<SettingsPatch, 'agent' | 'queue' | 'callbacks' | 'agentStatus'>;

export type AgentQueueResult =
  | { ok: true; patch: AgentQueuePatch }
  | {
      ok: false;
      fieldErrors: Partial<Record<AgentQueuePath, string>>;
      rowErrors: Record<string, ReasonError>;
      listError: ReasonListError | null;
    };

/**
 * Checks every field IT does not manage and builds the patch of what changed (managed paths are
 * never sent); the patch passes `SettingsPatchSchema`, the very schema main checks it with.
 */
export function buildAgentQueuePatch(draft: AgentQueueDraft, rows: readonly ReasonRow[], settings: Settings, managed: readonly string[]): AgentQueueResult {
  const fieldErrors: Partial<Record<AgentQueuePath, string>> = {};
  const patch: Record<string, Record<string, unknown>> = {};
  for (const path of AGENT_QUEUE_PATHS) {
    if (isManaged(path, managed)) continue;
    const error = validateAgentQueueField(path, draft[path]);
    if (error) {
      fieldErrors[path] = error;
      continue;
    }
    const value = valueOf(path, draft[path]);
    if (value === currentOf(settings, path)) continue;
    const [group, key] = path.split('.') as [string, string];
    (patch[group] ??= {})[key] = value;
  }
  let rowErrors: Record<string, ReasonError> = {};
  let listError: ReasonListError | null = null;
  if (!isManaged(PAUSE_REASONS_PATH, managed)) {
    rowErrors = validateReasonRows(rows);
    listError = validateReasonCount(rows);
    const reasons = rows.map((row) => row.text.trim());
    if (JSON.stringify(reasons) !== JSON.stringify(settings.agentStatus.pauseReasons)) patch.agentStatus = { pauseReasons: reasons };
  }
  if (Object.keys(fieldErrors).length > 0 || Object.keys(rowErrors).length > 0 || listError !== null) return { ok: false, fieldErrors, rowErrors, listError };
  const checked = SettingsPatchSchema.safeParse(patch);
  // Unreachable while the field checks above use the same schemas; kept so nothing unchecked is sent.
  if (!checked.success) return { ok: false, fieldErrors: {}, rowErrors: {}, listError: null };
  return { ok: true, patch: checked.data };
}

export { sipUriExtension } from '../../../src-shared/settings/settings-schema';

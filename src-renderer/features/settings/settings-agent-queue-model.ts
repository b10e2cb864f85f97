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
import { collectSectionPatch, rebaseSection, sectionDraftFrom, validateSectionField, type SectionSpec } from './settings-section-model';
import { textRowsFrom, type TextRow } from './text-rows';

/**
 * Settings → Agent and queue, pure: the section's single fields (a `SectionSpec`: draft, checks
 * with the schema's own field schemas, patch; `settings-section-model.ts`), the pause reason rows
 * and their checks, and the patch of changed, unmanaged fields.
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

/** The single fields: the schema's own field schemas and their error keys under `settings.agentQueue.errors`. */
export const AGENT_QUEUE_SPEC: SectionSpec<AgentQueuePath> = {
  paths: AGENT_QUEUE_PATHS,
  errorPrefix: 'settings.agentQueue.errors',
  fields: {
    'agent.extension': { schema: agentFields.extension, error: 'extension' },
    'agent.name': { schema: agentFields.name, error: 'name' },
    'queue.slaSeconds': { schema: queueFields.slaSeconds, error: 'queueSla', numeric: true },
    'callbacks.slaMinutes': { schema: callbackFields.slaMinutes, error: 'callbackSla', numeric: true },
    'callbacks.pauseAfterRingNoAnswer': { schema: callbackFields.pauseAfterRingNoAnswer, error: 'noAnswer', numeric: true },
  },
};

export const agentQueueDraftFrom = (settings: Settings): AgentQueueDraft => sectionDraftFrom(AGENT_QUEUE_SPEC, settings);

export const reasonRowsFrom = textRowsFrom;

const sameTexts = (a: readonly ReasonRow[], b: readonly string[]) => a.length === b.length && a.every((row, i) => row.text === b[i]);

/** Pause reason rows not edited follow settings changed underneath; edited rows stay as they are. */
export function rebaseReasonRows(rows: readonly ReasonRow[], oldBase: Settings, newBase: Settings): readonly ReasonRow[] {
  const untouched = sameTexts(rows, oldBase.agentStatus.pauseReasons);
  return untouched && !sameTexts(rows, newBase.agentStatus.pauseReasons) ? reasonRowsFrom(newBase.agentStatus.pauseReasons) : rows;
}

/** Settings changed underneath (another window, our own save): take the new values of what the operator has not edited. */
export function rebaseAgentQueue(
  draft: AgentQueueDraft,
  rows: readonly ReasonRow[],
  oldBase: Settings,
  newBase: Settings,
): { draft: AgentQueueDraft; rows: readonly ReasonRow[] } {
  return { draft: rebaseSection(AGENT_QUEUE_SPEC, draft, oldBase, newBase), rows: rebaseReasonRows(rows, oldBase, newBase) };
}

/** The i18n key of what is wrong with one field as typed (the schema's own field schema), or null. */
export const validateAgentQueueField = (path: AgentQueuePath, text: string): string | null => validateSectionField(AGENT_QUEUE_SPEC, path, text);

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
  const { fieldErrors, patch } = collectSectionPatch(AGENT_QUEUE_SPEC, draft, settings, managed);
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

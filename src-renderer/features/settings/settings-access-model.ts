import {
  MASKABLE_FIELDS,
  PATIENT_ROLES,
  PersonIdSchema,
  PersonSchema,
  type FieldVisibility,
  type MaskableField,
  type PatientRole,
  type Person,
  type Role,
} from '../../../src-shared/access/access-model';
import { accessFields, PEOPLE_MAX, privacyFields, SettingsPatchSchema, type Settings, type SettingsPatch } from '../../../src-shared/settings/settings-schema';
import { isManaged } from './settings-form-model';
import { collectSectionPatch, storedValue, type SectionDraft, type SectionFieldErrors, type SectionSpec } from './settings-section-model';

/**
 * Settings → Access and privacy, pure: the staff list's rows and their checks (the schema's own
 * `PersonIdSchema` and name rule), the idle lock and the privacy fields as `SectionSpec`s, the
 * field-visibility matrix (checked = the role receives the field), and the two patches
 * (`{ access }`, `{ privacy }`) of changed fields IT does not manage.
 */

/** One person as the table edits them. */
export interface PersonRow {
  /** React's key and the key of the row's errors. */
  key: string;
  id: string;
  name: string;
  role: Role;
  /**
   * On the stored list when the form took it: its id is fixed (the PIN's hash and the audit log
   * are keyed by it), and an admin may reset its PIN.
   */
  saved: boolean;
}

/** What is wrong with a row; keys under `settings.access.errors`. */
export interface PersonRowErrors {
  id?: 'idFormat' | 'idDuplicate';
  name?: 'nameEmpty' | 'nameTooLong';
}

let nextKey = 0;

/** Rows for the stored list (each saved). */
export function personRowsFrom(people: readonly Person[]): PersonRow[] {
  return people.map((person) => ({ key: `p${nextKey++}`, id: person.id, name: person.name, role: person.role, saved: true }));
}

/** A new, empty row (an operator: the most common role at a reception desk). */
export function newPersonRow(): PersonRow {
  return { key: `p${nextKey++}`, id: '', name: '', role: 'operator', saved: false };
}

/** The rows as the list they would store: ids and names trimmed. */
export function peopleOf(rows: readonly PersonRow[]): Person[] {
  return rows.map((row) => ({ id: row.id.trim(), name: row.name.trim(), role: row.role }));
}

/** Same people, same order, same names and roles. */
export function samePeople(a: readonly Person[], b: readonly Person[]): boolean {
  return a.length === b.length && a.every((person, i) => person.id === b[i]!.id && person.name === b[i]!.name && person.role === b[i]!.role);
}

/** Rows not edited follow the list changed underneath (another window, provisioning); edited rows stay. */
export function rebasePersonRows(rows: readonly PersonRow[], oldPeople: readonly Person[], newPeople: readonly Person[]): readonly PersonRow[] {
  if (samePeople(oldPeople, newPeople)) return rows;
  return samePeople(peopleOf(rows), oldPeople) ? personRowsFrom(newPeople) : rows;
}

const NameSchema = PersonSchema.shape.name;

/** Row checks with the schema's own rules (id format and uniqueness, name 1..80), by row key. */
export function validatePersonRows(rows: readonly PersonRow[]): Record<string, PersonRowErrors> {
  const errors: Record<string, PersonRowErrors> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const found: PersonRowErrors = {};
    const id = row.id.trim();
    if (!PersonIdSchema.safeParse(id).success) found.id = 'idFormat';
    else if (seen.has(id)) found.id = 'idDuplicate';
    seen.add(id);
    const name = row.name.trim();
    if (name === '') found.name = 'nameEmpty';
    else if (!NameSchema.safeParse(name).success) found.name = 'nameTooLong';
    if (found.id || found.name) errors[row.key] = found;
  }
  return errors;
}

export const IDLE_LOCK_PATH = 'access.idleLockMinutes';
export const PEOPLE_PATH = 'access.people';
export const HIDDEN_FIELDS_PATH = 'privacy.hiddenFields';

/** The idle lock: a whole number of minutes 0..240 typed (0: never); the schema's field checks it. */
export const ACCESS_SPEC: SectionSpec<typeof IDLE_LOCK_PATH> = {
  paths: [IDLE_LOCK_PATH],
  errorPrefix: 'settings.access.errors',
  fields: { [IDLE_LOCK_PATH]: { schema: accessFields.idleLockMinutes, error: 'idleLock', numeric: true } },
};

export const PRIVACY_PATHS = ['privacy.boardPhones', 'privacy.cacheRetentionDays', 'privacy.auditRetentionYears'] as const;
export type PrivacyPath = (typeof PRIVACY_PATHS)[number];

/** How the board shows phones, and the two retention periods; checked with the schema's own fields. */
export const PRIVACY_SPEC: SectionSpec<PrivacyPath> = {
  paths: PRIVACY_PATHS,
  errorPrefix: 'settings.access.errors',
  fields: {
    'privacy.boardPhones': { schema: privacyFields.boardPhones, error: 'boardPhones' },
    'privacy.cacheRetentionDays': { schema: privacyFields.cacheRetentionDays, error: 'cacheRetention', numeric: true },
    'privacy.auditRetentionYears': { schema: privacyFields.auditRetentionYears, error: 'auditRetention', numeric: true },
  },
};

/**
 * Whether a field shows what is stored, untouched. A value the form could not type (a fraction
 * of a minute from provisioning, for drills) is shown as it is and is neither checked nor sent
 * until someone edits it.
 */
export function isUntouched<P extends string>(draft: SectionDraft<P>, settings: Settings, path: P): boolean {
  return draft[path] === String(storedValue(settings, path) ?? '');
}

/** `collectSectionPatch` over the fields someone edited (untouched ones keep what is stored, as it is). */
function collectEdited<P extends string>(spec: SectionSpec<P>, draft: SectionDraft<P>, settings: Settings, managed: readonly string[]) {
  const untouched = spec.paths.filter((path) => isUntouched(draft, settings, path));
  return collectSectionPatch(spec, draft, settings, [...managed, ...untouched]);
}

export type AccessPatchResult =
  | { ok: true; patch: SettingsPatch }
  | { ok: false; fieldErrors: SectionFieldErrors<typeof IDLE_LOCK_PATH>; rowErrors: Record<string, PersonRowErrors>; tooMany: boolean };

/**
 * The `{ access }` patch: the staff list when it changed and IT does not manage it, the idle
 * minutes when edited. Every row is checked before anything is sent.
 */
export function buildAccessPatch(
  draft: SectionDraft<typeof IDLE_LOCK_PATH>,
  rows: readonly PersonRow[],
  settings: Settings,
  managed: readonly string[],
): AccessPatchResult {
  const peopleManaged = isManaged(PEOPLE_PATH, managed);
  const rowErrors = peopleManaged ? {} : validatePersonRows(rows);
  const tooMany = !peopleManaged && rows.length > PEOPLE_MAX;
  const { fieldErrors, patch } = collectEdited(ACCESS_SPEC, draft, settings, managed);
  if (Object.keys(rowErrors).length > 0 || tooMany || Object.keys(fieldErrors).length > 0) {
    return { ok: false, fieldErrors, rowErrors, tooMany };
  }
  const access: NonNullable<SettingsPatch['access']> = { ...(patch.access as SettingsPatch['access']) };
  const people = peopleOf(rows);
  if (!peopleManaged && !samePeople(people, settings.access.people)) access.people = people;
  const parsed = SettingsPatchSchema.safeParse(Object.keys(access).length > 0 ? { access } : {});
  // The rows were checked with the schema's rules above; main checks the patch again.
  return parsed.success ? { ok: true, patch: parsed.data } : { ok: false, fieldErrors: {}, rowErrors: {}, tooMany: false };
}

export type PrivacyPatchResult = { ok: true; patch: SettingsPatch } | { ok: false; fieldErrors: SectionFieldErrors<PrivacyPath> };

/** The `{ privacy }` patch: the matrix when it changed and IT does not manage it, and the edited fields. */
export function buildPrivacyPatch(
  draft: SectionDraft<PrivacyPath>,
  matrix: FieldVisibility,
  settings: Settings,
  managed: readonly string[],
): PrivacyPatchResult {
  const { fieldErrors, patch } = collectEdited(PRIVACY_SPEC, draft, settings, managed);
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  const privacy: NonNullable<SettingsPatch['privacy']> = { ...(patch.privacy as SettingsPatch['privacy']) };
  if (!isManaged(HIDDEN_FIELDS_PATH, managed) && !sameVisibility(matrix, settings.privacy.hiddenFields)) privacy.hiddenFields = normalizedVisibility(matrix);
  const parsed = SettingsPatchSchema.safeParse(Object.keys(privacy).length > 0 ? { privacy } : {});
  return parsed.success ? { ok: true, patch: parsed.data } : { ok: false, fieldErrors: {} };
}

/** Whether `role` receives `field` (checked in the matrix). */
export function isVisible(matrix: FieldVisibility, role: PatientRole, field: MaskableField): boolean {
  return !matrix[role].includes(field);
}

/** The matrix with one box changed; each role's list in `MASKABLE_FIELDS` order. */
export function withVisibility(matrix: FieldVisibility, role: PatientRole, field: MaskableField, visible: boolean): FieldVisibility {
  const hidden = new Set(matrix[role]);
  if (visible) hidden.delete(field);
  else hidden.add(field);
  return { ...matrix, [role]: MASKABLE_FIELDS.filter((candidate) => hidden.has(candidate)) };
}

/** Each role's hidden fields in `MASKABLE_FIELDS` order, without repeats. */
export function normalizedVisibility(matrix: FieldVisibility): FieldVisibility {
  const of = (role: PatientRole) => MASKABLE_FIELDS.filter((field) => matrix[role].includes(field));
  return { operator: of('operator'), supervisor: of('supervisor'), cashier: of('cashier') };
}

/** The same fields hidden from each role, whatever the order. */
export function sameVisibility(a: FieldVisibility, b: FieldVisibility): boolean {
  return PATIENT_ROLES.every((role) => MASKABLE_FIELDS.every((field) => isVisible(a, role, field) === isVisible(b, role, field)));
}

/** What the staff list as edited means for the desk; keys under `settings.access.notes`. */
export type StaffNotice = 'openNow' | 'becomesOpen' | 'signInAfterSave' | 'noAdmin' | 'selfLosesAccess';

/**
 * The warnings above the table: an empty list makes the desk open (nobody signs in), a first
 * list makes it ask everyone to sign in, a list without an administrator leaves these settings
 * to IT's provisioning file, and an administrator removing (or demoting) themselves loses them.
 */
export function staffNotices(rows: readonly PersonRow[], stored: readonly Person[], signedInAdmin: string | null): StaffNotice[] {
  const people = peopleOf(rows);
  const notices: StaffNotice[] = [];
  if (people.length === 0) notices.push(stored.length === 0 ? 'openNow' : 'becomesOpen');
  else {
    if (stored.length === 0) notices.push('signInAfterSave');
    if (!people.some((person) => person.role === 'admin')) notices.push('noAdmin');
    else if (signedInAdmin !== null && !people.some((person) => person.id === signedInAdmin && person.role === 'admin')) notices.push('selfLosesAccess');
  }
  return notices;
}

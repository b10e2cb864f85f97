import { useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_HIDDEN_FIELDS, MASKABLE_FIELDS, PATIENT_ROLES, RoleSchema, type FieldVisibility, type SessionView } from '../../../src-shared/access/access-model';
import { maskPhone } from '../../../src-shared/access/field-masking';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import { PEOPLE_MAX, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { WarningIcon } from '../../ui/icons';
import {
  ACCESS_SPEC,
  buildAccessPatch,
  buildPrivacyPatch,
  HIDDEN_FIELDS_PATH,
  IDLE_LOCK_PATH,
  isUntouched,
  isVisible,
  newPersonRow,
  PEOPLE_PATH,
  personRowsFrom,
  PRIVACY_SPEC,
  rebasePersonRows,
  sameVisibility,
  staffNotices,
  validatePersonRows,
  withVisibility,
  type PersonRow,
  type PersonRowErrors,
  type PrivacyPath,
} from './settings-access-model';
import { SettingsField } from './settings-field';
import { SectionActions, SectionTextField, useSectionForm } from './settings-section';

const NS = 'settings.access';
/** A made-up number for the board's example (never a patient's). */
const EXAMPLE_NUMBER = '+79161234567';

/**
 * Settings → Access and privacy (docs/architecture.md, "Privacy and security"): who may sign in
 * (the staff list, with "reset PIN" for an administrator), the idle lock, which card fields each
 * role receives, how the supervisor's board shows phone numbers, and how long cards and the audit
 * log are kept. Two forms saved on their own (`settings.update { access }` and `{ privacy }`). On
 * a desk with a staff list only a signed-in administrator changes them (main refuses anyone else
 * with FORBIDDEN); for a signed-in non-admin the block is read-only. A path IT manages is locked.
 */
export function AccessSettings({ view }: { view: SettingsView }): ReactElement {
  const { t } = useTranslation();
  const session = useAppStore((state) => state.session);
  const readOnly = session?.state === 'signed-in' && session.role !== 'admin';
  return (
    <section className="settings-access" data-testid="settings-access" aria-labelledby="settings-access-title">
      <h3 className="settings-access-title" id="settings-access-title">
        {t(`${NS}.title`)}
      </h3>
      {readOnly ? (
        <p className="notice warn" data-testid="settings-access-readonly">
          <WarningIcon />
          {t(`${NS}.readOnly`)}
        </p>
      ) : null}
      <StaffForm view={view} session={session} readOnly={readOnly} />
      <PrivacyForm view={view} readOnly={readOnly} />
    </section>
  );
}

/** A message translated when drawn, with its values (a name) and the error's code. */
type Note = { tone: 'ok' | 'error' | 'info'; key: string; values?: Record<string, string>; errorCode?: DeskErrorCode } | null;

function StaffForm({ view, session, readOnly }: { view: SettingsView; session: SessionView | null; readOnly: boolean }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const [rows, setRows] = useState<readonly PersonRow[]>(() => personRowsFrom(view.settings.access.people));
  const [rowErrors, setRowErrors] = useState<Record<string, PersonRowErrors>>({});
  const [tooMany, setTooMany] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [pinNote, setPinNote] = useState<Note>(null);
  const [resetting, setResetting] = useState(false);
  const form = useSectionForm(view, ACCESS_SPEC, NS, (oldBase, newBase) => setRows(rebasePersonRows(rows, oldBase.access.people, newBase.access.people)));
  const { settings, busy, managed } = form;
  const peopleManaged = managed(PEOPLE_PATH);
  const lockedPeople = peopleManaged || readOnly || busy;
  const isAdmin = session?.state === 'signed-in' && session.role === 'admin';
  const stored = settings.access.people;
  const notices = staffNotices(rows, stored, isAdmin ? (session.person?.id ?? null) : null);

  const edit = (next: readonly PersonRow[]) => {
    setRows(next);
    form.setMessage(null);
    setTooMany(false);
    // Once a row shows an error, re-check it as it is fixed.
    if (Object.keys(rowErrors).length > 0) {
      const found = validatePersonRows(next);
      setRowErrors(Object.fromEntries(Object.entries(found).filter(([key]) => rowErrors[key])));
    }
  };
  const change = (key: string, patch: Partial<PersonRow>) => edit(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy || readOnly) return;
    const result = buildAccessPatch(form.draft, rows, settings, view.managed);
    if (!result.ok) {
      setRowErrors(result.rowErrors);
      setTooMany(result.tooMany);
      form.refuse(result.fieldErrors);
      return;
    }
    setRowErrors({});
    await form.save(result.patch, (saved) => setRows(personRowsFrom(saved.access.people)));
  };

  const resetPin = async (row: PersonRow) => {
    setResetting(true);
    try {
      await desk.request('session.resetPin', { personId: row.id });
      setPinNote({ tone: 'ok', key: `${NS}.pinReset`, values: { name: row.name } });
    } catch (error) {
      setPinNote({ tone: 'error', key: `${NS}.pinResetFailed`, errorCode: toDeskError(error).code });
    } finally {
      setResetting(false);
      setConfirming(null);
    }
  };

  const idleProps = form.fieldProps(IDLE_LOCK_PATH);
  return (
    <form className="settings-form settings-access-staff" noValidate data-testid="settings-access-staff" onSubmit={(event) => void onSubmit(event)}>
      <fieldset className="settings-section">
        <legend>{t(`${NS}.staffTitle`)}</legend>
        {notices.map((notice) => (
          <p key={notice} className={`notice ${notice === 'signInAfterSave' ? 'ok' : 'warn'}`} data-testid={`settings-access-notice-${notice}`}>
            {notice === 'signInAfterSave' ? null : <WarningIcon />}
            {t(`${NS}.notes.${notice}`)}
          </p>
        ))}
        <div className="field access-people-field" data-managed={peopleManaged ? 'true' : undefined} data-invalid={Object.keys(rowErrors).length > 0 || tooMany ? 'true' : undefined}>
          <span className="field-label" id="settings-access-people-label">
            {t(`${NS}.people`)}
          </span>
          <div className="field-control">
            {rows.length > 0 ? (
              <table className="access-people" data-testid="settings-access-people" aria-labelledby="settings-access-people-label">
                <thead>
                  <tr>
                    <th scope="col">{t(`${NS}.personId`)}</th>
                    <th scope="col">{t(`${NS}.personName`)}</th>
                    <th scope="col">{t(`${NS}.personRole`)}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t(`${NS}.personActions`)}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row, index) => (
                    <PersonTableRow
                      key={row.key}
                      row={row}
                      n={index + 1}
                      errors={rowErrors[row.key] ?? {}}
                      locked={lockedPeople}
                      mayResetPin={isAdmin && row.saved && stored.some((person) => person.id === row.id)}
                      confirming={confirming === row.key}
                      resetting={resetting}
                      onChange={(patch) => change(row.key, patch)}
                      onRemove={() => edit(rows.filter((candidate) => candidate.key !== row.key))}
                      onAskReset={() => {
                        setPinNote(null);
                        setConfirming(row.key);
                      }}
                      onConfirmReset={() => void resetPin(row)}
                      onCancelReset={() => setConfirming(null)}
                    />
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted" data-testid="settings-access-people-empty">
                {t(`${NS}.noPeople`)}
              </p>
            )}
            <button type="button" className="button" data-testid="settings-access-person-add" disabled={lockedPeople || rows.length >= PEOPLE_MAX} onClick={() => edit([...rows, newPersonRow()])}>
              {t(`${NS}.add`)}
            </button>
            {peopleManaged ? (
              <p className="field-note managed" data-testid="settings-access-people-managed">
                {t('settings.managed')}
              </p>
            ) : null}
            <p className="field-note">{t(`${NS}.peopleHint`)}</p>
            {tooMany ? (
              <p className="field-error" data-testid="settings-access-people-error">
                {t(`${NS}.errors.tooMany`, { max: PEOPLE_MAX })}
              </p>
            ) : null}
            <p className="settings-message" role="status" data-testid="settings-access-pin-message" data-tone={pinNote?.tone ?? ''}>
              {pinNote ? t(pinNote.key, { ...pinNote.values, ...(pinNote.errorCode ? { reason: errorText({ code: pinNote.errorCode }) } : {}) }) : ''}
            </p>
          </div>
        </div>
        <SectionTextField
          id="settings-access-idle-lock"
          label={t(`${NS}.idleLock`)}
          hint={t(`${NS}.idleLockHint`)}
          numeric
          {...idleProps}
          disabled={idleProps.disabled || readOnly}
          onBlur={isUntouched(form.draft, settings, IDLE_LOCK_PATH) ? () => undefined : idleProps.onBlur}
        />
      </fieldset>
      <SectionActions ns={NS} testId="settings-access-staff" busy={busy} disabled={readOnly || (peopleManaged && managed(IDLE_LOCK_PATH))} message={form.message} />
    </form>
  );
}

interface PersonTableRowProps {
  row: PersonRow;
  /** The row's number, for the controls' names. */
  n: number;
  errors: PersonRowErrors;
  /** Managed by IT, read-only for this person, or a save in flight. */
  locked: boolean;
  /** A signed-in administrator, and the person is on the stored list. */
  mayResetPin: boolean;
  confirming: boolean;
  resetting: boolean;
  onChange(patch: Partial<PersonRow>): void;
  onRemove(): void;
  onAskReset(): void;
  onConfirmReset(): void;
  onCancelReset(): void;
}

/** One person: id (fixed once saved), name, role, «Сбросить PIN» with its confirmation row, remove. */
function PersonTableRow({ row, n, errors, locked, mayResetPin, confirming, resetting, onChange, onRemove, onAskReset, onConfirmReset, onCancelReset }: PersonTableRowProps): ReactElement {
  const { t } = useTranslation();
  const idId = `settings-access-person-id-${row.key}`;
  const nameId = `settings-access-person-name-${row.key}`;
  return (
    <>
      <tr data-testid="settings-access-person" data-invalid={errors.id || errors.name ? 'true' : undefined}>
        <td className="access-person-id-cell">
          <input
            id={idId}
            type="text"
            className="input access-person-id"
            data-testid="settings-access-person-id"
            value={row.id}
            readOnly={row.saved}
            title={row.saved ? t(`${NS}.idFixed`) : undefined}
            aria-label={t(`${NS}.personIdOf`, { n })}
            aria-invalid={errors.id ? true : undefined}
            aria-describedby={errors.id ? `${idId}-error` : undefined}
            disabled={locked}
            spellCheck={false}
            autoComplete="off"
            maxLength={64}
            onChange={(event) => onChange({ id: event.target.value })}
          />
          {errors.id ? (
            <p id={`${idId}-error`} className="field-error" data-testid="settings-access-person-id-error">
              {t(`${NS}.errors.${errors.id}`)}
            </p>
          ) : null}
        </td>
        <td className="access-person-name-cell">
          <input
            id={nameId}
            type="text"
            className="input"
            data-testid="settings-access-person-name"
            value={row.name}
            aria-label={t(`${NS}.personNameOf`, { n })}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${nameId}-error` : undefined}
            disabled={locked}
            autoComplete="off"
            maxLength={100}
            onChange={(event) => onChange({ name: event.target.value })}
          />
          {errors.name ? (
            <p id={`${nameId}-error`} className="field-error" data-testid="settings-access-person-name-error">
              {t(`${NS}.errors.${errors.name}`)}
            </p>
          ) : null}
        </td>
        <td className="access-person-role-cell">
          <select
            className="input"
            data-testid="settings-access-person-role"
            value={row.role}
            aria-label={t(`${NS}.personRoleOf`, { n })}
            disabled={locked}
            onChange={(event) => onChange({ role: RoleSchema.parse(event.target.value) })}
          >
            {RoleSchema.options.map((role) => (
              <option key={role} value={role}>
                {t(`settings.role.${role}`)}
              </option>
            ))}
          </select>
        </td>
        <td className="access-person-actions">
          {mayResetPin && !confirming ? (
            <button type="button" className="button" data-testid="settings-access-reset-pin" aria-label={t(`${NS}.resetPinOf`, { name: row.name })} disabled={resetting} onClick={onAskReset}>
              {t(`${NS}.resetPin`)}
            </button>
          ) : null}
          <button type="button" className="button ghost" data-testid="settings-access-person-remove" aria-label={t(`${NS}.removeOf`, { n })} disabled={locked} onClick={onRemove}>
            {t(`${NS}.remove`)}
          </button>
        </td>
      </tr>
      {mayResetPin && confirming ? (
        <tr className="access-pin-confirm-row">
          <td colSpan={4}>
            <div className="access-pin-confirm" data-testid="settings-access-reset-pin-confirmation">
              <span>{t(`${NS}.resetPinConfirm`, { name: row.name })}</span>
              <button type="button" className="button danger" data-testid="settings-access-reset-pin-confirm" disabled={resetting} onClick={onConfirmReset}>
                {t(`${NS}.resetPinYes`)}
              </button>
              <button type="button" className="button ghost" data-testid="settings-access-reset-pin-cancel" disabled={resetting} onClick={onCancelReset}>
                {t(`${NS}.cancel`)}
              </button>
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}

const FIELD_IDS: Record<PrivacyPath, string> = {
  'privacy.boardPhones': 'settings-access-board-phones',
  'privacy.cacheRetentionDays': 'settings-access-cache-retention',
  'privacy.auditRetentionYears': 'settings-access-audit-retention',
};

function PrivacyForm({ view, readOnly }: { view: SettingsView; readOnly: boolean }): ReactElement {
  const { t } = useTranslation();
  const [matrix, setMatrix] = useState<FieldVisibility>(() => view.settings.privacy.hiddenFields);
  const form = useSectionForm(view, PRIVACY_SPEC, NS, (oldBase, newBase) => {
    // Followed underneath unless someone is editing it.
    if (sameVisibility(matrix, oldBase.privacy.hiddenFields)) setMatrix(newBase.privacy.hiddenFields);
  });
  const { settings, busy, managed } = form;
  const matrixManaged = managed(HIDDEN_FIELDS_PATH);
  const lockedMatrix = matrixManaged || readOnly || busy;
  const allManaged = matrixManaged && PRIVACY_SPEC.paths.every(managed);

  const setVisibility = (next: FieldVisibility) => {
    setMatrix(next);
    form.setMessage(null);
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy || readOnly) return;
    const result = buildPrivacyPatch(form.draft, matrix, settings, view.managed);
    if (!result.ok) {
      form.refuse(result.fieldErrors);
      return;
    }
    await form.save(result.patch, (saved) => setMatrix(saved.privacy.hiddenFields));
  };

  const fieldProps = (path: PrivacyPath) => {
    const props = form.fieldProps(path);
    return { ...props, disabled: props.disabled || readOnly, onBlur: isUntouched(form.draft, settings, path) ? () => undefined : props.onBlur };
  };
  const board = fieldProps('privacy.boardPhones');

  return (
    <form className="settings-form settings-access-privacy" noValidate data-testid="settings-access-privacy" onSubmit={(event) => void onSubmit(event)}>
      <fieldset className="settings-section">
        <legend>{t(`${NS}.privacyTitle`)}</legend>
        <div className="access-matrix-block" data-managed={matrixManaged ? 'true' : undefined}>
          <p className="access-matrix-intro" id="settings-access-matrix-intro">
            {t(`${NS}.matrixIntro`)}
          </p>
          <table className="access-matrix" data-testid="settings-access-matrix" aria-describedby="settings-access-matrix-intro">
            <caption className="visually-hidden">{t(`${NS}.matrixCaption`)}</caption>
            <thead>
              <tr>
                <th scope="col">{t(`${NS}.matrixField`)}</th>
                {PATIENT_ROLES.map((role) => (
                  <th key={role} scope="col">
                    {t(`settings.role.${role}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {MASKABLE_FIELDS.map((field) => (
                <tr key={field}>
                  <th scope="row">{t(`${NS}.fields.${field}`)}</th>
                  {PATIENT_ROLES.map((role) => (
                    <td key={role}>
                      <input
                        type="checkbox"
                        className="checkbox"
                        data-testid={`settings-access-visible-${role}-${field}`}
                        checked={isVisible(matrix, role, field)}
                        disabled={lockedMatrix}
                        aria-label={t(`${NS}.visibleTo`, { field: t(`${NS}.fields.${field}`), role: t(`settings.role.${role}`) })}
                        onChange={(event) => setVisibility(withVisibility(matrix, role, field, event.target.checked))}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="field-note">{t(`${NS}.matrixAlways`)}</p>
          {matrixManaged ? (
            <p className="field-note managed" data-testid="settings-access-matrix-managed">
              {t('settings.managed')}
            </p>
          ) : null}
          <button type="button" className="button" data-testid="settings-access-matrix-defaults" disabled={lockedMatrix} onClick={() => setVisibility(structuredClone(DEFAULT_HIDDEN_FIELDS))}>
            {t(`${NS}.matrixDefaults`)}
          </button>
        </div>
        <SettingsField id={FIELD_IDS['privacy.boardPhones']} label={t(`${NS}.boardPhones`)} hint={t(`${NS}.boardPhonesHint`)} error={board.error} managed={board.managed}>
          {(describedBy) => (
            <select
              id={FIELD_IDS['privacy.boardPhones']}
              data-testid={FIELD_IDS['privacy.boardPhones']}
              className="input"
              value={board.value}
              disabled={board.disabled}
              aria-describedby={describedBy}
              onChange={(event) => board.onChange(event.target.value)}
            >
              <option value="masked">{t(`${NS}.boardMasked`, { example: maskPhone(EXAMPLE_NUMBER) })}</option>
              <option value="full">{t(`${NS}.boardFull`, { example: formatPhoneNumber(EXAMPLE_NUMBER) })}</option>
            </select>
          )}
        </SettingsField>
        <SectionTextField id={FIELD_IDS['privacy.cacheRetentionDays']} label={t(`${NS}.cacheRetention`)} hint={t(`${NS}.cacheRetentionHint`)} numeric {...fieldProps('privacy.cacheRetentionDays')} />
        <SectionTextField id={FIELD_IDS['privacy.auditRetentionYears']} label={t(`${NS}.auditRetention`)} hint={t(`${NS}.auditRetentionHint`)} numeric {...fieldProps('privacy.auditRetentionYears')} />
      </fieldset>
      <SectionActions ns={NS} testId="settings-access-privacy" busy={busy} disabled={readOnly || allManaged} message={form.message} />
    </form>
  );
}

import { useEffect, useRef, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_ICE_SERVERS, newIceRow, rowNeedsCredentials, type IceRowErrors, type IceServerDraft } from './settings-form-model';

/** The inputs of one row; element ids are `settings-sip-ice-<field>-<row key>`, test ids drop the key. */
export type IceField = keyof IceRowErrors;

const TEST_ID: Record<IceField, string> = {
  urls: 'settings-sip-ice-url',
  username: 'settings-sip-ice-username',
  credential: 'settings-sip-ice-credential',
};

export const ICE_GROUP_ID = 'settings-sip-ice-servers';
const elementId = (field: IceField, key: string) => `${TEST_ID[field]}-${key}`;

interface IceServersEditorProps {
  rows: readonly IceServerDraft[];
  /** Per row key, the errors shown under its inputs. */
  errors: Readonly<Record<string, IceRowErrors>>;
  /** A problem with the list as a whole (the schema's), shown under it. */
  groupError: string | undefined;
  managed: boolean;
  busy: boolean;
  onRowsChange(rows: IceServerDraft[]): void;
  onFieldBlur(key: string, field: IceField): void;
}

/**
 * `sip.iceServers`: one row per server (its URLs, and for TURN a username and credential), add
 * and remove buttons; read-only with the "managed" note when IT provisions the list. Empty is
 * the right answer on a LAN, and the hint says so.
 */
export function IceServersEditor({ rows, errors, groupError, managed, busy, onRowsChange, onFieldBlur }: IceServersEditorProps): ReactElement {
  const { t } = useTranslation();
  const addButton = useRef<HTMLButtonElement>(null);
  /** Where focus goes once the rows have rendered: a new row's URL box, or Add after a removal. */
  const pendingFocus = useRef<{ to: 'row'; key: string } | { to: 'add' } | null>(null);

  useEffect(() => {
    const target = pendingFocus.current;
    if (!target) return;
    pendingFocus.current = null;
    if (target.to === 'row') document.getElementById(elementId('urls', target.key))?.focus();
    else addButton.current?.focus();
  }, [rows]);

  const full = rows.length >= MAX_ICE_SERVERS;
  const notes = [managed ? `${ICE_GROUP_ID}-managed` : null, `${ICE_GROUP_ID}-hint`, groupError ? `${ICE_GROUP_ID}-error` : null].filter(Boolean).join(' ');

  const update = (key: string, field: IceField, value: string) =>
    onRowsChange(rows.map((row) => (row.key === key ? { ...row, [field]: value } : row)));

  const add = () => {
    const row = newIceRow();
    pendingFocus.current = { to: 'row', key: row.key };
    onRowsChange([...rows, row]);
  };

  const remove = (key: string) => {
    pendingFocus.current = { to: 'add' };
    onRowsChange(rows.filter((row) => row.key !== key));
  };

  const input = (row: IceServerDraft, field: IceField, label: string, options: { type?: 'password'; placeholder?: string } = {}) => {
    const id = elementId(field, row.key);
    const error = errors[row.key]?.[field];
    return (
      <div className={`ice-input ice-input-${field}`}>
        <label htmlFor={id} className="ice-input-label">
          {label}
        </label>
        <input
          id={id}
          data-testid={TEST_ID[field]}
          type={options.type ?? 'text'}
          className="input"
          value={row[field]}
          placeholder={options.placeholder}
          spellCheck={false}
          autoComplete="off"
          disabled={managed || busy}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => update(row.key, field, event.target.value)}
          onBlur={() => onFieldBlur(row.key, field)}
        />
        {error ? (
          <p id={`${id}-error`} className="field-error" data-testid={`${TEST_ID[field]}-error`}>
            {t(error)}
          </p>
        ) : null}
      </div>
    );
  };

  return (
    <div
      className="field field-ice"
      data-testid={ICE_GROUP_ID}
      data-managed={managed ? 'true' : undefined}
      data-invalid={groupError || rows.some((row) => errors[row.key]) ? 'true' : undefined}
    >
      <span id={`${ICE_GROUP_ID}-label`} className="field-label">
        {t('settings.sip.ice.label')}
      </span>
      <div id={ICE_GROUP_ID} className="field-control" role="group" aria-labelledby={`${ICE_GROUP_ID}-label`} aria-describedby={notes}>
        {rows.length === 0 ? (
          <p className="ice-empty" data-testid={`${ICE_GROUP_ID}-empty`}>
            {t('settings.sip.ice.empty')}
          </p>
        ) : (
          <ul className="ice-list">
            {rows.map((row, index) => (
              <li key={row.key} className="ice-row" data-testid="settings-sip-ice-server-row" data-invalid={errors[row.key] ? 'true' : undefined}>
                <div className="ice-row-fields">
                  {input(row, 'urls', t('settings.sip.ice.urls'), { placeholder: t('settings.sip.ice.urlsPlaceholder') })}
                  {rowNeedsCredentials(row) ? (
                    <>
                      {input(row, 'username', t('settings.sip.ice.username'))}
                      {input(row, 'credential', t('settings.sip.ice.credential'), { type: 'password' })}
                    </>
                  ) : null}
                </div>
                {managed ? null : (
                  <button
                    type="button"
                    className="button ghost ice-remove"
                    data-testid="settings-sip-ice-remove"
                    aria-label={t('settings.sip.ice.removeLabel', { n: index + 1 })}
                    disabled={busy}
                    onClick={() => remove(row.key)}
                  >
                    {t('settings.sip.ice.remove')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {managed ? null : (
          <button ref={addButton} type="button" className="button" data-testid="settings-sip-ice-add" disabled={busy || full} onClick={add}>
            {t('settings.sip.ice.add')}
          </button>
        )}
        {managed ? (
          <p id={`${ICE_GROUP_ID}-managed`} className="field-note managed" data-testid={`${ICE_GROUP_ID}-managed`}>
            {t('settings.managed')}
          </p>
        ) : null}
        <p id={`${ICE_GROUP_ID}-hint`} className="field-note" data-testid={`${ICE_GROUP_ID}-hint`}>
          {full && !managed ? `${t('settings.sip.ice.full', { max: MAX_ICE_SERVERS })} ` : ''}
          {t('settings.sip.ice.hint')}
        </p>
        {groupError ? (
          <p id={`${ICE_GROUP_ID}-error`} className="field-error" data-testid={`${ICE_GROUP_ID}-error`}>
            {t(groupError)}
          </p>
        ) : null}
      </div>
    </div>
  );
}

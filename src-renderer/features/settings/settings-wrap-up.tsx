import { useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { ACW_LIMIT_MAX, WRAP_UP_CATEGORIES_MAX, WRAP_UP_CATEGORY_LENGTH, type SettingsPatch, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { isManaged } from './settings-form-model';
import { TextRows, textRowsFrom, type TextRow } from './text-rows';


type Row = TextRow;

type RowError = 'empty' | 'tooLong' | 'duplicate';

/** Row checks (keys under `settings.wrapUp.errors`), by row key; the same rules as the schema. */
export function validateCategoryRows(rows: readonly Row[]): Record<string, RowError> {
  const errors: Record<string, RowError> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const text = row.text.trim();
    if (text === '') errors[row.key] = 'empty';
    else if (text.length > WRAP_UP_CATEGORY_LENGTH) errors[row.key] = 'tooLong';
    else if (seen.has(text)) errors[row.key] = 'duplicate';
    seen.add(text);
  }
  return errors;
}

/** The limit as typed → seconds, or null when it is not a whole number 0..900. */
export function parseAcwLimit(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,4}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= ACW_LIMIT_MAX ? value : null;
}

const rowsOf = textRowsFrom;

/**
 * Settings → Call wrap-up: the categories the wrap-up offers (add, rename, remove; 1..20,
 * unique) and the after-call-work limit, saved on their own with `settings.update { wrapUp }`.
 * A path IT manages is shown locked.
 */
export function WrapUpSettings({ view }: { view: SettingsView }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const setSettingsView = useAppStore((state) => state.setSettingsView);
  const wrapUp = view.settings.wrapUp;
  const [base, setBase] = useState(wrapUp);
  const [rows, setRows] = useState<Row[]>(() => rowsOf(wrapUp.categories));
  const [acw, setAcw] = useState(String(wrapUp.acwLimitSec));
  const [dirty, setDirty] = useState(false);
  const [rowErrors, setRowErrors] = useState<Record<string, RowError>>({});
  const [listError, setListError] = useState<string | null>(null);
  const [acwError, setAcwError] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error' | 'info'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const categoriesManaged = isManaged('wrapUp.categories', view.managed);
  const acwManaged = isManaged('wrapUp.acwLimitSec', view.managed);

  // Changed underneath (another window, our own save): follow it unless the operator is editing.
  if (wrapUp !== base) {
    setBase(wrapUp);
    if (!dirty) {
      setRows(rowsOf(wrapUp.categories));
      setAcw(String(wrapUp.acwLimitSec));
    }
  }

  const edit = (next: Row[]) => {
    setRows(next);
    setDirty(true);
    setMessage(null);
    setListError(null);
    if (Object.keys(rowErrors).length > 0) setRowErrors(validateCategoryRows(next));
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const found = categoriesManaged ? {} : validateCategoryRows(rows);
    const limit = parseAcwLimit(acw);
    const badAcw = !acwManaged && limit === null;
    const tooFew = !categoriesManaged && rows.length === 0;
    setRowErrors(found);
    setAcwError(badAcw);
    setListError(tooFew ? 'tooFew' : null);
    if (Object.keys(found).length > 0 || badAcw || tooFew) {
      setMessage({ tone: 'error', text: t('settings.invalid') });
      return;
    }
    const categories = rows.map((row) => row.text.trim());
    const patch: NonNullable<SettingsPatch['wrapUp']> = {};
    if (!categoriesManaged && JSON.stringify(categories) !== JSON.stringify(wrapUp.categories)) patch.categories = categories;
    if (!acwManaged && limit !== null && limit !== wrapUp.acwLimitSec) patch.acwLimitSec = limit;
    if (Object.keys(patch).length === 0) {
      setMessage({ tone: 'info', text: t('settings.wrapUp.nothingChanged') });
      return;
    }
    setBusy(true);
    try {
      const saved = await desk.request('settings.update', { wrapUp: patch });
      setSettingsView(saved);
      setBase(saved.settings.wrapUp);
      setRows(rowsOf(saved.settings.wrapUp.categories));
      setAcw(String(saved.settings.wrapUp.acwLimitSec));
      setDirty(false);
      setMessage({ tone: 'ok', text: t('settings.wrapUp.saved') });
    } catch (error) {
      setMessage({ tone: 'error', text: errorText(toDeskError(error)) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form settings-wrap-up" noValidate data-testid="settings-wrap-up" onSubmit={(event) => void onSubmit(event)}>
      <fieldset className="settings-section">
        <legend>{t('settings.wrapUp.title')}</legend>
        <div className="field" data-managed={categoriesManaged ? 'true' : undefined}>
          <span className="field-label" id="settings-wrap-up-categories-label">
            {t('settings.wrapUp.categories')}
          </span>
          <div className="field-control">
            <TextRows
              rows={rows}
              errors={rowErrors}
              onChange={edit}
              disabled={categoriesManaged || busy}
              max={WRAP_UP_CATEGORIES_MAX}
              maxLength={WRAP_UP_CATEGORY_LENGTH}
              labelledBy="settings-wrap-up-categories-label"
              idPrefix="settings-wrap-up-category"
              className="wrap-up-category-rows"
              rowClassName="wrap-up-category-row"
              testIds={{ row: 'settings-wrap-up-category', remove: 'settings-wrap-up-remove', error: 'settings-wrap-up-category-error', add: 'settings-wrap-up-add' }}
              text={{
                row: (n) => t('settings.wrapUp.category', { n }),
                remove: t('settings.wrapUp.remove'),
                add: t('settings.wrapUp.add'),
                error: (error) => t(`settings.wrapUp.errors.${error}`),
              }}
            />
            {categoriesManaged ? (
              <p className="field-note managed" data-testid="settings-wrap-up-categories-managed">
                {t('settings.managed')}
              </p>
            ) : null}
            <p className="field-note">{rows.length >= WRAP_UP_CATEGORIES_MAX ? t('settings.wrapUp.errors.tooMany') : t('settings.wrapUp.categoriesHint')}</p>
            {listError ? (
              <p className="field-error" data-testid="settings-wrap-up-list-error">
                {t(`settings.wrapUp.errors.${listError}`)}
              </p>
            ) : null}
          </div>
        </div>
        <div className="field" data-managed={acwManaged ? 'true' : undefined} data-invalid={acwError ? 'true' : undefined}>
          <label htmlFor="settings-wrap-up-acw" className="field-label">
            {t('settings.wrapUp.acw')}
          </label>
          <div className="field-control">
            <input
              id="settings-wrap-up-acw"
              data-testid="settings-wrap-up-acw"
              type="text"
              inputMode="numeric"
              className="input"
              value={acw}
              disabled={acwManaged || busy}
              aria-invalid={acwError ? true : undefined}
              aria-describedby={acwError ? 'settings-wrap-up-acw-error' : 'settings-wrap-up-acw-hint'}
              onChange={(event) => {
                setAcw(event.target.value);
                setDirty(true);
                setMessage(null);
                if (acwError) setAcwError(parseAcwLimit(event.target.value) === null);
              }}
            />
            {acwManaged ? (
              <p className="field-note managed" data-testid="settings-wrap-up-acw-managed">
                {t('settings.managed')}
              </p>
            ) : null}
            <p id="settings-wrap-up-acw-hint" className="field-note">
              {t('settings.wrapUp.acwHint')}
            </p>
            {acwError ? (
              <p id="settings-wrap-up-acw-error" className="field-error" data-testid="settings-wrap-up-acw-error">
                {t('settings.wrapUp.errors.acw')}
              </p>
            ) : null}
          </div>
        </div>
      </fieldset>
      <div className="settings-actions">
        <button type="submit" className="button primary" data-testid="settings-wrap-up-save" disabled={busy || (categoriesManaged && acwManaged)}>
          {busy ? t('settings.wrapUp.saving') : t('settings.wrapUp.save')}
        </button>
        <p className="settings-message" role="status" data-testid="settings-wrap-up-message" data-tone={message?.tone ?? ''}>
          {message?.text ?? ''}
        </p>
      </div>
    </form>
  );
}

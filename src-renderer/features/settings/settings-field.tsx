import type { ReactElement, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface SettingsFieldProps {
  /** The control's id (it doubles as the test id); the notes add `-managed`, `-hint`, `-error`. */
  id: string;
  label: string;
  hint?: string | undefined;
  /** An i18n key, translated when drawn. */
  error?: string | undefined;
  managed: boolean;
  children: (describedBy: string | undefined) => ReactNode;
}

/** Label, control, and the notes under it (managed by IT, hint, validation error); every settings form draws its fields with it. */
export function SettingsField({ id, label, hint, error, managed, children }: SettingsFieldProps): ReactElement {
  const { t } = useTranslation();
  const notes = [managed ? `${id}-managed` : null, hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return (
    <div className="field" data-managed={managed ? 'true' : undefined} data-invalid={error ? 'true' : undefined}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <div className="field-control">
        {children(notes.length > 0 ? notes.join(' ') : undefined)}
        {managed ? (
          <p id={`${id}-managed`} className="field-note managed" data-testid={`${id}-managed`}>
            {t('settings.managed')}
          </p>
        ) : null}
        {hint ? (
          <p id={`${id}-hint`} className="field-note">
            {hint}
          </p>
        ) : null}
        {error ? (
          <p id={`${id}-error`} className="field-error" data-testid={`${id}-error`}>
            {t(error)}
          </p>
        ) : null}
      </div>
    </div>
  );
}

import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ConnectorField, ConnectorKind } from '../../../src-shared/connectors/connector-model';
import { groupFields, placeholderOf, visibleFields, type FieldErrors, type FieldValue, type FormValues } from './connector-form-model';
import { SettingsField } from './settings-field';

/** The element id of a field's control (unique per block: MIS and PBX forms may share a path); its test id is `connector-field-<path>`. */
export const connectorFieldId = (kind: ConnectorKind, path: string): string => `connector-${kind}-field-${path}`;

export interface ConnectorFormProps {
  kind: ConnectorKind;
  fields: readonly ConnectorField[];
  values: FormValues;
  errors: FieldErrors;
  /** Paths of the secrets the store holds for this connector. */
  secretsSet: readonly string[];
  disabled: boolean;
  onChange: (path: string, value: FieldValue) => void;
  onBlur: (path: string) => void;
}

/**
 * A connector's settings form drawn from its field list (the connector's own config schema):
 * group headings, label with a required mark, help and the allowed range under it, an editor
 * per type; a field whose `showWhen` does not hold is not drawn. A secret is a password box that
 * starts empty and says when one is stored ("leave empty to keep it").
 */
export function ConnectorForm({ kind, fields, values, errors, secretsSet, disabled, onChange, onBlur }: ConnectorFormProps): ReactElement {
  const { t } = useTranslation();
  const shown = visibleFields(fields, values);
  return (
    <div className="connector-form" data-testid={`connector-form-${kind}`}>
      {shown.length === 0 ? <p className="field-note">{t('connectors.form.noFields')}</p> : null}
      {groupFields(shown).map((run, index) => (
        <div className="connector-group" key={`${run.group ?? ''}-${index}`}>
          {run.group !== null ? <h4 className="connector-group-title">{run.group}</h4> : null}
          {run.fields.map((field) => (
            <ConnectorFieldRow
              key={field.path}
              kind={kind}
              field={field}
              value={values[field.path]}
              error={errors[field.path]}
              stored={secretsSet.includes(field.path)}
              disabled={disabled}
              onChange={onChange}
              onBlur={onBlur}
            />
          ))}
        </div>
      ))}
    </div>
  );
}

interface FieldRowProps {
  kind: ConnectorKind;
  field: ConnectorField;
  value: FieldValue | undefined;
  error: string | undefined;
  stored: boolean;
  disabled: boolean;
  onChange: (path: string, value: FieldValue) => void;
  onBlur: (path: string) => void;
}

function rangeNote(field: ConnectorField, t: TFunction): string | null {
  if (field.type !== 'integer' && field.type !== 'number') return null;
  if (field.min !== null && field.max !== null) return t('connectors.form.range', { min: field.min, max: field.max });
  if (field.min !== null) return t('connectors.form.atLeast', { min: field.min });
  if (field.max !== null) return t('connectors.form.atMost', { max: field.max });
  return null;
}

function ConnectorFieldRow({ kind, field, value, error, stored, disabled, onChange, onBlur }: FieldRowProps): ReactElement {
  const { t } = useTranslation();
  const id = connectorFieldId(kind, field.path);
  const testId = `connector-field-${field.path}`;
  const hint = [field.help, rangeNote(field, t)].filter(Boolean).join(' ') || undefined;
  const label = field.required ? `${field.label} *` : field.label;
  const text = typeof value === 'string' ? value : '';
  const common = {
    id,
    'data-testid': testId,
    disabled,
    'aria-invalid': error ? true : undefined,
    'aria-required': field.required || undefined,
    onBlur: () => onBlur(field.path),
  } as const;
  return (
    <SettingsField id={id} label={label} hint={hint} error={error ? `connectors.errors.${error}` : undefined} managed={false}>
      {(describedBy) => {
        switch (field.type) {
          case 'boolean':
            return (
              <input {...common} type="checkbox" className="checkbox" checked={value === true} aria-describedby={describedBy} onChange={(event) => onChange(field.path, event.target.checked)} />
            );
          case 'enum':
            return (
              <select {...common} className="input" value={text} aria-describedby={describedBy} onChange={(event) => onChange(field.path, event.target.value)}>
                {(field.options ?? []).some((option) => option.value === text) ? null : <option value={text}>{text === '' ? t('connectors.form.choose') : text}</option>}
                {(field.options ?? []).map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            );
          case 'textarea':
            return (
              <textarea
                {...common}
                className="input connector-textarea"
                rows={4}
                value={text}
                placeholder={placeholderOf(field)}
                spellCheck={false}
                aria-describedby={describedBy}
                onChange={(event) => onChange(field.path, event.target.value)}
              />
            );
          case 'secret':
            return (
              <div className="password-row">
                <input
                  {...common}
                  type="password"
                  className="input"
                  value={text}
                  placeholder={stored ? t('connectors.form.secretKeep') : undefined}
                  autoComplete="off"
                  aria-describedby={describedBy}
                  onChange={(event) => onChange(field.path, event.target.value)}
                />
                <span className={`pill ${stored ? 'pill-ok' : 'pill-muted'}`} data-testid={`${testId}-state`} data-state={stored ? 'stored' : 'not-set'}>
                  {stored ? t('connectors.form.secretStored') : t('connectors.form.secretNotSet')}
                </span>
              </div>
            );
          default:
            return (
              <input
                {...common}
                type={field.type === 'url' ? 'url' : 'text'}
                className="input"
                value={text}
                placeholder={placeholderOf(field)}
                inputMode={field.type === 'integer' ? 'numeric' : field.type === 'number' ? 'decimal' : undefined}
                spellCheck={false}
                autoComplete="off"
                aria-describedby={describedBy}
                onChange={(event) => onChange(field.path, event.target.value)}
              />
            );
        }
      }}
    </SettingsField>
  );
}

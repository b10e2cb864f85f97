import { useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ConnectorKind, ConnectorPreview } from '../../../src-shared/connectors/connector-model';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { MAPPABLE_CARD_FIELDS, type ConnectorConfig, type MappableCardField } from './connector-form-model';

export interface ConnectorPreviewPanelProps {
  kind: ConnectorKind;
  id: string;
  /** The form's config as it would be sent now (unsaved; secrets left empty come from the store). */
  config: () => ConnectorConfig;
  /** The form's mapping: card field → column. */
  mapping: Partial<Record<MappableCardField, string>>;
  onMap: (field: MappableCardField, column: string) => void;
  disabled: boolean;
}

/**
 * A file source's first rows (`connectors.preview`) and its column mapping: the file, encoding,
 * delimiter and row count as read, a table of the first rows, and a column choice per card
 * field, pre-selected with what the connector would use now; a choice goes into the form's
 * `mapping.<field>`. The rows are the clinic's own export shown on its own desk: drawn here
 * only, never logged or kept.
 */
export function ConnectorPreviewPanel({ kind, id, config, mapping, onMap, disabled }: ConnectorPreviewPanelProps): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const [preview, setPreview] = useState<ConnectorPreview | null>(null);
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<DeskErrorCode | null>(null);

  const load = async () => {
    setLoading(true);
    setFailure(null);
    try {
      setPreview(await desk.request('connectors.preview', { kind, id, config: config() }));
    } catch (error) {
      setPreview(null);
      setFailure(toDeskError(error).code);
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className="connector-preview-panel" data-testid={`connector-preview-panel-${kind}`}>
      <div className="connector-buttons">
        <button type="button" className="button" data-testid="connector-preview-load" disabled={disabled || loading} onClick={() => void load()}>
          {loading ? t('connectors.preview.loading') : t('connectors.preview.load')}
        </button>
      </div>
      {failure ? (
        <p className="notice bad" role="status" data-testid="connector-preview-error">
          {t('connectors.preview.failed', { reason: errorText({ code: failure }) })}
        </p>
      ) : null}
      {preview ? (
        <>
          <p className="field-note" data-testid="connector-preview-source">
            {t('connectors.preview.source', {
              file: preview.file ?? '—',
              encoding: preview.encoding ?? '—',
              delimiter: delimiterName(preview.delimiter, t),
              total: preview.totalRows,
            })}
          </p>
          {preview.columns.length === 0 ? (
            <p className="field-note" data-testid="connector-preview-empty">
              {t('connectors.preview.empty')}
            </p>
          ) : (
            <div className="connector-preview-scroll">
              <table className="connector-preview" data-testid="connector-preview">
                <thead>
                  <tr>
                    {preview.columns.map((column, index) => (
                      <th key={`${index}-${column}`} scope="col">
                        {column}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((row, rowIndex) => (
                    <tr key={rowIndex}>
                      {preview.columns.map((_column, index) => (
                        <td key={index}>{row[index] ?? ''}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <fieldset className="connector-mapping" data-testid="connector-mapping">
            <legend>{t('connectors.preview.mapping')}</legend>
            <p className="field-note">{t('connectors.preview.mappingHint')}</p>
            <div className="connector-mapping-grid">
              {MAPPABLE_CARD_FIELDS.map((field) => {
                const chosen = mapping[field] ?? preview.mapping[field] ?? '';
                const missing = chosen !== '' && !preview.columns.includes(chosen);
                const selectId = `connector-${kind}-mapping-${field}`;
                return (
                  <div className="connector-mapping-row" key={field}>
                    <label htmlFor={selectId}>{t(`connectors.preview.fields.${field}`)}</label>
                    <select
                      id={selectId}
                      className="input"
                      data-testid={`connector-mapping-${field}`}
                      value={chosen}
                      disabled={disabled}
                      onChange={(event) => onMap(field, event.target.value)}
                    >
                      <option value="">{t('connectors.preview.notMapped')}</option>
                      {missing ? <option value={chosen}>{t('connectors.preview.missingColumn', { column: chosen })}</option> : null}
                      {preview.columns.map((column, index) => (
                        <option key={`${index}-${column}`} value={column}>
                          {column}
                        </option>
                      ))}
                    </select>
                  </div>
                );
              })}
            </div>
          </fieldset>
        </>
      ) : null}
    </div>
  );
}

function delimiterName(delimiter: string | null, t: TFunction): string {
  switch (delimiter) {
    case null:
      return t('connectors.preview.delimiterNone');
    case ';':
      return t('connectors.preview.delimiterSemicolon');
    case ',':
      return t('connectors.preview.delimiterComma');
    case '\t':
      return t('connectors.preview.delimiterTab');
    default:
      return `«${delimiter}»`;
  }
}

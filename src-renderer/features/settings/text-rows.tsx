import type { ReactElement } from 'react';

/** One row of an editable list of texts (wrap-up categories, pause reasons). */
export interface TextRow {
  key: string;
  text: string;
}

let nextKey = 0;
/** Rows for a list of texts, each with a key of its own for React and for its error. */
export const textRowsFrom = (texts: readonly string[]): TextRow[] => texts.map((text) => ({ key: `t${nextKey++}`, text }));

interface TextRowsProps<E extends string> {
  rows: readonly TextRow[];
  errors: Readonly<Record<string, E>>;
  onChange(rows: TextRow[]): void;
  /** Managed by IT, or a save in flight. */
  disabled: boolean;
  /** Most rows; the add button stops there. At least one row always stays. */
  max: number;
  /** Longest text the rule allows (the input takes a little more, so the error can say so). */
  maxLength: number;
  /** The list's label element id, and the prefix of each row's id (`<idPrefix>-<key>`). */
  labelledBy: string;
  idPrefix: string;
  className: string;
  rowClassName: string;
  testIds: { row: string; remove: string; error: string; add: string };
  text: { row(n: number): string; remove: string; removeLabel?(n: number): string; add: string; error(error: E): string };
}

/**
 * An editable list of one-line texts: an input per row with its error, a remove button (never
 * for the last row) and an add button (up to `max`). The rules and their messages are the
 * caller's; this only lays the list out the same way everywhere in Settings.
 */
export function TextRows<E extends string>(props: TextRowsProps<E>): ReactElement {
  const { rows, errors, onChange, disabled, testIds, text } = props;
  return (
    <>
      <ol className={props.className} aria-labelledby={props.labelledBy}>
        {rows.map((row, index) => {
          const error = errors[row.key];
          const id = `${props.idPrefix}-${row.key}`;
          return (
            <li key={row.key} className={props.rowClassName} data-invalid={error ? 'true' : undefined}>
              <input
                id={id}
                type="text"
                className="input"
                data-testid={testIds.row}
                data-index={index}
                value={row.text}
                aria-label={text.row(index + 1)}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                disabled={disabled}
                maxLength={props.maxLength + 20}
                onChange={(event) => onChange(rows.map((r) => (r.key === row.key ? { ...r, text: event.target.value } : r)))}
              />
              <button
                type="button"
                className="button ghost"
                data-testid={testIds.remove}
                aria-label={text.removeLabel?.(index + 1)}
                disabled={disabled || rows.length <= 1}
                onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
              >
                {text.remove}
              </button>
              {error ? (
                <p id={`${id}-error`} className="field-error" data-testid={testIds.error}>
                  {text.error(error)}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
      <button type="button" className="button" data-testid={testIds.add} disabled={disabled || rows.length >= props.max} onClick={() => onChange([...rows, ...textRowsFrom([''])])}>
        {text.add}
      </button>
    </>
  );
}

import type { ConnectorField } from '../../../src-shared/connectors/connector-model';
import { MAPPABLE_CARD_FIELDS, type MappableCardField } from '../../../src-shared/connectors/connector-model';

/**
 * A connector's settings form, pure (docs/architecture.md, "Connectors"): the form's values by
 * dotted path (`baseUrl`, `auth.type`) read from and written back into the nested config, which
 * fields show (`showWhen`), the checks before a save or a test, and the config to send. The
 * fields come from the connector's own schema (`connectorFormFields`); main validates the config
 * again with that schema, so these checks only name a problem earlier, at its field.
 */

/** A field's value as the form edits it: text as typed, a checkbox as a boolean. */
export type FieldValue = string | boolean;
/** The form's values by field path. */
export type FormValues = Record<string, FieldValue>;
export type ConnectorConfig = Record<string, unknown>;

/** What is wrong with a field: an i18n key under `connectors.errors`. */
export type FieldError = 'required' | 'integer' | 'number' | 'belowMin' | 'aboveMax' | 'tooShort' | 'tooLong' | 'url';
export type FieldErrors = Record<string, FieldError>;

export { MAPPABLE_CARD_FIELDS, type MappableCardField };

/** Where a card field's column is kept in the config. */
export const mappingPath = (field: MappableCardField): string => `mapping.${field}`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path of a nested config, or undefined. */
export function configValue(config: ConnectorConfig, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** A copy of the config with `value` at the dotted path (objects made on the way). */
export function withConfigValue(config: ConnectorConfig, path: string, value: unknown): ConnectorConfig {
  const [key, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...config, [key]: value };
  const child = isRecord(config[key]) ? config[key] : {};
  return { ...config, [key]: withConfigValue(child, rest.join('.'), value) };
}

/** A copy of the config without the dotted path; objects left empty by it are removed too. */
export function withoutConfigValue(config: ConnectorConfig, path: string): ConnectorConfig {
  const [key, ...rest] = path.split('.') as [string, ...string[]];
  if (!Object.hasOwn(config, key)) return config;
  const { [key]: child, ...others } = config;
  if (rest.length === 0) return others;
  if (!isRecord(child)) return config;
  const trimmed = withoutConfigValue(child, rest.join('.'));
  return Object.keys(trimmed).length === 0 ? others : { ...config, [key]: trimmed };
}

/**
 * The form's first values from a config: what it holds, else the default for a checkbox or a
 * choice (they always show a value); text boxes stay empty and show the default as their
 * placeholder. Secrets always start empty: the window never has them.
 */
export function initialValues(fields: readonly ConnectorField[], config: ConnectorConfig): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const stored = configValue(config, field.path);
    switch (field.type) {
      case 'secret':
        values[field.path] = '';
        break;
      case 'boolean':
        values[field.path] = typeof stored === 'boolean' ? stored : field.defaultValue === true;
        break;
      case 'enum': {
        const value = typeof stored === 'string' || typeof stored === 'number' ? String(stored) : null;
        values[field.path] = value ?? (field.defaultValue !== null ? String(field.defaultValue) : (field.options?.[0]?.value ?? ''));
        break;
      }
      default:
        values[field.path] = typeof stored === 'string' || typeof stored === 'number' ? String(stored) : '';
    }
  }
  return values;
}

/** The text a box shows while empty: the schema's default. */
export function placeholderOf(field: ConnectorField): string | undefined {
  if (field.type === 'secret' || field.type === 'boolean' || field.type === 'enum') return undefined;
  return field.defaultValue !== null && field.defaultValue !== '' ? String(field.defaultValue) : undefined;
}

/** Shown when it has no `showWhen`, or the field it depends on is shown and has the value. */
export function isFieldShown(field: ConnectorField, fields: readonly ConnectorField[], values: FormValues, seen: ReadonlySet<string> = new Set()): boolean {
  if (field.showWhen === null) return true;
  const { path, equals } = field.showWhen;
  if (values[path] !== equals) return false;
  const controller = fields.find((candidate) => candidate.path === path);
  if (controller === undefined || seen.has(path)) return true;
  return isFieldShown(controller, fields, values, new Set([...seen, field.path]));
}

export function visibleFields(fields: readonly ConnectorField[], values: FormValues): ConnectorField[] {
  return fields.filter((field) => isFieldShown(field, fields, values));
}

/** The same field list in runs that share a group heading, in the schema's order. */
export function groupFields(fields: readonly ConnectorField[]): { group: string | null; fields: ConnectorField[] }[] {
  const runs: { group: string | null; fields: ConnectorField[] }[] = [];
  for (const field of fields) {
    const last = runs.at(-1);
    if (last && last.group === field.group) last.fields.push(field);
    else runs.push({ group: field.group, fields: [field] });
  }
  return runs;
}

/** A number as typed (a decimal comma accepted), or NaN. */
function parseNumber(text: string, integer: boolean): number {
  const trimmed = text.trim();
  if (integer ? !/^[-+]?\d{1,15}$/.test(trimmed) : !/^[-+]?(\d{1,15}([.,]\d{0,15})?|[.,]\d{1,15})$/.test(trimmed)) return Number.NaN;
  return Number(trimmed.replace(',', '.'));
}

/** What the config gets for a shown field, or `undefined` when nothing is to be sent (left empty). */
function sentValue(field: ConnectorField, value: FieldValue | undefined): unknown {
  if (field.type === 'boolean') return value === true;
  const text = typeof value === 'string' ? value : '';
  if (field.type === 'secret') return text === '' ? undefined : text;
  if (text.trim() === '') return undefined;
  if (field.type === 'integer' || field.type === 'number') return parseNumber(text, field.type === 'integer');
  return field.type === 'textarea' ? text : text.trim();
}

/** What is wrong with one shown field as typed, or null. A stored secret left empty is kept, so it is not missing. */
export function validateField(field: ConnectorField, value: FieldValue | undefined, secretStored: boolean): FieldError | null {
  if (field.type === 'boolean') return null;
  const text = typeof value === 'string' ? value : '';
  if (field.type === 'secret' ? text === '' : text.trim() === '') return field.required && !(field.type === 'secret' && secretStored) ? 'required' : null;
  if (field.type === 'integer' || field.type === 'number') {
    const number = parseNumber(text, field.type === 'integer');
    if (Number.isNaN(number)) return field.type;
    if (field.min !== null && number < field.min) return 'belowMin';
    if (field.max !== null && number > field.max) return 'aboveMax';
    return null;
  }
  if (field.type === 'enum') return null;
  const sent = field.type === 'secret' || field.type === 'textarea' ? text : text.trim();
  if (field.min !== null && sent.length < field.min) return 'tooShort';
  if (field.max !== null && sent.length > field.max) return 'tooLong';
  if (field.type === 'url' && !URL.canParse(sent)) return 'url';
  return null;
}

/** Every shown field's problem, by path, in the form's order. */
export function validateForm(fields: readonly ConnectorField[], values: FormValues, secretsSet: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of visibleFields(fields, values)) {
    const error = validateField(field, values[field.path], secretsSet.includes(field.path));
    if (error) errors[field.path] = error;
  }
  return errors;
}

/**
 * The config to send (save or test): `base` (what the connector had: keys the form does not
 * edit, e.g. a column mapping, are kept) with every form field replaced by its value. A hidden
 * field is not sent, nor an empty one (the schema's default applies), nor a secret left empty
 * (main keeps the stored one); numbers go as numbers.
 */
export function buildConfig(fields: readonly ConnectorField[], values: FormValues, base: ConnectorConfig): ConnectorConfig {
  let config = base;
  for (const field of fields) config = withoutConfigValue(config, field.path);
  for (const field of visibleFields(fields, values)) {
    const value = sentValue(field, values[field.path]);
    if (value !== undefined) config = withConfigValue(config, field.path, value);
  }
  return config;
}

/** The column each card field is mapped to in the form (a form field, else the config's `mapping`). */
export function mappingOf(fields: readonly ConnectorField[], values: FormValues, base: ConnectorConfig): Partial<Record<MappableCardField, string>> {
  const config = buildConfig(fields, values, base);
  const mapping: Partial<Record<MappableCardField, string>> = {};
  for (const field of MAPPABLE_CARD_FIELDS) {
    const column = configValue(config, mappingPath(field));
    if (typeof column === 'string' && column !== '') mapping[field] = column;
  }
  return mapping;
}

/**
 * Maps a card field to a column (`''`: to none) in the form: into the field's value when the
 * schema has a form field for it, else into the config the form keeps beside its fields.
 */
export function withMapping(
  fields: readonly ConnectorField[],
  values: FormValues,
  base: ConnectorConfig,
  cardField: MappableCardField,
  column: string,
): { values: FormValues; base: ConnectorConfig } {
  const path = mappingPath(cardField);
  if (fields.some((field) => field.path === path)) return { values: { ...values, [path]: column }, base };
  return { values, base: column === '' ? withoutConfigValue(base, path) : withConfigValue(base, path, column) };
}

/** The config without the values of its secret fields (what the window keeps after sending them). */
export function withoutSecrets(fields: readonly ConnectorField[], config: ConnectorConfig): ConnectorConfig {
  return fields.filter((field) => field.type === 'secret').reduce((rest, field) => withoutConfigValue(rest, field.path), config);
}

/** Two configs hold the same values (key order aside). */
export function configsEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => configsEqual(item, b[index]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && configsEqual(a[key], b[key]));
}

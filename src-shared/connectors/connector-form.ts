import type { ConnectorField, ConnectorFieldType } from './connector-model';
import { isSecretConfigKey } from './connector-model';

/**
 * The settings form of a connector, read from its config schema as JSON Schema (a built-in's
 * zod schema through `z.toJSONSchema`, a plugin's as it ships it). Understood: objects (nested
 * ones become a group), `oneOf` branches told apart by a `const` key (an `enum` field, the
 * branches' fields shown only while it has their value), strings (`format: uri` → url), integers,
 * numbers, booleans, enums, nullable (`anyOf` with null). Anything else is left out of the form.
 *
 * Labels come from `title` / `description`, or `title_ru` / `description_ru` for Russian;
 * `optionLabels` (`optionLabels_ru`) name an enum's values; `widget: 'textarea' | 'path'` picks
 * the editor; `secret: true` (or a key in `SECRET_CONFIG_KEYS`) makes a password box.
 */
export function connectorFormFields(schema: unknown, language: 'ru' | 'en' = 'en'): ConnectorField[] {
  const fields: ConnectorField[] = [];
  walkObject(asNode(schema), '', null, null, language, fields);
  return fields;
}

type JsonNode = Record<string, unknown>;

function asNode(value: unknown): JsonNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonNode) : {};
}

function text(node: JsonNode, key: 'title' | 'description', language: 'ru' | 'en'): string | null {
  const localised = language === 'ru' ? node[`${key}_ru`] : undefined;
  const value = typeof localised === 'string' ? localised : node[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function walkObject(node: JsonNode, prefix: string, group: string | null, showWhen: ConnectorField['showWhen'], language: 'ru' | 'en', out: ConnectorField[]): void {
  const properties = asNode(node.properties);
  const required = Array.isArray(node.required) ? (node.required as unknown[]).filter((key): key is string => typeof key === 'string') : [];
  for (const [key, raw] of Object.entries(properties)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    walkValue(asNode(raw), key, path, required.includes(key), group, showWhen, language, out);
  }
}

function walkValue(
  raw: JsonNode,
  key: string,
  path: string,
  required: boolean,
  group: string | null,
  showWhen: ConnectorField['showWhen'],
  language: 'ru' | 'en',
  out: ConnectorField[],
): void {
  const node = unwrapNullable(raw);
  const nullable = node !== raw;
  if (Array.isArray(node.oneOf) || (Array.isArray(node.anyOf) && !nullable)) {
    walkBranches(node, path, group ?? text(node, 'title', language), showWhen, language, out);
    return;
  }
  if (node.type === 'object' && node.properties !== undefined) {
    walkObject(node, path, text(node, 'title', language) ?? group, showWhen, language, out);
    return;
  }
  const type = fieldType(node, key);
  if (type === null) return;
  const options = Array.isArray(node.enum) ? enumOptions(node, node.enum, language) : null;
  const defaultValue = node.default;
  out.push({
    path,
    type,
    label: text(node, 'title', language) ?? key,
    help: text(node, 'description', language),
    required: required && !nullable && defaultValue === undefined,
    options,
    min: numberOrNull(node.minimum ?? node.minLength),
    max: numberOrNull(node.maximum ?? node.maxLength),
    defaultValue: typeof defaultValue === 'string' || typeof defaultValue === 'number' || typeof defaultValue === 'boolean' ? defaultValue : null,
    showWhen,
    group,
  });
}

/** `oneOf` object branches with a shared `const` key: that key becomes an enum; each branch's other fields show with its value. */
function walkBranches(node: JsonNode, path: string, group: string | null, showWhen: ConnectorField['showWhen'], language: 'ru' | 'en', out: ConnectorField[]): void {
  const branches = ((node.oneOf ?? node.anyOf) as unknown[]).map(asNode).filter((branch) => branch.type === 'object');
  const discriminator = findDiscriminator(branches);
  if (discriminator === null) return;
  const values = branches.map((branch) => String(asNode(asNode(branch.properties)[discriminator]).const));
  const labelKey = language === 'ru' ? 'optionLabels_ru' : 'optionLabels';
  const labels = asNode(node[labelKey] ?? node.optionLabels);
  out.push({
    path: `${path}.${discriminator}`,
    type: 'enum',
    label: text(node, 'title', language) ?? discriminator,
    help: text(node, 'description', language),
    required: true,
    options: branches.map((branch, i) => ({ value: values[i]!, label: typeof labels[values[i]!] === 'string' ? (labels[values[i]!] as string) : (text(branch, 'title', language) ?? values[i]!) })),
    min: null,
    max: null,
    defaultValue: typeof node.default === 'object' && node.default !== null ? String(asNode(node.default)[discriminator] ?? values[0]) : (values[0] ?? null),
    showWhen,
    group,
  });
  branches.forEach((branch, i) => {
    const rest = { ...branch, properties: Object.fromEntries(Object.entries(asNode(branch.properties)).filter(([key]) => key !== discriminator)) };
    walkObject(rest, path, group, { path: `${path}.${discriminator}`, equals: values[i]! }, language, out);
  });
}

function findDiscriminator(branches: JsonNode[]): string | null {
  if (branches.length === 0) return null;
  const first = asNode(branches[0]!.properties);
  for (const key of Object.keys(first)) {
    if (branches.every((branch) => asNode(asNode(branch.properties)[key]).const !== undefined)) return key;
  }
  return null;
}

function unwrapNullable(node: JsonNode): JsonNode {
  if (Array.isArray(node.type) && node.type.includes('null')) {
    const types = (node.type as unknown[]).filter((type) => type !== 'null');
    return { ...node, type: types.length === 1 ? types[0] : types };
  }
  const alternatives = node.anyOf ?? node.oneOf;
  if (!Array.isArray(alternatives)) return node;
  const nonNull = alternatives.map(asNode).filter((alt) => alt.type !== 'null');
  if (nonNull.length === 1 && nonNull.length < alternatives.length) return { ...nonNull[0], ...pick(node, ['title', 'description', 'title_ru', 'description_ru', 'default', 'widget', 'secret', 'optionLabels', 'optionLabels_ru']) };
  return node;
}

function pick(node: JsonNode, keys: string[]): JsonNode {
  return Object.fromEntries(keys.filter((key) => node[key] !== undefined).map((key) => [key, node[key]]));
}

function fieldType(node: JsonNode, key: string): ConnectorFieldType | null {
  if (node.secret === true || (node.type === 'string' && isSecretConfigKey(key))) return 'secret';
  if (Array.isArray(node.enum)) return 'enum';
  if (node.widget === 'textarea' || node.widget === 'path') return node.widget;
  switch (node.type) {
    case 'string':
      return node.format === 'uri' ? 'url' : 'text';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return null;
  }
}

function enumOptions(node: JsonNode, values: unknown[], language: 'ru' | 'en'): { value: string; label: string }[] {
  const labels = asNode(language === 'ru' ? (node.optionLabels_ru ?? node.optionLabels) : node.optionLabels);
  return values.filter((value) => typeof value === 'string' || typeof value === 'number').map((value) => ({ value: String(value), label: typeof labels[String(value)] === 'string' ? (labels[String(value)] as string) : String(value) }));
}

/** A limit worth showing: not the ±2^53 zod puts on every integer. */
function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : null;
}

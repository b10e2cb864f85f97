import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorFormFields } from './connector-form';

const schema = z
  .object({
    baseUrl: z.url().meta({ title: 'Base URL', title_ru: 'Адрес сервера', description: 'Where the FHIR API lives', format: 'uri' }),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('none') }).meta({ title: 'None', title_ru: 'Без входа' }),
        z.object({ type: z.literal('basic'), user: z.string().min(1).meta({ title: 'User' }), password: z.string().meta({ title: 'Password' }) }).meta({ title: 'Basic' }),
        z.object({ type: z.literal('bearer'), token: z.string().meta({ title: 'Token' }) }).meta({ title: 'Bearer token' }),
      ])
      .meta({ title: 'Sign-in', title_ru: 'Вход' }),
    pageSize: z.number().int().min(1).max(1000).default(100).meta({ title: 'Page size' }),
    encoding: z.enum(['auto', 'utf-8', 'windows-1251']).default('auto').meta({ optionLabels_ru: { auto: 'Определять', 'utf-8': 'UTF-8', 'windows-1251': 'Windows-1251' } }),
    usePolling: z.boolean().optional(),
    note: z.string().nullable().meta({ widget: 'textarea' }),
    mapping: z.object({ surname: z.string().optional() }).meta({ title: 'Columns', title_ru: 'Столбцы' }),
  })
  .strict();

const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

describe('connectorFormFields', () => {
  it('renders every field of the schema with its type, in order', () => {
    const fields = connectorFormFields(json);
    expect(fields.map((f) => [f.path, f.type])).toEqual([
      ['baseUrl', 'url'],
      ['auth.type', 'enum'],
      ['auth.user', 'text'],
      ['auth.password', 'secret'],
      ['auth.token', 'secret'],
      ['pageSize', 'integer'],
      ['encoding', 'enum'],
      ['usePolling', 'boolean'],
      ['note', 'textarea'],
      ['mapping.surname', 'text'],
    ]);
  });

  it('shows a branch of a choice only while the choice has its value', () => {
    const fields = connectorFormFields(json);
    expect(fields.find((f) => f.path === 'auth.type')?.options).toEqual([
      { value: 'none', label: 'None' },
      { value: 'basic', label: 'Basic' },
      { value: 'bearer', label: 'Bearer token' },
    ]);
    expect(fields.find((f) => f.path === 'auth.password')?.showWhen).toEqual({ path: 'auth.type', equals: 'basic' });
    expect(fields.find((f) => f.path === 'auth.token')?.showWhen).toEqual({ path: 'auth.type', equals: 'bearer' });
    expect(fields.find((f) => f.path === 'baseUrl')?.showWhen).toBeNull();
  });

  it('carries limits, defaults and what is required; a field with a default or null is not required', () => {
    const fields = connectorFormFields(json);
    expect(fields.find((f) => f.path === 'pageSize')).toMatchObject({ min: 1, max: 1000, defaultValue: 100, required: false });
    expect(fields.find((f) => f.path === 'baseUrl')).toMatchObject({ required: true, help: 'Where the FHIR API lives' });
    expect(fields.find((f) => f.path === 'note')?.required).toBe(false);
    expect(fields.find((f) => f.path === 'usePolling')?.required).toBe(false);
  });

  it('labels in Russian where the schema has them, else the English title, else the key', () => {
    const fields = connectorFormFields(json, 'ru');
    expect(fields.find((f) => f.path === 'baseUrl')?.label).toBe('Адрес сервера');
    expect(fields.find((f) => f.path === 'auth.type')?.label).toBe('Вход');
    expect(fields.find((f) => f.path === 'auth.type')?.options?.[0]).toEqual({ value: 'none', label: 'Без входа' });
    expect(fields.find((f) => f.path === 'encoding')?.options?.[0]).toEqual({ value: 'auto', label: 'Определять' });
    expect(fields.find((f) => f.path === 'mapping.surname')).toMatchObject({ label: 'surname', group: 'Столбцы' });
  });

  it('gives an empty form for something that is not a schema, and skips keys that are not plain names', () => {
    expect(connectorFormFields(null)).toEqual([]);
    expect(connectorFormFields('nonsense')).toEqual([]);
    expect(connectorFormFields({ type: 'object', properties: { 'a.b': { type: 'string' }, __proto__x: { type: 'string' }, ok: { type: 'string' } } }).map((f) => f.path)).toEqual(['__proto__x', 'ok']);
  });
});

import { describe, expect, it } from 'vitest';
import en from './locales/en.json';
import ru from './locales/ru.json';
import { STATUS_DETAILS } from '../../src-shared/status/system-status';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const ruKeys = flatten(ru as Tree);
const enKeys = flatten(en as Tree);

// The renderer's own sources as text (vite's glob; the renderer may not import node:fs).
const sources = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.{ts,tsx}', '!../test-support/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('locales', () => {
  it('ru and en have exactly the same keys', () => {
    expect([...enKeys.keys()].sort()).toEqual([...ruKeys.keys()].sort());
  });

  it('has no empty strings and the same {{placeholders}} in both languages', () => {
    for (const [key, value] of ruKeys) {
      expect(value.trim(), `ru ${key}`).not.toBe('');
      expect(enKeys.get(key)?.trim(), `en ${key}`).not.toBe('');
      const placeholders = (text: string) => [...text.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();
      expect(placeholders(enKeys.get(key) ?? ''), key).toEqual(placeholders(value));
    }
  });

  it('every literal key the renderer passes to t() exists', () => {
    const missing: string[] = [];
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    for (const [file, text] of Object.entries(sources)) {
      for (const match of text.matchAll(/(?:\bt\(\s*|\bkey: )'([a-zA-Z0-9_.-]+)'/g)) {
        const key = match[1]!;
        if (!ruKeys.has(key)) missing.push(`${file}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('status details', () => {
  it('every reason the core can report has a sentence in both languages', () => {
    for (const [language, locale] of [['ru', ru], ['en', en]] as const) {
      const details = (locale as { status: { detail: Record<string, string> } }).status.detail;
      for (const key of STATUS_DETAILS) expect(details[key], `${language}: status.detail.${key}`).toBeTruthy();
    }
  });
});

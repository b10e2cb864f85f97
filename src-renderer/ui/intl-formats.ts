/**
 * Shared `Intl` formatters. Building one costs about a millisecond (locale data is resolved each
 * time) and a ring re-renders the clocks and ages on screen, so each (language, options) pair
 * is built once and reused. Options objects must be plain data (they are the cache key).
 */
const CACHE_LIMIT = 64;

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function cached<T>(cache: Map<string, T>, language: string, options: object | undefined, build: () => T): T {
  const key = `${language}\u0000${JSON.stringify(options ?? {})}`;
  const existing = cache.get(key);
  if (existing) return existing;
  const made = build();
  // Languages and option sets are few; the limit only guards against a caller that varies them.
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, made);
  return made;
}

export function dateTimeFormat(language: string, options?: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached(dateTimeFormats, language, options, () => new Intl.DateTimeFormat(language, options));
}

export function numberFormat(language: string, options?: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(numberFormats, language, options, () => new Intl.NumberFormat(language, options));
}

// Module hooks that let Node (22, --experimental-transform-types) run this repo's TypeScript
// directly: relative imports are written without an extension (Bundler resolution), so a
// specifier that does not resolve as written is retried with `.ts` and `/index.ts`.
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!(specifier.startsWith('.') || specifier.startsWith('/')) || (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw error;
    for (const suffix of ['.ts', '/index.ts']) {
      try {
        return await nextResolve(specifier + suffix, context);
      } catch {
        // try the next form
      }
    }
    throw error;
  }
}

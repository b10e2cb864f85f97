// The package ships index.d.ts but its package.json "exports" map has no "types" entry, so
// TypeScript's Bundler resolution cannot see it. Point the bare specifier at those typings.
declare module 'better-sqlite3-multiple-ciphers' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports -- an ambient module may not import a relative path; a type query may
  type Typings = typeof import('../../../node_modules/better-sqlite3-multiple-ciphers/index.d.ts');
  const Database: Typings;
  export = Database;
}

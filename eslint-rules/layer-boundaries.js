// @ts-check
/**
 * registratura/layer-boundaries — what each layer may import, as an allow-list (README.md here):
 *   LAYERS: per layer, the packages it may import by name and the folders it may import by
 *   relative path; anything not listed is refused, with the reason.
 *   RENDERER_AREAS: inside src-renderer, which folders each folder may import; another feature
 *   only through its public `index.ts`; `test-support/` only from test code.
 * Relative imports are resolved against the file, so `../../src-main/…` is caught as well.
 * Import cycles are `import-x/no-cycle`'s job (eslint.config.js).
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** Packages test code may import on top of its layer's list. */
const TEST_PACKAGES = ['vitest', 'fast-check', '@testing-library/react', '@testing-library/dom', 'write-excel-file'];

/**
 * @typedef {{
 *   folder: string,
 *   packages: string[],
 *   folders: string[],
 *   refuse?: (pkg: string) => string | null,
 *   only?: Record<string, string[]>,
 * }} Layer
 * `packages`: package names ('node:*' = the Node built-ins, as `node:fs` or `fs`); a subpath
 * (`zustand/vanilla`) counts as its package. `folders`: what relative imports may reach.
 * `refuse`: a specific reason for a package that is known not to belong here.
 * `only`: for a listed package, the only specifiers this layer may import from it.
 */

const isElectronFamily = (/** @type {string} */ pkg) => pkg === 'electron' || pkg.startsWith('electron-') || pkg.startsWith('@electron/');
const isNativeOrServer = (/** @type {string} */ pkg) => pkg === 'ws' || pkg.startsWith('better-sqlite3');

/** @type {Record<string, Layer>} */
export const LAYERS = {
  shared: {
    folder: 'src-shared',
    packages: ['zod'],
    folders: ['src-shared'],
    refuse: () => 'src-shared is pure and imports only zod',
  },
  core: {
    folder: 'src-main/core',
    packages: ['node:*', 'zod', 'libphonenumber-js', 'better-sqlite3-multiple-ciphers', 'papaparse', 'read-excel-file', 'chokidar', 'electron-log', 'fflate'],
    folders: ['src-shared', 'src-main/core'],
    // electron-log's Node entry is its file transport without electron; its main entry loads electron.
    only: { 'electron-log': ['electron-log/node.js'] },
    refuse: (pkg) =>
      isElectronFamily(pkg)
        ? 'the core runs in both hosts and never imports electron (electron and electron-store belong in src-main/electron)'
        : pkg === 'ws'
          ? 'the WebSocket server is the browser host’s (src-main/web)'
          : null,
  },
  electron: {
    folder: 'src-main/electron',
    packages: ['node:*', 'electron', 'electron-store'],
    folders: ['src-shared', 'src-main/core', 'src-main/electron'],
  },
  web: {
    folder: 'src-main/web',
    packages: ['node:*', 'ws'],
    folders: ['src-shared', 'src-main/core', 'src-main/web'],
    refuse: (pkg) => (isElectronFamily(pkg) ? 'the browser host runs without electron' : null),
  },
  preload: {
    folder: 'src-preload',
    packages: ['electron'],
    folders: ['src-preload', 'src-shared/ipc'],
    refuse: () => 'the preload may import only electron and the contract',
  },
  renderer: {
    folder: 'src-renderer',
    packages: ['react', 'react-dom', 'zustand', 'i18next', 'react-i18next', 'sip.js', '@tanstack/react-virtual', 'uplot', 'recharts', 'zod'],
    folders: ['src-renderer', 'src-shared'],
    refuse: (pkg) =>
      isElectronFamily(pkg)
        ? 'the renderer talks to main only through the contract (window.desk)'
        : pkg === 'node:*' || isNativeOrServer(pkg)
          ? 'the renderer is sandboxed and has no Node (ws and the native SQLite module run in main)'
          : null,
  },
};

/**
 * Inside src-renderer: which folders each folder may import besides itself and src-shared.
 * `features` means another feature's public `index.ts` (a feature's own files import each other
 * freely). Test code may also import `test-support`, `app` and `i18n` (to set the desk up).
 * @type {Record<string, { may: string[], why?: string }>}
 */
export const RENDERER_AREAS = {
  '(entry)': { may: ['app', 'bridge', 'diagnostics', 'i18n', 'styles'] },
  app: { may: ['bridge', 'diagnostics', 'features', 'i18n', 'softphone', 'ui', 'styles'] },
  features: { may: ['app', 'bridge', 'diagnostics', 'features', 'softphone', 'ui', 'styles'] },
  softphone: { may: ['diagnostics'], why: 'the softphone knows SIP and the Phone interface, not the UI' },
  bridge: { may: [], why: 'the bridge is the transport to main and knows nothing of the UI' },
  diagnostics: { may: [], why: 'diagnostics/ is a leaf every part reports through' },
  i18n: { may: [], why: 'i18n holds the locales only' },
  ui: { may: ['styles'], why: 'ui/ holds shared components and knows nothing of the shell (app/) or the features' },
  'test-support': { may: ['app', 'bridge', 'diagnostics', 'features', 'i18n', 'softphone', 'ui', 'styles'] },
  styles: { may: [] },
};
const TEST_MAY_ALSO = ['test-support', 'app', 'i18n'];

/** @param {string} rel a root-relative path with '/' */
const within = (rel, /** @type {string} */ folder) => rel === folder || rel.startsWith(`${folder}/`);

/** @param {string} rel @returns {keyof typeof LAYERS | null} */
function layerOf(rel) {
  for (const [name, layer] of Object.entries(LAYERS)) if (within(rel, layer.folder)) return name;
  return null;
}

/**
 * The renderer folder a path is in: `(entry)` for src-renderer's own files, `features/<name>`,
 * or its first folder. An import of `features/<name>` itself is that feature's index.ts; a file
 * lying loose in `features/` is in no feature (`features/`).
 * @param {string} rel @param {boolean} isImport
 */
function areaOf(rel, isImport) {
  const parts = rel.split('/').slice(1);
  if (parts.length <= 1) return '(entry)';
  if (parts[0] === 'features') return parts.length > 2 || isImport ? `features/${parts[1]}` : 'features/';
  return parts[0] ?? '';
}

/** The RENDERER_AREAS key of an area: every `features/<name>` is `features`. @param {string} area */
const kindOf = (area) => (area.startsWith('features/') && area !== 'features/' ? 'features' : area);

/** @param {string} specifier */
function packageOf(specifier) {
  if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0] ?? '')) return 'node:*';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Test files, and helpers that only tests use (`testing/`, `test-support/`, `*test-support.ts`). @param {string} rel */
const isTestCode = (rel) => /\.test\.tsx?$/.test(rel) || /(^|\/)(testing|test-support)\//.test(rel) || /(^|[/-])test-support\.tsx?$/.test(rel);

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Allow each layer (and each renderer folder) only the imports its allow-list names.' },
    schema: [],
    messages: {
      forbidden: '{{from}} may not import "{{specifier}}": {{why}}',
      misplaced: '{{file}} is in no layer the rule knows: put it in {{where}}',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const fileRel = path.relative(root, file).split(path.sep).join('/');
    const layerName = layerOf(fileRel);
    const area = layerName === 'renderer' ? areaOf(fileRel, false) : null;
    /** @param {string} where */
    const misplaced = (where) => ({
      /** @param {import('estree').Program} node */
      Program(node) {
        context.report({ node, messageId: 'misplaced', data: { file: fileRel, where } });
      },
    });
    if (!layerName) return within(fileRel, 'src-main') ? misplaced('src-main/core, src-main/electron or src-main/web') : {};
    if (area && !(kindOf(area) in RENDERER_AREAS)) return misplaced(`a folder of RENDERER_AREAS (eslint-rules/layer-boundaries.js): ${Object.keys(RENDERER_AREAS).join(', ')}`);
    const layer = LAYERS[layerName];
    const testCode = isTestCode(fileRel);
    const from = area ? `src-renderer/${area === '(entry)' ? path.basename(fileRel) : area}` : layer.folder;

    /** @param {import('estree').Node} node @param {unknown} value @param {string[] | null} importedNames */
    function check(node, value, importedNames = null) {
      if (typeof value !== 'string') return;
      const specifier = value;
      const report = (/** @type {string} */ why) => context.report({ node, messageId: 'forbidden', data: { from, specifier, why } });

      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = path.resolve(path.dirname(file), specifier.replace(/[?#].*$/, ''));
        const rel = path.relative(root, target).split(path.sep).join('/');
        if (!layer.folders.some((folder) => within(rel, folder))) {
          report(`it reaches into ${rel || specifier}, which this layer must not depend on (it may import ${layer.folders.join(', ')})`);
          return;
        }
        if (area && within(rel, 'src-renderer')) checkRendererEdge(rel, report);
        return;
      }

      const pkg = packageOf(specifier);
      if (layer.packages.includes(pkg)) {
        const only = layer.only?.[pkg];
        if (only && !only.includes(specifier)) {
          report(`only ${only.join(', ')} may be imported from ${pkg} here`);
          return;
        }
        if (layerName === 'preload' && importedNames && importedNames.some((n) => n !== 'contextBridge' && n !== 'ipcRenderer')) {
          report(`only contextBridge and ipcRenderer may be taken from electron (found ${importedNames.join(', ')})`);
        }
        return;
      }
      if (testCode && TEST_PACKAGES.includes(pkg)) return;
      report(layer.refuse?.(pkg) ?? `it is not in ${layer.folder}'s allow-list (${layer.packages.join(', ')}); see eslint-rules/layer-boundaries.js`);
    }

    /** @param {string} rel the import's target @param {(why: string) => void} report */
    function checkRendererEdge(rel, report) {
      const targetArea = areaOf(rel, true);
      if (targetArea === area) return;
      // The entry loads every stylesheet itself, in one order that is the cascade (a stylesheet carries no code).
      if (area === '(entry)' && rel.endsWith('.css')) return;
      const own = RENDERER_AREAS[kindOf(area ?? '')];
      if (!own) return;
      const kind = kindOf(targetArea);
      const may = testCode ? [...own.may, ...TEST_MAY_ALSO] : own.may;
      if (!(kind in RENDERER_AREAS) || kind === '(entry)') {
        report(`${rel} is not in a renderer folder others may import (RENDERER_AREAS in eslint-rules/layer-boundaries.js)`);
      } else if (!may.includes(kind)) {
        const only = own.may.length ? `may import only ${own.may.join(', ')} (and src-shared)` : 'may import only itself and src-shared';
        report(`${area}/ ${only}${kind === 'test-support' ? '; test-support/ is for tests' : ''}${own.why ? `: ${own.why}` : ''}`);
      } else if (kind === 'features' && !/^src-renderer\/features\/[^/]+(\/index(\.tsx?)?)?$/.test(rel)) {
        report(`another feature is reached only through its public index.ts ("${targetArea}"), not its internals`);
      }
    }

    return {
      ImportDeclaration(node) {
        const names = node.specifiers.map((s) =>
          s.type === 'ImportSpecifier' ? (s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value)) : '*',
        );
        check(node, node.source.value, names);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value);
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value);
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, node.source.value);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0].value);
        }
      },
    };
  },
};

export default { rules: { 'layer-boundaries': rule } };

// @ts-check
/**
 * registratura/layer-boundaries — the import rules that keep the layers honest:
 *   src-shared (pure: zod only) ← src-main/core (Node, never electron) ← src-main/electron | src-main/web
 *   src-preload: electron's contextBridge/ipcRenderer + src-shared/ipc only
 *   src-renderer: src-shared + itself; never electron, node:* or a Node built-in
 * Relative imports are resolved against the file, so `../../src-main/…` is caught as well.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** @param {string} file @param {string} root */
function layerOf(file, root) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel.startsWith('src-shared/')) return 'shared';
  if (rel.startsWith('src-main/core/')) return 'core';
  if (rel.startsWith('src-main/electron/')) return 'electron';
  if (rel.startsWith('src-main/web/')) return 'web';
  if (rel.startsWith('src-main/')) return 'main-other';
  if (rel.startsWith('src-preload/')) return 'preload';
  if (rel.startsWith('src-renderer/')) return 'renderer';
  return null;
}

/** Which layers each layer may import from by relative path. */
const MAY_IMPORT = {
  shared: ['shared'],
  core: ['shared', 'core'],
  electron: ['shared', 'core', 'electron'],
  web: ['shared', 'core', 'web'],
  'main-other': ['shared', 'core', 'main-other'],
  preload: ['preload', 'shared-ipc'],
  renderer: ['renderer', 'shared'],
};

/** @param {string} specifier */
const isElectron = (specifier) => specifier === 'electron' || specifier.startsWith('electron/') || specifier.startsWith('@electron/');
/** @param {string} specifier */
const isNode = (specifier) => specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0] ?? '');
/** @param {string} specifier */
const isTestOnly = (specifier) => specifier === 'vitest' || specifier === 'fast-check' || specifier.startsWith('@testing-library/');

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import direction between src-shared, src-main/core, the hosts, the preload and the renderer.' },
    schema: [],
    messages: {
      forbidden: '{{layer}} may not import "{{specifier}}": {{why}}',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const layer = layerOf(file, root);
    if (!layer) return {};
    const isTestFile = /\.test\.tsx?$/.test(file);

    /** @param {import('estree').Node} node @param {unknown} value */
    function check(node, value, importedNames = /** @type {string[] | null} */ (null)) {
      if (typeof value !== 'string') return;
      const specifier = value;
      const report = (/** @type {string} */ why) =>
        context.report({ node, messageId: 'forbidden', data: { layer: `src-${layer === 'core' || layer === 'electron' || layer === 'web' ? `main/${layer}` : layer}`, specifier, why } });

      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        const rel = path.relative(root, target).split(path.sep).join('/');
        let targetLayer = layerOf(target, root);
        if (targetLayer === 'shared' && rel.startsWith('src-shared/ipc/')) targetLayer = 'shared-ipc';
        const allowed = MAY_IMPORT[/** @type {keyof typeof MAY_IMPORT} */ (layer)];
        const ok =
          targetLayer !== null &&
          (allowed.includes(targetLayer) || (targetLayer === 'shared-ipc' && allowed.includes('shared')));
        if (!ok) report(`it reaches into ${rel || specifier}, which this layer must not depend on`);
        return;
      }
      if (isTestFile && isTestOnly(specifier)) return;
      switch (layer) {
        case 'shared':
          if (specifier !== 'zod' && !specifier.startsWith('zod/')) report('src-shared is pure and imports only zod');
          break;
        case 'core':
          if (isElectron(specifier)) report('the core runs in both hosts and never imports electron');
          break;
        case 'web':
          if (isElectron(specifier)) report('the browser host runs without electron');
          break;
        case 'renderer':
          if (isElectron(specifier)) report('the renderer talks to main only through the contract (window.desk)');
          else if (isNode(specifier)) report('the renderer is sandboxed and has no Node');
          break;
        case 'preload':
          if (specifier !== 'electron') report('the preload may import only electron and the contract');
          else if (importedNames && importedNames.some((n) => n !== 'contextBridge' && n !== 'ipcRenderer')) {
            report(`only contextBridge and ipcRenderer may be taken from electron (found ${importedNames.join(', ')})`);
          }
          break;
        default:
          break;
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

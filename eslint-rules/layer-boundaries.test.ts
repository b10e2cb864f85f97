import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterEach, describe, expect, it } from 'vitest';

// Everything here lints with the project's real eslint.config.js, so the test fails if a rule is
// dropped from the config as well as if a rule itself breaks.
const CONFIG = path.resolve('eslint.config.js');
const eslint = new ESLint({ cwd: process.cwd() });

/** Table rows with the planted code's first line as the title. */
const titled = (rows: Array<[file: string, code: string, message?: RegExp]>) =>
  rows.map(([file, code, message]) => [file, code.split('\n')[0] ?? code, code, message ?? /./] as const);

/** The layer rule's messages for `code` linted as if it lived at `filePath` in this repository. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'registratura/layer-boundaries').map((m) => m.message);
}

/**
 * A small desk on disk: one file per layer and two features, all importing only what they may.
 * `npm run lint` on it (`eslint --max-warnings 0 .` with the project's config) passes.
 */
const CLEAN_TREE: Record<string, string> = {
  'src-shared/ipc/contract.ts': "import { z } from 'zod';\nexport const requests = { ping: z.string() };\n",
  'src-main/core/core.ts': "import { join } from 'node:path';\nimport { requests } from '../../src-shared/ipc/contract';\nexport const core = [join, requests];\n",
  'src-main/electron/main.ts': "import { app } from 'electron';\nimport Store from 'electron-store';\nimport { core } from '../core/core';\nexport const main = [app, Store, core];\n",
  'src-main/web/server.ts': "import { WebSocketServer } from 'ws';\nimport { core } from '../core/core';\nexport const server = [WebSocketServer, core];\n",
  'src-preload/preload.ts': "import { contextBridge, ipcRenderer } from 'electron';\nimport { requests } from '../src-shared/ipc/contract';\nexport const preload = [contextBridge, ipcRenderer, requests];\n",
  'src-renderer/app/app-store.ts': "import { createStore } from 'zustand/vanilla';\nexport const appStore = createStore(() => ({ pane: 'phone' }));\n",
  'src-renderer/ui/empty-state.ts': "import { requests } from '../../src-shared/ipc/contract';\nexport const emptyState = () => requests;\n",
  'src-renderer/features/b/b-store.ts': "import { appStore } from '../../app/app-store';\nexport const bStore = () => appStore;\n",
  'src-renderer/features/b/index.ts': "export { bStore } from './b-store';\n",
  'src-renderer/features/a/a-pane.ts': "import { emptyState } from '../../ui/empty-state';\nimport { bStore } from '../b';\nexport const aPane = () => [emptyState, bStore];\n",
  'src-renderer/features/a/index.ts': "export { aPane } from './a-pane';\n",
};

type Problem = { file: string; rule: string | null; message: string };

let tree: string | null = null;
afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = null;
});

/** Writes the clean tree with `planted` files added or replaced, and lints it all as `npm run lint` does. */
async function lintTree(planted: Record<string, string>): Promise<Problem[]> {
  tree = mkdtempSync(path.join(tmpdir(), 'registratura-layers-'));
  for (const [file, code] of Object.entries({ ...CLEAN_TREE, ...planted })) {
    mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    writeFileSync(path.join(tree, file), code);
  }
  const results = await new ESLint({ cwd: tree, overrideConfigFile: CONFIG }).lintFiles(['.']);
  expect(results.map((r) => path.relative(tree!, r.filePath)).sort()).toEqual(Object.keys({ ...CLEAN_TREE, ...planted }).sort());
  return results.flatMap((r) => r.messages.map((m) => ({ file: path.relative(tree!, r.filePath), rule: m.ruleId, message: m.message })));
}

describe('npm run lint fails for each forbidden import, planted one at a time', () => {
  it('the clean tree passes', async () => {
    expect(await lintTree({})).toEqual([]);
  });

  it('the core importing electron-store', async () => {
    const problems = await lintTree({
      'src-main/core/settings.ts': "import Store from 'electron-store';\nexport const settings = Store;\n",
    });
    expect(problems).toEqual([
      {
        file: 'src-main/core/settings.ts',
        rule: 'registratura/layer-boundaries',
        message: expect.stringMatching(/^src-main\/core may not import "electron-store": the core runs in both hosts and never imports electron/),
      },
    ]);
  });

  it('the renderer importing ws', async () => {
    const problems = await lintTree({
      'src-renderer/bridge/socket.ts': "import { WebSocket } from 'ws';\nexport const socket = WebSocket;\n",
    });
    expect(problems).toEqual([
      { file: 'src-renderer/bridge/socket.ts', rule: 'registratura/layer-boundaries', message: expect.stringMatching(/^src-renderer\/bridge may not import "ws": the renderer is sandboxed and has no Node/) },
    ]);
  });

  it("features/a importing features/b's store instead of its index.ts", async () => {
    const problems = await lintTree({
      'src-renderer/features/a/a-pane.ts': "import { bStore } from '../b/b-store';\nexport const aPane = () => bStore;\n",
    });
    expect(problems).toEqual([
      {
        file: 'src-renderer/features/a/a-pane.ts',
        rule: 'registratura/layer-boundaries',
        message: 'src-renderer/features/a may not import "../b/b-store": another feature is reached only through its public index.ts ("features/b"), not its internals',
      },
    ]);
  });

  it('ui/ importing app/', async () => {
    const problems = await lintTree({
      'src-renderer/ui/empty-state.ts': "import { appStore } from '../app/app-store';\nexport const emptyState = () => appStore;\n",
    });
    expect(problems).toEqual([
      { file: 'src-renderer/ui/empty-state.ts', rule: 'registratura/layer-boundaries', message: expect.stringMatching(/^src-renderer\/ui may not import "\.\.\/app\/app-store": ui\/ may import only styles/) },
    ]);
  });

  it('a two-file import cycle', async () => {
    const problems = await lintTree({
      'src-renderer/features/b/b-store.ts': "import { bFormat } from './b-format';\nexport const bStore = () => bFormat;\n",
      'src-renderer/features/b/b-format.ts': "import { bStore } from './b-store';\nexport const bFormat = () => bStore;\n",
    });
    expect(problems).toEqual([
      { file: 'src-renderer/features/b/b-format.ts', rule: 'import-x/no-cycle', message: 'Dependency cycle detected' },
      { file: 'src-renderer/features/b/b-store.ts', rule: 'import-x/no-cycle', message: 'Dependency cycle detected' },
    ]);
  });

  it('two features importing each other through their index.ts files (a cycle through the re-exports)', async () => {
    const problems = await lintTree({
      'src-renderer/features/b/b-store.ts': "import { aPane } from '../a';\nexport const bStore = () => aPane;\n",
    });
    // Every module on the cycle is reported, the re-exporting index.ts files included.
    expect(problems.map((p) => [p.file, p.rule])).toEqual([
      ['src-renderer/features/a/a-pane.ts', 'import-x/no-cycle'],
      ['src-renderer/features/a/index.ts', 'import-x/no-cycle'],
      ['src-renderer/features/b/b-store.ts', 'import-x/no-cycle'],
      ['src-renderer/features/b/index.ts', 'import-x/no-cycle'],
    ]);
  });

  it('an import of types only is no cycle (it is gone after the build)', async () => {
    const problems = await lintTree({
      'src-renderer/features/b/b-store.ts': "import { bFormat } from './b-format';\nexport type BStore = () => string;\nexport const bStore = () => bFormat;\n",
      'src-renderer/features/b/b-format.ts': "import type { BStore } from './b-store';\nexport const bFormat = (store: BStore) => store();\n",
    });
    expect(problems).toEqual([]);
  });
});

describe('the allow-list of each layer', () => {
  it.each(titled([
    ['src-renderer/features/phone/bad.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n", /renderer.*electron/],
    ['src-renderer/features/phone/bad.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /no Node/],
    ['src-renderer/features/phone/bad.ts', "import fs from 'fs';\nexport const x = fs;\n", /no Node/],
    ['src-renderer/app/bad.ts', "import Database from 'better-sqlite3-multiple-ciphers';\nexport const x = Database;\n", /no Node/],
    ['src-renderer/app/bad.ts', "import { debounce } from 'lodash';\nexport const x = debounce;\n", /not in src-renderer's allow-list \(react, react-dom/],
    ['src-renderer/app/bad.ts', "import { vi } from 'vitest';\nexport const x = vi;\n", /not in src-renderer's allow-list/],
    ['src-renderer/features/phone/bad.ts', "import { createCore } from '../../../src-main/core/core';\nexport const x = createCore;\n", /src-main\/core\/core/],
    ['src-shared/ipc/bad.ts', "import { z } from 'zod';\nimport { join } from 'node:path';\nexport const x = [z, join];\n", /imports only zod/],
    ['src-shared/phone/bad.ts', "import { parsePhoneNumber } from 'libphonenumber-js';\nexport const x = parsePhoneNumber;\n", /imports only zod/],
    ['src-shared/ipc/bad.ts', "import { Phone } from '../../src-renderer/softphone/phone';\nexport const x = Phone;\n", /must not depend/],
    ['src-main/core/bad.ts', "import { app } from 'electron';\nexport const x = app;\n", /never imports electron/],
    ['src-main/core/bad.ts', "export const load = () => import('electron');\n", /never imports electron/],
    ['src-main/core/bad.ts', "import log from 'electron-log';\nexport const x = log;\n", /only electron-log\/node\.js/],
    ['src-main/core/bad.ts', "import { WebSocketServer } from 'ws';\nexport const x = WebSocketServer;\n", /browser host’s/],
    ['src-main/core/bad.ts', "import { x } from '../electron/main';\nexport const y = x;\n", /must not depend/],
    ['src-main/core/bad.ts', "import { x } from '../web/web-server';\nexport const y = x;\n", /must not depend/],
    ['src-main/web/bad.ts', "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;\n", /without electron/],
    ['src-main/web/bad.ts', "import { x } from '../electron/main';\nexport const y = x;\n", /must not depend/],
    ['src-main/electron/bad.ts', "import { WebSocketServer } from 'ws';\nexport const x = WebSocketServer;\n", /not in src-main\/electron's allow-list/],
    ['src-preload/bad.ts', "import { shell } from 'electron';\nexport const x = shell;\n", /only contextBridge and ipcRenderer/],
    ['src-preload/bad.ts', "import { SettingsSchema } from '../src-shared/settings/settings-schema';\nexport const x = SettingsSchema;\n", /must not depend/],
    ['src-main/bad.ts', 'export const x = 1;\n', /in no layer the rule knows: put it in src-main\/core, src-main\/electron or src-main\/web/],
  ]))('%s: %s is refused', async (filePath, _title, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each(titled([
    ['src-renderer/features/phone/ok.ts', "import { requests } from '../../../src-shared/ipc/contract';\nexport const x = requests;\n"],
    ['src-renderer/app/ok.ts', "import { createStore } from 'zustand/vanilla';\nimport { useVirtualizer } from '@tanstack/react-virtual';\nexport const x = [createStore, useVirtualizer];\n"],
    ['src-renderer/features/phone/ok.test.ts', "import { expect } from 'vitest';\nimport fc from 'fast-check';\nimport { render } from '@testing-library/react';\nexport const x = [expect, fc, render];\n"],
    ['src-main/core/ok.ts', "import { join } from 'node:path';\nimport Database from 'better-sqlite3-multiple-ciphers';\nimport { requests } from '../../src-shared/ipc/contract';\nexport const x = [join, Database, requests];\n"],
    ['src-main/electron/ok.ts', "import { app } from 'electron';\nimport Store from 'electron-store';\nimport { createCore } from '../core/core';\nexport const x = [app, Store, createCore];\n"],
    ['src-main/electron/testing/ok.ts', "import { vi } from 'vitest';\nexport const x = vi;\n"],
    ['src-main/web/ok.ts', "import { WebSocketServer } from 'ws';\nimport { createServer } from 'node:http';\nexport const x = [WebSocketServer, createServer];\n"],
    ['src-preload/ok.ts', "import { contextBridge, ipcRenderer } from 'electron';\nimport { requests } from '../src-shared/ipc/contract';\nexport const x = [contextBridge, ipcRenderer, requests];\n"],
  ]))('%s: allowed imports pass (%s)', async (filePath, _title, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});

describe('the folders inside src-renderer', () => {
  it.each(titled([
    ['src-renderer/ui/bad.ts', "import { PhonePane } from '../features/phone';\nexport const x = PhonePane;\n", /ui\/ may import only styles/],
    ['src-renderer/softphone/bad.ts', "import { useAppStore } from '../app/app-store';\nexport const x = useAppStore;\n", /softphone\/ may import only diagnostics/],
    ['src-renderer/bridge/bad.ts', "import { Plain } from '../ui/plain';\nexport const x = Plain;\n", /bridge\/ may import only itself and src-shared/],
    ['src-renderer/app/bad.ts', "import { createFakeDesk } from '../test-support/fake-desk';\nexport const x = createFakeDesk;\n", /test-support\/ is for tests/],
    ['src-renderer/app/bad.ts', "import { PhonePane } from '../features/phone/phone-pane';\nexport const x = PhonePane;\n", /only through its public index\.ts \("features\/phone"\)/],
    ['src-renderer/features/patients/bad.test.ts', "import { createPhoneStore } from '../phone/phone-store';\nexport const x = createPhoneStore;\n", /only through its public index\.ts/],
    ['src-renderer/features/phone/bad.ts', "import { x } from '../../main';\nexport const y = x;\n", /not in a renderer folder others may import/],
    ['src-renderer/widgets/bad.ts', 'export const x = 1;\n', /in no layer the rule knows: put it in a folder of RENDERER_AREAS/],
    ['src-renderer/features/bad.ts', 'export const x = 1;\n', /in no layer the rule knows/],
    // Only the entry loads stylesheets from anywhere (it sets the cascade order); code from a feature's files is still refused.
    ['src-renderer/ok.tsx', "import { PhonePane } from './features/phone/phone-pane';\nexport const x = PhonePane;\n", /only app, bridge, diagnostics, i18n, styles/],
  ]))('%s: %s is refused', async (filePath, _title, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each(titled([
    ['src-renderer/features/call-journal/ok.ts', "import { usePhoneStore } from '../phone';\nimport { fullName } from '../patients/index';\nimport { useAppStore } from '../../app/app-store';\nimport { Plain } from '../../ui/plain';\nexport const x = [usePhoneStore, fullName, useAppStore, Plain];\n"],
    ['src-renderer/features/phone/ok.ts', "import { PhoneCall } from '../../softphone/phone';\nimport { reportDiagnostic } from '../../diagnostics/report';\nimport { toDeskError } from '../../bridge/desk-error';\nimport { safeName } from './call-text';\nexport const x = [PhoneCall, reportDiagnostic, toDeskError, safeName];\n"],
    ['src-renderer/features/phone/ok.test.tsx', "import { App } from '../../app/App';\nimport { createI18n } from '../../i18n/i18n';\nimport { createFakeDesk } from '../../test-support/fake-desk';\nexport const x = [App, createI18n, createFakeDesk];\n"],
    ['src-renderer/app/ok.ts', "import { PhonePane } from '../features/phone';\nimport { SipJsPhone } from '../softphone/sip-js-phone';\nimport { applyLanguage } from '../i18n/i18n';\nexport const x = [PhonePane, SipJsPhone, applyLanguage];\n"],
    ['src-renderer/softphone/ok.ts', "import { reportDiagnostic } from '../diagnostics/report';\nexport const x = reportDiagnostic;\n"],
    ['src-renderer/test-support/ok.ts', "import type { PhoneFactory } from '../features/phone';\nexport type X = PhoneFactory;\n"],
    ['src-renderer/ok.tsx', "import { App } from './app/App';\nimport './styles/tokens.css';\nimport './features/phone/phone.css';\nexport const x = App;\n"],
  ]))('%s: allowed imports pass (%s)', async (filePath, _title, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});

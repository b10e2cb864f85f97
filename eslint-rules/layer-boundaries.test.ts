import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Lints text as if it lived at `filePath`, with the project's real eslint.config.js, so the
// test fails if the rule is removed from the config as well as if the rule itself breaks.
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'registratura/layer-boundaries').map((m) => m.message);
}

describe('layer boundaries (lint)', () => {
  it.each([
    ['src-renderer/features/phone/bad.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n", /renderer.*electron/],
    ['src-renderer/features/phone/bad.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /no Node/],
    ['src-renderer/features/phone/bad.ts', "import fs from 'fs';\nexport const x = fs;\n", /no Node/],
    ['src-renderer/features/phone/bad.ts', "import { createCore } from '../../../src-main/core/core';\nexport const x = createCore;\n", /src-main\/core\/core/],
    ['src-shared/ipc/bad.ts', "import { z } from 'zod';\nimport { join } from 'node:path';\nexport const x = [z, join];\n", /imports only zod/],
    ['src-shared/ipc/bad.ts', "import { Phone } from '../../src-renderer/softphone/phone';\nexport const x = Phone;\n", /must not depend/],
    ['src-main/core/bad.ts', "import { app } from 'electron';\nexport const x = app;\n", /never imports electron/],
    ['src-main/core/bad.ts', "export const load = () => import('electron');\n", /never imports electron/],
    ['src-main/core/bad.ts', "import { x } from '../electron/main';\nexport const y = x;\n", /must not depend/],
    ['src-main/web/bad.ts', "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;\n", /without electron/],
    ['src-preload/bad.ts', "import { shell } from 'electron';\nexport const x = shell;\n", /only contextBridge and ipcRenderer/],
    ['src-preload/bad.ts', "import { SettingsSchema } from '../src-shared/settings/settings-schema';\nexport const x = SettingsSchema;\n", /must not depend/],
  ])('%s: %s is refused', async (filePath, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each([
    ['src-renderer/features/phone/ok.ts', "import { requests } from '../../../src-shared/ipc/contract';\nexport const x = requests;\n"],
    ['src-main/core/ok.ts', "import { join } from 'node:path';\nimport { requests } from '../../src-shared/ipc/contract';\nexport const x = [join, requests];\n"],
    ['src-main/electron/ok.ts', "import { app } from 'electron';\nimport { createCore } from '../core/core';\nexport const x = [app, createCore];\n"],
    ['src-preload/ok.ts', "import { contextBridge, ipcRenderer } from 'electron';\nimport { requests } from '../src-shared/ipc/contract';\nexport const x = [contextBridge, ipcRenderer, requests];\n"],
  ])('%s: allowed imports pass', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});

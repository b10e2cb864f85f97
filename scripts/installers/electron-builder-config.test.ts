import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { FuseV1Options } from '@electron/fuses';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIAL_LINK_SCHEMES } from '../../src-shared/phone/dial-link';

/**
 * The installers, checked statically (no Electron binary can be downloaded here): the config is
 * loaded, normalised and schema-validated by electron-builder's own code, the file selection is
 * run through electron-builder's own matchers, the fuses through electron-builder's own
 * translation to @electron/fuses, and the .desktop entry through its own generator. A real
 * pack with a local Electron distribution was used once to confirm the file selection (README
 * "Building installers").
 */

const repoRoot = resolve(__dirname, '..', '..');
const require = createRequire(import.meta.url);
// electron-builder's internals (CommonJS, no exports map): the very code `electron-builder` runs.
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<BuilderConfig>;
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const { getMainFileMatchers, getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher') as {
  getMainFileMatchers(appDir: string, destination: string, macroExpander: (pattern: string) => string, platformOptions: unknown, platformPackager: unknown, outDir: string, isElectronCompile: boolean): FileMatcher[];
  getNodeModuleFileMatcher(appDir: string, destination: string, macroExpander: (pattern: string) => string, platformOptions: unknown, packager: unknown): FileMatcher;
};
// Through the package's index: its modules import each other in a cycle that only resolves in that order.
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string | number, unknown>> } };
};
// The minimatch electron-builder matches `asarUnpack` with.
const { Minimatch } = createRequire(require.resolve('app-builder-lib/package.json'))('minimatch') as {
  Minimatch: new (pattern: string, options: { dot: boolean }) => { match(path: string): boolean };
};
const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper') as {
  LinuxTargetHelper: new (packager: unknown) => { computeDesktopEntry(options: unknown, exec?: string, extra?: unknown): Promise<string> };
};

interface FileMatcher {
  from: string;
  patterns: string[];
  createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean;
}

type PlatformKey = 'win' | 'linux' | 'mac';
interface PlatformOptions {
  target: { target: string; arch: string[] }[];
  files?: string[];
  [key: string]: unknown;
}
interface BuilderConfig {
  appId: string;
  productName: string;
  files?: unknown;
  asar: boolean | { smartUnpack?: boolean };
  asarUnpack: string[];
  npmRebuild: boolean;
  disableAsarIntegrity?: boolean;
  electronLanguages: string[];
  publish: unknown;
  protocols: { name: string; schemes: string[] }[];
  electronFuses: Record<string, boolean>;
  extraMetadata: { desktopName?: string };
  directories: { output: string; buildResources: string };
  win: PlatformOptions;
  linux: PlatformOptions & { executableName: string; maintainer: string };
  mac: PlatformOptions & { hardenedRuntime: boolean; entitlements: string; extendInfo: Record<string, string> };
  nsis: Record<string, unknown>;
  [key: string]: unknown;
}

const CONFIG_FILE = 'electron-builder.config.ts';
let config: BuilderConfig;

beforeAll(async () => {
  config = await getConfig(repoRoot, CONFIG_FILE, null);
}, 60_000);

const PLATFORMS: { key: PlatformKey; prebuilds: string }[] = [
  { key: 'win', prebuilds: 'win32' },
  { key: 'linux', prebuilds: 'linux' },
  { key: 'mac', prebuilds: 'darwin' },
];
const ALL_PREBUILDS = ['win32-x64', 'win32-arm64', 'linux-x64', 'linux-arm64', 'linuxmusl-x64', 'linuxmusl-arm64', 'darwin-x64', 'darwin-arm64'];

const file = { isDirectory: () => false };
const folder = { isDirectory: () => true };

/** Whether electron-builder would put a repository path into app.asar for this platform. */
function packs(platform: PlatformKey, path: string): boolean {
  const packager = {
    info: {
      projectDir: repoRoot,
      buildResourcesDir: config.directories.buildResources,
      config,
      isPrepackedAppAsar: false,
      debugLogger: { isEnabled: false, add() {} },
    },
  };
  const outDir = join(repoRoot, config.directories.output);
  const platformOptions = config[platform];
  const filters = path.startsWith('node_modules/')
    ? [getNodeModuleFileMatcher(repoRoot, '/packed', (pattern) => pattern, platformOptions, packager.info).createFilter()]
    : getMainFileMatchers(repoRoot, '/packed', (pattern) => pattern, platformOptions, packager, outDir, false).map((matcher) => matcher.createFilter());
  // A file is copied when some matcher accepts it and every folder above it that the copier walks
  // through: from the project root for the app's files, from the package's own folder for a
  // dependency (electron-builder collects node_modules/<package> itself).
  const segments = path.split('/');
  const firstWalked = path.startsWith('node_modules/') ? 2 : 0;
  return filters.some((accepts) =>
    segments.every((_, index) => index < firstWalked || accepts(join(repoRoot, ...segments.slice(0, index + 1)), index === segments.length - 1 ? file : folder)),
  );
}

describe('electron-builder configuration', () => {
  it('is the file electron-builder loads and passes its schema', async () => {
    expect(config.appId).toBe('org.registratura.desk');
    expect(config.productName).toBe('Registratura');
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
  });

  it('builds the Windows NSIS installer, Linux AppImage and .deb, and optionally a macOS dmg', () => {
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.linux.target.map((target) => target.target)).toEqual(['AppImage', 'deb']);
    expect(config.mac.target.map((target) => target.target)).toEqual(['dmg']);
    expect(config.publish).toBeNull();
  });

  it('makes an assisted NSIS installer: per-user by default, per-machine on request, with shortcuts', () => {
    expect(config.nsis).toMatchObject({
      oneClick: false,
      perMachine: false,
      selectPerMachineByDefault: false,
      allowElevation: true,
      createDesktopShortcut: true,
      createStartMenuShortcut: true,
      shortcutName: 'Registratura',
      deleteAppDataOnUninstall: false,
      include: 'build/installer.nsh',
    });
    expect(existsSync(join(repoRoot, config.nsis.include as string))).toBe(true);
  });
});

describe('tel:, sip: and sips: links', () => {
  it('registers exactly the schemes the desk parses (src-shared/phone/dial-link.ts)', () => {
    const schemes = config.protocols.flatMap((protocol) => protocol.schemes);
    expect([...schemes].sort()).toEqual([...DIAL_LINK_SCHEMES].sort());
  });

  it('puts x-scheme-handler MIME types for each scheme into the Linux .desktop entry', async () => {
    const packager = {
      appInfo: { productName: config.productName, sanitizedProductName: config.productName, description: 'x' },
      executableName: config.linux.executableName,
      info: { metadata: { desktopName: config.extraMetadata.desktopName } },
      config,
      platformSpecificBuildOptions: config.linux,
      fileAssociations: [],
    };
    const entry = await new LinuxTargetHelper(packager).computeDesktopEntry(config.linux);
    const mimeTypes = /^MimeType=(.*)$/m.exec(entry)?.[1]?.split(';').filter(Boolean) ?? [];
    expect(mimeTypes).toEqual(DIAL_LINK_SCHEMES.map((scheme) => `x-scheme-handler/${scheme}`));
    // %U hands the link to the desk as an argument; the window class matches Electron's app_id.
    expect(entry).toMatch(/^Exec=\/opt\/Registratura\/registratura %U$/m);
    expect(entry).toMatch(/^StartupWMClass=registratura$/m);
    expect(entry).toMatch(/^Name=Registratura$/m);
  });

  it('has the NSIS include register and unregister each scheme for the install mode (SHCTX)', () => {
    const script = readFileSync(join(repoRoot, 'build', 'installer.nsh'), 'utf8');
    for (const scheme of DIAL_LINK_SCHEMES) {
      expect(script).toMatch(new RegExp(`!insertmacro registraturaRegisterScheme "${scheme}" `));
      expect(script).toMatch(new RegExp(`!insertmacro registraturaUnregisterScheme "${scheme}"\\n`));
    }
    expect(script).toContain('WriteRegStr SHCTX "Software\\Classes\\${SCHEME}\\shell\\open\\command" "" "$\\"$appExe$\\" $R9$\\"%1$\\""');
    expect(script).toMatch(/!macro customInstall\n[\s\S]*!macroend/);
    expect(script).toMatch(/!macro customUnInstall\n[\s\S]*!macroend/);
  });
});

describe('what goes into app.asar', () => {
  it('is asar, without smart unpack, with only the native SQLite binaries unpacked and no rebuild', () => {
    expect(config.asar).toEqual({ smartUnpack: false });
    expect(config.disableAsarIntegrity).not.toBe(true);
    expect(config.npmRebuild).toBe(false);
    const unpacked = (path: string) => config.asarUnpack.some((pattern) => new Minimatch(pattern, { dot: true }).match(path));
    for (const prebuild of ALL_PREBUILDS) expect(unpacked(`node_modules/better-sqlite3-multiple-ciphers/prebuilds/${prebuild}.node`)).toBe(true);
    expect(unpacked('node_modules/better-sqlite3-multiple-ciphers/lib/index.js')).toBe(false);
    expect(unpacked('out/main/index.js')).toBe(false);
  });

  it('lists files per platform only (a top-level list beside them would pack the whole repository)', () => {
    expect(config.files ?? []).toEqual([]);
  });

  describe.each(PLATFORMS)('$key', ({ key, prebuilds }) => {
    it.each([
      'package.json',
      'out/main/index.js',
      'out/main/chunks/start-desk-abc123.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc123.js',
    ])('packs the built %s', (path) => {
      expect(packs(key, path)).toBe(true);
    });

    it.each([
      'src-main/electron/main.ts',
      'src-main/core/core.ts',
      'src-main/electron/security.test.ts',
      'src-preload/index.ts',
      'src-renderer/app/App.tsx',
      'src-shared/ipc/contract.ts',
      'e2e/playwright.config.ts',
      'e2e/specs/softphone.spec.ts',
      'scripts/start.mjs',
      'docs/architecture.md',
      'README.md',
      '.ci/run',
      'artifacts/unit-report.json',
      'resources/plugins/example-mis/index.js',
      'electron-builder.config.ts',
      'build/installer.nsh',
      'out/main/web.js',
      'out/main/index.js.map',
      'out/bench/bench.mjs',
      'out/e2e/patient-phone/index.html',
      'out/audit-verify/audit-verify.mjs',
      'package-lock.json',
    ])('leaves out %s', (path) => {
      expect(packs(key, path)).toBe(false);
    });

    it('keeps its own platform’s SQLite prebuilds and the package’s JavaScript, and drops the rest', () => {
      for (const prebuild of ALL_PREBUILDS) {
        const own = prebuild.startsWith(`${prebuilds}-`) || (prebuilds === 'linux' && prebuild.startsWith('linuxmusl-'));
        expect(packs(key, `node_modules/better-sqlite3-multiple-ciphers/prebuilds/${prebuild}.node`), prebuild).toBe(own);
      }
      expect(packs(key, 'node_modules/better-sqlite3-multiple-ciphers/lib/index.js')).toBe(true);
      expect(packs(key, 'node_modules/better-sqlite3-multiple-ciphers/deps/sqlite3/sqlite3.c')).toBe(false);
      expect(packs(key, 'node_modules/better-sqlite3-multiple-ciphers/src/better_sqlite3.cpp')).toBe(false);
      expect(packs(key, 'node_modules/zod/index.js')).toBe(true);
    });

    it('packs the app’s entry point, package.json "main", the file electron-vite builds from src-main/electron/main.ts', () => {
      const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string };
      expect(pkg.main).toBe('out/main/index.js');
      expect(readFileSync(join(repoRoot, 'electron.vite.config.ts'), 'utf8')).toMatch(/outDir: 'out\/main'[\s\S]*index: resolve\(__dirname, 'src-main\/electron\/main\.ts'\)/);
      expect(packs(key, pkg.main)).toBe(true);
    });
  });
});

describe('Electron fuses', () => {
  // The exact fuse wire electron-builder hands to @electron/fuses' flipFuses (platformPackager.ts).
  const wire = () => PlatformPackager.prototype.generateFuseConfig.call(null, config.electronFuses);
  const expected: Record<keyof typeof FuseV1Options, boolean> = {
    RunAsNode: false,
    EnableCookieEncryption: true,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: false,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
    LoadBrowserProcessSpecificV8Snapshot: false,
    GrantFileProtocolExtraPrivileges: false,
  };

  it.each(Object.entries(expected))('sets %s to %s', async (name, value) => {
    const fuses = await wire();
    expect(fuses[FuseV1Options[name as keyof typeof FuseV1Options]]).toBe(value);
  });

  it('decides every fuse @electron/fuses knows, so a new one is a test failure until decided', async () => {
    const fuses = await wire();
    const known = Object.keys(FuseV1Options).filter((key) => Number.isNaN(Number(key)));
    expect(known.sort()).toEqual(Object.keys(expected).sort());
    for (const name of known) expect(typeof fuses[FuseV1Options[name as keyof typeof FuseV1Options]], name).toBe('boolean');
  });

  it('serves pages from app://, so file:// needs no extra privileges (protocol.ts, app-origin.ts)', () => {
    const origin = readFileSync(join(repoRoot, 'src-main', 'electron', 'app-origin.ts'), 'utf8');
    expect(origin).toMatch(/APP_SCHEME = 'app'/);
    const windows = readFileSync(join(repoRoot, 'src-main', 'electron', 'windows.ts'), 'utf8');
    expect(windows).not.toMatch(/loadFile\(|file:\/\//);
  });
});

describe('Linux and macOS details', () => {
  it('names a maintainer for the .deb and keeps Chromium’s Russian and English strings', () => {
    expect(config.linux.maintainer).toMatch(/<[^@\s>]+@[^>\s]+>/);
    expect(config.electronLanguages).toEqual(expect.arrayContaining(['ru', 'en-US']));
  });

  it('asks macOS for the microphone under the hardened runtime, and for nothing else', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
    const entitlements = readFileSync(join(repoRoot, config.mac.entitlements), 'utf8');
    const granted = [...entitlements.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((match) => match[1]).sort();
    expect(granted).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.device.audio-input']);
  });
});

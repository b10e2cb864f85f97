import type { Configuration } from 'electron-builder';

/**
 * How the desk is packaged into installers (README "Building installers"):
 * `electron-vite build && electron-builder --config electron-builder.config.ts --win|--linux|--mac`.
 * electron-builder reads this TypeScript file itself (through jiti); the static test
 * `scripts/installers/electron-builder-config.test.ts` reads the same object and checks every
 * decision below, and the fuses through electron-builder's own translation to @electron/fuses.
 */

/** The URL schemes the desk handles: the same list as DIAL_LINK_SCHEMES in src-shared/phone/dial-link.ts. */
const DIAL_LINK_PROTOCOLS = [
  { name: 'Telephone link', schemes: ['tel'] },
  { name: 'SIP link', schemes: ['sip', 'sips'] },
];

/**
 * What goes into app.asar: only what `electron-vite build` produced for the Electron host (main,
 * preload, renderer) and package.json; electron-builder adds the production dependencies (never
 * devDependencies). Everything else (sources, tests, e2e, docs, the browser host's entry, source
 * maps, the SQLite C sources) stays out. better-sqlite3-multiple-ciphers ships an N-API prebuild
 * per platform; each installer keeps only its own platform's (N-API: the same binary loads in
 * Node and in Electron, no rebuild).
 *
 * The list is given per platform, not as a top-level `files`: electron-builder turns a top-level
 * list into a file set of its own, and a platform-level list beside it would then be matched on
 * its own with "everything" prepended (the whole repository ended up in app.asar when packed
 * with 26.18.1 and a local Electron distribution; the static test keeps the top level empty).
 */
export function appFiles(otherPlatformPrebuilds: string): string[] {
  return [
    'out/main/**/*',
    '!out/main/web.js',
    'out/preload/**/*',
    'out/renderer/**/*',
    'package.json',
    '!**/*.map',
    '!node_modules/better-sqlite3-multiple-ciphers/{deps,src}/**',
    '!node_modules/better-sqlite3-multiple-ciphers/binding.gyp',
    `!node_modules/better-sqlite3-multiple-ciphers/prebuilds/{${otherPlatformPrebuilds}}-*.node`,
  ];
}

const config: Configuration = {
  appId: 'org.registratura.desk',
  productName: 'Registratura',
  copyright: 'Copyright © Registratura',
  // Updates are rolled out by IT with the installers, not fetched by the desk.
  publish: null,

  directories: {
    output: 'artifacts/installers',
    buildResources: 'build',
  },

  extraMetadata: {
    // Electron takes the Linux window class (app_id) from it; it names the .desktop entry too.
    desktopName: 'registratura.desktop',
    // The packaged package.json's author: the Windows file properties' company, the .deb's vendor.
    author: { name: 'Registratura', email: 'desk@registratura.invalid' },
  },
  // smartUnpack off: electron-builder would otherwise unpack the whole SQLite package, its
  // JavaScript included, and code outside app.asar is not covered by the ASAR integrity check.
  // Only the native binary is unpacked (a .node file cannot be loaded from inside the archive);
  // Electron redirects the require, and worker threads read app.asar too (integrity-check.ts).
  asar: { smartUnpack: false },
  asarUnpack: ['node_modules/better-sqlite3-multiple-ciphers/prebuilds/*.node'],
  // The N-API prebuilds are used as they are: no node-gyp, no Electron headers from the internet.
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  // Chromium's UI strings: the desk speaks Russian and English only.
  electronLanguages: ['ru', 'en-US'],

  protocols: DIAL_LINK_PROTOCOLS,

  /**
   * Electron fuses, flipped in the packaged binary right before signing. Each one closes a way to
   * run other code with the desk's identity and data (keychain secrets, the encrypted cache):
   * - runAsNode off: ELECTRON_RUN_AS_NODE cannot turn the binary into a plain Node (MIS plugins
   *   run in utilityProcess, which does not need it);
   * - enableNodeOptionsEnvironmentVariable off: NODE_OPTIONS / NODE_EXTRA_CA_CERTS are ignored;
   * - enableNodeCliInspectArguments off: --inspect / --inspect-brk and SIGUSR1 do not open a debugger;
   * - enableEmbeddedAsarIntegrityValidation on, onlyLoadAppFromAsar on: the code comes only from
   *   app.asar, checked against the hash embedded at build time (Windows and macOS check it);
   * - enableCookieEncryption on: Chromium's cookie store is encrypted with the OS key;
   * - grantFileProtocolExtraPrivileges off: pages come from app://desk, never file:// (protocol.ts);
   * - loadBrowserProcessSpecificV8Snapshot off: Electron's default, stated so every fuse is decided.
   */
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
    loadBrowserProcessSpecificV8Snapshot: false,
    // Flipping fuses breaks the ad-hoc signature of an unsigned Apple-silicon build; re-sign it.
    resetAdHocDarwinSignature: true,
  },

  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    files: appFiles('darwin,linux,linuxmusl'),
  },
  nsis: {
    // Assisted installer: the person installing chooses "only for me" (the default, no admin
    // rights) or "anyone who uses this computer" (asks for elevation), and may change the folder.
    oneClick: false,
    perMachine: false,
    selectPerMachineByDefault: false,
    allowElevation: true,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'Registratura',
    runAfterFinish: true,
    // The data folder (encrypted cache, journal, audit log) is IT's to remove, never the installer's.
    deleteAppDataOnUninstall: false,
    // tel:/sip:/sips: handlers and the /CONFIG=FILE provisioning switch (see the file's header).
    include: 'build/installer.nsh',
    installerLanguages: ['ru_RU', 'en_US'],
    language: '1049',
    multiLanguageInstaller: true,
    displayLanguageSelector: false,
    artifactName: '${productName}-Setup-${version}-${arch}.${ext}',
  },

  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    executableName: 'registratura',
    syncDesktopName: true,
    category: 'Network;Telephony',
    synopsis: 'Clinic contact-centre desk',
    description: 'Registratura: the clinic contact-centre desk (softphone, patient card, queue, callbacks, supervisor).',
    maintainer: 'Registratura <desk@registratura.invalid>',
    vendor: 'Registratura',
    files: appFiles('darwin,win32'),
    desktop: {
      entry: {
        'Name[ru]': 'Регистратура',
        GenericName: 'Clinic contact-centre desk',
        'GenericName[ru]': 'Рабочее место регистратуры',
        Keywords: 'phone;call;clinic;patient;',
        'Keywords[ru]': 'телефон;звонок;клиника;пациент;регистратура;',
      },
    },
  },
  appImage: {
    artifactName: '${productName}-${version}-${arch}.${ext}',
  },
  deb: {
    priority: 'optional',
  },

  // Optional: a macOS disk image, built on a Mac.
  mac: {
    target: [{ target: 'dmg', arch: ['arm64', 'x64'] }],
    category: 'public.app-category.business',
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    extendInfo: {
      NSMicrophoneUsageDescription: 'Registratura uses the microphone for phone calls.',
    },
    files: appFiles('linux,linuxmusl,win32'),
  },
  dmg: {
    artifactName: '${productName}-${version}-${arch}.${ext}',
  },
};

export default config;

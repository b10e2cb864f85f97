// `node scripts/installers/check-nsis-include.mjs` — checks build/installer.nsh without
// electron-builder's NSIS bundle (which comes from GitHub): Debian's makensis (`apt-get install
// nsis`) compiles a small installer around its macros with warnings as errors, and where Wine
// is installed (`apt-get install wine64`) the installer and its uninstaller are run in a
// throw-away Wine prefix and the registry, the copied provisioning file and the shortcuts are
// checked. Not part of `npm test` (it needs those two packages); run it after editing the .nsh.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const include = join(repoRoot, 'build', 'installer.nsh');
const work = mkdtempSync(join(tmpdir(), 'registratura-nsis-'));
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
};

// What electron-builder's templates provide around a custom include, reduced to what it uses.
const harness = `Unicode true
Target amd64-unicode
!define REGISTRATURA_NSIS_SYNTAX_CHECK
!define APP_ID "org.registratura.desk"
!define APP_DESCRIPTION "Registratura"
!define APP_EXECUTABLE_FILENAME "Registratura.exe"
Name "Registratura include check"
OutFile "${join(work, 'harness-installer.exe')}"
InstallDir "$LOCALAPPDATA\\Programs\\registratura"
RequestExecutionLevel user
Var appExe
Var newStartMenuLink
Var newDesktopLink
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!macro _isUpdatedStub _a _b _t _f
  \${GetParameters} $R0
  ClearErrors
  \${GetOptions} $R0 "--updated" $R1
  IfErrors \`\${_f}\` \`\${_t}\`
!macroend
!define isUpdated \`"" isUpdatedStub ""\`
!include "${include}"
Function .onInit
  !insertmacro customInit
FunctionEnd
Section "install"
  SetOutPath $INSTDIR
  StrCpy $appExe "$INSTDIR\\\${APP_EXECUTABLE_FILENAME}"
  FileOpen $0 $appExe w
  FileClose $0
  StrCpy $newStartMenuLink "$SMPROGRAMS\\Registratura.lnk"
  StrCpy $newDesktopLink "$DESKTOP\\Registratura.lnk"
  CreateShortCut "$newStartMenuLink" "$appExe" "" "$appExe" 0
  CreateShortCut "$newDesktopLink" "$appExe" "" "$appExe" 0
  !insertmacro customInstall
  WriteUninstaller "$INSTDIR\\Uninstall.exe"
SectionEnd
Section "un.Uninstall"
  !insertmacro customUnInstall
SectionEnd
`;

try {
  writeFileSync(join(work, 'harness.nsi'), harness);
  const compiled = spawnSync('makensis', ['-V2', '-WX', join(work, 'harness.nsi')], { encoding: 'utf8' });
  if (compiled.error) {
    console.log('makensis not found: apt-get install nsis');
    process.exit(2);
  }
  check(compiled.status === 0, `build/installer.nsh compiles with makensis, warnings as errors${compiled.status === 0 ? '' : `\n${compiled.stdout}${compiled.stderr}`}`);

  const wine = ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine'].find((path) => existsSync(path));
  if (compiled.status === 0 && !wine) console.log('wine64 not found: compiled only (apt-get install wine64 to run the installer too)');
  if (compiled.status === 0 && wine) {
    const env = { ...process.env, WINEPREFIX: join(work, 'prefix'), WINEDEBUG: '-all' };
    const winRun = (args) => spawnSync(wine, args, { env, encoding: 'utf8', timeout: 300_000 });
    winRun(['wineboot', '-i']);
    const reg = (key) => winRun(['reg', 'query', key, '/s']).stdout.replace(/\r/g, '');
    const config = join(work, 'desk.json');
    writeFileSync(config, '{ "role": "operator" }\n');
    const windowsPath = (path) => `Z:${path.replace(/\//g, '\\')}`;
    const user = join(work, 'prefix', 'drive_c', 'users', process.env.USER ?? 'root');
    const local = join(user, 'AppData', 'Local');
    const installDir = `C:\\users\\${process.env.USER ?? 'root'}\\AppData\\Local\\Programs\\registratura`;
    const uninstaller = join(local, 'Programs', 'registratura', 'Uninstall.exe');
    const provisioning = join(local, 'Registratura', 'provisioning.json');
    const shortcutTexts = () =>
      [join(user, 'Desktop', 'Registratura.lnk'), join(user, 'AppData', 'Roaming', 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Registratura.lnk')].map((path) =>
        existsSync(path) ? readFileSync(path).toString('utf16le') : '',
      );

    const missing = winRun([join(work, 'harness-installer.exe'), '/S', `/CONFIG=${windowsPath(join(work, 'absent.json'))}`]);
    check(missing.status === 2, `a /CONFIG= file that does not exist stops the installer with exit code 2 (got ${missing.status})`);
    check(!reg('HKCU\\Software\\Classes\\tel').includes('Registratura'), '... and nothing was registered');

    const installed = winRun([join(work, 'harness-installer.exe'), '/S', `/CONFIG=${windowsPath(config)}`]);
    check(installed.status === 0, `installs with /S /CONFIG=FILE (exit ${installed.status})`);
    check(existsSync(provisioning) && readFileSync(provisioning, 'utf8').includes('"operator"'), 'the provisioning file is copied to %LOCALAPPDATA%\\Registratura\\provisioning.json');
    for (const scheme of ['tel', 'sip', 'sips']) {
      const classic = reg(`HKCU\\Software\\Classes\\${scheme}\\shell\\open\\command`);
      check(/"[^"]*Registratura\.exe" --config "[^"]*provisioning\.json" "%1"/.test(classic), `${scheme}: opens "Registratura.exe" --config "…provisioning.json" "%1"`);
      check(reg(`HKCU\\Software\\Classes\\Registratura.${scheme}`).includes('URL Protocol'), `${scheme}: ProgID Registratura.${scheme} is a URL protocol`);
    }
    const capabilities = reg('HKCU\\Software\\Registratura\\Capabilities\\URLAssociations');
    check(['tel', 'sip', 'sips'].every((scheme) => new RegExp(`\\b${scheme}\\s+REG_SZ\\s+Registratura\\.${scheme}\\b`).test(capabilities)), 'Capabilities\\URLAssociations name the three ProgIDs');
    check(reg('HKCU\\Software\\RegisteredApplications').includes('Software\\Registratura\\Capabilities'), 'listed in RegisteredApplications (Windows "Default apps")');
    check(shortcutTexts().every((text) => text.includes('--config') && text.includes('provisioning.json')), 'Start-menu and desktop shortcuts start the desk with --config');

    // Another program takes sip: over; uninstalling must leave its handler alone.
    winRun(['reg', 'add', 'HKCU\\Software\\Classes\\sip\\shell\\open\\command', '/ve', '/d', '"C:\\Other\\phone.exe" "%1"', '/f']);
    const updated = winRun([uninstaller, '/S', '--updated', `_?=${installDir}`]);
    check(updated.status === 0 && existsSync(provisioning), 'an update (uninstall with --updated) keeps the provisioning file');
    const reinstalled = winRun([join(work, 'harness-installer.exe'), '/S']);
    check(reinstalled.status === 0 && /--config "[^"]*provisioning\.json" "%1"/.test(reg('HKCU\\Software\\Classes\\tel\\shell\\open\\command')), 'installing again without /CONFIG keeps using the file already there');
    winRun(['reg', 'add', 'HKCU\\Software\\Classes\\sip\\shell\\open\\command', '/ve', '/d', '"C:\\Other\\phone.exe" "%1"', '/f']);
    const removed = winRun([uninstaller, '/S', `_?=${installDir}`]);
    check(removed.status === 0, `uninstalls (exit ${removed.status})`);
    check(!reg('HKCU\\Software\\Classes\\tel').includes('Registratura') && !reg('HKCU\\Software\\Classes\\Registratura.tel').includes('URL'), 'tel: handler and ProgID removed');
    check(reg('HKCU\\Software\\Classes\\sip\\shell\\open\\command').includes('phone.exe'), "another program's sip: handler is left alone");
    check(!reg('HKCU\\Software\\RegisteredApplications').includes('Registratura'), 'no longer in RegisteredApplications');
    check(!existsSync(provisioning), 'the provisioning file (it may hold the SIP password) is deleted');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  // Wine leaves a wineserver running for a few seconds; it exits by itself.
}
console.log(failures === 0 ? 'installer.nsh: all checks passed' : `installer.nsh: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);

import { join } from 'node:path';
import { app, dialog, globalShortcut, ipcMain, protocol, safeStorage, session, shell, type BrowserWindow } from 'electron';
import { createCore, type Core } from '../core/core';
import { createHostLogger } from '../core/host-logger';
import type { Logger } from '../core/log/logger';
import { loadProvisioningFile, ProvisioningError } from '../core/provisioning/load-provisioning';
import { acquireDataDirLock, type DataDirLock } from '../core/startup/data-dir-lock';
import { prepareDataDir } from '../core/startup/data-dir';
import { EXIT_REFUSED, StartupError, startupLine } from '../core/startup/startup-error';
import { APP_VERSION } from '../core/version';
import { acceptedDevRendererUrl, isOwnOrigin } from './app-origin';
import { utilityProcessTransport } from './plugin-utility-process';
import { parseDeskArgs, DeskUsageError } from './cli-args';
import { installDevServerSecurityHeaders } from './content-security-policy';
import { registerGlobalHotkeys } from './global-hotkeys';
import { ElectronStoreSettingsStorage } from './electron-store-settings';
import { registerIpc, type IpcWebContents } from './ipc';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './protocol';
import { createElectronSecretStore } from './safe-storage-secret-store';
import { hardenAllWebContents, installPermissionHandlers } from './security';
import { createOperatorWindow, createSupervisorWindow, type DeskWindowOptions } from './windows';

/** How long quitting waits for the core to stop before leaving anyway. */
export const CORE_STOP_DEADLINE_MS = 3000;

/** Exit code for a refused start (bad arguments, provisioning file, data folder, lock), as in the browser host. */
export const EXIT_CONFIGURATION = EXIT_REFUSED;

export interface BootstrapOptions {
  /** process.argv; only --config and --data-dir are read. */
  argv: readonly string[];
  /** Absolute path of out/preload/index.cjs. */
  preloadPath: string;
  /** Absolute path of out/renderer (index.html + assets/). */
  rendererDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface DeskApp {
  /** Resolves true once the core runs and the operator window exists, false if start was refused. */
  readonly started: Promise<boolean>;
  operatorWindow(): BrowserWindow | null;
  /** Opens the supervisor's window, or brings the open one forward (one at a time). */
  openSupervisorWindow(): BrowserWindow;
  core(): Core | null;
}

/**
 * The Electron host's lifecycle. Everything Chromium needs before `ready` (data folder,
 * single-instance lock, sandbox for all renderers, the privileged app:// scheme, hardening of
 * every WebContents) happens synchronously here; the rest once the app is ready. Returns null
 * when this process is not going to run the desk (second instance, bad arguments).
 */
export function bootstrap(options: BootstrapOptions): DeskApp | null {
  const env = options.env ?? process.env;

  /** One line on stderr, the same words in a dialog, exit code 2. */
  const refuse = (message: string): null => {
    process.stderr.write(`${startupLine(message)}\n`);
    dialog.showErrorBox('Registratura cannot start', message);
    app.exit(EXIT_CONFIGURATION);
    return null;
  };

  let args;
  try {
    args = parseDeskArgs(options.argv);
  } catch (error) {
    if (!(error instanceof DeskUsageError)) throw error;
    return refuse(error.message);
  }

  // Before the lock: the lock lives in userData, so separate data folders are separate desks.
  const dataDir = args.dataDir ?? app.getPath('userData');
  try {
    prepareDataDir(dataDir);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return refuse(error.message);
  }
  if (args.dataDir) app.setPath('userData', args.dataDir);

  if (!app.requestSingleInstanceLock()) {
    // Another desktop app already runs on this data folder; it gets focus through 'second-instance'.
    app.quit();
    return null;
  }
  // Electron's lock only sees Electron: desk.lock also keeps a browser host off this folder.
  let lock: DataDirLock;
  try {
    lock = acquireDataDirLock(dataDir, 'electron');
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    return refuse(error.message);
  }
  app.on('will-quit', () => lock.release());

  app.enableSandbox();
  protocol.registerSchemesAsPrivileged(APP_SCHEME_PRIVILEGES.map((entry) => ({ scheme: entry.scheme, privileges: { ...entry.privileges } })));

  const devRendererUrl = app.isPackaged ? undefined : acceptedDevRendererUrl(env.ELECTRON_RENDERER_URL);
  const isOurs = (url: string) => isOwnOrigin(url, devRendererUrl);
  const logger: Logger = createHostLogger(dataDir);
  if (lock.replacedStale) {
    const stale = lock.replacedStale;
    logger.warn('data-dir.stale-lock-replaced', stale === 'unreadable' ? { unreadable: true } : { pid: stale.pid, host: stale.host });
  }

  hardenAllWebContents(app, {
    isOwnOrigin: isOurs,
    openExternal: (url) => shell.openExternal(url),
    onBlocked: (what, url) => logger.warn('security.blocked', { what, target: safeForLog(url) }),
  });

  const windows = new Set<BrowserWindow>();
  let operator: BrowserWindow | null = null;
  let supervisor: BrowserWindow | null = null;
  let core: Core | null = null;

  const windowOptions: DeskWindowOptions = {
    preloadPath: options.preloadPath,
    onLoadFailed: (url, error) => logger.error('window.load-failed', { url, error }),
    ...(devRendererUrl ? { devRendererUrl } : {}),
  };
  const track = (window: BrowserWindow): BrowserWindow => {
    windows.add(window);
    window.on('closed', () => {
      windows.delete(window);
      if (window === operator) operator = null;
      if (window === supervisor) supervisor = null;
    });
    return window;
  };
  const openOperatorWindow = () => {
    operator = track(createOperatorWindow(windowOptions));
    return operator;
  };

  const reveal = (window: BrowserWindow | null) => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  const revealOperator = () => reveal(operator);
  /** `app.openSupervisor` (the core checked the role): one supervisor window, made by the same hardened factory. */
  const openSupervisorWindow = (): BrowserWindow => {
    if (supervisor && !supervisor.isDestroyed()) {
      reveal(supervisor);
      return supervisor;
    }
    supervisor = track(createSupervisorWindow(windowOptions));
    return supervisor;
  };
  app.on('second-instance', revealOperator);
  let unregisterHotkeys: (() => void) | null = null;
  app.on('will-quit', () => unregisterHotkeys?.());

  app.on('window-all-closed', () => app.quit());

  let coreStopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    if (!core || coreStopped) return;
    // Hold the quit until the core has flushed and closed its files, but never forever.
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    const finish = () => {
      if (coreStopped) return;
      coreStopped = true;
      app.quit();
    };
    const deadline = setTimeout(finish, CORE_STOP_DEADLINE_MS);
    deadline.unref?.();
    core
      .stop()
      .catch((error: unknown) => logger.error('core.stop-failed', { error }))
      .finally(() => {
        clearTimeout(deadline);
        finish();
      });
  });

  const start = async (): Promise<boolean> => {
    await app.whenReady();
    try {
      const provisioning = args.configPath ? loadProvisioningFile(args.configPath) : undefined;

      registerAppProtocol(protocol, options.rendererDir);
      const ses = session.defaultSession;
      installPermissionHandlers(ses, isOurs);
      if (devRendererUrl) installDevServerSecurityHeaders(ses.webRequest, devRendererUrl);

      const secrets = createElectronSecretStore({ safeStorage, dataDir, logger });
      core = createCore({
        host: 'electron',
        version: APP_VERSION,
        dataDir,
        settingsStorage: new ElectronStoreSettingsStorage(dataDir),
        secrets,
        logger,
        ...(provisioning ? { provisioning } : {}),
        // MIS plugins run in utility processes of their own (the bootstrap is written beside the data).
        pluginTransport: utilityProcessTransport(join(dataDir, 'runtime')),
        openSupervisorWindow: () => {
          openSupervisorWindow();
        },
      });
      await core.start();

      registerIpc(
        ipcMain,
        core,
        {
          isOwnOrigin: isOurs,
          isTrustedSender: (contents) => [...windows].some((window) => !window.isDestroyed() && (window.webContents as unknown) === contents),
          eventTargets: () => [...windows].filter((window) => !window.isDestroyed()).map((window) => window.webContents as unknown as IpcWebContents),
        },
        logger,
      );
      openOperatorWindow();
      const startedCore = core;
      unregisterHotkeys = registerGlobalHotkeys(
        globalShortcut,
        { press: (action) => startedCore.events.emit('hotkey:pressed', { action }), reveal: revealOperator },
        logger,
      ).unregister;
      logger.info('electron.started', { dataDir, provisioned: provisioning !== undefined, dev: devRendererUrl !== undefined });
      return true;
    } catch (error) {
      const refused = error instanceof ProvisioningError || error instanceof StartupError;
      logger.error(refused ? 'electron.provisioning-refused' : 'electron.start-failed', { error });
      const message = (error as Error).message;
      process.stderr.write(`Registratura could not start: ${message}\n`);
      dialog.showErrorBox('Registratura cannot start', refused ? message : `${message}\n\nDetails are in ${dataDir}/logs/desk.log.`);
      // app.exit skips 'will-quit': the lock is released here.
      lock.release();
      app.exit(refused ? EXIT_CONFIGURATION : 1);
      return false;
    }
  };

  return {
    started: start(),
    operatorWindow: () => operator,
    openSupervisorWindow,
    core: () => core,
  };
}

/** A URL for the log without its query or fragment (they can carry tokens or numbers). */
function safeForLog(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`.slice(0, 200);
  } catch {
    return '(unparsable)';
  }
}

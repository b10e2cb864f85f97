import { join } from 'node:path';
import { app, dialog, globalShortcut, ipcMain, Menu, nativeImage, protocol, safeStorage, screen, session, shell, Tray, type BrowserWindow } from 'electron';
import type { DialRequest } from '../../src-shared/app/app-contract';
import { deskStateOf } from '../../src-shared/app/desk-state';
import type { QueueView } from '../../src-shared/pbx/pbx-contract';
import { DIAL_LINK_SCHEMES, dialLinkArgument, parseDialLink } from '../../src-shared/phone/dial-link';
import type { DesktopSettings, Settings, SettingsView } from '../../src-shared/settings/settings-schema';
import type { CoreStatus } from '../../src-shared/status/system-status';
import { DialRequestMailbox } from '../core/app/dial-requests';
import { createCore, type Core, type CoreOptions } from '../core/core';
import { createHostLogger } from '../core/host-logger';
import type { Logger } from '../core/log/logger';
import { loadProvisioningFile, ProvisioningError } from '../core/provisioning/load-provisioning';
import { acquireDataDirLock, type DataDirLock } from '../core/startup/data-dir-lock';
import { prepareDataDir } from '../core/startup/data-dir';
import { EXIT_REFUSED, StartupError, startupLine } from '../core/startup/startup-error';
import { APP_VERSION } from '../core/version';
import { acceptedDevRendererUrl, isOwnOrigin } from './app-origin';
import { applyAutostart } from './autostart';
import { utilityProcessTransport } from './plugin-utility-process';
import { parseDeskArgs, DeskUsageError } from './cli-args';
import { installDevServerSecurityHeaders } from './content-security-policy';
import { registerGlobalHotkeys } from './global-hotkeys';
import { ElectronStoreSettingsStorage } from './electron-store-settings';
import { registerIpc, type IpcWebContents } from './ipc';
import { installLockShortcut } from './lock-shortcut';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './protocol';
import { createElectronSecretStore } from './safe-storage-secret-store';
import { hardenAllWebContents, installPermissionHandlers } from './security';
import { createDeskTray, type DeskTray, type TrayElectron, type TrayView } from './tray';
import { requestWindowAttention, revealWindow } from './window-attention';
import { WindowStateStore } from './window-state-store';
import { createOperatorWindow, createSupervisorWindow, defaultWindowSize, type DeskWindowOptions } from './windows';

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
  /** process.platform (tests pass another): login items vs XDG autostart, Ctrl+L vs Cmd+L. */
  platform?: NodeJS.Platform;
}

export interface DeskApp {
  /** Resolves true once the core runs and the operator window exists, false if start was refused. */
  readonly started: Promise<boolean>;
  /** The operator's window (also while it is hidden to the tray). */
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
  const platform = options.platform ?? process.platform;

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

  // tel: / sip: links: the page takes the number (`app.takeDialRequest`) and asks before it dials.
  // Every link is parsed here first; a refused one is logged by its reason, never its text.
  let core: Core | null = null;
  const dialRequests = new DialRequestMailbox();
  const receiveDialLink = (link: string | null, via: 'start' | 'second-instance' | 'open-url') => {
    if (link === null) return;
    const parsed = parseDialLink(link);
    if (!parsed.ok) {
      logger.warn('dial-link.refused', { via, problem: parsed.problem });
      return;
    }
    const request: DialRequest = { number: parsed.number, source: 'link' };
    dialRequests.post(request);
    logger.info('dial-link.received', { via, scheme: parsed.scheme });
    core?.events.emit('app:dial-request', request);
    revealOperator();
  };
  // macOS hands links to the running app (also the one it is starting for) as 'open-url'.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    receiveDialLink(url, 'open-url');
  });

  hardenAllWebContents(app, {
    isOwnOrigin: isOurs,
    openExternal: (url) => shell.openExternal(url),
    onBlocked: (what, url) => logger.warn('security.blocked', { what, target: safeForLog(url) }),
  });

  const windows = new Set<BrowserWindow>();
  let operator: BrowserWindow | null = null;
  let supervisor: BrowserWindow | null = null;
  let windowStates: WindowStateStore | null = null;
  let tray: DeskTray | null = null;
  /** Set once a real quit begins (tray's Quit, Cmd+Q, the OS ending the session): closing no longer hides. */
  let quitting = false;
  /** `desktop.*` as last seen (settings:changed). */
  let desktop: DesktopSettings = { autostart: false, closeToTray: true };

  const windowOptions: DeskWindowOptions = {
    preloadPath: options.preloadPath,
    onLoadFailed: (url, error) => logger.error('window.load-failed', { url, error }),
    ...(devRendererUrl ? { devRendererUrl } : {}),
  };
  const track = (window: BrowserWindow, kind: 'operator' | 'supervisor'): BrowserWindow => {
    windows.add(window);
    windowStates?.track(kind, window);
    // Ctrl+L (Cmd+L) locks the desk before the page sees the key, however busy the page is.
    installLockShortcut(
      window.webContents,
      () => {
        core?.session.lock('hotkey');
      },
      platform,
    );
    window.on('closed', () => {
      windows.delete(window);
      if (window === operator) operator = null;
      if (window === supervisor) supervisor = null;
    });
    return window;
  };
  const openOperatorWindow = () => {
    const window = track(createOperatorWindow(windowOptions, windowStates?.placementFor('operator', defaultWindowSize('operator'))), 'operator');
    // Close-to-tray: closing hides the operator's window (the phone keeps ringing); Quit is in the
    // tray's menu. Without a tray it closes, so it is never hidden where nobody can bring it back.
    window.on('close', (event) => {
      if (quitting || !tray || !desktop.closeToTray) return;
      event.preventDefault();
      window.hide();
    });
    // Windows ends the session (shutdown, log-off): let the window close, or it would hold the OS up.
    window.on('session-end', () => {
      quitting = true;
    });
    operator = window;
    return window;
  };

  const reveal = (window: BrowserWindow | null) => revealWindow(window);
  const revealOperator = () => reveal(operator);
  /** `app.openSupervisor` (the core checked the role): one supervisor window, made by the same hardened factory. */
  const openSupervisorWindow = (): BrowserWindow => {
    if (supervisor && !supervisor.isDestroyed()) {
      reveal(supervisor);
      return supervisor;
    }
    supervisor = track(createSupervisorWindow(windowOptions, windowStates?.placementFor('supervisor', defaultWindowSize('supervisor'))), 'supervisor');
    return supervisor;
  };
  // A second launch (the desk's icon again, or a tel:/sip: link on Windows and Linux) brings this
  // desk forward and hands over its link.
  app.on('second-instance', (_event, argv: string[]) => {
    revealOperator();
    receiveDialLink(dialLinkArgument(argv), 'second-instance');
  });
  // macOS: a click on the Dock icon of the running (hidden) desk.
  app.on('activate', revealOperator);
  let unregisterHotkeys: (() => void) | null = null;
  app.on('will-quit', () => {
    unregisterHotkeys?.();
    windowStates?.flush();
    tray?.destroy();
    tray = null;
  });

  app.on('window-all-closed', () => app.quit());

  let coreStopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    quitting = true;
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
      // Not a literal in the call: requestAttention and dialRequests reach createCore once
      // CoreOptions names them (core.ts passes both to createAppHandlers).
      const coreOptions: CoreOptions & { requestAttention?: () => void; dialRequests?: DialRequestMailbox } = {
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
        // The page's phone rings: the operator's window comes forward, or flashes where the OS refuses focus.
        requestAttention: () => {
          requestWindowAttention(operator);
        },
        dialRequests,
        // «Сохранить диагностику»: the saved zip is shown, selected, in the file manager.
        revealDiagnostics: (path) => shell.showItemInFolder(path),
      };
      core = createCore(coreOptions);
      await core.start();
      const startedCore = core;
      const settingsNow: Settings = startedCore.settings.settings;
      desktop = { ...settingsNow.desktop };
      windowStates = new WindowStateStore({ dataDir, screen, logger });

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
      tray = startTray(startedCore, settingsNow);
      // The OS hands tel:, sip: and sips: links to this desk (an installed desk only: a dev run
      // would register the bare Electron binary).
      if (app.isPackaged) {
        for (const scheme of DIAL_LINK_SCHEMES) {
          // The handler's command line keeps IT's --config and --data-dir (Windows writes it as given).
          const handlerArgs = [...(args.configPath ? ['--config', args.configPath] : []), ...(args.dataDir ? ['--data-dir', args.dataDir] : [])];
          if (!app.setAsDefaultProtocolClient(scheme, process.execPath, handlerArgs)) logger.warn('dial-link.handler-not-registered', { scheme });
        }
      }
      const applyDesktopAutostart = (enabled: boolean) => {
        // A dev run would make the bare Electron binary a login item.
        if (!app.isPackaged) return;
        applyAutostart(enabled, {
          platform,
          app,
          executable: env.APPIMAGE ?? process.execPath,
          args: [...(args.configPath ? ['--config', args.configPath] : []), ...(args.dataDir ? ['--data-dir', args.dataDir] : [])],
          linuxAutostartDir: join(env.XDG_CONFIG_HOME ?? app.getPath('appData'), 'autostart'),
          logger,
        });
      };
      applyDesktopAutostart(desktop.autostart);
      startedCore.settings.onChange((view) => {
        const autostartChanged = view.settings.desktop.autostart !== desktop.autostart;
        desktop = { ...view.settings.desktop };
        if (autostartChanged) applyDesktopAutostart(desktop.autostart);
      });
      // A link the desk was started with waits for the page.
      receiveDialLink(dialLinkArgument(options.argv), 'start');
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

  /**
   * The tray: the desk's state (PBX link, agent paused) re-rendered on every change the core
   * announces, show / status / quit in its menu. Status changes go through the core's own
   * `agent.setStatus` (the same rules as the status bar's), from client `tray`.
   */
  function startTray(startedCore: Core, settings: Settings): DeskTray | null {
    let status: CoreStatus = startedCore.status.snapshot();
    let queue: QueueView | null = null;
    let traySettings = settings;
    const view = (): TrayView => ({
      desk: deskStateOf(status, queue),
      language: traySettings.language,
      pauseReasons: traySettings.agentStatus.pauseReasons,
      canSetStatus: (status.pbx.state === 'online' || status.pbx.state === 'degraded') && startedCore.pbx.agentExtension !== null,
    });
    const created = createDeskTray(
      { Tray, Menu, nativeImage } as unknown as TrayElectron,
      {
        show: revealOperator,
        setStatus: (request) => {
          void startedCore.dispatcher.dispatch('agent.setStatus', request, { host: 'electron', client: 'tray' }).then((result) => {
            if (!result.ok) logger.warn('tray.status-refused', { code: result.error.code });
            created?.refresh();
          });
        },
        quit: () => {
          quitting = true;
          app.quit();
        },
      },
      view(),
      logger,
    );
    if (!created) return null;
    startedCore.events.subscribe((name, payload) => {
      if (name === 'status:changed') status = payload as CoreStatus;
      else if (name === 'queue:changed') queue = payload as QueueView;
      else if (name === 'settings:changed') traySettings = (payload as SettingsView).settings;
      else return;
      created.render(view());
    });
    return created;
  }

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

import type { DeskState } from '../../src-shared/app/desk-state';
import type { AgentStatusRequest } from '../../src-shared/pbx/pbx-contract';
import type { Language } from '../../src-shared/settings/settings-schema';
import type { Logger } from '../core/log/logger';
import { TRAY_ICONS } from './tray-icons';
import { TRAY_LABELS } from './tray-labels';

/** What the tray shows: the desk's state and what the status items offer. */
export interface TrayView {
  desk: DeskState;
  language: Language;
  /** `agentStatus.pauseReasons` from the settings, in their order. */
  pauseReasons: readonly string[];
  /** A PBX link and an agent extension: the status items can do something. */
  canSetStatus: boolean;
}

export interface TrayActions {
  /** Shows the operator window (from the tray, minimised or behind others). */
  show(): void;
  /** Asks the PBX for ready or a pause (`agent.setStatus` through the core). */
  setStatus(request: AgentStatusRequest): void;
  /** Quits the desk for real (not hiding to the tray). */
  quit(): void;
}

/** One menu item (Electron's MenuItemConstructorOptions, the part used). */
export interface TrayMenuItem {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'radio';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

const fill = (template: string, reason: string) => template.replace('{reason}', reason);

/** The state's words: "на связи", "пауза: Обед". */
export function trayStateText(view: Pick<TrayView, 'desk' | 'language'>): string {
  const labels = TRAY_LABELS[view.language];
  const { desk } = view;
  if (desk.state === 'paused') return desk.reason ? fill(labels.pausedWith, desk.reason) : labels.paused;
  return labels[desk.state];
}

/** The tooltip: the product and the state ("Регистратура — на связи"). */
export function trayTooltip(view: Pick<TrayView, 'desk' | 'language'>): string {
  return `${TRAY_LABELS[view.language].title} — ${trayStateText(view)}`;
}

/**
 * The tray's menu: the state (not clickable), Show, ready and each pause reason (the current one
 * checked; disabled without a PBX link or agent extension), Quit.
 */
export function trayMenuTemplate(view: TrayView, actions: TrayActions): TrayMenuItem[] {
  const labels = TRAY_LABELS[view.language];
  const { desk } = view;
  const paused = desk.state === 'paused' ? desk.reason : undefined;
  return [
    { id: 'state', label: trayTooltip(view), enabled: false },
    { type: 'separator' },
    { id: 'show', label: labels.show, click: () => actions.show() },
    { type: 'separator' },
    {
      id: 'ready',
      label: labels.ready,
      type: 'radio',
      checked: desk.state === 'registered',
      enabled: view.canSetStatus,
      click: () => actions.setStatus({ state: 'ready' }),
    },
    ...view.pauseReasons.map(
      (reason): TrayMenuItem => ({
        id: `pause:${reason}`,
        label: fill(labels.pauseItem, reason),
        type: 'radio',
        checked: paused === reason,
        enabled: view.canSetStatus,
        click: () => actions.setStatus({ state: 'paused', reason }),
      }),
    ),
    { type: 'separator' },
    { id: 'quit', label: labels.quit, click: () => actions.quit() },
  ];
}

/** Electron's NativeImage, reduced. */
export interface TrayImage {
  addRepresentation(options: { scaleFactor: number; dataURL: string }): void;
}

/** Electron's Tray, reduced. */
export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  setImage(image: TrayImage): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

/** The Electron modules the tray uses (injected, so the tray is tested against the fake). */
export interface TrayElectron {
  Tray: new (image: TrayImage) => TrayLike;
  Menu: { buildFromTemplate(template: TrayMenuItem[]): unknown };
  nativeImage: { createFromDataURL(dataURL: string): TrayImage };
}

export interface DeskTray {
  /** Shows this view (nothing is rebuilt when it did not change). */
  render(view: TrayView): void;
  /**
   * Rebuilds the menu from the last view: after a status request settles (a radio item checks
   * itself when clicked, before the PBX agreed; a refusal must not leave it checked).
   */
  refresh(): void;
  destroy(): void;
}

function iconOf(electron: TrayElectron, state: DeskState['state']): TrayImage {
  const image = electron.nativeImage.createFromDataURL(TRAY_ICONS[state].x1);
  image.addRepresentation({ scaleFactor: 2, dataURL: TRAY_ICONS[state].x2 });
  return image;
}

/**
 * The desk's tray icon: its picture and tooltip say the state, its menu shows the window, sets
 * the agent's status and quits. A click on the icon shows the window (Windows, most Linux
 * panels). Null when the platform has no tray (then closing the window closes it: it must
 * never be hidden where nobody can bring it back).
 */
export function createDeskTray(electron: TrayElectron, actions: TrayActions, view: TrayView, logger: Pick<Logger, 'warn'>): DeskTray | null {
  let tray: TrayLike;
  try {
    tray = new electron.Tray(iconOf(electron, view.desk.state));
  } catch (error) {
    logger.warn('tray.unavailable', { error });
    return null;
  }
  tray.on('click', () => actions.show());
  let shown = '';
  let last = view;
  let shownIcon: DeskState['state'] | null = view.desk.state;
  const render = (next: TrayView) => {
    last = next;
    const key = JSON.stringify(next);
    if (key === shown) return;
    shown = key;
    if (next.desk.state !== shownIcon) {
      shownIcon = next.desk.state;
      tray.setImage(iconOf(electron, next.desk.state));
    }
    tray.setToolTip(trayTooltip(next));
    // Linux needs the menu set again after any change of its items.
    tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(next, actions)));
  };
  render(view);
  return {
    render,
    refresh: () => {
      shown = '';
      render(last);
    },
    destroy: () => {
      shownIcon = null;
      tray.destroy();
    },
  };
}

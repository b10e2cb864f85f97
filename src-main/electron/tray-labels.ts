import type { Language } from '../../src-shared/settings/settings-schema';

/**
 * The tray's words, in the desk's language (main has no i18next; the renderer's locales hold
 * the same words for its status bar: `agentStatus.*`, `status.state.*`). No patient data ever
 * appears in the tray: its tooltip and menu are visible on a shared screen and in screen shares.
 */
export interface TrayLabels {
  /** The tooltip and the menu's first line: the product and the desk's state. */
  title: string;
  registered: string;
  reconnecting: string;
  offline: string;
  paused: string;
  /** `{reason}` is the pause reason (a setting, or the PBX's own words). */
  pausedWith: string;
  show: string;
  ready: string;
  /** The prefix of each pause reason's item: "Пауза: Обед". */
  pauseItem: string;
  quit: string;
}

export const TRAY_LABELS: Readonly<Record<Language, TrayLabels>> = Object.freeze({
  ru: {
    title: 'Регистратура',
    registered: 'на связи',
    reconnecting: 'переподключение к АТС…',
    offline: 'нет связи с АТС',
    paused: 'пауза',
    pausedWith: 'пауза: {reason}',
    show: 'Показать окно',
    ready: 'Готов',
    pauseItem: 'Пауза: {reason}',
    quit: 'Выйти из программы',
  },
  en: {
    title: 'Registratura',
    registered: 'connected',
    reconnecting: 'reconnecting to the PBX…',
    offline: 'no PBX connection',
    paused: 'paused',
    pausedWith: 'paused: {reason}',
    show: 'Show window',
    ready: 'Ready',
    pauseItem: 'Paused: {reason}',
    quit: 'Quit',
  },
});

import { useRef, useState, type KeyboardEvent, type ReactElement, type SVGProps } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../src-shared/settings/settings-schema';
import { useAppStore, visiblePanes, type PaneId } from '../../app/app-store';
import { CallbacksBadge } from '../callbacks';
import { CallListsIcon } from '../call-lists';
import { CallbacksIcon, PatientsIcon, PhoneIcon, QueueIcon, SettingsIcon, SupervisorIcon } from '../../ui/icons';

const ICONS: Record<PaneId, (props: SVGProps<SVGSVGElement>) => ReactElement> = {
  phone: PhoneIcon,
  patients: PatientsIcon,
  queue: QueueIcon,
  callbacks: CallbacksIcon,
  'call-lists': CallListsIcon,
  supervisor: SupervisorIcon,
  settings: SettingsIcon,
};

/**
 * The left navigation: one tab stop (roving tabindex), arrows / Home / End move between items,
 * Enter / Space open the pane. Each role sees its own panes (`visiblePanes`), numbered in order.
 */
export function SideNav(): ReactElement {
  const { t } = useTranslation();
  const role = useAppStore((state) => state.settingsView?.settings.role);
  const active = useAppStore((state) => state.pane);
  const navigate = useAppStore((state) => state.navigate);
  const appInfo = useAppStore((state) => state.appInfo);
  // Nothing until the role is known: a cashier must not see the operator's panes flash by.
  const items = role ? visiblePanes(role) : [];
  // Roving tabindex: the nav is one tab stop, on the item last focused (the active one after
  // every navigation).
  const [focusPane, setFocusPane] = useState<PaneId>(active);
  const [lastActive, setLastActive] = useState<PaneId>(active);
  if (lastActive !== active) {
    setLastActive(active);
    setFocusPane(active);
  }
  const tabStop = Math.max(0, items.indexOf(items.includes(focusPane) ? focusPane : active));
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const moveFocus = (index: number) => {
    const next = (index + items.length) % items.length;
    const pane = items[next];
    if (pane) setFocusPane(pane);
    buttons.current[next]?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const current = buttons.current.findIndex((button) => button === document.activeElement);
    const from = current >= 0 ? current : tabStop;
    const target =
      event.key === 'ArrowDown'
        ? from + 1
        : event.key === 'ArrowUp'
          ? from - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? items.length - 1
              : null;
    if (target === null) return;
    event.preventDefault();
    moveFocus(target);
  };

  return (
    <nav className="side-nav" aria-label={t('nav.label')} data-testid="nav">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          Р
        </span>
        <span className="brand-name">{t('app.title')}</span>
      </div>
      <ul className="nav-list" onKeyDown={onKeyDown}>
        {items.map((pane, index) => {
          const Icon = ICONS[pane];
          const number = index + 1;
          const shortcut = t('nav.shortcut', { n: number });
          return (
            <li key={pane}>
              <button
                type="button"
                ref={(element) => {
                  buttons.current[index] = element;
                }}
                className="nav-item"
                data-testid={`nav-${pane}`}
                aria-current={pane === active ? 'page' : undefined}
                aria-keyshortcuts={`Control+${number} Alt+${number}`}
                title={shortcut}
                tabIndex={index === tabStop ? 0 : -1}
                onFocus={() => setFocusPane(pane)}
                onClick={() => navigate(pane)}
              >
                <Icon className="nav-icon" />
                <span className="nav-label">{pane === 'call-lists' ? t('callLists.nav') : t(`nav.${pane}`)}</span>
                {pane === 'callbacks' ? <CallbacksBadge /> : null}
                <kbd className="nav-key" aria-hidden="true">
                  {number}
                </kbd>
              </button>
            </li>
          );
        })}
      </ul>
      {appInfo ? (
        <p className="nav-footer" data-testid="app-info">
          {t('app.about', { name: appInfo.name, version: appInfo.version, host: t(`app.host.${appInfo.host}`) })}
        </p>
      ) : null}
    </nav>
  );
}

/** Ctrl+N and Alt+N open the N-th pane of the role's navigation, wherever focus is. */
export function paneForShortcut(event: globalThis.KeyboardEvent, role: Role | undefined): PaneId | null {
  if (event.shiftKey || event.metaKey) return null;
  if (event.ctrlKey === event.altKey) return null; // neither, or AltGr (Ctrl+Alt)
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code) ?? /^([1-9])$/.exec(event.key);
  // No shortcut before the role is known: the N-th pane differs by role (a cashier's 2 is Phone).
  if (!match || !role) return null;
  return visiblePanes(role)[Number(match[1]) - 1] ?? null;
}

import { useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { DesktopSettings, SettingsView } from '../../../src-shared/settings/settings-schema';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { SettingsField } from './settings-field';
import { isManaged } from './settings-form-model';

type DesktopKey = keyof DesktopSettings;

/** Each switch: its setting (also its label's key under `settings.desktop`) and its element id. */
const FIELDS: readonly { setting: DesktopKey; id: string }[] = [
  { setting: 'autostart', id: 'settings-desktop-autostart' },
  { setting: 'closeToTray', id: 'settings-desktop-close-to-tray' },
];

/**
 * Settings → Desktop app (the Electron host only: the browser host has no login item and no
 * tray): start with the OS, and close to the tray. Each switch is saved at once with
 * `settings.update { desktop }` (a personal setting: anyone signed in may change it here); a
 * path IT manages is shown locked.
 */
export function DesktopAppSettings({ view }: { view: SettingsView }): ReactElement | null {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const host = useAppStore((state) => state.appInfo?.host);
  const setSettingsView = useAppStore((state) => state.setSettingsView);
  const [busy, setBusy] = useState<DesktopKey | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  if (host !== 'electron') return null;

  const save = async (key: DesktopKey, value: boolean) => {
    setBusy(key);
    setMessage(null);
    try {
      setSettingsView(await desk.request('settings.update', { desktop: { [key]: value } }));
      setMessage({ tone: 'ok', text: t('settings.desktop.saved') });
    } catch (error) {
      setMessage({ tone: 'error', text: t('settings.desktop.failed', { reason: errorText(toDeskError(error)) }) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <form className="settings-form settings-desktop" noValidate data-testid="settings-desktop" onSubmit={(event) => event.preventDefault()}>
      <fieldset className="settings-section">
        <legend>{t('settings.desktop.title')}</legend>
        {FIELDS.map(({ setting: key, id }) => {
          const managed = isManaged(`desktop.${key}`, view.managed);
          return (
            <SettingsField key={key} id={id} label={t(`settings.desktop.${key}`)} hint={t(`settings.desktop.${key}Hint`)} managed={managed}>
              {(describedBy) => (
                <input
                  id={id}
                  data-testid={id}
                  type="checkbox"
                  className="checkbox"
                  checked={view.settings.desktop[key]}
                  disabled={managed || busy !== null}
                  aria-describedby={describedBy}
                  onChange={(event) => void save(key, event.target.checked)}
                />
              )}
            </SettingsField>
          );
        })}
      </fieldset>
      <div className="settings-actions">
        <p className="settings-message" role="status" data-testid="settings-desktop-message" data-tone={message?.tone ?? ''}>
          {message?.text ?? ''}
        </p>
      </div>
    </form>
  );
}

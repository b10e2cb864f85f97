import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../src-shared/settings/settings-schema';
import en from './locales/en.json';
import ru from './locales/ru.json';

export const DEFAULT_LANGUAGE: Language = 'ru';

export const resources = {
  ru: { translation: ru },
  en: { translation: en },
} as const;

/**
 * A fresh i18next instance with both locales bundled (no network, no backend), so it is ready
 * synchronously. Russian is the default; settings switch it at runtime.
 */
export function createI18n(language: Language = DEFAULT_LANGUAGE): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: ['ru', 'en'],
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  return instance;
}

/** Switches the UI language and tells the document (screen readers, hyphenation, spell check). */
export async function applyLanguage(instance: I18n, language: Language): Promise<void> {
  if (instance.language !== language) await instance.changeLanguage(language);
  if (typeof document !== 'undefined') {
    document.documentElement.lang = language;
    document.title = instance.t('app.title');
  }
}

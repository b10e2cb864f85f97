import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_HINTS, DIAGNOSTIC_STEPS } from '../../../src-shared/connectors/connector-model';
import en from '../../i18n/locales/en.json';
import ru from '../../i18n/locales/ru.json';
import { MAPPABLE_CARD_FIELDS } from './connector-form-model';

type Group = Record<string, Record<string, unknown>>;

describe('connector texts', () => {
  it('every diagnostic step, hint and mappable card field has a text in both languages', () => {
    for (const [language, locale] of [['ru', ru], ['en', en]] as const) {
      const connectors = (locale as unknown as { connectors: Group & { preview: Group } }).connectors;
      for (const step of DIAGNOSTIC_STEPS) expect(connectors.step?.[step], `${language}: connectors.step.${step}`).toBeTruthy();
      for (const hint of DIAGNOSTIC_HINTS) expect(connectors.hint?.[hint], `${language}: connectors.hint.${hint}`).toBeTruthy();
      for (const field of MAPPABLE_CARD_FIELDS) expect(connectors.preview.fields?.[field], `${language}: connectors.preview.fields.${field}`).toBeTruthy();
      for (const status of ['ok', 'warning', 'failed', 'skipped']) expect(connectors.status?.[status], `${language}: connectors.status.${status}`).toBeTruthy();
    }
  });
});

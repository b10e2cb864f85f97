import { useTranslation } from 'react-i18next';
import type { DeskErrorPayload } from '../../src-shared/ipc/errors';

/** The localized, user-facing sentence for a DeskError code (never the raw server message). */
export function useErrorText(): (error: Pick<DeskErrorPayload, 'code'>) => string {
  const { t } = useTranslation();
  return (error) => t(`errors.${error.code}`, { defaultValue: t('errors.INTERNAL') });
}

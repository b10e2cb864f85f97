import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuarantineView } from '../../../src-shared/cache/cache-contract';
import { useDesk } from '../../app/desk-context';

/**
 * The records the MIS sent that the desk refused (a spreadsheet row with a broken date, a card
 * without a surname): why and where each came from, newest first, so IT can fix them at the
 * source. Reloaded whenever the cache changes. Reasons name fields and lines, never values.
 */
export function ConnectorQuarantine(): ReactElement | null {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const [view, setView] = useState<QuarantineView | null>(null);

  useEffect(() => {
    let alive = true;
    const load = () =>
      desk.request('cache.quarantine', { limit: 20 }).then(
        (next) => alive && setView(next),
        () => alive && setView(null),
      );
    void load();
    const off = desk.on('cache:changed', () => void load());
    return () => {
      alive = false;
      off();
    };
  }, [desk]);

  if (!view || view.total === 0) return null;
  const time = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'short' });
  return (
    <section className="connector-quarantine" data-testid="connector-quarantine" data-total={view.total}>
      <h3 className="connector-quarantine-title">{t('connectors.quarantine.title', { count: view.total })}</h3>
      <p className="field-note">{t('connectors.quarantine.note')}</p>
      <ul>
        {view.items.map((item, index) => (
          <li key={`${item.at}-${index}`} data-testid="connector-quarantine-item" data-stream={item.stream}>
            <span className="connector-quarantine-at">{time.format(new Date(item.at))}</span> <span className="connector-quarantine-reason">{item.reason}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

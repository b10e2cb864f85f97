import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../../src-shared/patients/search-query';
import type { PatientCacheService } from '../cache/patient-cache-service';
import type { MisConnector } from '../connectors/mis/mis-connector';
import { syntheticPatient } from '../demo/synthetic-patients';
import { silentLogger } from '../log/logger';
import { createPatientSearch } from './patient-search';

// Which source answers the cashier's search while the cache is still being filled.

const arrived = syntheticPatient(1, 4);
const notYet = syntheticPatient(2, 4);

function deps(options: { incomplete: boolean; mis: Partial<MisConnector> | null }) {
  const searched: string[] = [];
  const cache = {
    incomplete: options.incomplete,
    isOpen: true,
    search: (query: string, limit: number) => {
      searched.push(query);
      const items = query.includes(arrived.surname) || query === '0101' ? [arrived] : [];
      return { query: parseSearchQuery(query), items: items.slice(0, limit), total: items.length, complete: true, moreThanTotal: false };
    },
  } as unknown as PatientCacheService;
  return { search: createPatientSearch({ cache, mis: () => options.mis as MisConnector | null, logger: silentLogger, timeoutMs: 200 }), searched };
}

describe('patients.search while the cache is filled', () => {
  it('asks the MIS first and says so; the cache answers once it is complete', async () => {
    const mis = { search: async () => [notYet], findByPhone: async () => [] };
    const filling = deps({ incomplete: true, mis });
    expect(await filling.search({ query: notYet.surname, limit: 20, offset: 0 })).toMatchObject({ source: 'mis', total: 1, items: [{ misId: notYet.misId }] });
    const complete = deps({ incomplete: false, mis });
    expect(await complete.search({ query: arrived.surname, limit: 20, offset: 0 })).toMatchObject({ source: 'cache', items: [{ misId: arrived.misId }] });
  });

  it('a form the MIS finds nothing for (the last digits of a phone) is answered by the cards arrived so far, marked incomplete', async () => {
    const { search } = deps({ incomplete: true, mis: { search: async () => [], findByPhone: async () => [] } });
    expect(await search({ query: '0101', limit: 20, offset: 0 })).toMatchObject({ source: 'cache-incomplete', total: 1, items: [{ misId: arrived.misId }] });
    // Nothing anywhere: the MIS's empty answer, not a claim about the cache.
    expect(await search({ query: 'Несуществующая', limit: 20, offset: 0 })).toMatchObject({ source: 'mis', total: 0 });
  });

  it('with the MIS unreachable or silent past the timeout, the partial cache answers and says it may miss patients', async () => {
    const down = deps({ incomplete: true, mis: { search: async () => Promise.reject(new Error('unreachable')), findByPhone: async () => [] } });
    expect(await down.search({ query: arrived.surname, limit: 20, offset: 0 })).toMatchObject({ source: 'cache-incomplete', items: [{ misId: arrived.misId }] });
    const silent = deps({ incomplete: true, mis: { search: () => new Promise(() => undefined), findByPhone: async () => [] } });
    expect(await silent.search({ query: arrived.surname, limit: 20, offset: 0 })).toMatchObject({ source: 'cache-incomplete' });
  });
});

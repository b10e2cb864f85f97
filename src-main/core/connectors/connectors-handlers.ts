import type { HandlerTable } from '../ipc/dispatcher';
import type { ConnectorsService } from './connectors-service';

/** The `connectors.*` requests: forms, "test connection", a file source's preview. */
export function createConnectorsHandlers(service: ConnectorsService): Pick<HandlerTable, 'connectors.list' | 'connectors.diagnose' | 'connectors.preview'> {
  return {
    'connectors.list': () => service.list(),
    'connectors.diagnose': ({ kind, id, config }) => service.diagnose(kind, id, config),
    'connectors.preview': ({ kind, id, config }) => service.preview(kind, id, config),
  };
}

/**
 * The connector settings' requests (docs/architecture.md, "Connectors"): what connectors this
 * desk has and their forms, "test connection", and a file source's preview. Saving a choice is
 * `settings.update({ connectors: { mis: { id, config } } })`; its secrets go to the secret store.
 */
import { z } from 'zod';
import { NoInput, type RequestTable } from '../ipc/contract-table';
import { ConnectorKindSchema, ConnectorPreviewSchema, ConnectorsViewSchema, DiagnosticsResultSchema } from './connector-model';

/** A connector and a config to try, as the form holds it (unsaved); secrets left out are taken from the secret store. */
const ConnectorTrialSchema = z
  .object({
    kind: ConnectorKindSchema,
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
    config: z.record(z.string(), z.unknown()),
  })
  .strict();

export const connectorsRequests = {
  /** The connectors of this build and the plugins found, with their forms; the current choice without secrets. */
  'connectors.list': { input: NoInput, output: ConnectorsViewSchema },
  /** Runs the numbered diagnostics of `id` with `config`; stops at the first failed step and names it. */
  'connectors.diagnose': { input: ConnectorTrialSchema, output: DiagnosticsResultSchema },
  /** The first rows of a file source (`preview: true` connectors); `NOT_AVAILABLE` for others. */
  'connectors.preview': { input: ConnectorTrialSchema, output: ConnectorPreviewSchema },
} as const satisfies RequestTable;

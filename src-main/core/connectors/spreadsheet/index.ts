import type { MisConnectorRegistration } from '../mis/mis-connector';
import { SpreadsheetConfigSchema } from './spreadsheet-config';
import { SPREADSHEET_MANIFEST, SpreadsheetConnector } from './spreadsheet-connector';

export { SpreadsheetConfigSchema, type SpreadsheetConfig } from './spreadsheet-config';
export { SPREADSHEET_MANIFEST, SpreadsheetConnector } from './spreadsheet-connector';

/** The `spreadsheet` MIS connector as the desk registers it: a clinic's CSV / XLSX export of patients in a watched folder. */
export const spreadsheetRegistration: MisConnectorRegistration = {
  manifest: SPREADSHEET_MANIFEST as MisConnectorRegistration['manifest'],
  create: (context) =>
    new SpreadsheetConnector({
      // The desk validated the config already; parsing again fills the defaults for a direct caller.
      config: SpreadsheetConfigSchema.parse(context.config),
      stateDir: context.stateDir,
      logger: context.logger,
      clock: context.clock,
    }),
};

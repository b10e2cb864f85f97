import { fhirR4Registration } from '../fhir-r4';
import { onecHttpRegistration } from '../onec-http';
import { spreadsheetRegistration } from '../spreadsheet';
import type { MisConnectorRegistration } from './mis-connector';

/**
 * The MIS connectors built into the desk besides the demo clinic: `fhir-r4`, `onec-http`,
 * `spreadsheet`. Each folder exports its registration; this is the one list of them.
 */
export const BUILT_IN_MIS_CONNECTORS: Readonly<Record<string, MisConnectorRegistration>> = {
  'fhir-r4': fhirR4Registration,
  'onec-http': onecHttpRegistration,
  spreadsheet: spreadsheetRegistration,
};

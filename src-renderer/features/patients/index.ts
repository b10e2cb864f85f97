// The patients feature's public API: the pane (for the shell), a patient's recent calls and the
// patient formatting the screen pop, the call bar, the call journal and the data notices share.
export { PatientCalls } from './patient-calls';
export {
  ageOn,
  formatAge,
  formatCount,
  formatDateTime,
  formatIsoDate,
  formatLocalDate,
  formatMoment,
  formatOms,
  fullName,
  isSameLocalDay,
} from './patient-format';
export { PatientsPane } from './patients-pane';

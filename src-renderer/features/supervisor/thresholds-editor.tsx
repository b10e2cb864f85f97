import { useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { SupervisorPatientNamesSchema, type SupervisorSettings } from '../../../src-shared/settings/settings-schema';
import { useDesk } from '../../app/desk-context';
import { ActionError } from './supervisor-parts';
import { checkThresholds, draftOf, THRESHOLD_FIELDS, type NumericThresholdField, type ThresholdDraft, type ThresholdField, type ThresholdProblem } from './supervisor-model';
import { useRefusalText, useSupervisorAction } from './use-supervisor-action';

/**
 * The board's thresholds (when a pause or after-call work turns amber and red, when an alert
 * fires, how much of a caller's name the board shows). Checked with the shared schema main
 * applies, saved with `supervisor.setThresholds` (only the fields changed); the board's next
 * event brings them back. Untouched, the form follows the board.
 */
export function ThresholdsEditor({ thresholds }: { thresholds: SupervisorSettings }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const action = useSupervisorAction();
  const refusal = useRefusalText();
  // null: not edited, the form shows the board's values (and follows them).
  const [draft, setDraft] = useState<ThresholdDraft | null>(null);
  const [problems, setProblems] = useState<Partial<Record<ThresholdField, ThresholdProblem>>>({});
  const [saved, setSaved] = useState(false);
  const shown = draft ?? draftOf(thresholds);
  const dirty = draft !== null && THRESHOLD_FIELDS.some((field) => draft[field] !== String(thresholds[field]));

  const change = (field: ThresholdField, value: string) => {
    setDraft({ ...shown, [field]: value });
    setProblems((current) => {
      const next = { ...current };
      delete next[field];
      return next;
    });
    setSaved(false);
    action.clear();
  };

  const reset = () => {
    setDraft(null);
    setProblems({});
    action.clear();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkThresholds(shown, thresholds);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setProblems({});
    if (Object.keys(checked.patch).length === 0) {
      setDraft(null);
      return;
    }
    void action.run(() => desk.request('supervisor.setThresholds', checked.patch)).then((done) => {
      if (!done) return;
      setDraft(null);
      setSaved(true);
    });
  };

  const numeric = (field: NumericThresholdField, unit: 'minutes' | 'seconds' | 'callers' | 'percent') => (
    <ThresholdRow key={field} field={field} problem={problems[field]} unit={t(`supervisor.thresholds.unit.${unit}`)}>
      <input
        id={`sv-threshold-${field}`}
        className="input sv-threshold-input mono"
        type="number"
        inputMode="numeric"
        step={1}
        name={field}
        data-testid={`sv-threshold-${field}`}
        value={shown[field]}
        aria-invalid={problems[field] ? true : undefined}
        aria-describedby={problems[field] ? `sv-threshold-${field}-error` : undefined}
        onChange={(event) => change(field, event.target.value)}
      />
    </ThresholdRow>
  );

  return (
    <section className="sv-section sv-thresholds" aria-labelledby="sv-thresholds-title">
      <header className="sv-section-header">
        <h2 id="sv-thresholds-title" className="sv-section-title">
          {t('supervisor.thresholds.title')}
        </h2>
      </header>
      <form className="sv-thresholds-form" data-testid="sv-thresholds" onSubmit={submit} noValidate>
        <fieldset className="sv-threshold-group">
          <legend>{t('supervisor.thresholds.levels')}</legend>
          {numeric('pauseAmberMinutes', 'minutes')}
          {numeric('pauseRedMinutes', 'minutes')}
          {numeric('wrapUpAmberSeconds', 'seconds')}
          {numeric('wrapUpRedSeconds', 'seconds')}
        </fieldset>
        <fieldset className="sv-threshold-group">
          <legend>{t('supervisor.thresholds.alerts')}</legend>
          {numeric('alertWaitingCallers', 'callers')}
          {numeric('alertLongestWaitSeconds', 'seconds')}
          {numeric('slaTargetPercent', 'percent')}
          <ThresholdRow field="patientNames" problem={problems.patientNames} unit={null}>
            <select
              id="sv-threshold-patientNames"
              className="input sv-threshold-input"
              name="patientNames"
              data-testid="sv-threshold-patientNames"
              value={shown.patientNames}
              onChange={(event) => change('patientNames', event.target.value)}
            >
              {SupervisorPatientNamesSchema.options.map((option) => (
                <option key={option} value={option}>
                  {t(`supervisor.thresholds.patientNames.${option}`)}
                </option>
              ))}
            </select>
          </ThresholdRow>
          <p className="sv-threshold-zero muted">{t('supervisor.thresholds.zeroOff')}</p>
        </fieldset>
        <div className="sv-thresholds-buttons">
          <button type="submit" className="button primary" data-testid="sv-thresholds-save" disabled={!dirty || action.busy}>
            {t('supervisor.thresholds.save')}
          </button>
          {dirty ? (
            <button type="button" className="button ghost" data-testid="sv-thresholds-reset" onClick={reset}>
              {t('supervisor.thresholds.reset')}
            </button>
          ) : null}
          {saved && !dirty ? (
            <span className="sv-thresholds-saved" role="status" data-testid="sv-thresholds-saved">
              {t('supervisor.thresholds.saved')}
            </span>
          ) : null}
        </div>
        <ActionError action={action} testId="sv-thresholds-error" refusal={refusal} />
      </form>
    </section>
  );
}

function ThresholdRow({ field, problem, unit, children }: { field: ThresholdField; problem: ThresholdProblem | undefined; unit: string | null; children: ReactElement }): ReactElement {
  const { t } = useTranslation();
  return (
    <div className="sv-threshold" data-field={field}>
      <label className="sv-threshold-label" htmlFor={`sv-threshold-${field}`}>
        {t(`supervisor.thresholds.field.${field}`)}
      </label>
      <span className="sv-threshold-control">
        {children}
        {unit ? <span className="sv-threshold-unit muted">{unit}</span> : null}
      </span>
      {problem ? (
        <p className="field-error sv-threshold-error" id={`sv-threshold-${field}-error`} data-testid="sv-threshold-error" data-field={field} data-problem={problem}>
          {t(`supervisor.thresholds.problem.${problem}`, { range: t(`supervisor.thresholds.range.${field}`) })}
        </p>
      ) : null}
    </div>
  );
}

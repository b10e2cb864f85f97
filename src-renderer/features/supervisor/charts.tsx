import { memo, useEffect, useMemo, useRef, useState, type ReactElement, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type uPlot from 'uplot';
import type { HourBucket, WaitingSample } from '../../../src-shared/supervisor/supervisor-model';
import { dateTimeFormat } from '../../ui/intl-formats';
import { hourlyChartData, waitingChartData, waitingSummary } from './supervisor-model';

/** The charts' size when the layout cannot be measured (jsdom, a hidden pane); the width follows the box. */
export const CHART_FALLBACK_WIDTH = 360;
export const CHART_HEIGHT = 190;

/**
 * The width of `ref`'s box as it is laid out, followed with a ResizeObserver; the fallback while
 * it cannot be measured (0 × 0 in jsdom, where Recharts' ResponsiveContainer would draw nothing).
 */
function useBoxWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(CHART_FALLBACK_WIDTH);
  useEffect(() => {
    const box = ref.current;
    if (!box || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      // The content box: the chart goes inside the padding.
      const measured = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** A design token's colour as the document has it (`--ok` …), for the canvas and SVG fills; undefined unknown. */
function tokenColor(name: string): string | undefined {
  if (typeof document === 'undefined' || typeof getComputedStyle !== 'function') return undefined;
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? undefined : value;
}

/** `#rrggbb` with an alpha (`#rrggbbaa`), for a soft fill under a line; anything else as is. */
function withAlpha(color: string | undefined, alpha: string): string | undefined {
  return color && /^#[0-9a-f]{6}$/i.test(color) ? `${color}${alpha}` : color;
}

/** The clinic's hour now (0..23), for the hourly chart's last bar. */
function clinicHour(at: number, timeZone: string): number | null {
  try {
    const hour = Number(dateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(at)));
    return Number.isInteger(hour) && hour >= 0 && hour <= 23 ? hour : null;
  } catch {
    return null;
  }
}

interface HourlyChartProps {
  hourly: readonly HourBucket[];
  at: number;
  timeZone: string;
}

/** The same bars: a board event that changed no hour (most of them) does not redraw the chart. */
function sameHours(a: HourlyChartProps, b: HourlyChartProps): boolean {
  if (a.timeZone !== b.timeZone || a.hourly.length !== b.hourly.length || clinicHour(a.at, a.timeZone) !== clinicHour(b.at, b.timeZone)) return false;
  return a.hourly.every((bucket, i) => bucket.hour === b.hourly[i]!.hour && bucket.answered === b.hourly[i]!.answered && bucket.abandoned === b.hourly[i]!.abandoned);
}

/** Calls per clinic hour today, answered against abandoned (Recharts bars, labelled axes, legend). */
export const HourlyChart = memo(function HourlyChart({ hourly, at, timeZone }: HourlyChartProps): ReactElement {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const width = useBoxWidth(box);
  const data = useMemo(() => hourlyChartData(hourly, clinicHour(at, timeZone)), [hourly, at, timeZone]);
  const [colors] = useState(() => ({ answered: tokenColor('--ok'), abandoned: tokenColor('--bad'), grid: tokenColor('--border'), text: tokenColor('--text-2') }));
  const answered = data.reduce((sum, bar) => sum + bar.answered, 0);
  const abandoned = data.reduce((sum, bar) => sum + bar.abandoned, 0);
  return (
    <section className="sv-section sv-chart" aria-labelledby="sv-chart-hourly-title">
      <header className="sv-section-header">
        <h2 id="sv-chart-hourly-title" className="sv-section-title">
          {t('supervisor.charts.hourlyTitle')}
        </h2>
      </header>
      <div
        ref={box}
        className="sv-chart-box"
        data-testid="sv-chart-hourly"
        data-bars={data.length}
        role="img"
        aria-label={t('supervisor.charts.hourlySummary', { answered, abandoned })}
      >
        {data.length === 0 ? (
          <p className="sv-chart-empty muted">{t('supervisor.charts.noCalls')}</p>
        ) : (
          <BarChart width={width} height={CHART_HEIGHT} data={data} margin={{ top: 6, right: 8, bottom: 14, left: 0 }} barGap={1}>
            <CartesianGrid vertical={false} stroke={colors.grid} />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: colors.text }} tickLine={false} label={{ value: t('supervisor.charts.hourAxis'), position: 'insideBottom', offset: -10, fontSize: 11, fill: colors.text }} />
            <YAxis
              allowDecimals={false}
              width={40}
              tick={{ fontSize: 11, fill: colors.text }}
              tickLine={false}
              label={{ value: t('supervisor.charts.callsAxis'), angle: -90, position: 'insideLeft', offset: 10, fontSize: 11, fill: colors.text }}
            />
            <Tooltip isAnimationActive={false} labelFormatter={(label) => t('supervisor.charts.hourLabel', { hour: String(label) })} />
            <Legend verticalAlign="top" height={24} iconSize={10} itemSorter={null} wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="answered" name={t('supervisor.charts.answered')} fill={colors.answered} className="sv-bar-answered" isAnimationActive={false} />
            <Bar dataKey="abandoned" name={t('supervisor.charts.abandoned')} fill={colors.abandoned} className="sv-bar-abandoned" isAnimationActive={false} />
          </BarChart>
        )}
      </div>
    </section>
  );
}, sameHours);

interface WaitingChartProps {
  samples: readonly WaitingSample[];
  /** Callers waiting now, all queues (the board's live count). */
  waitingNow: number;
  /** The board's time (ms): where the span of a day with under two samples ends. */
  at: number;
  timeZone: string;
}

/** The same line: main adds a sample a minute at most, so most board events leave it as it is. */
function sameSamples(a: WaitingChartProps, b: WaitingChartProps): boolean {
  if (a.timeZone !== b.timeZone || a.samples.length !== b.samples.length) return false;
  const [first, last] = [a.samples[0], a.samples.at(-1)];
  const [otherFirst, otherLast] = [b.samples[0], b.samples.at(-1)];
  return first?.at === otherFirst?.at && last?.at === otherLast?.at && last?.waiting === otherLast?.waiting;
}

/**
 * Callers waiting over the day (uPlot: a canvas line, cheap to redraw on every board). uPlot is
 * loaded and created in an effect: where it cannot run (no canvas, as in jsdom) the chart says
 * so and the pane goes on; its text alternative always gives now, the peak and when.
 */
export const WaitingChart = memo(function WaitingChart({ samples, waitingNow, at, timeZone }: WaitingChartProps): ReactElement {
  const { t, i18n } = useTranslation();
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo(() => waitingChartData(samples, at), [samples, at]);
  const latest = useRef(data);
  const [failed, setFailed] = useState(false);
  const summary = useMemo(() => waitingSummary(samples, waitingNow), [samples, waitingNow]);
  const seriesLabel = t('supervisor.charts.waitingSeries');
  const axisLabel = t('supervisor.charts.waitingAxis');
  const language = i18n.language;

  // The data first (the plot, created asynchronously, starts from the latest).
  useEffect(() => {
    latest.current = data;
    try {
      plot.current?.setData(data);
    } catch {
      // A plot that cannot draw keeps its last picture; the text alternative stays right.
    }
  }, [data]);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    import('uplot')
      .then(({ default: UPlot }) => {
        const box = host.current;
        if (disposed || !box) return;
        const line = tokenColor('--talking');
        const text = tokenColor('--text-2');
        const grid = tokenColor('--border-soft');
        // The clinic's HH:MM under the line (uPlot's own labels are 12-hour English).
        const clock = dateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
        const options: uPlot.Options = {
          width: box.clientWidth > 0 ? box.clientWidth : CHART_FALLBACK_WIDTH,
          height: CHART_HEIGHT,
          tzDate: (seconds) => UPlot.tzDate(new Date(seconds * 1000), timeZone),
          legend: { show: false },
          cursor: { y: false, drag: { x: false, y: false } },
          scales: {
            x: { time: true },
            y: { range: (_plot, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
          },
          series: [{}, { label: seriesLabel, stroke: line, fill: withAlpha(line, '22'), width: 2, points: { show: false } }],
          axes: [
            { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_plot, splits) => splits.map((split) => clock.format(new Date(split * 1000))) },
            { label: axisLabel, stroke: text, grid: { stroke: grid, width: 1 }, ticks: { show: false }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500], size: 40 },
          ],
        };
        try {
          plot.current = new UPlot(options, latest.current, box);
        } catch {
          setFailed(true);
          return;
        }
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => {
            if (box.clientWidth > 0) plot.current?.setSize({ width: box.clientWidth, height: CHART_HEIGHT });
          });
          observer.observe(box);
        }
      })
      .catch(() => {
        if (!disposed) setFailed(true);
      });
    return () => {
      disposed = true;
      observer?.disconnect();
      try {
        plot.current?.destroy();
      } catch {
        // Nothing left to tidy.
      }
      plot.current = null;
    };
  }, [timeZone, seriesLabel, axisLabel, language]);

  const peakAt = summary.peakAt === null ? null : dateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(summary.peakAt));
  const description =
    peakAt === null ? t('supervisor.charts.waitingSummaryNone', { now: summary.now }) : t('supervisor.charts.waitingSummary', { now: summary.now, peak: summary.peak, at: peakAt });
  return (
    <section className="sv-section sv-chart" aria-labelledby="sv-chart-waiting-title">
      <header className="sv-section-header">
        <h2 id="sv-chart-waiting-title" className="sv-section-title">
          {t('supervisor.charts.waitingTitle')}
        </h2>
        <span className="sv-section-note muted" data-testid="sv-chart-waiting-summary">
          {description}
        </span>
      </header>
      <div className="sv-chart-box sv-uplot" data-testid="sv-chart-waiting" data-points={samples.length} data-state={failed ? 'unavailable' : 'ready'} role="img" aria-label={description}>
        <div ref={host} className="sv-uplot-host" />
        {samples.length === 0 ? <p className="sv-chart-empty sv-chart-overlay muted">{t('supervisor.charts.noSamples')}</p> : null}
        {failed ? <p className="sv-chart-empty sv-chart-overlay muted">{t('supervisor.charts.unavailable')}</p> : null}
      </div>
    </section>
  );
}, sameSamples);

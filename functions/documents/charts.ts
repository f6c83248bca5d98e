/**
 * Chart geometry for the report pages, as plain data: the templates draw the SVG from it (the CSP
 * allows no inline style, so every position and size is an SVG attribute and every colour a CSS
 * class). Pure functions, no DOM: coordinates are in the chart's own viewBox units, rounded to one
 * decimal so a page renders the same bytes for the same figures.
 *
 * The HQ bulletin page and the bulletin document (templates/documents/partials/chart-*.hbs) draw the
 * same geometry, so the PDF carries the charts the page shows.
 *
 * Two shapes serve them: horizontal grouped bars (one group per township; the group grows
 * downwards, so twenty townships still read on a phone) and lines over weeks with a distinct marker
 * and dash pattern per series, so no series is told apart by colour alone.
 */

export interface SeriesDef {
  key: string;
  label: string;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** 1, 2 or 5 times a power of ten: the step of an axis a person reads at a glance. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const f = rough / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Axis ticks from 0 to at least `max`, about `target` of them. Counts (`integer`) step by whole
 * numbers; an all-zero chart still gets an axis of 0–1 so its bars have somewhere to stand.
 */
export function valueTicks(max: number, target = 5, integer = false): { max: number; ticks: number[] } {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  let step = niceStep(top / Math.max(1, target));
  if (integer) step = Math.max(1, Math.round(step));
  const end = Math.ceil(top / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= end + step / 1e6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { max: end, ticks };
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(1)));
}

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond';
export const MARKER_SHAPES: readonly MarkerShape[] = ['circle', 'square', 'triangle', 'diamond'];

/** An SVG path (`d`) for a marker of radius `r` centred on (x, y). */
export function markerPath(shape: MarkerShape, x: number, y: number, r = 4): string {
  const p = (px: number, py: number) => `${r1(px)} ${r1(py)}`;
  switch (shape) {
    case 'circle':
      return `M${p(x - r, y)}a${r1(r)} ${r1(r)} 0 1 0 ${r1(2 * r)} 0a${r1(r)} ${r1(r)} 0 1 0 ${r1(-2 * r)} 0Z`;
    case 'square':
      return `M${p(x - r, y - r)}H${r1(x + r)}V${r1(y + r)}H${r1(x - r)}Z`;
    case 'triangle':
      return `M${p(x, y - r * 1.15)}L${p(x + r * 1.15, y + r * 0.85)}L${p(x - r * 1.15, y + r * 0.85)}Z`;
    case 'diamond':
      return `M${p(x, y - r * 1.25)}L${p(x + r * 1.25, y)}L${p(x, y + r * 1.25)}L${p(x - r * 1.25, y)}Z`;
  }
}

// ---------------------------------------------------------------------------------------------
// Horizontal grouped bars

export interface HBarInput {
  categories: ReadonlyArray<{ label: string; values: ReadonlyArray<number | null> }>;
  series: readonly SeriesDef[];
  /** viewBox width (default 560). */
  width?: number;
  /** Room for the category labels at the left (default 104). */
  labelWidth?: number;
  barHeight?: number;
  barGap?: number;
  groupGap?: number;
  /** Whole-number axis (counts). */
  integer?: boolean;
  /** How a value is printed beside its bar (default: formatNumber). */
  format?: (value: number) => string;
  /** Printed where a value is null (no data). */
  missingText?: string;
}

export interface HBar {
  seriesIndex: number;
  seriesKey: string;
  seriesLabel: string;
  value: number | null;
  missing: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
  textX: number;
  textY: number;
}

export interface HBarChart {
  width: number;
  height: number;
  viewBox: string;
  plot: { x: number; y: number; width: number; height: number };
  ticks: Array<{ value: number; label: string; x: number; y1: number; y2: number; labelY: number }>;
  groups: Array<{ label: string; labelX: number; labelY: number; y: number; height: number; bars: HBar[] }>;
  /** The value axis' zero line. */
  baseline: { x: number; y1: number; y2: number };
  series: Array<SeriesDef & { index: number }>;
  /** Bars actually drawn (values that are not null). */
  barCount: number;
}

export function horizontalBars(input: HBarInput): HBarChart {
  const width = input.width ?? 560;
  const labelWidth = input.labelWidth ?? 104;
  const barHeight = input.barHeight ?? 18;
  const barGap = input.barGap ?? 4;
  const groupGap = input.groupGap ?? 14;
  const valueRoom = 56;
  const top = 8;
  const axisRoom = 24;
  const format = input.format ?? formatNumber;
  const missingText = input.missingText ?? '无';
  const n = input.series.length;

  const values = input.categories.flatMap((c) => c.values.filter((v): v is number => v !== null));
  const scale = valueTicks(Math.max(0, ...values), 5, input.integer ?? false);
  const plot = { x: labelWidth, y: top, width: width - labelWidth - valueRoom, height: 0 };
  const groupHeight = n * barHeight + (n - 1) * barGap;
  const xOf = (v: number) => plot.x + (v / scale.max) * plot.width;

  let y = top + groupGap / 2;
  let barCount = 0;
  const groups = input.categories.map((c) => {
    const groupY = y;
    const bars = input.series.map((s, i): HBar => {
      const value = c.values[i] ?? null;
      const barY = groupY + i * (barHeight + barGap);
      const missing = value === null;
      if (!missing) barCount++;
      const w = missing ? 0 : Math.max(0, xOf(value) - plot.x);
      return {
        seriesIndex: i,
        seriesKey: s.key,
        seriesLabel: s.label,
        value,
        missing,
        x: r1(plot.x),
        y: r1(barY),
        width: r1(w),
        height: barHeight,
        text: missing ? missingText : format(value),
        textX: r1(plot.x + w + 4),
        textY: r1(barY + barHeight / 2 + 4.5),
      };
    });
    y += groupHeight + groupGap;
    return {
      label: c.label,
      labelX: r1(labelWidth - 8),
      labelY: r1(groupY + groupHeight / 2 + 4.5),
      y: r1(groupY),
      height: groupHeight,
      bars,
    };
  });
  plot.height = Math.max(groupHeight, y - groupGap / 2 - top);
  const height = r1(top + plot.height + axisRoom);
  return {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    plot: { x: r1(plot.x), y: r1(plot.y), width: r1(plot.width), height: r1(plot.height) },
    ticks: scale.ticks.map((v) => ({
      value: v,
      label: format(v),
      x: r1(xOf(v)),
      y1: r1(plot.y),
      y2: r1(plot.y + plot.height),
      labelY: r1(plot.y + plot.height + 16),
    })),
    groups,
    baseline: { x: r1(plot.x), y1: r1(plot.y), y2: r1(plot.y + plot.height) },
    series: input.series.map((s, index) => ({ ...s, index })),
    barCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Lines over a sequence (weeks)

export interface LineInput {
  labels: readonly string[];
  series: ReadonlyArray<SeriesDef & { values: ReadonlyArray<number | null> }>;
  width?: number;
  height?: number;
  integer?: boolean;
  format?: (value: number) => string;
}

export interface LineSeries extends SeriesDef {
  index: number;
  shape: MarkerShape;
  /** One `points` string per unbroken run of values (a null breaks the line). */
  lines: string[];
  markers: Array<{ x: number; y: number; value: number; label: string; d: string }>;
  /** The legend's sample: a short line and the marker, in a 28 × 14 box. */
  legendLine: { x1: number; y1: number; x2: number; y2: number };
  legendMarker: string;
}

export interface LineChart {
  width: number;
  height: number;
  viewBox: string;
  plot: { x: number; y: number; width: number; height: number };
  yTicks: Array<{
    value: number;
    label: string;
    y: number;
    x1: number;
    x2: number;
    labelX: number;
    labelY: number;
  }>;
  xLabels: Array<{ label: string; x: number; y: number }>;
  series: LineSeries[];
  markerCount: number;
  /** The same figures as a table: one row per label, one cell per series ('' for no value). */
  rows: Array<{ label: string; cells: string[] }>;
}

export function lineChart(input: LineInput): LineChart {
  const width = input.width ?? 560;
  const height = input.height ?? 240;
  const format = input.format ?? formatNumber;
  // Room at the right for the last week's label, centred on its point.
  const plot = { x: 44, y: 12, width: width - 44 - 32, height: height - 12 - 30 };
  const values = input.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const scale = valueTicks(Math.max(0, ...values), 5, input.integer ?? false);
  const count = input.labels.length;
  // One label: put it in the middle rather than at the left edge.
  const xOf = (i: number) => (count <= 1 ? plot.x + plot.width / 2 : plot.x + (i / (count - 1)) * plot.width);
  const yOf = (v: number) => plot.y + plot.height - (v / scale.max) * plot.height;
  let markerCount = 0;
  const series = input.series.map((s, index): LineSeries => {
    const shape = MARKER_SHAPES[index % MARKER_SHAPES.length]!;
    const lines: string[] = [];
    let run: string[] = [];
    const markers: LineSeries['markers'] = [];
    s.values.forEach((v, i) => {
      if (v === null || i >= count) {
        if (run.length) lines.push(run.join(' '));
        run = [];
        return;
      }
      const x = r1(xOf(i));
      const y = r1(yOf(v));
      run.push(`${x},${y}`);
      markers.push({ x, y, value: v, label: format(v), d: markerPath(shape, x, y, 4) });
    });
    if (run.length) lines.push(run.join(' '));
    markerCount += markers.length;
    return {
      key: s.key,
      label: s.label,
      index,
      shape,
      lines,
      markers,
      legendLine: { x1: 1, y1: 7, x2: 27, y2: 7 },
      legendMarker: markerPath(shape, 14, 7, 4),
    };
  });
  return {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    plot: { x: plot.x, y: plot.y, width: plot.width, height: plot.height },
    yTicks: scale.ticks.map((v) => ({
      value: v,
      label: format(v),
      y: r1(yOf(v)),
      x1: plot.x,
      x2: plot.x + plot.width,
      labelX: plot.x - 6,
      labelY: r1(yOf(v) + 4),
    })),
    xLabels: input.labels.map((label, i) => ({ label, x: r1(xOf(i)), y: r1(plot.y + plot.height + 18) })),
    series,
    markerCount,
    rows: input.labels.map((label, i) => ({
      label,
      cells: input.series.map((s) => {
        const v = s.values[i];
        return v === null || v === undefined ? '' : format(v);
      }),
    })),
  };
}

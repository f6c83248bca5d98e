import { describe, expect, it } from 'vitest';
import {
  horizontalBars,
  lineChart,
  markerPath,
  niceStep,
  valueTicks,
} from '../../functions/documents/charts.ts';

/** Chart geometry for the report pages: plain numbers the templates draw as SVG. */
describe('axis steps and ticks', () => {
  it.each([
    [0.13, 0.2],
    [0.9, 1],
    [1, 1],
    [1.2, 2],
    [3, 5],
    [4.44, 5],
    [7, 10],
    [23, 50],
    [0, 1],
    [Number.NaN, 1],
  ])('steps %s up to %s', (rough, step) => {
    expect(niceStep(rough)).toBe(step);
  });

  it.each([
    [5, true, 5, [0, 1, 2, 3, 4, 5]],
    [22.2, false, 25, [0, 5, 10, 15, 20, 25]],
    [0, true, 1, [0, 1]],
    [0, false, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [3, true, 3, [0, 1, 2, 3]],
    [1.25, false, 1.5, [0, 0.5, 1, 1.5]],
  ])('puts ticks from 0 past %s (integer: %s)', (max, integer, top, ticks) => {
    expect(valueTicks(max, 5, integer)).toEqual({ max: top, ticks });
  });
});

describe('horizontal grouped bars', () => {
  const chart = horizontalBars({
    series: [
      { key: 'new', label: '新发现' },
      { key: 'open', label: '未销号' },
    ],
    categories: [
      { label: '东山乡', values: [2, 4] },
      { label: '西河镇', values: [1, null] },
    ],
    integer: true,
  });

  it('draws a bar per value, none for a missing one, which says so', () => {
    expect(chart.barCount).toBe(3);
    const missing = chart.groups[1]!.bars[1]!;
    expect(missing).toMatchObject({ missing: true, width: 0, text: '无', value: null });
  });

  it('makes bar lengths proportional to the values on an axis from zero', () => {
    const a = chart.groups[0]!.bars[0]!;
    const b = chart.groups[0]!.bars[1]!;
    expect(b.width).toBeCloseTo(2 * a.width, 0);
    expect(a.x).toBe(chart.plot.x);
    // 4 is the axis' end: the longest bar fills the plot.
    expect(b.width).toBeCloseTo(chart.plot.width, 0);
    expect(chart.ticks.map((t) => t.label)).toEqual(['0', '1', '2', '3', '4']);
    expect(chart.ticks.at(-1)!.x).toBeCloseTo(chart.plot.x + chart.plot.width, 0);
  });

  it('stacks groups downwards, so more townships make a taller chart, never a narrower one', () => {
    const first = chart.groups[0]!;
    const second = chart.groups[1]!;
    expect(second.y).toBeGreaterThan(first.y + first.height);
    const taller = horizontalBars({
      series: [{ key: 'n', label: 'n' }],
      categories: Array.from({ length: 20 }, (_, i) => ({ label: `乡${i}`, values: [i] })),
    });
    expect(taller.width).toBe(chart.width);
    expect(taller.height).toBeGreaterThan(chart.height);
    expect(taller.viewBox).toBe(`0 0 ${taller.width} ${taller.height}`);
  });

  it('prints values with the given format and keeps every coordinate to one decimal', () => {
    const days = horizontalBars({
      series: [{ key: 'd', label: '天' }],
      categories: [{ label: '全县', values: [2.345] }],
      format: (v) => v.toFixed(1),
    });
    expect(days.groups[0]!.bars[0]!.text).toBe('2.3');
    const numbers = JSON.stringify(days).match(/\d+\.\d+/g) ?? [];
    expect(numbers.filter((n) => n.split('.')[1]!.length > 1 && n !== '2.345')).toEqual([]);
  });
});

describe('lines over weeks', () => {
  const chart = lineChart({
    labels: ['第46周', '第47周', '第48周'],
    series: [
      { key: 'a', label: '充分肯定', values: [1, null, 3] },
      { key: 'b', label: '检讨发言', values: [0, 2, 2] },
    ],
    integer: true,
  });

  it('breaks a line where a week has no value, with a marker per value', () => {
    expect(chart.series[0]!.lines).toHaveLength(2);
    expect(chart.series[1]!.lines).toHaveLength(1);
    expect(chart.series[1]!.lines[0]!.split(' ')).toHaveLength(3);
    expect(chart.markerCount).toBe(5);
  });

  it('gives each series its own marker shape, so colour is not the only difference', () => {
    expect(chart.series.map((s) => s.shape)).toEqual(['circle', 'square']);
    expect(chart.series[0]!.legendMarker).not.toBe(chart.series[1]!.legendMarker);
  });

  it('puts higher values higher and the weeks left to right', () => {
    const one = chart.series[0]!.markers[0]!;
    const three = chart.series[0]!.markers[1]!;
    expect([one.value, three.value]).toEqual([1, 3]);
    expect(three.y).toBeLessThan(one.y);
    const xs = chart.xLabels.map((l) => l.x);
    expect([...xs].sort((p, q) => p - q)).toEqual(xs);
  });

  it('lists the same figures as table rows', () => {
    expect(chart.rows).toEqual([
      { label: '第46周', cells: ['1', '0'] },
      { label: '第47周', cells: ['', '2'] },
      { label: '第48周', cells: ['3', '2'] },
    ]);
  });

  it('centres a single week', () => {
    const one = lineChart({ labels: ['第48周'], series: [{ key: 'a', label: 'a', values: [1] }] });
    expect(one.xLabels[0]!.x).toBeCloseTo(one.plot.x + one.plot.width / 2, 0);
  });
});

describe('markers', () => {
  it.each(['circle', 'square', 'triangle', 'diamond'] as const)('draws a closed %s path', (shape) => {
    const d = markerPath(shape, 10, 10, 4);
    expect(d.startsWith('M')).toBe(true);
    expect(d.endsWith('Z')).toBe(true);
  });
});

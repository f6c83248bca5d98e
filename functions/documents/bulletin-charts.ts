import type { FiguresBeside } from '../core/rules/effectiveness.ts';
import { TIER_LABELS } from '../core/rules/terms.ts';
import { type HBarChart, horizontalBars, type LineChart, lineChart } from './charts.ts';

/**
 * The three charts of a weekly bulletin, drawn once for the HQ bulletin page and for the bulletin's
 * printed attachment, so the page and the document never disagree: problems by township, the tiers
 * week over week, and the median rectification time beside last week's. Callers decide which
 * townships, weeks and scopes a week concerns (names, order); this lays them out.
 */
export const CHART_TIERS = ['commended', 'selfCriticism', 'reminderTalk', 'admonishmentTalk'] as const;
export type ChartTier = (typeof CHART_TIERS)[number];

/** Hours as days with one decimal (the rectification chart and figures), or null when unknown. */
export const hoursAsDays = (hours: number | null | undefined): number | null =>
  hours === null || hours === undefined ? null : Math.round((hours / 24) * 10) / 10;

export interface BulletinChartInput {
  /** Each township of the week with its problems. */
  townships: ReadonlyArray<{ label: string; problems: ReadonlyArray<{ isNew: boolean; state: string }> }>;
  /** Up to eight weeks, oldest first, with the number of cadres in each tier. */
  weeks: ReadonlyArray<{ week: string; counts: Readonly<Record<ChartTier, number>> }>;
  /** The county, then each township, with this week's and last week's figures. */
  scopes: ReadonlyArray<{ label: string; figures: FiguresBeside }>;
}

export function bulletinCharts(input: BulletinChartInput): {
  problems: HBarChart;
  tiers: LineChart;
  resolution: HBarChart;
} {
  const problems = horizontalBars({
    series: [
      { key: 'new', label: '本周新发现' },
      { key: 'open', label: '周末未销号' },
    ],
    categories: input.townships.map((t) => ({
      label: t.label,
      values: [
        t.problems.filter((p) => p.isNew).length,
        t.problems.filter((p) => p.state !== 'closed').length,
      ],
    })),
    integer: true,
  });
  const tiers = lineChart({
    labels: input.weeks.map((w) => `第${Number(w.week.slice(6))}周`),
    series: CHART_TIERS.map((tier) => ({
      key: tier,
      label: TIER_LABELS[tier],
      values: input.weeks.map((w) => w.counts[tier]),
    })),
    integer: true,
  });
  const resolution = horizontalBars({
    series: [
      { key: 'current', label: '本周' },
      { key: 'previous', label: '上周' },
    ],
    categories: input.scopes.map((s) => ({
      label: s.label,
      values: [
        hoursAsDays(s.figures.current.rectification.medianHours),
        s.figures.previous ? hoursAsDays(s.figures.previous.rectification.medianHours) : null,
      ],
    })),
    format: (v) => `${Math.round(v * 10) / 10}`,
  });
  return { problems, tiers, resolution };
}

import { quarterOf } from '../../functions/core/assessment.ts';
import type { Role } from '../../functions/core/roles.ts';
import { DEMO_ADMIN, type DemoRoster } from './demo-county.ts';

/**
 * Assessment binding in the demo county (docs/assessments.md): HQ enters the results of eight
 * villages for the quarter of the demo's activity (the poverty-exit assessment's grade and the
 * satisfaction survey), so /app/admin/assessments ranks villages, units and cadres with HQ's results
 * in the scores. PUT with the same values again changes nothing, so a re-run adds nothing.
 */
interface SeedApi {
  request(
    method: 'PUT',
    path: string,
    as: [string, Role],
    body?: unknown,
    key?: string,
  ): Promise<{ status: number; body: unknown }>;
}

const ADMIN: [string, Role] = [DEMO_ADMIN, 'admin'];

const RESULTS = [
  { exitAssessment: 'good', satisfaction: 96, note: '第三方评估：群众认可度高' },
  { exitAssessment: 'good', satisfaction: 92 },
  { exitAssessment: 'fairlyGood', satisfaction: 88 },
  { exitAssessment: 'fairlyGood', satisfaction: 85 },
  { exitAssessment: 'average', satisfaction: 76, note: '产业覆盖不足，群众反映帮扶措施落实慢' },
  { exitAssessment: 'average', satisfaction: 70 },
  { exitAssessment: 'poor', satisfaction: 58, note: '饮水工程未完工，错退风险高' },
  { exitAssessment: 'fairlyGood', satisfaction: 90 },
] as const;

export async function seedAssessments(api: SeedApi, roster: DemoRoster, anchor: string): Promise<string> {
  const period = quarterOf(anchor);
  // Every fifth village, so each township has some.
  const villages = roster.villages.filter((_, i) => i % 5 === 0).slice(0, RESULTS.length);
  for (const [i, village] of villages.entries()) {
    const res = await api.request(
      'PUT',
      `/assessments/${period}/villages/${village.id}/results`,
      ADMIN,
      RESULTS[i],
      `assessment:${period}:${village.id}`,
    );
    if (res.status !== 200) throw new Error(`assessment results for ${village.id}: HTTP ${res.status}`);
  }
  return `${villages.length} villages' results for ${period}`;
}

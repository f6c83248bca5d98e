/**
 * What kind of problem it is (类别) and where it came from (来源). Categories are data: the rule set in
 * force on the inspection's date lists them (`problemCategories`), so a county renames or adds one by
 * publishing a new rule set and earlier weeks keep their words. Sources are a fixed vocabulary: the four
 * channels the seeds name.
 */
import type { FieldIssue } from './field-issue.ts';
import type { RuleSet } from './rules/rule-set.ts';

export const DEFAULT_PROBLEM_CATEGORIES: readonly string[] = [
  '档案资料',
  '项目推进',
  '产业覆盖',
  '政策落实',
  '作风纪律',
  '其他',
];

export const PROBLEM_SOURCES = ['inspection', 'patrol', 'complaint', 'self_check'] as const;
export type ProblemSource = (typeof PROBLEM_SOURCES)[number];
export const PROBLEM_SOURCE_LABELS: Record<ProblemSource, string> = {
  inspection: '督查发现',
  patrol: '巡视巡察反馈',
  complaint: '群众举报',
  self_check: '自查',
};

/** The categories of a rule set (the default list when it names none). */
export function problemCategoriesOf(ruleSet: Pick<RuleSet, 'problemCategories'>): readonly string[] {
  return ruleSet.problemCategories?.length ? ruleSet.problemCategories : DEFAULT_PROBLEM_CATEGORIES;
}

/** A category the rule set does not list, as a field issue naming the choices; null when it is listed. */
export function categoryIssue(
  category: string | undefined,
  categories: readonly string[],
  path: string,
): FieldIssue | null {
  if (category === undefined || categories.includes(category)) return null;
  return {
    path,
    code: 'UNKNOWN_CATEGORY',
    message: `问题类别只能是：${categories.join('、')}`,
  };
}

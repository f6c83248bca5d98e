import type { AssigneeStatus } from '../../core/dispatches.ts';
import type { ProblemStatus } from '../../core/problems.ts';
import { COLOR_REASON_LABELS, dispatchColoring, problemColoring } from '../../core/rules/colours.ts';
import type { RuleSet } from '../../core/rules/rule-set.ts';
import type { ApiClient } from '../api-client.ts';
import { badgeOf } from './format.ts';

/**
 * The red/yellow/green colour of one matter as of now, by the rule set in force: the same functions the
 * weekly evaluation colours with (core/rules/colours.ts), so a cadre's page and HQ's board agree.
 */
/** The rule set in force this week (its colour thresholds, deadlines by severity). */
export async function currentRules(api: ApiClient): Promise<RuleSet> {
  return (await api.get<{ current: RuleSet }>('/rules')).current;
}

export interface ColorView {
  color: string;
  badge: string;
  reason: string;
  daysLeft: number;
  daysOverdue: number;
}

export function dispatchColor(
  row: {
    id: string;
    cadreId?: string | undefined;
    villageId?: string | undefined;
    createdAt: string;
    deadline: string;
    assigneeStatus?: AssigneeStatus | undefined;
    doneAt?: string | null | undefined;
  },
  now: Date,
  ruleSet: RuleSet,
): ColorView {
  const c = dispatchColoring(
    {
      dispatchId: row.id,
      cadreId: row.cadreId ?? '',
      villageId: row.villageId ?? '',
      createdAt: row.createdAt,
      deadline: row.deadline,
      status: row.assigneeStatus ?? 'pending',
      ...(row.doneAt ? { doneAt: row.doneAt } : {}),
    },
    now.getTime(),
    ruleSet,
  );
  return {
    color: c.color ?? '',
    badge: badgeOf(c.color),
    reason: COLOR_REASON_LABELS[c.reason],
    daysLeft: c.daysLeft,
    daysOverdue: c.daysOverdue,
  };
}

export function problemColor(
  p: {
    status: ProblemStatus;
    severity: 'minor' | 'major' | 'severe';
    rectifyBy: string;
    falseRectifications: number;
    rectifiedAt?: string | undefined;
    closedAt?: string | undefined;
  },
  now: Date,
  ruleSet: RuleSet,
): ColorView {
  const c = problemColoring(
    {
      state: p.status,
      falseRectifications: p.falseRectifications,
      rejectionIds: [],
      closedAt: p.closedAt ?? null,
      pendingSince: p.status === 'awaiting_verification' ? (p.rectifiedAt ?? null) : null,
      rectifyBy: p.rectifyBy,
    } as Parameters<typeof problemColoring>[0],
    p.severity,
    now.getTime(),
    ruleSet,
  );
  return {
    color: c.color ?? '',
    badge: badgeOf(c.color),
    reason: COLOR_REASON_LABELS[c.reason],
    daysLeft: c.daysLeft,
    daysOverdue: c.daysOverdue,
  };
}

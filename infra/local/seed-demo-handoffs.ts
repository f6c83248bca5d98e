import type { Role } from '../../functions/core/roles.ts';
import { addDays } from '../../functions/core/time.ts';
import { DEMO_ADMIN, type DemoHandoff, type DemoRoster } from './demo-county.ts';

/**
 * Direct reports handed off and closed in the demo county (docs/direct-reports.md), after seed 002
 * ("第二天，县交通、移动部门就赶到该村"): HQ triages a report to the county level and hands it to a
 * county department with a deadline (转办); the department's cadre replies and HQ closes it (办结), so
 * the reporter is told; another hand-off stays open with its deadline on the day the demo is seeded
 * (yellow on the board that day, red from the next: the API refuses a deadline in the past). Through
 * the public API with idempotency keys, like the rest of the demo.
 */
interface SeedApi {
  create(
    path: string,
    as: [string, Role],
    body: unknown,
    key: string,
    freshStatus?: number,
  ): Promise<{ body: unknown }>;
}

const ADMIN: [string, Role] = [DEMO_ADMIN, 'admin'];

export async function seedHandoff(
  api: SeedApi,
  reportId: string,
  h: DemoHandoff,
  roster: DemoRoster,
  anchor: string,
  key: string,
): Promise<{ closed: boolean }> {
  const path = `/direct-reports/${encodeURIComponent(reportId)}`;
  await api.create(`${path}/triage`, ADMIN, { level: 'county', note: h.triage }, `${key}:triage`, 200);
  const unit = roster.units.find((u) => u.name === h.unit);
  if (!unit) throw new Error(`unknown demo unit ${h.unit}`);
  const handed = await api.create(
    `${path}/handoffs`,
    ADMIN,
    { unitId: unit.id, deadline: addDays(anchor, h.days), note: h.note },
    `${key}:handoff`,
  );
  const handoffs = (handed.body as { handoffs?: { id: string; unitId: string }[] }).handoffs ?? [];
  const handoffId = handoffs.find((x) => x.unitId === unit.id)?.id;
  if (h.reply === undefined || !handoffId) return { closed: false };
  // The department's own cadre replies (HQ on its behalf if the roster has none of its cadres).
  const replier = roster.cadres.find((c) => c.unitId === unit.id);
  await api.create(
    `${path}/handoffs/${encodeURIComponent(handoffId)}/reply`,
    replier ? [replier.id, 'cadre'] : ADMIN,
    { reply: h.reply },
    `${key}:reply`,
    200,
  );
  if (h.resolution === undefined) return { closed: false };
  await api.create(`${path}/close`, ADMIN, { resolution: h.resolution }, `${key}:close`, 200);
  return { closed: true };
}

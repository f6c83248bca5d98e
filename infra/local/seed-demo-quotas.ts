import type { Role } from '../../functions/core/roles.ts';
import { DEMO_ADMIN, DEMO_INSPECTORS, type DemoRoster } from './demo-county.ts';

/**
 * The team leader's powers in the demo county (seed 000, docs/quotas.md): the chiefs of four villages
 * of the second township propose their villages' priority for this month's 抗旱物资, HQ grants
 * three of them (the fourth waits on the allocations page); one chief reports water being diverted
 * (私自截水), an inspector finds it true, the chief proposes cutting that village's quota by 30% and
 * HQ approves, so the ledger shows the reduced quota; a second proposal (暂停) waits for HQ's decision.
 * Through the public API with idempotency keys, like the rest of the demo.
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

/** Direct reports this part of the demo adds (the verified violation report, one waiting for an inspector). */
export const QUOTA_DEMO_REPORTS = 2;

const NEEDS = [
  {
    priority: 1,
    quantity: 120,
    granted: 100,
    note: '全村四百余人饮水靠两口井，一口已干涸，需拉水保障人畜饮水',
  },
  { priority: 2, quantity: 80, granted: 80, note: '玉米正在拔节期，缺水将大面积减产' },
  { priority: 3, quantity: 60, granted: 40, note: '水源较近，可先以水泵提水解决部分灌溉' },
  { priority: 4, quantity: 50, granted: undefined, note: '山坡地旱情露头，请求少量调配' },
] as const;

export async function seedQuotas(
  api: SeedApi,
  roster: DemoRoster,
  anchor: string,
  k: (what: string) => string,
) {
  const period = anchor.slice(0, 7);
  const chiefs = roster.assignments.filter((a) => a.role === 'chief');
  // Villages of the second township (the first one is the showcase of inspections and problems).
  const township = roster.townships[1]?.id;
  const inTownship = new Set(roster.villages.filter((v) => v.townshipId === township).map((v) => v.id));
  const chosen = chiefs.filter((a) => inTownship.has(a.villageId)).slice(0, NEEDS.length);
  for (const [i, need] of NEEDS.entries()) {
    const chief = chosen[i];
    if (!chief) return;
    const proposal = (await api.create(
      '/allocations',
      [chief.cadreId, 'cadre'],
      {
        resourceKind: 'drought-relief',
        period,
        villageId: chief.villageId,
        priority: need.priority,
        quantity: need.quantity,
        note: need.note,
      },
      k(`allocation:${i}`),
    )) as { body: { id: string } };
    if (need.granted !== undefined)
      await api.create(
        `/allocations/${proposal.body.id}/decide`,
        ADMIN,
        { decision: 'grant', quantity: need.granted, note: '按受旱人口和水源条件核定' },
        k(`allocation:${i}:decide`),
        200,
      );
  }

  // The violation, verified, and the sanction it brings (the first village: its quota is cut by 30%).
  const target = chosen[0];
  if (!target) return;
  const report = (await api.create(
    '/direct-reports',
    [target.cadreId, 'cadre'],
    {
      villageId: target.villageId,
      kind: 'violation',
      summary: '三组村民私自在上游筑坝截水，拒不执行轮灌安排，下游两个组断水',
    },
    k('sanction:report'),
  )) as { body: { id: string } };
  await api.create(
    `/direct-reports/${report.body.id}/verify`,
    [DEMO_INSPECTORS[0] as string, 'inspector'],
    { verdict: 'confirmed', note: '督查组现场查看，上游土坝属实，已责令拆除' },
    k('sanction:verify'),
  );
  const from = `${period}-01`;
  const sanction = (await api.create(
    '/sanctions',
    [target.cadreId, 'cadre'],
    {
      villageId: target.villageId,
      kind: 'reduce',
      share: 0.3,
      from,
      to: `${period}-28`,
      reason: '私自截水、破坏用水秩序，经督查核实属实',
      directReportId: report.body.id,
    },
    k('sanction:propose'),
  )) as { body: { id: string } };
  await api.create(
    `/sanctions/${sanction.body.id}/approve`,
    ADMIN,
    { note: '同意削减，以儆效尤' },
    k('sanction:approve'),
    200,
  );

  // One more waiting for HQ (暂停), so the approval form has something to decide.
  const second = chosen[1];
  if (!second) return;
  // A violation report no inspector has checked yet: the inspector's verify form (违规举报) has work.
  await api.create(
    '/direct-reports',
    [second.cadreId, 'cadre'],
    {
      villageId: second.villageId,
      kind: 'violation',
      summary: '有村民夜间私接抗旱水管浇灌自家菜地，影响下游轮灌',
    },
    k('violation:waiting'),
  );
  await api.create(
    '/sanctions',
    [second.cadreId, 'cadre'],
    {
      villageId: second.villageId,
      kind: 'suspend',
      from,
      to: `${period}-15`,
      reason: '拒不执行送水安排，抢占公用水车',
    },
    k('sanction:pending'),
  );
}

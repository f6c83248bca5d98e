import type { ProblemSource } from '../../../functions/core/problem-categories.ts';
import { addDays, isoWeekOf, isoWeekRange } from '../../../functions/core/time.ts';

// The shapes demo-county.ts uses, restated here (no import back: demo-county.ts imports this file).
type Severity = 'minor' | 'major' | 'severe';
type InspectionMode = 'open' | 'covert' | 'spot';
type ProblemFate = 'open' | 'pending' | 'accepted' | 'false' | 'incomplete' | 'false-pending';

interface DemoProblem {
  description: string;
  severity: Severity;
  rectifyBy: string;
  fate: ProblemFate;
  category?: string;
  source?: ProblemSource;
}

interface DemoFinding {
  cadreId: string;
  present: boolean;
  commend?: boolean;
  problems: DemoProblem[];
}

export interface HistoryInspection {
  key: string;
  inspector: 'inspector-1' | 'inspector-2';
  villageId: string;
  date: string;
  mode: InspectionMode;
  findings: DemoFinding[];
}

/** The part of the demo roster the history needs. */
interface DemoRoster {
  townships: readonly { id: string }[];
  villages: readonly { id: string; townshipId: string }[];
  cadres: readonly { id: string; townshipId?: string }[];
  assignments: readonly { cadreId: string; villageId: string; role: 'chief' | 'member' }[];
}

/**
 * The demo county's inspection history (docs/demo.md): eight finished weeks and the current one, as
 * plain data, a pure function of the anchor day and the roster (fixed seed: the same every time).
 *
 * Seeding goes through the public API, which dates rectifications and verifications "now": a problem
 * found in an earlier week can only be closed this week. So a finished week's tiers are the problems
 * found up to its end plus that week's absences (点名不在岗), and the history is planned backwards from
 * the latest finished week (W-1), where each township's tiers sit in the range of seed 001 (桶井乡):
 *
 *   commended 2, 检讨发言 3–4, 提醒谈话 3, 诫勉谈话 2 and 1–2 with nothing to note, of 12 cadres.
 *
 * Movements in W-1 are planned too: one cadre per township leaves the circle (an absence in W-2 had
 * lifted them to 提醒谈话 for a week), one enters it with a third problem, one goes deeper with a
 * fifth; and one problem of W-1 is recorded late (an offline inspection synced after the week was
 * evaluated), which makes W-1's revision 2. This week, most old problems are rectified and verified
 * (green on the board), some wait for re-check, some are rejected (虚假整改 or 整改不到位).
 */

/** mulberry32, as in demo-county.ts: the same spread on every machine and every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (rand: () => number, min: number, max: number) => min + Math.floor(rand() * (max - min + 1));

function shuffle<T>(rand: () => number, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Finished weeks shown with their bulletins, oldest first: W-8 … W-1. */
export const DEMO_FINISHED_WEEKS = 8;

/** Where a cadre stands at the end of W-1. */
export type PlannedTier = 'commended' | 'selfCriticism' | 'reminderTalk' | 'admonishmentTalk' | 'none';

/** Per township, shuffled among its twelve cadres (chiefs and township members alike: 不论职务大小). */
const TIER_MIX: Record<'a' | 'b', readonly PlannedTier[]> = {
  a: [
    'commended',
    'commended',
    'selfCriticism',
    'selfCriticism',
    'selfCriticism',
    'selfCriticism',
    'reminderTalk',
    'reminderTalk',
    'reminderTalk',
    'admonishmentTalk',
    'admonishmentTalk',
    'none',
  ],
  b: [
    'commended',
    'commended',
    'selfCriticism',
    'selfCriticism',
    'selfCriticism',
    'reminderTalk',
    'reminderTalk',
    'reminderTalk',
    'admonishmentTalk',
    'admonishmentTalk',
    'none',
    'none',
  ],
};

/** Problem wording as inspection teams write it (seeds 001, 002, 004), with the usual severity. */
export const DEMO_PROBLEMS: readonly (readonly [string, Severity])[] = [
  ['非贫困户二级档案资料不全，部分农户缺少收入核算表', 'minor'],
  ['贫困户“一户一档”资料与系统数据不一致，家庭人口和收入口径不统一', 'minor'],
  ['产业覆盖台账未更新，新增种养殖户未录入', 'minor'],
  ['村组道路硬化项目推进滞后，未按计划节点完工', 'major'],
  ['驻村工作日志记录不全，下村频率达不到要求', 'minor'],
  ['未落实吃住在村要求，周内在村不足规定天数', 'major'],
  ['对所包村户情掌握不清，不能准确说出贫困户家庭基本情况', 'major'],
  ['帮扶措施落实不到位，“一户一策”流于形式', 'major'],
  ['人畜饮水安全排查未覆盖全部农户，三组水窖未清淤', 'major'],
  ['易地扶贫搬迁户后续帮扶措施不明确，就业登记缺失', 'minor'],
  ['危房改造验收资料缺失，部分农户未签字确认', 'minor'],
  ['农村人居环境整治不彻底，房前屋后柴草杂物未清理', 'minor'],
  ['群众对帮扶政策知晓率低，入户宣传不到位', 'minor'],
  ['院落会未按要求召开，会议精神传达不及时', 'minor'],
  ['防返贫监测户信息未及时核实更新', 'major'],
  ['村级集体经济发展思路不清，合作社无实施方案', 'minor'],
  ['作战任务派遣单任务未按时限完成', 'major'],
  ['上次督查反馈问题整改不到位，存在应付了事现象', 'severe'],
  ['低保、临时救助评议未张榜公示', 'minor'],
  ['村级道路养护资金未按计划拨付，项目进度滞后', 'major'],
  ['村务公开栏内容陈旧，惠民资金发放情况未公开', 'minor'],
  ['残疾人两项补贴申报资料不全', 'minor'],
  ['护林防火巡查记录缺失，重点时段无人值守', 'major'],
  ['留守老人和儿童关爱台账未建立', 'minor'],
];

/**
 * The category of each of DEMO_PROBLEMS (problem categories, docs/problems.md), by position: the same
 * cadre drawing two of a category within eight weeks is a repeat (屡查屡犯) the intake flags.
 */
const DEMO_PROBLEM_CATEGORIES: readonly string[] = [
  '档案资料',
  '档案资料',
  '产业覆盖',
  '项目推进',
  '作风纪律',
  '作风纪律',
  '作风纪律',
  '政策落实',
  '政策落实',
  '政策落实',
  '档案资料',
  '其他',
  '政策落实',
  '作风纪律',
  '政策落实',
  '产业覆盖',
  '项目推进',
  '作风纪律',
  '政策落实',
  '项目推进',
  '政策落实',
  '档案资料',
  '其他',
  '档案资料',
];
/** Where the demo's problems came from: mostly the inspection itself, now and then another channel. */
const DEMO_SOURCES: readonly ProblemSource[] = [
  'inspection',
  'inspection',
  'inspection',
  'complaint',
  'inspection',
  'patrol',
  'inspection',
  'self_check',
];

/** The category and source a demo problem is recorded with (no draw from the seeded random sequence). */
function demoClassification(description: string, n: number): { category?: string; source: ProblemSource } {
  const category = DEMO_PROBLEM_CATEGORIES[DEMO_PROBLEMS.findIndex(([d]) => d === description)];
  return { ...(category ? { category } : {}), source: DEMO_SOURCES[n % DEMO_SOURCES.length] ?? 'inspection' };
}

/**
 * What happens this week to a problem found in an earlier one, in these shares (the rest stay open):
 * the older it is, the likelier it is rectified and verified by now.
 */
const OLD_FATES: readonly (readonly [ProblemFate, number])[] = [
  ['accepted', 0.56],
  ['pending', 0.12],
  ['false', 0.08],
  ['incomplete', 0.07],
  ['false-pending', 0.03],
];
const RECENT_FATES: readonly (readonly [ProblemFate, number])[] = [
  ['accepted', 0.3],
  ['pending', 0.25],
  ['false', 0.08],
  ['incomplete', 0.07],
  ['false-pending', 0.03],
];
const OLDEST_FATES: readonly (readonly [ProblemFate, number])[] = [
  ['accepted', 0.8],
  ['pending', 0.05],
  ['false', 0.06],
  ['incomplete', 0.04],
  ['false-pending', 0.02],
];

export interface DemoHistory {
  /** W-8 … W-1 (ISO weeks), oldest first: the weekly bulletin is run for each, in this order. */
  finishedWeeks: string[];
  /** Every inspection but the late one, oldest first. */
  inspections: HistoryInspection[];
  /** An inspection dated in W-1, recorded after W-1 was evaluated (revision 2). */
  late: HistoryInspection;
  /** Each cadre's planned tier at the end of W-1 (the test reads the API, not this). */
  plan: Map<string, PlannedTier>;
}

interface CadreEvent {
  cadreId: string;
  /** Weeks before the anchor's week: 0 this week, 1 the latest finished one … 8. */
  weeksAgo: number;
  kind: 'problem' | 'absence' | 'commend';
  late?: boolean;
}

export function demoHistory(anchor: string, roster: DemoRoster): DemoHistory {
  const rand = prng(0x0b40c0de);
  const monday0 = isoWeekRange(isoWeekOf(anchor)).monday;
  const mondayOf = (weeksAgo: number) => addDays(monday0, -7 * weeksAgo);
  const finishedWeeks = Array.from({ length: DEMO_FINISHED_WEEKS }, (_, i) =>
    isoWeekOf(mondayOf(DEMO_FINISHED_WEEKS - i)),
  );

  const chiefOf = new Map<string, string>();
  const groupOf = new Map<string, string[]>();
  const villagesOf = new Map<string, string[]>();
  for (const a of roster.assignments) {
    if (a.role === 'chief') chiefOf.set(a.villageId, a.cadreId);
    groupOf.set(a.villageId, [...(groupOf.get(a.villageId) ?? []), a.cadreId]);
    villagesOf.set(a.cadreId, [...(villagesOf.get(a.cadreId) ?? []), a.villageId]);
  }

  // 1. Each township's twelve cadres get a tier for W-1, and a history that leads there.
  const plan = new Map<string, PlannedTier>();
  const events: CadreEvent[] = [];
  const problem = (cadreId: string, weeksAgo: number, late = false) =>
    events.push({ cadreId, weeksAgo, kind: 'problem', ...(late ? { late } : {}) });
  roster.townships.forEach((township, t) => {
    const villages = roster.villages.filter((v) => v.townshipId === township.id).map((v) => v.id);
    const cadres = [
      ...villages.map((v) => chiefOf.get(v) as string),
      ...roster.cadres.filter((c) => c.townshipId === township.id).map((c) => c.id),
    ];
    const tiers = shuffle(rand, TIER_MIX[t % 2 === 0 ? 'a' : 'b']);
    const firstOf = (tier: PlannedTier, n = 0) => cadres.filter((_, i) => tiers[i] === tier)[n];
    const leaver = firstOf('selfCriticism');
    const entrant = firstOf('reminderTalk');
    const deepener = firstOf('admonishmentTalk');
    // The late record (one in the county): 鹿鸣乡's second 提醒谈话 cadre.
    const lateOne = township.id === 'T03' ? firstOf('reminderTalk', 1) : undefined;
    cadres.forEach((cadreId, i) => {
      const tier = tiers[i] as PlannedTier;
      plan.set(cadreId, tier);
      const count =
        tier === 'selfCriticism'
          ? cadreId === leaver
            ? 2
            : between(rand, 1, 2)
          : tier === 'reminderTalk'
            ? cadreId === entrant || cadreId === lateOne
              ? 3
              : between(rand, 3, 4)
            : tier === 'admonishmentTalk'
              ? cadreId === deepener
                ? 5
                : between(rand, 5, 7)
              : 0;
      if (cadreId === leaver) {
        // Two problems weeks ago, absent at a headcount in W-2 (3: 提醒谈话), nothing new in W-1: out.
        problem(cadreId, between(rand, 5, 8));
        problem(cadreId, between(rand, 3, 4));
        events.push({ cadreId, weeksAgo: 2, kind: 'absence' });
      } else if (cadreId === entrant || cadreId === lateOne || cadreId === deepener) {
        // All but the last before W-1 (2 or 4 by W-2), the last in W-1: entered, or deepened.
        for (let n = 0; n < count - 1; n++) problem(cadreId, between(rand, 2, 8));
        problem(cadreId, 1, cadreId === lateOne);
      } else {
        for (let n = 0; n < count; n++) problem(cadreId, between(rand, 1, 8));
        // Now and then an absence in an earlier week: a week in the circle, or a step deeper.
        if (rand() < 0.2) events.push({ cadreId, weeksAgo: between(rand, 3, 7), kind: 'absence' });
      }
      if (tier === 'commended') events.push({ cadreId, weeksAgo: 1, kind: 'commend' });
      // Praised in earlier weeks while nothing was open yet (the oldest problem came later), so every
      // bulletin has its 充分肯定.
      const mine = events.filter((e) => e.cadreId === cadreId && e.kind !== 'commend');
      const firstProblem = Math.max(0, ...mine.filter((e) => e.kind === 'problem').map((e) => e.weeksAgo));
      for (let weeksAgo = DEMO_FINISHED_WEEKS; weeksAgo >= 2; weeksAgo--) {
        if (weeksAgo <= firstProblem || mine.some((e) => e.weeksAgo === weeksAgo)) continue;
        if (rand() < 0.25) events.push({ cadreId, weeksAgo, kind: 'commend' });
      }
      // This week: a new problem for some, a word of praise for a few.
      const r = rand();
      if (r < 0.3) problem(cadreId, 0);
      else if (r < 0.4 && count === 0) events.push({ cadreId, weeksAgo: 0, kind: 'commend' });
    });
  });

  // 2. Inspections: one per village and week with something to record, and every village in W-1
  //    (a full round, so every cadre is seen in the latest finished week), and routine visits.
  const villageIndex = new Map(roster.villages.map((v, i) => [v.id, i]));
  const buckets = new Map<string, CadreEvent[]>();
  const bucketKey = (villageId: string, weeksAgo: number, late = false) =>
    `${villageId}|${weeksAgo}${late ? '|late' : ''}`;
  const turn = new Map<string, number>();
  for (const e of events) {
    const theirs = villagesOf.get(e.cadreId) ?? [];
    const n = turn.get(e.cadreId) ?? 0;
    turn.set(e.cadreId, n + 1);
    const villageId = theirs[n % theirs.length] as string;
    const key = bucketKey(villageId, e.weeksAgo, e.late);
    buckets.set(key, [...(buckets.get(key) ?? []), e]);
  }
  for (const v of roster.villages) {
    for (let weeksAgo = 0; weeksAgo <= DEMO_FINISHED_WEEKS; weeksAgo++) {
      const key = bucketKey(v.id, weeksAgo);
      if (!buckets.has(key) && (weeksAgo === 1 || rand() < 0.12)) buckets.set(key, []);
    }
  }

  const usedWording = new Map<string, Set<string>>();
  const wording = (cadreId: string): readonly [string, Severity] => {
    const used = usedWording.get(cadreId) ?? new Set<string>();
    usedWording.set(cadreId, used);
    let entry = DEMO_PROBLEMS[Math.floor(rand() * DEMO_PROBLEMS.length)] as readonly [string, Severity];
    for (let tries = 0; used.has(entry[0]) && tries < 40; tries++)
      entry = DEMO_PROBLEMS[Math.floor(rand() * DEMO_PROBLEMS.length)] as readonly [string, Severity];
    used.add(entry[0]);
    return entry;
  };
  const oldFate = (weeksAgo: number): ProblemFate => {
    let r = rand();
    const shares = weeksAgo <= 1 ? RECENT_FATES : weeksAgo >= 5 ? OLDEST_FATES : OLD_FATES;
    for (const [fate, share] of shares) {
      if (r < share) return fate;
      r -= share;
    }
    return 'open';
  };
  const MODES: readonly InspectionMode[] = ['open', 'covert', 'spot'];
  const anchorOffset = Math.round((Date.parse(anchor) - Date.parse(monday0)) / 86_400_000);

  const inspections: HistoryInspection[] = [];
  let late: HistoryInspection | undefined;
  const ordered = [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, list] of ordered) {
    const [villageId, ago, lateMark] = key.split('|') as [string, string, string | undefined];
    const weeksAgo = Number(ago);
    const index = villageIndex.get(villageId) ?? 0;
    // This week only up to today; a late record on W-1's Thursday.
    const day = lateMark ? 3 : between(rand, 0, weeksAgo === 0 ? anchorOffset : 6);
    const date = addDays(mondayOf(weeksAgo), day);
    const absent = new Set(list.filter((e) => e.kind === 'absence').map((e) => e.cadreId));
    const mode: InspectionMode = absent.size ? 'covert' : (MODES[(index + weeksAgo) % 3] as InspectionMode);
    const findings: DemoFinding[] = (groupOf.get(villageId) ?? []).map((cadreId) => {
      const problems: DemoProblem[] = list
        .filter((e) => e.cadreId === cadreId && e.kind === 'problem')
        .map((_, n) => {
          const [description, severity] = wording(cadreId);
          // 限期整改: one or two weeks for paperwork, up to a month for works, three days when severe.
          const days =
            severity === 'severe' ? 3 : severity === 'major' ? between(rand, 10, 30) : between(rand, 7, 15);
          const fate: ProblemFate = weeksAgo === 0 ? (rand() < 0.25 ? 'pending' : 'open') : oldFate(weeksAgo);
          return {
            description,
            severity,
            ...demoClassification(description, index + weeksAgo + n),
            rectifyBy: addDays(date, days),
            fate,
          };
        });
      const commend =
        problems.length === 0 &&
        !absent.has(cadreId) &&
        list.some((e) => e.cadreId === cadreId && e.kind === 'commend');
      return { cadreId, present: !absent.has(cadreId), ...(commend ? { commend: true } : {}), problems };
    });
    const inspection: HistoryInspection = {
      key: `inspection-${villageId}-w${weeksAgo}${lateMark ? '-late' : ''}`,
      inspector: index % 2 === weeksAgo % 2 ? 'inspector-1' : 'inspector-2',
      villageId,
      date,
      mode,
      findings,
    };
    if (lateMark) late = inspection;
    else inspections.push(inspection);
  }
  inspections.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.key < b.key ? -1 : 1));
  if (!late) throw new Error('demo history: no late record planned');
  return { finishedWeeks, inspections, late, plan };
}

import type { ProblemSource } from '../../functions/core/problem-categories.ts';
import { addDays } from '../../functions/core/time.ts';
import { demoHistory } from './demo/history.ts';

/**
 * The fictional demo county (青岚县): its roster and a few weeks of activity, as plain data.
 *
 * Everything here is deterministic: the roster is fixed, and the activity is a pure function of one
 * anchor day (the Beijing date the demo was first seeded), so that re-running the seed on the same day
 * produces byte-identical requests (and the API's idempotency replays them). Names of places and people
 * are invented; people are generated from surname and given-name lists.
 *
 * The problem spread of 云溪镇 is shaped after seed 001 (桶井乡): some cadres with no open problem
 * (commended), some with 1–2, 3–4 and 5 or more, without regard to rank (不论职务大小).
 */
export type VillageCategory = 'deep' | 'general' | 'non';
export type CadreRank = 'county' | 'section' | 'staff' | 'general';
export type InspectionMode = 'open' | 'covert' | 'spot';
export type Severity = 'minor' | 'major' | 'severe';
export type { ProblemSource };
export type ReportStatus = 'in_progress' | 'done';
export type DirectReportKind = 'situation' | 'resource_request' | 'violation' | 'emergency';

export const DEMO_COUNTY_NAME = '青岚县';
export const DEMO_ADMIN = 'hq-admin';
export const DEMO_INSPECTORS = ['inspector-1', 'inspector-2'] as const;
/** The township whose existence means "the demo roster is there"; its createdAt dates the demo. */
export const DEMO_MARKER_TOWNSHIP = 'T01';

export interface DemoTownship {
  id: string;
  name: string;
}

export interface DemoVillage {
  id: string;
  name: string;
  townshipId: string;
  category: VillageCategory;
  profile: {
    households: number;
    population: number;
    partyMembers: number;
    migrantWorkers: number;
    poorHouseholds: number;
    poorPopulation: number;
  };
  /** The village office (村委会), WGS-84: visits recorded far from it are flagged. */
  location: { lat: number; lng: number };
}

export interface DemoCadre {
  id: string;
  name: string;
  unit: string;
  rank: CadreRank;
  townshipId?: string;
  email?: string;
  /** The cadre's unit in the units roster (the free-text `unit` is its name). */
  unitId?: string;
}

/** A unit (单位): a county department, or a township's party committee or government. */
export interface DemoUnit {
  id: string;
  name: string;
  kind: 'department' | 'township-committee' | 'township-government';
  townshipId?: string;
}

/** A county leader over a township (包镇). */
export interface DemoLeader {
  townshipId: string;
  cadreId: string;
  from: string;
  /** An ended period (recorded afterwards, as the workbook's 包镇领导 rows with 结束日期 do). */
  to?: string;
}

/** A district (片区) of a township, covered by a department (包片) or, for one, by none yet (a gap). */
export interface DemoDistrict {
  id: string;
  name: string;
  townshipId: string;
  villageIds: string[];
  unitId?: string;
  from: string;
}

export interface DemoAssignment {
  cadreId: string;
  villageId: string;
  role: 'chief' | 'member';
  from: string;
}

export interface DemoRoster {
  townships: DemoTownship[];
  villages: DemoVillage[];
  cadres: DemoCadre[];
  /** Per village: members first, the chief last (a village with a chief is complete). */
  assignments: DemoAssignment[];
  /** County units and each township's party committee and government. */
  units: DemoUnit[];
  /** County leaders over four of the five townships: 白鹭乡 (T05) has none, a gap on the coverage page. */
  leaders: DemoLeader[];
  /** Districts in 云溪镇 and 松岭乡; 松岭乡's north district has no department yet (a gap). */
  districts: DemoDistrict[];
}

export interface DemoReport {
  cadreId: string;
  villageId: string;
  status: ReportStatus;
  note: string;
}

export interface DemoDispatch {
  key: string;
  title: string;
  category: string;
  description: string;
  deadline: string;
  assignees: { cadreId: string; villageId: string }[];
  /** In order; an assignee's later report supersedes the earlier one. */
  reports: DemoReport[];
}

/**
 * What happens to a problem after it is recorded: `open` is left alone; `pending` is rectified and
 * awaits re-check; `accepted` is rectified and verified; `false` is rectified and rejected on re-check
 * (虚假整改, stays open); `incomplete` is rejected as 整改不到位 (a new deadline, stays open);
 * `false-pending` is rejected once and rectified again.
 */
export type ProblemFate = 'open' | 'pending' | 'accepted' | 'false' | 'incomplete' | 'false-pending';

export interface DemoProblem {
  description: string;
  severity: Severity;
  /** Problem category and source (docs/problems.md); the intake flags repeats of a category. */
  category?: string;
  source?: ProblemSource;
  rectifyBy: string;
  fate: ProblemFate;
}

export interface DemoFinding {
  cadreId: string;
  present: boolean;
  /** Key of a demo dispatch whose task was checked (resolved to its id when seeding). */
  dispatchKey?: string;
  commend?: boolean;
  problems: DemoProblem[];
}

export interface DemoInspection {
  key: string;
  inspector: (typeof DEMO_INSPECTORS)[number];
  villageId: string;
  date: string;
  mode: InspectionMode;
  findings: DemoFinding[];
}

export interface DemoDirectReport {
  key: string;
  cadreId: string;
  villageId: string;
  kind: DirectReportKind;
  summary: string;
  skipLevels?: boolean;
  /** HQ's reply when acknowledged; undefined leaves the report waiting. */
  acknowledge?: string;
  /** Triaged to the county and handed to a unit (转办); replied and closed when those are given. */
  handoff?: DemoHandoff;
}

/** A hand-off of a demo direct report (seed-demo-handoffs.ts). */
export interface DemoHandoff {
  triage: string;
  /** The unit's name in the units roster. */
  unit: string;
  note: string;
  /** Deadline: days after the anchor. */
  days: number;
  reply?: string;
  resolution?: string;
}

export interface DemoActivity {
  anchor: string;
  dispatches: DemoDispatch[];
  inspections: DemoInspection[];
  directReports: DemoDirectReport[];
  /** W-8 … W-1, oldest first: evaluated in this order once the activity is in (runDemoJobs). */
  finishedWeeks: string[];
  /** A record of W-1 that arrives after W-1 was evaluated: its re-evaluation makes revision 2. */
  lateInspection: DemoInspection;
  /** The predefined major failures (重大失误) of the history, each with its notice of criticism. */
  majorFailures: DemoMajorFailure[];
}

/** A major failure (重大失误) of a type the rule set defines, recorded by HQ. */
export interface DemoMajorFailure {
  key: string;
  type: string;
  villageId: string;
  cadreIds: string[];
  date: string;
  description: string;
  serious?: boolean;
}

/** mulberry32: a tiny seeded PRNG, so "random" spreads are the same on every machine and every run. */
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
const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
const pad = (n: number, width = 3) => String(n).padStart(width, '0');

// ---------------------------------------------------------------- roster

const TOWNSHIPS: readonly DemoTownship[] = [
  { id: 'T01', name: '云溪镇' },
  { id: 'T02', name: '松岭乡' },
  { id: 'T03', name: '鹿鸣乡' },
  { id: 'T04', name: '青石镇' },
  { id: 'T05', name: '白鹭乡' },
];

/** [id, name, class] per township, eight each: 8 deep-poverty, 16 general-poverty, 16 non-poverty. */
const VILLAGES: readonly (readonly [string, string, VillageCategory])[] = [
  ['V101', '云溪村', 'non'],
  ['V102', '杨柳湾村', 'general'],
  ['V103', '石门坎村', 'deep'],
  ['V104', '桂花坪村', 'general'],
  ['V105', '黄泥塘村', 'deep'],
  ['V106', '竹林沟村', 'general'],
  ['V107', '龙井坝村', 'non'],
  ['V108', '枫香岭村', 'non'],
  ['V201', '松岭村', 'non'],
  ['V202', '凉水井村', 'deep'],
  ['V203', '白岩脚村', 'general'],
  ['V204', '茶园坡村', 'non'],
  ['V205', '大坪子村', 'deep'],
  ['V206', '岩鹰寨村', 'general'],
  ['V207', '杉木冲村', 'general'],
  ['V208', '高坎村', 'non'],
  ['V301', '鹿鸣村', 'general'],
  ['V302', '青冈林村', 'deep'],
  ['V303', '麻竹湾村', 'general'],
  ['V304', '三岔河村', 'deep'],
  ['V305', '火烧坪村', 'general'],
  ['V306', '水井湾村', 'general'],
  ['V307', '鸦雀岭村', 'non'],
  ['V308', '后槽村', 'non'],
  ['V401', '青石村', 'non'],
  ['V402', '桃花溪村', 'general'],
  ['V403', '金竹坝村', 'deep'],
  ['V404', '半坡村', 'general'],
  ['V405', '回龙湾村', 'non'],
  ['V406', '下坝村', 'non'],
  ['V407', '新寨村', 'general'],
  ['V408', '柿子园村', 'non'],
  ['V501', '白鹭村', 'non'],
  ['V502', '荷塘村', 'general'],
  ['V503', '观音岩村', 'deep'],
  ['V504', '红岩村', 'general'],
  ['V505', '沙坝村', 'non'],
  ['V506', '马鞍山村', 'general'],
  ['V507', '长冲村', 'non'],
  ['V508', '樱桃坪村', 'non'],
];

/** Units of the ten county leaders (县级领导), who take the deep-poverty villages (seed 002). */
const COUNTY_UNITS = [
  '县委',
  '县人民政府',
  '县委',
  '县人大常委会',
  '县政协',
  '县委组织部',
  '县纪委监委',
  '县委宣传部',
  '县人民政府',
  '县人民政府',
] as const;

/** Helping departments; two cadres each. */
const DEPARTMENT_UNITS = [
  '县教育局',
  '县农业农村局',
  '县水务局',
  '县交通运输局',
  '县卫生健康局',
  '县人力资源和社会保障局',
  '县财政局',
  '县民政局',
  '县住房和城乡建设局',
  '县自然资源局',
  '县林业局',
  '县乡村振兴局',
  '县市场监督管理局',
  '县医疗保障局',
  '县文化广电旅游局',
] as const;

const SURNAMES =
  '王李张刘陈赵黄周吴徐孙胡朱高林何郭马罗梁宋谢唐冯董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏汪田任姜范方石姚谭廖邹熊金陆孔白崔毛邱江史顾侯邵龙万段雷汤尹黎易常武乔贺龚文';
const GIVEN_FIRST = '文明志春秋海晓立永德玉红新光思雨静家宏承远嘉若';
const GIVEN_SECOND = '平华军芳林峰敏伟婷涛丽刚燕磊霞斌琴宇洁勇梅超蓉鹏';
/** People named in the seed texts: never reuse them, even by chance. */
const SEED_NAMES = new Set(['钱进', '韩兆新', '郑国栋', '周克刚', '胡德乾', '张晓麟', '杨强', '杨旭']);

/** Fictional names: surname and given-name lists of co-prime lengths walked with fixed strides, no repeats. */
function cadreNames(count: number): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; names.length < count; i++) {
    const surname = SURNAMES[(i * 7 + 3) % SURNAMES.length];
    const first = GIVEN_FIRST[(i * 5 + 1) % GIVEN_FIRST.length];
    const second = GIVEN_SECOND[(i * 11 + 4) % GIVEN_SECOND.length];
    // About one in four people has a one-character given name.
    const name = i % 4 === 3 ? `${surname}${second}` : `${surname}${first}${second}`;
    if (seen.has(name) || SEED_NAMES.has(name)) continue;
    seen.add(name);
    names.push(name);
  }
  return names;
}

function villageProfile(rand: () => number, category: VillageCategory): DemoVillage['profile'] {
  const households = between(rand, 180, 620);
  const population = Math.round(households * (3.1 + rand() * 0.7));
  const poorShare =
    category === 'deep'
      ? 0.2 + rand() * 0.1
      : category === 'general'
        ? 0.08 + rand() * 0.07
        : 0.01 + rand() * 0.03;
  const poorHouseholds = Math.max(2, Math.round(households * poorShare));
  return {
    households,
    population,
    partyMembers: between(rand, 18, 64),
    migrantWorkers: Math.round(population * (0.22 + rand() * 0.16)),
    poorHouseholds,
    poorPopulation: Math.round(poorHouseholds * (2.8 + rand() * 0.8)),
  };
}

/**
 * Sixty cadres: C001–C010 county leaders (chiefs of the 8 deep-poverty villages and 2 general ones in the
 * townships with fewest deep villages), C011–C040 department cadres (chiefs of the other villages; the
 * section-level ones take the general-poverty villages, "strong with weak"), C041–C060 township cadres,
 * four per township, each a member of two of its villages so every working group has one (seed 004).
 */
/**
 * The fictional county lies on the loess hills around 34.58° N, 105.72° E (a dry county of the kind
 * the seeds describe); each township a sector some 8–20 km from the county seat, its villages spread
 * within it. Fixed by index (no random draw), so the rest of the demo stays as it was.
 */
export const DEMO_COUNTY_CENTRE = { lat: 34.58, lng: 105.72 } as const;

function villageLocation(township: number, index: number): { lat: number; lng: number } {
  const angle = ((township - 1) / 5) * 2 * Math.PI + ((index % 8) - 3.5) * 0.09;
  const km = 8 + (index % 8) * 1.6;
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  return {
    lat: round(DEMO_COUNTY_CENTRE.lat + (km / 111.2) * Math.cos(angle)),
    lng: round(
      DEMO_COUNTY_CENTRE.lng +
        (km / (111.2 * Math.cos((DEMO_COUNTY_CENTRE.lat * Math.PI) / 180))) * Math.sin(angle),
    ),
  };
}

export function demoRoster(assignedFrom: string): DemoRoster {
  const rand = prng(0x9e3779b1);
  const names = cadreNames(60);
  const villages: DemoVillage[] = VILLAGES.map(([id, name, category], i) => ({
    id,
    name,
    townshipId: `T0${id[1]}`,
    category,
    profile: villageProfile(rand, category),
    location: villageLocation(Number(id[1]), i),
  }));

  const cadres: DemoCadre[] = [];
  const name = (i: number) => names[i - 1] as string;
  for (let i = 1; i <= 10; i++) {
    cadres.push({
      id: `C${pad(i)}`,
      name: name(i),
      unit: COUNTY_UNITS[i - 1] as string,
      rank: 'county',
      email: `c${pad(i)}@qinglan.example`,
    });
  }
  for (let i = 11; i <= 40; i++) {
    const rank: CadreRank = i <= 24 ? 'section' : i % 2 === 0 ? 'staff' : 'general';
    cadres.push({
      id: `C${pad(i)}`,
      name: name(i),
      unit: DEPARTMENT_UNITS[(i - 11) % DEPARTMENT_UNITS.length] as string,
      rank,
    });
  }
  TOWNSHIPS.forEach((township, t) => {
    const ranks: CadreRank[] = ['section', 'staff', 'staff', 'general'];
    ranks.forEach((rank, j) => {
      const i = 41 + t * 4 + j;
      cadres.push({
        id: `C${pad(i)}`,
        name: name(i),
        unit: j === 0 ? `${township.name}党委` : `${township.name}人民政府`,
        rank,
        townshipId: township.id,
      });
    });
  });

  // Chiefs: one person, one village; every village covered (seed 002).
  const chiefOf = new Map<string, string>();
  let county = 1;
  for (const v of villages) if (v.category === 'deep') chiefOf.set(v.id, `C${pad(county++)}`);
  for (const v of ['V402', 'V502']) chiefOf.set(v, `C${pad(county++)}`);
  let sectionLevel = 11;
  let other = 25;
  for (const v of villages) {
    if (chiefOf.has(v.id)) continue;
    chiefOf.set(v.id, `C${pad(v.category === 'general' ? sectionLevel++ : other++)}`);
  }

  const assignments: DemoAssignment[] = [];
  villages.forEach((v, index) => {
    const t = Number(v.townshipId.slice(1)) - 1;
    const slot = index % 8;
    const member = `C${pad(41 + t * 4 + Math.floor(slot / 2))}`;
    assignments.push({ cadreId: member, villageId: v.id, role: 'member', from: assignedFrom });
    assignments.push({
      cadreId: chiefOf.get(v.id) as string,
      villageId: v.id,
      role: 'chief',
      from: assignedFrom,
    });
  });

  const units = demoUnits();
  const unitByName = new Map(units.map((u) => [u.name, u.id]));
  for (const c of cadres) {
    const unitId = unitByName.get(c.unit);
    if (unitId) c.unitId = unitId;
  }
  // C001–C004 (county leaders) each cover a township; T05 is left without one now: C005's period
  // there ended when the current teams started (history on its 包镇领导 page and in the export).
  const leaders: DemoLeader[] = ['T01', 'T02', 'T03', 'T04'].map((townshipId, i) => ({
    townshipId,
    cadreId: `C${pad(i + 1)}`,
    from: assignedFrom,
  }));
  leaders.push({ townshipId: 'T05', cadreId: 'C005', from: addDays(assignedFrom, -365), to: assignedFrom });
  const unitOf = (name: string) => unitByName.get(name) as string;
  const district = (id: string, name: string, t: string, numbers: number[], unit?: string): DemoDistrict => ({
    id,
    name,
    townshipId: t,
    villageIds: numbers.map((n) => `V${t[2]}0${n}`),
    ...(unit ? { unitId: unitOf(unit) } : {}),
    from: assignedFrom,
  });
  const districts = [
    district('D0101', '云溪东片', 'T01', [1, 2, 3, 4], '县水务局'),
    district('D0102', '云溪西片', 'T01', [5, 6, 7, 8], '县农业农村局'),
    district('D0201', '松岭南片', 'T02', [1, 2, 3, 4], '县交通运输局'),
    district('D0202', '松岭北片', 'T02', [5, 6, 7, 8]),
  ];

  return { townships: [...TOWNSHIPS], villages, cadres, assignments, units, leaders, districts };
}

/** The county's units: the leaders' and departments' (U01…), and each township's 党委 and 人民政府. */
function demoUnits(): DemoUnit[] {
  const county = [...new Set<string>([...COUNTY_UNITS, ...DEPARTMENT_UNITS])];
  return [
    ...county.map((name, i) => ({ id: `U${pad(i + 1, 2)}`, name, kind: 'department' as const })),
    ...TOWNSHIPS.flatMap((t) => [
      { id: `U-${t.id}-DW`, name: `${t.name}党委`, kind: 'township-committee' as const, townshipId: t.id },
      {
        id: `U-${t.id}-ZF`,
        name: `${t.name}人民政府`,
        kind: 'township-government' as const,
        townshipId: t.id,
      },
    ]),
  ];
}

// ---------------------------------------------------------------- activity

export const RECTIFICATION_NOTES: readonly string[] = [
  '已逐户补齐相关资料，经户主签字确认，台账同步更新。',
  '已召开院落会逐项整改，整改情况已张榜公示。',
  '已对照问题清单逐项整改，相关佐证材料已上传。',
  '已落实专人负责，本周内完成全部入户核实。',
  '已重新梳理台账并与系统数据比对，差异已更正。',
];
export const ACCEPTED_NOTES: readonly string[] = [
  '经现场复核，整改到位。',
  '抽查 5 户，资料齐全，整改到位。',
  '复核属实，予以销号。',
];
export const REJECTED_NOTES: readonly string[] = [
  '复核发现资料仍不完整，属虚假整改，问题继续挂账。',
  '抽查农户反映未见整改，台账与实际不符，认定为虚假整改。',
  '整改材料系补写，现场情况未改变，不予销号。',
];

/** What an inspector writes when a rectification is 整改不到位 (not false, but not done either). */
export const INCOMPLETE_NOTES: readonly string[] = [
  '已动工但尚未完成，排水沟还差约一百米未硬化，限期完成后再复核。',
  '已补齐部分资料，仍有 6 户收入核算表缺户主签字，限期补齐后再复核。',
  '台账已更新，但新增种养殖户只录入一半，其余须逐户核实后补录。',
];

/** The Monday of the week a date falls in. */
function mondayOfWeek(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return addDays(date, 1 - weekday);
}

function deadline(anchor: string, days: number, time = '18:00'): string {
  return `${addDays(anchor, days)}T${time}:00+08:00`;
}

/**
 * A few weeks of work in the demo county, relative to `anchor` (YYYY-MM-DD, Beijing): dispatches due
 * in the coming days (one tomorrow noon, so it soon looks overdue), inspections over the last three
 * weeks, problems with every fate, and direct reports, some acknowledged.
 */
export function demoActivity(anchor: string, roster: DemoRoster): DemoActivity {
  const rand = prng(0x5eed2026);
  const villageById = new Map(roster.villages.map((v) => [v.id, v]));
  const chiefOf = new Map<string, string>();
  const groupOf = new Map<string, string[]>();
  const villagesOf = new Map<string, string[]>();
  for (const a of roster.assignments) {
    if (a.role === 'chief') chiefOf.set(a.villageId, a.cadreId);
    groupOf.set(a.villageId, [...(groupOf.get(a.villageId) ?? []), a.cadreId]);
    villagesOf.set(a.cadreId, [...(villagesOf.get(a.cadreId) ?? []), a.villageId]);
  }
  const chief = (villageId: string) => chiefOf.get(villageId) as string;
  const inTownship = (t: string) => roster.villages.filter((v) => v.townshipId === t).map((v) => v.id);

  // ---- dispatches (作战任务派遣单)
  const reportNotes: Record<ReportStatus, readonly string[]> = {
    in_progress: [
      '已完成入户摸排过半，正在整理资料。',
      '已组织村组干部分组推进，预计按时完成。',
      '已开院落会部署，正在逐户核实。',
    ],
    done: [
      '已全部完成，资料已归档并报乡镇复核。',
      '任务已完成，台账已更新上传。',
      '已按要求完成，附整改前后对照表。',
    ],
  };
  const dispatchSpecs: Omit<DemoDispatch, 'reports'>[] = [
    {
      key: 'dispatch-archives',
      title: '非贫困户二级档案资料补充完善',
      category: '档案资料',
      description:
        '对照问题清单，逐户补齐非贫困户二级档案资料（收入核算表、帮扶记录、户主签字），整理归档后报镇督查组复核。',
      deadline: deadline(anchor, 1, '12:00'),
      assignees: inTownship('T01').map((v) => ({ cadreId: chief(v), villageId: v })),
    },
    {
      key: 'dispatch-industry',
      title: '产业覆盖台账核实更新',
      category: '产业发展',
      description: '核实所包村贫困户产业覆盖情况，更新产业覆盖台账，新增种养殖户须一并录入。',
      deadline: deadline(anchor, 3),
      assignees: roster.villages
        .filter((v) => (v.townshipId === 'T02' || v.townshipId === 'T03') && v.category !== 'non')
        .map((v) => ({ cadreId: chief(v.id), villageId: v.id })),
    },
    {
      key: 'dispatch-projects',
      title: '深度贫困村项目推进情况排查',
      category: '项目推进',
      description: '排查深度贫困村在建项目进度，列出滞后项目及原因，提出倒排工期措施。',
      deadline: deadline(anchor, 5),
      assignees: roster.villages
        .filter((v) => v.category === 'deep')
        .map((v) => ({ cadreId: chief(v.id), villageId: v.id })),
    },
    {
      key: 'dispatch-water',
      title: '人畜饮水安全专项排查',
      category: '饮水安全',
      description:
        '逐户排查人畜饮水安全情况，水源不稳定的农户列出清单，提出应急供水方案，重大情况立即直报指挥部。',
      deadline: deadline(anchor, 2),
      assignees: [...inTownship('T04'), ...inTownship('T05')].map((v) => ({
        cadreId: chief(v),
        villageId: v,
      })),
    },
    {
      key: 'dispatch-monitoring',
      title: '防返贫监测户信息核对',
      category: '防返贫监测',
      description: '会同乡镇干部核对防返贫监测户收入、务工、就医就学信息，发现风险及时纳入监测。',
      deadline: deadline(anchor, 7),
      // Township cadres, each for the first of their two villages.
      assignees: roster.cadres
        .filter((c) => c.townshipId)
        .map((c) => ({ cadreId: c.id, villageId: (villagesOf.get(c.id) as string[])[0] as string })),
    },
    {
      key: 'dispatch-environment',
      title: '农村人居环境整治回头看',
      category: '人居环境',
      description: '对照前期整治清单开展回头看，重点检查房前屋后杂物、生活垃圾收运和污水乱排问题。',
      deadline: deadline(anchor, 10),
      assignees: inTownship('T03').map((v) => ({ cadreId: chief(v), villageId: v })),
    },
  ];
  const dispatches: DemoDispatch[] = dispatchSpecs.map((spec) => {
    // The soonest deadline gets the fewest reports: that is what looks overdue tomorrow.
    const silent = spec.key === 'dispatch-archives' ? 0.5 : 0.35;
    const reports: DemoReport[] = [];
    for (const a of spec.assignees) {
      const r = rand();
      if (r < silent) continue;
      // Some report progress first and completion later; some report only once, when done.
      if (r < 0.85) reports.push({ ...a, status: 'in_progress', note: pick(rand, reportNotes.in_progress) });
      if (r > 0.7) reports.push({ ...a, status: 'done', note: pick(rand, reportNotes.done) });
    }
    return { ...spec, reports };
  });

  // ---- inspections: eight finished weeks and this one (demo/history.ts)
  const history = demoHistory(anchor, roster);
  const inspections: DemoInspection[] = [...history.inspections];

  // Today's spot checks of the archives dispatch in 云溪镇: the team checks the task on site.
  const archives = dispatches[0] as DemoDispatch;
  const doneOnArchives = new Set(archives.reports.filter((r) => r.status === 'done').map((r) => r.villageId));
  for (const villageId of ['V101', 'V104', 'V107']) {
    inspections.push({
      key: `inspection-${villageId}-task`,
      inspector: 'inspector-1',
      villageId,
      date: anchor,
      mode: 'spot',
      findings: [
        {
          cadreId: chief(villageId),
          present: true,
          dispatchKey: archives.key,
          ...(doneOnArchives.has(villageId) ? { commend: true } : {}),
          problems: [],
        },
      ],
    });
  }

  // ---- direct reports (信息直报)
  const directSpecs: Omit<DemoDirectReport, 'key' | 'cadreId'>[] = [
    {
      villageId: 'V103',
      kind: 'situation',
      summary: '近半月无有效降雨，三组、五组 47 户饮水水源水位明显下降，已组织群众错峰取水。',
      acknowledge: '已转县水务局，三日内派送水车。',
    },
    {
      villageId: 'V202',
      kind: 'resource_request',
      summary: '申请调配抽水泵 2 台、柴油 200 升，用于凉水井提水保苗。',
      acknowledge: '同意调配，请到乡农业服务中心领取。',
    },
    {
      villageId: 'V205',
      kind: 'violation',
      summary: '二组个别农户私自截留灌溉渠水，拒不执行轮灌安排，已现场劝导。',
      acknowledge: '请村两委按轮灌方案处理，乡里派员督办。',
    },
    {
      villageId: 'V302',
      kind: 'emergency',
      summary: '通村公路 K3 处发生塌方，阻断通行，已设置警示并组织群众绕行，无人员伤亡。',
      skipLevels: true,
      acknowledge: '已通知县交通运输局抢通，请继续值守。',
      handoff: {
        triage: '塌方阻断通村公路，涉及交通、通信，由县级办理。',
        unit: '县交通运输局',
        note: '请组织抢险力量两日内抢通 K3 处塌方路段，并协调移动公司恢复沿线通信。',
        days: 2,
        reply: '已派抢险队连夜清理塌方，K3 处已恢复通行；移动公司已恢复沿线基站供电。',
        resolution: '道路已抢通，通信已恢复；已请村两委在塌方处设置警示并安排巡查。',
      },
    },
    { villageId: 'V304', kind: 'situation', summary: '村级光伏电站收益分配方案已公示，群众无异议。' },
    {
      villageId: 'V403',
      kind: 'resource_request',
      summary: '申请蔬菜种苗 3000 株、地膜 50 卷，用于产业覆盖补种。',
      handoff: {
        triage: '产业补种物资由县农业农村局统筹调配。',
        unit: '县农业农村局',
        note: '请核实需求，按产业覆盖补种计划调配种苗、地膜，并回复调配情况。',
        days: 0,
      },
    },
    {
      villageId: 'V503',
      kind: 'emergency',
      summary: '一户五保老人突发疾病，已联系乡卫生院送医，需协调医疗救助。',
      skipLevels: true,
      acknowledge: '已联系县医保局落实医疗救助，请跟进。',
    },
    { villageId: 'V106', kind: 'violation', summary: '有群众反映村组干部优亲厚友，低保评议未按程序公示。' },
    {
      villageId: 'V207',
      kind: 'situation',
      summary: '外出务工返乡人员增多，已登记 32 人，建议开展就近就业培训。',
    },
    {
      villageId: 'V405',
      kind: 'resource_request',
      summary: '申请调配移动供水车一辆，保障柿子园组 18 户人畜饮水。',
      acknowledge: '已安排，明日上午送达。',
    },
  ];
  const directReports: DemoDirectReport[] = directSpecs.map((spec, i) => ({
    key: `direct-report-${pad(i + 1, 2)}`,
    cadreId: chief(spec.villageId),
    ...spec,
  }));

  // Village ids in the specs must exist; a typo here would otherwise surface as a 400 mid-seed.
  for (const r of directReports)
    if (!villageById.has(r.villageId)) throw new Error(`unknown demo village ${r.villageId}`);
  // ---- a major failure in the latest finished week: 长冲村's drinking water cut for two days.
  const failureVillage = 'V507';
  const majorFailures: DemoMajorFailure[] = [
    {
      key: 'major-failure-water',
      type: 'drinking_water_loss',
      villageId: failureVillage,
      cadreIds: (groupOf.get(failureVillage) ?? []).slice().reverse(),
      date: addDays(history.finishedWeeks.length ? mondayOfWeek(history.late.date) : anchor, 1),
      description:
        '长冲村三组、四组蓄水池供水管道冻裂，包村干部未按要求提前排查维护，致 23 户群众人畜饮水中断两天，经群众反映后才组织抢修。',
    },
  ];
  return {
    anchor,
    dispatches,
    inspections,
    directReports,
    finishedWeeks: history.finishedWeeks,
    lateInspection: history.late,
    majorFailures,
  };
}

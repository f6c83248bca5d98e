import { SEVERITY_LABELS, STATUS_LABELS } from '../core/problems.ts';
import type { RuleSet } from '../core/rules/rule-set.ts';
import { beijingDateTime } from '../core/time.ts';
import { DOCUMENT_KIND_LABELS } from '../documents/render.ts';
import { ASSIGNMENT_ROLE_LABELS } from '../schemas/assignments.ts';
import type { DirectReport } from '../schemas/direct-reports.ts';
import type { DispatchListItem } from '../schemas/dispatches.ts';
import type { Problem } from '../schemas/problems.ts';
import type { Cadre, Village } from '../schemas/roster.ts';
import { EXPORT_LIST_LABELS, type ExportList } from '../schemas/tasks.ts';
import type { ApiClient } from '../web/api-client.ts';
import { problemColor } from '../web/view/colors.ts';
import { LIST_SOURCES } from './lists.ts';
import { namesById } from './lookup.ts';
import { type OutColumn, type OutSheet, writeWorkbook } from './xlsx-writer.ts';

/**
 * A list exported to .xlsx: paged through the API's own list route with the filters given (as the
 * person who asked, so they get what their list page shows), names resolved for ids, Chinese headers,
 * times in Beijing time. Roster sheets use the import's headers, so an export can be edited and
 * imported back.
 */
type Row = Array<string | number | undefined>;
type Names = { townships: Map<string, string>; villages: Map<string, string>; cadres: Map<string, string> };
type AnyItem = Record<string, unknown>;

const at = (iso: unknown) => (typeof iso === 'string' && iso ? beijingDateTime(new Date(iso)) : '');
const yesNo = (v: unknown) => (v ? '是' : '否');

interface ListFormat {
  columns: OutColumn[];
  /** Which ids the rows need names for. */
  needs: (item: AnyItem) => Partial<Record<keyof Names, string | undefined>>;
  row: (item: AnyItem, names: Names) => Row;
}

const name = (map: Map<string, string>, id: unknown) => (typeof id === 'string' ? (map.get(id) ?? '') : '');

const COLOR_LABELS: Record<string, string> = { red: '红', yellow: '黄', green: '绿' };
const COLOR_ORDER: Record<string, number> = { red: 0, yellow: 1, green: 2 };
const DISPATCH_STATE_LABELS: Record<string, string> = { open: '进行中', overdue: '已逾期', done: '已完成' };
const ASSIGNEE_STATUS_LABELS: Record<string, string> = {
  pending: '未开始',
  in_progress: '推进中',
  done: '已完成',
};

export const LIST_FORMATS: Record<ExportList, ListFormat> = {
  townships: {
    columns: [
      { header: '编号', width: 12 },
      { header: '名称', width: 16 },
      { header: '创建时间', width: 18 },
    ],
    needs: () => ({}),
    row: (t) => [t.id as string, t.name as string, at(t.createdAt)],
  },
  villages: {
    columns: [
      { header: '编号', width: 12 },
      { header: '名称', width: 16 },
      { header: '所属乡镇编号', width: 14 },
      { header: '所属乡镇', width: 14 },
      { header: '类别', width: 12 },
      { header: '户数', width: 8 },
      { header: '人口', width: 8 },
      { header: '党员人数', width: 10 },
      { header: '外出务工人数', width: 12 },
      { header: '贫困户数', width: 10 },
      { header: '贫困人口', width: 10 },
      { header: '创建时间', width: 18 },
    ],
    needs: (v) => ({ townships: v.townshipId as string }),
    row: (item, names) => {
      const v = item as unknown as Village;
      const p = v.profile ?? {};
      return [
        v.id,
        v.name,
        v.townshipId,
        name(names.townships, v.townshipId),
        v.categoryLabel,
        p.households,
        p.population,
        p.partyMembers,
        p.migrantWorkers,
        p.poorHouseholds,
        p.poorPopulation,
        at(v.createdAt),
      ];
    },
  },
  cadres: {
    columns: [
      { header: '编号', width: 12 },
      { header: '姓名', width: 10 },
      { header: '派出单位', width: 22 },
      { header: '职级', width: 10 },
      { header: '所在乡镇编号', width: 14 },
      { header: '所在乡镇', width: 14 },
      { header: '手机', width: 14 },
      { header: '电子邮箱', width: 24 },
      { header: '创建时间', width: 18 },
    ],
    needs: (c) => ({ townships: c.townshipId as string | undefined }),
    row: (item, names) => {
      const c = item as unknown as Cadre;
      return [
        c.id,
        c.name,
        c.unit,
        c.rankLabel,
        c.townshipId,
        name(names.townships, c.townshipId),
        c.phone,
        c.email,
        at(c.createdAt),
      ];
    },
  },
  assignments: {
    columns: [
      { header: '干部编号', width: 12 },
      { header: '干部姓名', width: 10 },
      { header: '村编号', width: 12 },
      { header: '村名称', width: 14 },
      { header: '所属乡镇', width: 14 },
      { header: '角色', width: 10 },
      { header: '开始日期', width: 12 },
      { header: '结束日期', width: 12 },
      { header: '状态', width: 8 },
      { header: '备注', width: 24 },
    ],
    needs: (a) => ({
      cadres: a.cadreId as string,
      villages: a.villageId as string,
      townships: a.townshipId as string,
    }),
    row: (a, names) => [
      a.cadreId as string,
      name(names.cadres, a.cadreId),
      a.villageId as string,
      name(names.villages, a.villageId),
      name(names.townships, a.townshipId),
      ASSIGNMENT_ROLE_LABELS[a.role as 'chief'] ?? (a.role as string),
      a.from as string,
      (a.to as string | null) ?? '',
      a.active ? '在任' : '已结束',
      a.note as string | undefined,
    ],
  },
  dispatches: {
    columns: [
      { header: '文号', width: 16 },
      { header: '标题', width: 30 },
      { header: '类别', width: 12 },
      { header: '截止时间', width: 18 },
      { header: '状态', width: 8 },
      { header: '干部', width: 10 },
      { header: '村', width: 14 },
      { header: '本人进展', width: 10 },
      { header: '派遣对象数', width: 10 },
      { header: '已完成数', width: 10 },
      { header: '下发时间', width: 18 },
      { header: '下发人', width: 14 },
    ],
    needs: () => ({}),
    row: (item) => {
      const d = item as unknown as DispatchListItem;
      return [
        d.number,
        d.title,
        d.category,
        at(d.deadline),
        DISPATCH_STATE_LABELS[d.status] ?? d.status,
        d.cadreName,
        d.villageName,
        d.assigneeStatus ? ASSIGNEE_STATUS_LABELS[d.assigneeStatus] : '',
        d.assigneeCount,
        d.doneCount,
        at(d.createdAt),
        d.createdBy,
      ];
    },
  },
  problems: {
    columns: [
      { header: '问题编号', width: 28 },
      { header: '发现日期', width: 12 },
      { header: '乡镇', width: 12 },
      { header: '村', width: 12 },
      { header: '干部编号', width: 12 },
      { header: '干部姓名', width: 10 },
      { header: '问题描述', width: 40 },
      { header: '等级', width: 8 },
      { header: '状态', width: 10 },
      { header: '整改期限', width: 12 },
      { header: '虚假整改次数', width: 12 },
      { header: '销号时间', width: 18 },
    ],
    needs: (p) => ({
      cadres: p.cadreId as string,
      villages: p.villageId as string,
      townships: p.townshipId as string,
    }),
    row: (item, names) => {
      const p = item as unknown as Problem;
      return [
        p.id,
        p.foundOn,
        name(names.townships, p.townshipId),
        name(names.villages, p.villageId),
        p.cadreId,
        name(names.cadres, p.cadreId),
        p.description,
        SEVERITY_LABELS[p.severity],
        STATUS_LABELS[p.status],
        p.rectifyBy,
        p.falseRectifications,
        at(p.closedAt),
      ];
    },
  },
  'direct-reports': {
    columns: [
      { header: '报告时间', width: 18 },
      { header: '干部编号', width: 12 },
      { header: '干部姓名', width: 10 },
      { header: '村', width: 12 },
      { header: '类型', width: 10 },
      { header: '摘要', width: 30 },
      { header: '详细情况', width: 40 },
      { header: '越级直报', width: 8 },
      { header: '状态', width: 8 },
      { header: '回复时间', width: 18 },
      { header: '响应用时（分钟）', width: 14 },
      { header: '指挥部回复', width: 30 },
    ],
    needs: (r) => ({ cadres: r.cadreId as string, villages: r.villageId as string }),
    row: (item, names) => {
      const r = item as unknown as DirectReport;
      return [
        at(r.createdAt),
        r.cadreId,
        name(names.cadres, r.cadreId),
        name(names.villages, r.villageId),
        r.kindLabel,
        r.summary,
        r.details ?? '',
        yesNo(r.skipLevels),
        r.status === 'acknowledged' ? '已回复' : '待处理',
        at(r.acknowledgedAt),
        r.responseMinutes,
        r.acknowledgementNote ?? '',
      ];
    },
  },
  board: {
    columns: [
      { header: '颜色', width: 6 },
      { header: '原因', width: 18 },
      { header: '剩余天数', width: 9 },
      { header: '逾期天数', width: 9 },
      { header: '乡镇', width: 12 },
      { header: '村', width: 12 },
      { header: '干部编号', width: 12 },
      { header: '干部姓名', width: 10 },
      { header: '问题描述', width: 40 },
      { header: '等级', width: 8 },
      { header: '状态', width: 10 },
      { header: '发现日期', width: 12 },
      { header: '整改期限', width: 12 },
      { header: '虚假整改次数', width: 12 },
    ],
    needs: (p) => ({
      cadres: p.cadreId as string,
      villages: p.villageId as string,
      townships: p.townshipId as string,
    }),
    row: (item, names) => {
      const p = item as unknown as Problem & {
        color: { color: string; reason: string; daysLeft: number; daysOverdue: number };
      };
      return [
        COLOR_LABELS[p.color.color] ?? '',
        p.color.reason,
        p.color.daysOverdue > 0 ? '' : p.color.daysLeft,
        p.color.daysOverdue || '',
        name(names.townships, p.townshipId),
        name(names.villages, p.villageId),
        p.cadreId,
        name(names.cadres, p.cadreId),
        p.description,
        SEVERITY_LABELS[p.severity],
        STATUS_LABELS[p.status],
        p.foundOn,
        p.rectifyBy,
        p.falseRectifications,
      ];
    },
  },
  notices: {
    columns: [
      { header: '文号', width: 18 },
      { header: '标题', width: 36 },
      { header: '类别', width: 14 },
      { header: '周次', width: 10 },
      { header: '干部编号', width: 12 },
      { header: '干部姓名', width: 10 },
      { header: '修订', width: 6 },
      { header: '生成时间', width: 18 },
    ],
    needs: (n) => ({ cadres: n.cadreId as string | undefined }),
    row: (n, names) => [
      n.number as string,
      n.title as string,
      DOCUMENT_KIND_LABELS[n.kind as keyof typeof DOCUMENT_KIND_LABELS] ?? (n.kind as string),
      n.week as string | undefined,
      n.cadreId as string | undefined,
      name(names.cadres, n.cadreId),
      n.revision as number | undefined,
      at(n.createdAt),
    ],
  },
};

export interface ExportDeps {
  api: ApiClient;
  now: Date;
  /** Called as pages arrive (rows so far); keeps the task's heartbeat fresh. */
  progress(done: number): Promise<void>;
}

export interface ExportOutcome {
  rows: number;
  body: Buffer;
  fileName: string;
}

/** Every page of a list, as its route answers it. */
async function pages(
  api: ApiClient,
  path: string,
  query: Record<string, string>,
  deps: ExportDeps,
  items: AnyItem[] = [],
) {
  let next: string | undefined;
  do {
    const page = await api.get<{ items: AnyItem[]; next?: string }>(path, {
      query: { ...query, limit: 100, ...(next ? { next } : {}) },
    });
    items.push(...page.items);
    next = page.next;
    await deps.progress(items.length);
  } while (next);
  return items;
}

/** The board: open problems and those awaiting verification, coloured by the rules in force, red first. */
async function boardItems(api: ApiClient, filters: Record<string, string>, deps: ExportDeps) {
  const items = await pages(api, '/problems', { ...filters, status: 'open' }, deps);
  await pages(api, '/problems', { ...filters, status: 'awaiting_verification' }, deps, items);
  const rules = (await api.get<{ current: RuleSet }>('/rules')).current;
  return items
    .map((p) => ({
      ...(p as unknown as Problem),
      color: problemColor(p as unknown as Problem, deps.now, rules),
    }))
    .sort(
      (a, b) =>
        (COLOR_ORDER[a.color.color] ?? 3) - (COLOR_ORDER[b.color.color] ?? 3) ||
        String(a.rectifyBy).localeCompare(String(b.rectifyBy)),
    );
}

function allItems(api: ApiClient, list: ExportList, filters: Record<string, string>, deps: ExportDeps) {
  if (list === 'board') return boardItems(api, filters, deps);
  return pages(api, LIST_SOURCES[list].path, filters, deps);
}

export function exportFileName(list: ExportList, now: Date): string {
  const stamp = beijingDateTime(now).replace(/[-:]/g, '').replace(' ', '-');
  return `${EXPORT_LIST_LABELS[list]}-${stamp}.xlsx`;
}

export async function runExport(
  input: { list: ExportList; filters: Record<string, string> },
  deps: ExportDeps,
): Promise<ExportOutcome> {
  const format = LIST_FORMATS[input.list];
  const items = await allItems(deps.api, input.list, input.filters, deps);
  const wanted: Record<keyof Names, Set<string>> = {
    townships: new Set(),
    villages: new Set(),
    cadres: new Set(),
  };
  for (const item of items) {
    for (const [list, id] of Object.entries(format.needs(item)) as Array<[keyof Names, string | undefined]>) {
      if (id) wanted[list].add(id);
    }
  }
  const [townships, villages, cadres] = await Promise.all([
    namesById(deps.api, 'townships', wanted.townships),
    namesById(deps.api, 'villages', wanted.villages),
    namesById(deps.api, 'cadres', wanted.cadres),
  ]);
  const names = { townships, villages, cadres };
  const sheet: OutSheet = {
    name: EXPORT_LIST_LABELS[input.list],
    columns: format.columns,
    rows: items.map((item) => format.row(item, names)),
  };
  const body = writeWorkbook([sheet], { creator: '包村', created: deps.now });
  return { rows: items.length, body, fileName: exportFileName(input.list, deps.now) };
}

import type * as z from 'zod/mini';
import { DOCUMENT_KIND_LABELS } from '../core/document-kinds.ts';
import { SEVERITY_LABELS, STATUS_LABELS } from '../core/problems.ts';
import { beijingDateTime } from '../core/time.ts';
import { ASSIGNMENT_ROLE_LABELS, type Assignment } from '../schemas/assignments.ts';
import type { ExportList } from '../schemas/background.ts';
import type { DirectReport } from '../schemas/direct-reports.ts';
import type { DispatchListItem } from '../schemas/dispatches.ts';
import type { notice } from '../schemas/notices.ts';
import type { District, TownshipLeader, Unit } from '../schemas/organisation.ts';
import type { Problem } from '../schemas/problems.ts';
import type { Cadre, Township, Village } from '../schemas/roster.ts';
import type { Visit } from '../schemas/visits.ts';
import type { OutColumn, OutSheet } from './xlsx-writer.ts';

/**
 * The columns of every exported list: header, width and cell in one place, so a header can never
 * drift from its cell, and the columns two lists share (a problem's, a cadre's or village's name) are
 * written once. A column that shows a roster name says which list and id it needs, so the export
 * looks up exactly the names its columns show. Pure: the export pages the API and hands the items here.
 */
type Cell = string | number | undefined;
export type NameList = 'townships' | 'villages' | 'cadres';
export type Names = Record<NameList, ReadonlyMap<string, string>>;

/** Lasting addresses of what a cell links to (the export is read long after its short-lived links expire). */
export interface Links {
  /** A photo's page address, which sends the reader to a fresh link if they may see it. */
  photo(id: string): string;
}

export const relativeLinks: Links = { photo: (id) => `/app/photos/${encodeURIComponent(id)}` };

export interface Column<T> {
  header: string;
  width: number;
  cell(item: T, names: Names, links: Links): Cell;
  /** For a name column: the roster list the name is looked up in, and the id it is looked up by. */
  lookup?: { list: NameList; id(item: T): string | undefined };
}

/** Board rows: an open problem with its colour as of the export, by the rules in force. */
export type BoardItem = Problem & {
  color: { color: string; reason: string; daysLeft: number; daysOverdue: number };
};

/** The item type each list's route answers with. */
export interface ExportItems {
  townships: Township;
  villages: Village;
  cadres: Cadre;
  assignments: Assignment;
  dispatches: DispatchListItem;
  problems: Problem;
  'direct-reports': DirectReport;
  board: BoardItem;
  notices: z.output<typeof notice>;
  visits: Visit;
  units: Unit;
  districts: District;
  leaders: TownshipLeader;
}

const at = (iso: string | null | undefined) => (iso ? beijingDateTime(new Date(iso)) : '');

const column = <T>(header: string, width: number, cell: (item: T) => Cell): Column<T> => ({
  header,
  width,
  cell,
});

function nameColumn<T>(
  header: string,
  width: number,
  list: NameList,
  id: (item: T) => string | undefined,
): Column<T> {
  return {
    header,
    width,
    cell: (item, names) => {
      const key = id(item);
      return key ? (names[list].get(key) ?? '') : '';
    },
    lookup: { list, id },
  };
}

type Ids = { townshipId?: string | undefined; villageId?: string | undefined; cadreId?: string | undefined };

const townshipName = <T extends Ids>(header = '乡镇', width = 12) =>
  nameColumn<T>(header, width, 'townships', (x) => x.townshipId);
const villageName = <T extends Ids>(header = '村', width = 12) =>
  nameColumn<T>(header, width, 'villages', (x) => x.villageId);
const cadreName = <T extends Ids>() => nameColumn<T>('干部姓名', 10, 'cadres', (x) => x.cadreId);
const cadreId = <T extends Ids>() => column<T>('干部编号', 12, (x) => x.cadreId);
const createdAt = <T extends { createdAt: string }>(header = '创建时间') =>
  column<T>(header, 18, (x) => at(x.createdAt));

const COLOR_LABELS: Record<string, string> = { red: '红', yellow: '黄', green: '绿' };
const DISPATCH_STATE_LABELS: Record<string, string> = { open: '进行中', overdue: '已逾期', done: '已完成' };
const ASSIGNEE_STATUS_LABELS: Record<string, string> = {
  pending: '未开始',
  in_progress: '推进中',
  done: '已完成',
};

/** What a problem row and a board row both show. */
const problem = {
  foundOn: column<Problem>('发现日期', 12, (p) => p.foundOn),
  description: column<Problem>('问题描述', 40, (p) => p.description),
  severity: column<Problem>('等级', 8, (p) => SEVERITY_LABELS[p.severity]),
  status: column<Problem>('状态', 10, (p) => STATUS_LABELS[p.status]),
  rectifyBy: column<Problem>('整改期限', 12, (p) => p.rectifyBy),
  falseRectifications: column<Problem>('虚假整改次数', 12, (p) => p.falseRectifications),
};
const whereAndWho = <T extends Ids>() => [townshipName<T>(), villageName<T>(), cadreId<T>(), cadreName<T>()];

/** Roster sheets use the import's headers, so an export can be edited and imported back. */
export const LIST_COLUMNS: { [L in ExportList]: ReadonlyArray<Column<ExportItems[L]>> } = {
  townships: [column('编号', 12, (t) => t.id), column('名称', 16, (t) => t.name), createdAt()],
  units: [
    column('编号', 12, (u) => u.id),
    column('名称', 20, (u) => u.name),
    column('类别', 12, (u) => u.kindLabel),
    column('所属乡镇编号', 14, (u) => u.townshipId),
    townshipName('所属乡镇', 14),
    createdAt(),
  ],
  districts: [
    column('编号', 12, (d) => d.id),
    column('名称', 16, (d) => d.name),
    column('所属乡镇编号', 14, (d) => d.townshipId),
    townshipName('所属乡镇', 14),
    column('村编号', 30, (d) => d.villageIds.join('、')),
    column('包片部门编号', 14, (d) => d.unitId),
    column('开始日期', 12, (d) => d.from),
    column('撤销日期', 12, (d) => d.to ?? ''),
    column('包片部门历史', 40, (d) =>
      d.departments.map((x) => `${x.unitId} ${x.from}～${x.to ?? ''}`).join('；'),
    ),
  ],
  leaders: [
    column('乡镇编号', 12, (l) => l.townshipId),
    townshipName('乡镇', 12),
    cadreId(),
    cadreName(),
    column('起始日期', 12, (l) => l.from),
    column('结束日期', 12, (l) => l.to ?? ''),
    column('状态', 8, (l) => (l.active ? '在任' : '已结束')),
    column('备注', 24, (l) => l.note),
  ],
  villages: [
    column('编号', 12, (v) => v.id),
    column('名称', 16, (v) => v.name),
    column('所属乡镇编号', 14, (v) => v.townshipId),
    townshipName('所属乡镇', 14),
    column('类别', 12, (v) => v.categoryLabel),
    column('户数', 8, (v) => v.profile?.households),
    column('人口', 8, (v) => v.profile?.population),
    column('党员人数', 10, (v) => v.profile?.partyMembers),
    column('外出务工人数', 12, (v) => v.profile?.migrantWorkers),
    column('贫困户数', 10, (v) => v.profile?.poorHouseholds),
    column('贫困人口', 10, (v) => v.profile?.poorPopulation),
    column('纬度', 10, (v) => v.location?.lat),
    column('经度', 10, (v) => v.location?.lng),
    createdAt(),
  ],
  cadres: [
    column('编号', 12, (c) => c.id),
    column('姓名', 10, (c) => c.name),
    column('派出单位', 22, (c) => c.unit),
    column('职级', 10, (c) => c.rankLabel),
    column('所在乡镇编号', 14, (c) => c.townshipId),
    townshipName('所在乡镇', 14),
    column('手机', 14, (c) => c.phone),
    column('电子邮箱', 24, (c) => c.email),
    // After the columns exports had before units existed, so earlier layouts keep their places.
    column('单位编号', 12, (c) => c.unitId),
    createdAt(),
  ],
  assignments: [
    cadreId(),
    cadreName(),
    column('村编号', 12, (a) => a.villageId),
    villageName('村名称', 14),
    townshipName('所属乡镇', 14),
    column('角色', 10, (a) => ASSIGNMENT_ROLE_LABELS[a.role] ?? a.role),
    column('开始日期', 12, (a) => a.from),
    column('结束日期', 12, (a) => a.to ?? ''),
    column('状态', 8, (a) => (a.active ? '在任' : '已结束')),
    column('备注', 24, (a) => a.note),
  ],
  dispatches: [
    column('文号', 16, (d) => d.number),
    column('标题', 30, (d) => d.title),
    column('类别', 12, (d) => d.category),
    column('截止时间', 18, (d) => at(d.deadline)),
    column('状态', 8, (d) => DISPATCH_STATE_LABELS[d.status] ?? d.status),
    column('干部', 10, (d) => d.cadreName),
    column('村', 14, (d) => d.villageName),
    column('本人进展', 10, (d) => (d.assigneeStatus ? ASSIGNEE_STATUS_LABELS[d.assigneeStatus] : '')),
    column('派遣对象数', 10, (d) => d.assigneeCount),
    column('已完成数', 10, (d) => d.doneCount),
    createdAt('下发时间'),
    column('下发人', 14, (d) => d.createdBy),
  ],
  problems: [
    column('问题编号', 28, (p) => p.id),
    problem.foundOn,
    ...whereAndWho(),
    problem.description,
    problem.severity,
    column('类别', 10, (p) => p.category ?? ''),
    column('来源', 12, (p) => p.sourceLabel ?? ''),
    column('重复发生', 12, (p) => (p.repeat ? `${p.repeat.weeks}周内第${p.repeat.of.length + 1}次` : '')),
    problem.status,
    problem.rectifyBy,
    problem.falseRectifications,
    column('销号时间', 18, (p) => at(p.closedAt)),
    column('照片数', 8, (p) => p.photoIds?.length ?? 0),
    {
      header: '问题照片（链接）',
      width: 48,
      // One address a line; opening one asks for sign-in and shows the photo to those who may see it.
      cell: (p, _names, links) => (p.photoIds ?? []).map((id) => links.photo(id)).join('\n'),
    },
  ],
  visits: [
    column('到村时间', 18, (v) => at(v.at)),
    cadreId(),
    cadreName(),
    townshipName(),
    villageName(),
    column('在村住宿', 8, (v) => (v.overnight ? '是' : '否')),
    column('距本村（米）', 12, (v) => v.distanceMeters ?? ''),
    column('定位精度（米）', 12, (v) => v.location?.accuracy ?? ''),
    column('远离本村', 8, (v) => (v.far ? '是' : '')),
    column('备注', 30, (v) => v.note ?? ''),
    createdAt('记录时间'),
  ],
  'direct-reports': [
    createdAt('报告时间'),
    cadreId(),
    cadreName(),
    villageName(),
    column('类型', 10, (r) => r.kindLabel),
    column('摘要', 30, (r) => r.summary),
    column('详细情况', 40, (r) => r.details ?? ''),
    column('越级直报', 8, (r) => (r.skipLevels ? '是' : '否')),
    column('状态', 8, (r) => (r.status === 'acknowledged' ? '已回复' : '待处理')),
    column('回复时间', 18, (r) => at(r.acknowledgedAt)),
    column('响应用时（分钟）', 14, (r) => r.responseMinutes),
    column('指挥部回复', 30, (r) => r.acknowledgementNote ?? ''),
  ],
  board: [
    column('颜色', 6, (p) => COLOR_LABELS[p.color.color] ?? ''),
    column('原因', 18, (p) => p.color.reason),
    column('剩余天数', 9, (p) => (p.color.daysOverdue > 0 ? '' : p.color.daysLeft)),
    column('逾期天数', 9, (p) => p.color.daysOverdue || ''),
    ...whereAndWho(),
    problem.description,
    problem.severity,
    problem.status,
    problem.foundOn,
    problem.rectifyBy,
    problem.falseRectifications,
  ],
  notices: [
    column('文号', 18, (n) => n.number),
    column('标题', 36, (n) => n.title),
    column('类别', 14, (n) => DOCUMENT_KIND_LABELS[n.kind] ?? n.kind),
    column('周次', 10, (n) => n.week),
    cadreId(),
    cadreName(),
    column('修订', 6, (n) => n.revision),
    createdAt('生成时间'),
  ],
};

/** The ids whose names the list's columns show, by roster list. */
export function namesWanted<L extends ExportList>(
  list: L,
  items: ReadonlyArray<ExportItems[L]>,
): Record<NameList, Set<string>> {
  const wanted: Record<NameList, Set<string>> = {
    townships: new Set(),
    villages: new Set(),
    cadres: new Set(),
  };
  const columns: ReadonlyArray<Column<ExportItems[L]>> = LIST_COLUMNS[list];
  for (const { lookup } of columns) {
    if (!lookup) continue;
    for (const item of items) {
      const id = lookup.id(item);
      if (id) wanted[lookup.list].add(id);
    }
  }
  return wanted;
}

/** The list's sheet: its columns' headers and widths, and one row per item. */
export function exportSheet<L extends ExportList>(
  list: L,
  sheetName: string,
  items: ReadonlyArray<ExportItems[L]>,
  names: Names,
  links: Links = relativeLinks,
): OutSheet {
  const columns: ReadonlyArray<Column<ExportItems[L]>> = LIST_COLUMNS[list];
  return {
    name: sheetName,
    columns: columns.map(({ header, width }): OutColumn => ({ header, width })),
    rows: items.map((item) => columns.map((c) => c.cell(item, names, links))),
  };
}

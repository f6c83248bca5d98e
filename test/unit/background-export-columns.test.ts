import { describe, expect, it } from 'vitest';
import {
  type BoardItem,
  exportSheet,
  LIST_COLUMNS,
  namesWanted,
} from '../../functions/background/export-columns.ts';
import type { Problem } from '../../functions/schemas/problems.ts';

/** The exported lists' columns: headers beside their cells, and only the roster names the columns show. */
const names = {
  townships: new Map([['T01', '青石乡']]),
  villages: new Map([['V001', '红旗村']]),
  cadres: new Map([['C001', '李明']]),
};

const problem: Problem = {
  id: 'P-1',
  foundOn: '2026-01-05',
  townshipId: 'T01',
  villageId: 'V001',
  cadreId: 'C001',
  description: '台账不全',
  severity: 'major',
  status: 'open',
  rectifyBy: '2026-01-19',
  falseRectifications: 1,
} as Problem;

describe('export columns', () => {
  it('gives every list as many headers as cells in a row', () => {
    for (const columns of Object.values(LIST_COLUMNS)) {
      expect(columns.every((c) => c.header && c.width > 0)).toBe(true);
      expect(new Set(columns.map((c) => c.header)).size).toBe(columns.length);
    }
  });

  it('writes a problem row with names resolved and a name left empty when the roster lacks it', () => {
    const sheet = exportSheet('problems', '问题', [problem, { ...problem, cadreId: 'C999' }], names);
    expect(sheet.columns.map((c) => c.header)).toEqual([
      '问题编号',
      '发现日期',
      '乡镇',
      '村',
      '干部编号',
      '干部姓名',
      '问题描述',
      '等级',
      '类别',
      '来源',
      '重复发生',
      '状态',
      '整改期限',
      '虚假整改次数',
      '销号时间',
      '照片数',
      '问题照片（链接）',
    ]);
    expect(sheet.rows[0]).toEqual([
      'P-1',
      '2026-01-05',
      '青石乡',
      '红旗村',
      'C001',
      '李明',
      '台账不全',
      '较重',
      '',
      '',
      '',
      '待整改',
      '2026-01-19',
      1,
      '',
      0,
      '',
    ]);
    expect(sheet.rows[1]?.[5]).toBe('');
  });

  it('shows the board colour first, days left only while not overdue', () => {
    const item = (color: string, daysLeft: number, daysOverdue: number): BoardItem => ({
      ...problem,
      color: { color, reason: '临近期限', daysLeft, daysOverdue },
    });
    const { rows } = exportSheet('board', '红黄绿', [item('red', 0, 3), item('yellow', 2, 0)], names);
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['红', '临近期限', '', 3],
      ['黄', '临近期限', 2, ''],
    ]);
  });

  it.each([
    ['townships', { townships: [], villages: [], cadres: [] }],
    ['direct-reports', { townships: [], villages: ['V001'], cadres: ['C001'] }],
    ['problems', { townships: ['T01'], villages: ['V001'], cadres: ['C001'] }],
  ] as const)('looks up only the names the %s columns show', (list, expected) => {
    const wanted = namesWanted(list, [problem as never]);
    expect({
      townships: [...wanted.townships],
      villages: [...wanted.villages],
      cadres: [...wanted.cadres],
    }).toEqual(expected);
  });
});

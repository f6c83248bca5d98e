import { describe, expect, it } from 'vitest';
import { safeParse } from 'zod/v4/core';
import {
  headerOf,
  mapHeaders,
  normalizeDate,
  normalizeHeader,
  rowEntries,
  SHEETS,
  sheetFor,
} from '../../functions/background/columns.ts';
import { formToBody } from '../../functions/client/form-data.ts';

/** The import's Chinese headers → the API body fields, and rows → the bodies the create routes validate. */
function bodyOf(kind: keyof typeof SHEETS, headers: string[], cells: string[]) {
  const spec = SHEETS[kind];
  const map = mapHeaders(spec, headers);
  const { body } = formToBody(spec.schema, rowEntries(map, cells));
  return { map, body, parsed: safeParse(spec.schema as Parameters<typeof safeParse>[0], body) };
}

describe('header mapping', () => {
  it.each([
    ['编号', '编号'],
    [' 编 号 ', '编号'],
    ['编号*', '编号'],
    ['编号（必填）', '编号'],
    ['手机(11位)', '手机'],
    ['ＩＤ', 'id'],
  ])('reads the header %j as %j', (raw, normalized) => {
    expect(normalizeHeader(raw)).toBe(normalized);
  });

  it('maps every template header and the usual synonyms to the API body fields', () => {
    const { map } = bodyOf(
      'cadres',
      ['序号', '干部编号', '姓名*', '工作单位', '职级', '乡镇编号', '手机号', '邮箱'],
      [],
    );
    expect([...map.columns].map(([i, c]) => [i, c.path])).toEqual([
      [1, 'id'],
      [2, 'name'],
      [3, 'unit'],
      [4, 'rank'],
      [5, 'townshipId'],
      [6, 'phone'],
      [7, 'email'],
    ]);
    expect(map.ignored).toEqual(['序号']);
    expect(map.missing).toEqual([]);
  });

  it('names the required columns a header row lacks, and a column given twice', () => {
    const { map } = bodyOf('villages', ['编号', '村名', '村名称', '类别'], []);
    expect(map.missing.map((c) => c.header)).toEqual(['所属乡镇编号']);
    expect(map.duplicated.map((d) => [d.header, d.column.header])).toEqual([['村名称', '名称']]);
  });

  it.each([
    ['乡镇', 'townships'],
    ['村', 'villages'],
    [' 干部 ', 'cadres'],
    ['包村关系', 'assignments'],
    ['干部名单', 'cadres'],
  ])('knows the sheet %j', (name, kind) => {
    expect(sheetFor(name)?.kind).toBe(kind);
  });

  it('ignores sheets that are not import content', () => {
    expect(sheetFor('填写说明')).toBeUndefined();
  });
});

describe('rows → API bodies', () => {
  it('builds the village body with its profile numbers, and the API schema takes the class label', () => {
    const { body, parsed } = bodyOf(
      'villages',
      ['编号', '名称', '所属乡镇编号', '类别', '户数', '党员人数', '贫困人口'],
      ['V001', '红旗村', 'T01', '深度贫困村', '412', '', '301'],
    );
    expect(body).toEqual({
      id: 'V001',
      name: '红旗村',
      townshipId: 'T01',
      category: '深度贫困村',
      profile: { households: 412, poorPopulation: 301 },
    });
    expect(parsed.success && parsed.data).toMatchObject({ category: 'deep' });
  });

  it('leaves empty optional cells out and takes the rank label', () => {
    const { body, parsed } = bodyOf(
      'cadres',
      ['编号', '姓名', '派出单位', '职级', '手机', '电子邮箱'],
      ['C001', '李明', '县水务局', '科级', '13800138000', ''],
    );
    expect(body).toEqual({ id: 'C001', name: '李明', unit: '县水务局', rank: '科级', phone: '13800138000' });
    expect(parsed.success && parsed.data).toMatchObject({ rank: 'section' });
  });

  it('maps the role labels and writes dates the API way', () => {
    const { body, parsed } = bodyOf(
      'assignments',
      ['干部编号', '村编号', '角色', '开始日期'],
      ['C001', 'V001', '总队长', '2026年1月5日'],
    );
    expect(body).toEqual({ cadreId: 'C001', villageId: 'V001', role: 'chief', from: '2026-01-05' });
    expect(parsed.success).toBe(true);
  });

  it('keeps an empty required cell, so the schema says 不能为空', () => {
    const { parsed } = bodyOf('townships', ['编号', '名称'], ['T01', '']);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['name', '不能为空']]);
  });

  it.each([
    ['2026/1/5', '2026-01-05'],
    ['2026.12.31', '2026-12-31'],
    ['2026-1-5', '2026-01-05'],
    ['2026年11月24日', '2026-11-24'],
    ['明天', '明天'],
  ])('normalizes the date %j to %j', (raw, date) => {
    expect(normalizeDate(raw)).toBe(date);
  });

  it('finds the column of a body path, nested ones too', () => {
    expect(headerOf(SHEETS.villages, 'profile.households')).toBe('户数');
    expect(headerOf(SHEETS.cadres, 'rank')).toBe('职级');
    expect(headerOf(SHEETS.cadres, '')).toBe('');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../functions/background/xlsx.ts';
import type { TaskView } from '../../functions/schemas/background.ts';
import { download, upload, waitForTask, workbook } from '../support/background.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';

/**
 * The roster workbook carries the organisation: a 单位 sheet, the cadres' 单位编号 column and a 片区
 * sheet (村编号 several in one cell). Bad rows refuse the whole import before anything is written;
 * the corrected file writes every sheet; units and districts export with the import's headers.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

const UNITS = ['编号', '名称', '类别', '所属乡镇编号'];
const VILLAGES = ['编号', '名称', '所属乡镇编号', '类别'];
const CADRES = ['编号', '姓名', '派出单位', '单位编号', '职级'];
const DISTRICTS = ['编号', '名称', '所属乡镇编号', '村编号', '包片部门编号'];

async function importFile(bytes: Buffer): Promise<TaskView> {
  const res = await upload(t.url, hq, { bytes, name: '组织.xlsx' });
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  return waitForTask(hq, res.location!);
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin', 'api-admin');
  hq = await signInPages(t.url, 'hq-admin', 'admin');
  expect((await api.post('/townships', { id: 'TO1', name: '东河乡' })).status).toBe(201);
  expect((await api.post('/townships', { id: 'TO2', name: '西河乡' })).status).toBe(201);
  expect(
    (await api.post('/villages', { id: 'VO9', name: '西河村', townshipId: 'TO2', category: 'non' })).status,
  ).toBe(201);
});
afterAll(() => t?.stop());

describe('importing the organisation', () => {
  it('refuses bad rows in every sheet and writes nothing', async () => {
    const bytes = await workbook({
      单位: [
        UNITS,
        ['UO1', '东河乡党委', '乡镇党委', ''],
        ['UO2', '县水务局', '县直部门', 'TO1'],
        ['UO3', '东河乡政府', '乡镇政府', 'TO1'],
      ],
      村: [VILLAGES, ['VO1', '东河村', 'TO1', '一般贫困村'], ['VO2', '河湾村', 'TO1', '非贫困村']],
      干部: [CADRES, ['CO1', '林东', '东河乡党委', 'UO404', '股级']],
      片区: [DISTRICTS, ['DO1', '东片', 'TO1', 'VO1、VO9', 'UO3'], ['DO2', '西片', 'TO1', 'VO1,VO2', '']],
    });
    const task = await importFile(bytes);
    expect(task.status).toBe('refused');
    expect(task.result?.issues?.map((i) => [i.sheet, i.row, i.column, i.code])).toEqual([
      ['单位', 2, '所属乡镇编号', 'REQUIRED'],
      ['单位', 3, '所属乡镇编号', 'NOT_ALLOWED'],
      ['干部', 2, '单位编号', 'UNKNOWN_REFERENCE'],
      ['片区', 2, '包片部门编号', 'NOT_A_DEPARTMENT'],
      ['片区', 2, '村编号', 'VILLAGE_NOT_IN_TOWNSHIP'],
      ['片区', 3, '村编号', 'DUPLICATE'],
    ]);
    expect(task.result?.issues?.find((i) => i.code === 'DUPLICATE')?.message).toBe(
      '村 VO1 已在第 2 行划入片区，一个村只能属于一个片区',
    );
    expect((await api.get('/units/UO3')).status).toBe(404);
    expect((await api.get('/villages/VO1')).status).toBe(404);
  });

  it('writes units, cadres with their unit and districts from the corrected file', async () => {
    const bytes = await workbook({
      单位: [UNITS, ['UO1', '东河乡党委', '乡镇党委', 'TO1'], ['UO2', '县水务局', '县直部门', '']],
      村: [VILLAGES, ['VO1', '东河村', 'TO1', '一般贫困村'], ['VO2', '河湾村', 'TO1', '非贫困村']],
      干部: [CADRES, ['CO1', '林东', '东河乡党委', 'UO1', '股级']],
      片区: [DISTRICTS, ['DO1', '东片', 'TO1', 'VO1、VO2', 'UO2']],
    });
    const task = await importFile(bytes);
    expect(task.status, JSON.stringify(task.result?.issues)).toBe('succeeded');
    expect((await api.get('/units/UO1')).body).toMatchObject({
      kind: 'township-committee',
      townshipId: 'TO1',
    });
    expect((await api.get('/cadres/CO1')).body).toMatchObject({ unit: '东河乡党委', unitId: 'UO1' });
    expect((await api.get('/districts/DO1')).body).toMatchObject({
      villageIds: ['VO1', 'VO2'],
      unitId: 'UO2',
    });

    // The same file again: everything is present, nothing new.
    const again = await importFile(bytes);
    expect(again.status).toBe('succeeded');
    expect(again.result?.sheets?.every((s) => s.created === 0)).toBe(true);
  });

  it('exports units and districts with the headers the import reads', async () => {
    for (const [list, first] of [
      ['units', ['编号', '名称', '类别', '所属乡镇编号']],
      ['districts', ['编号', '名称', '所属乡镇编号', '村编号', '包片部门编号']],
    ] as const) {
      const res = await hq.post('/app/admin/exports', { list });
      expect(res.status, res.text.slice(0, 300)).toBe(303);
      const task = await waitForTask(hq, res.location!);
      expect(task.status).toBe('succeeded');
      const file = await download(t.url, hq, `${res.location}/download`);
      const [sheet] = await readWorkbook(file.bytes);
      const headers = sheet!.rows[0]!.cells;
      // Every import header is there (the township's name beside its id is ignored on import).
      expect(headers).toEqual(expect.arrayContaining([...first]));
      if (list === 'districts') expect(sheet!.rows[1]!.cells[headers.indexOf('村编号')]).toBe('VO1、VO2');
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../functions/background/xlsx.ts';
import type { TaskView } from '../../functions/schemas/background.ts';
import { download, upload, waitForTask, workbook } from '../support/background.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';

/**
 * County leaders over townships (包镇) in the roster workbook: a 包镇领导 sheet, refused as a whole
 * when a row is wrong (unknown township or cadre, not a county leader, overlapping periods, an end
 * before the start), written from the corrected file (ended periods too), present on re-import, and
 * exported with the headers the import reads, so the export imports back adding nothing.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

const LEADERS = ['乡镇编号', '干部编号', '起始日期', '结束日期', '备注'];
const CADRES = ['编号', '姓名', '派出单位', '职级'];

async function importFile(bytes: Buffer): Promise<TaskView> {
  const res = await upload(t.url, hq, { bytes, name: '包镇.xlsx' });
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  return waitForTask(hq, res.location!);
}

async function leadersOf(townshipId: string) {
  const res = await api.get(`/townships/${townshipId}/leaders`);
  expect(res.status).toBe(200);
  return res.body.items as Array<{
    cadreId: string;
    from: string;
    to: string | null;
    active: boolean;
    note?: string;
  }>;
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin', 'api-admin');
  hq = await signInPages(t.url, 'hq-admin', 'admin');
  for (const [id, name] of [
    ['TL1', '东岭乡'],
    ['TL2', '西岭镇'],
  ]) {
    expect((await api.post('/townships', { id, name })).status).toBe(201);
  }
  for (const [id, name, rank] of [
    ['CL1', '王县长', 'county'],
    ['CL2', '赵副书记', 'county'],
    ['CS1', '周科长', 'section'],
  ]) {
    expect((await api.post('/cadres', { id, name, unit: '县政府', rank })).status).toBe(201);
  }
  const running = await api.post('/townships/TL1/leaders', { cadreId: 'CL2', from: '2025-01-06' });
  expect(running.status).toBe(201);
});
afterAll(() => t?.stop());

describe('county leaders in the roster workbook', () => {
  it('refuses every bad row and writes nothing', async () => {
    const bytes = await workbook({
      干部: [CADRES, ['CL3', '孙副县长', '县政府', '县级领导'], ['CS2', '吴干事', '县政府', '科级']],
      包镇领导: [
        LEADERS,
        ['TL9', 'CL1', '2026-01-05', '', ''],
        ['TL1', 'CX9', '2026-01-05', '', ''],
        ['TL1', 'CS1', '2026-01-05', '', ''],
        ['TL2', 'CS2', '2026-01-05', '', ''],
        ['TL1', 'CL1', '2025-01-01', '2025-07-01', ''],
        ['TL1', 'CL1', '2025-06-01', '', ''],
        ['TL1', 'CL2', '2024-01-01', '2025-03-01', ''],
        ['TL2', 'CL3', '2026-02-01', '2026-01-01', ''],
      ],
    });
    const task = await importFile(bytes);
    expect(task.status).toBe('refused');
    expect(task.result?.issues?.map((i) => [i.sheet, i.row, i.column, i.code])).toEqual([
      ['包镇领导', 2, '乡镇编号', 'UNKNOWN_REFERENCE'],
      ['包镇领导', 3, '干部编号', 'UNKNOWN_REFERENCE'],
      ['包镇领导', 4, '干部编号', 'NOT_COUNTY_LEADER'],
      ['包镇领导', 5, '干部编号', 'NOT_COUNTY_LEADER'],
      ['包镇领导', 7, '起始日期', 'LEADER_PERIOD_OVERLAP'],
      ['包镇领导', 8, '起始日期', 'LEADER_PERIOD_OVERLAP'],
      ['包镇领导', 9, '结束日期', 'BEFORE_FROM'],
    ]);
    const messages = task.result!.issues!.map((i) => i.message);
    expect(messages).toContain('干部 CS1 不是县级领导（职级为科级），包镇的须为县级领导');
    expect(messages).toContain(
      '与第 6 行的任期（2025-01-01～2025-07-01）重叠，同一领导在同一乡镇的任期不得重叠',
    );
    expect(messages).toContain(
      '与系统中该领导在此乡镇的任期（2025-01-06～在任）重叠，同一领导在同一乡镇的任期不得重叠',
    );
    // Plain Chinese, no codes or English in what the person reads.
    for (const m of messages) expect(m).not.toMatch(/[a-z]{4,}/);
    expect(await leadersOf('TL1')).toHaveLength(1);
    expect(await leadersOf('TL2')).toHaveLength(0);
    expect((await api.get('/cadres/CL3')).status).toBe(404);
  });

  it('writes running and ended periods from the corrected file, and adds nothing the second time', async () => {
    const bytes = await workbook({
      干部: [CADRES, ['CL3', '孙副县长', '县政府', '县级领导']],
      包镇领导: [
        LEADERS,
        ['TL1', 'CL1', '2025/1/1', '2025-07-01', '换届前'],
        ['TL1', 'CL1', '2025-09-01', '', ''],
        ['TL2', 'CL3', '2026-01-05', '', ''],
        // The period already in the system: present, not written again.
        ['TL1', 'CL2', '2025-01-06', '', ''],
      ],
    });
    const task = await importFile(bytes);
    expect(task.status, JSON.stringify(task.result?.issues)).toBe('succeeded');
    expect(task.result?.sheets?.find((s) => s.kind === 'leaders')).toMatchObject({
      rows: 4,
      created: 3,
      present: 1,
    });
    const tl1 = (await leadersOf('TL1')).filter((l) => l.cadreId === 'CL1');
    expect(tl1.map(({ from, to, active }) => ({ from, to, active }))).toEqual(
      expect.arrayContaining([
        { from: '2025-01-01', to: '2025-07-01', active: false },
        { from: '2025-09-01', to: null, active: true },
      ]),
    );
    expect(tl1.find((l) => l.to)?.note).toBe('换届前');
    expect(await leadersOf('TL2')).toMatchObject([{ cadreId: 'CL3', from: '2026-01-05', active: true }]);

    const again = await importFile(bytes);
    expect(again.status).toBe('succeeded');
    expect(again.result?.sheets?.every((s) => s.created === 0)).toBe(true);
    expect(await leadersOf('TL1')).toHaveLength(3);
  });

  it('exports the leaders with the import headers, and the export imports back adding nothing', async () => {
    const res = await hq.post('/app/admin/exports', { list: 'leaders' });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const task = await waitForTask(hq, res.location!);
    expect(task.status).toBe('succeeded');
    const file = await download(t.url, hq, `${res.location}/download`);
    const [sheet] = await readWorkbook(file.bytes);
    expect(sheet!.name).toBe('包镇领导');
    const headers = sheet!.rows[0]!.cells;
    expect(headers).toEqual(expect.arrayContaining(LEADERS));
    const rows = sheet!.rows.slice(1).map((r) => LEADERS.map((h) => r.cells[headers.indexOf(h)] ?? ''));
    expect(rows).toEqual(
      expect.arrayContaining([
        ['TL1', 'CL1', '2025-01-01', '2025-07-01', '换届前'],
        ['TL1', 'CL2', '2025-01-06', '', ''],
        ['TL2', 'CL3', '2026-01-05', '', ''],
      ]),
    );
    expect(rows).toHaveLength(4);

    const back = await importFile(file.bytes);
    expect(back.status, JSON.stringify(back.result?.issues)).toBe('succeeded');
    expect(back.result?.sheets).toMatchObject([{ kind: 'leaders', rows: 4, created: 0, present: 4 }]);
  });

  it('takes an ended period through the API, refusing an end before the start and an overlap', async () => {
    const early = await api.post('/townships/TL2/leaders', {
      cadreId: 'CL1',
      from: '2024-05-01',
      to: '2024-04-01',
    });
    expect(early.status).toBe(400);
    expect(early.body.error.fields[0]).toMatchObject({ path: 'body.to', code: 'BEFORE_FROM' });
    // CL3 runs TL2 from 2026-01-05: an ended period reaching past that overlaps it.
    const overlap = await api.post('/townships/TL2/leaders', {
      cadreId: 'CL3',
      from: '2025-06-01',
      to: '2026-02-01',
    });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.code).toBe('LEADER_PERIOD_OVERLAP');
    const before = await api.post('/townships/TL2/leaders', {
      cadreId: 'CL3',
      from: '2025-06-01',
      to: '2026-01-05',
    });
    expect(before.status).toBe(201);
    expect(before.body).toMatchObject({ active: false, to: '2026-01-05', endedBy: 'api-admin' });
  });
});

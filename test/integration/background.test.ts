import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentStore } from '../../functions/adapters/documents/store.ts';
import { dynamoApiPorts } from '../../functions/adapters/dynamo/api-ports.ts';
import { type AsyncInvoker, installInvoker } from '../../functions/adapters/invoke/index.ts';
import { creatorClaims } from '../../functions/api/worker.ts';
import { runTask } from '../../functions/background/runner.ts';
import { readWorkbook } from '../../functions/background/xlsx.ts';
import { ApiClient, type ApiInvoker } from '../../functions/client/api-client.ts';
import { webApiRoutes } from '../../functions/client/api-routes.ts';
import { createApiHandler } from '../../functions/http/api-handler.ts';
import { createLogger } from '../../functions/http/logger.ts';
import type { TaskView } from '../../functions/schemas/background.ts';
import { download, taskJson, upload, waitForTask, workbook } from '../support/background.ts';
import { encodeGbk } from '../support/gbk.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';
import { type PageClient, signInPages } from '../support/pages.ts';
import { unzip } from '../support/zip.ts';

/**
 * Background tasks end to end on the local stack, over real HTTP through the pages: a roster import
 * that is refused row by row and writes nothing, the corrected file, a task that crashes half way and
 * is retried without duplicates, exports whose rows are the API's list, a job started from the jobs
 * page that runs in the background, and the roles that may do none of it.
 */
let t: TestStack;
let api: Caller;
let hq: PageClient;

const TOWNSHIP_HEADERS = ['编号', '名称'];
const VILLAGE_HEADERS = ['编号', '名称', '所属乡镇编号', '类别', '户数'];
const CADRE_HEADERS = ['编号', '姓名', '派出单位', '职级', '所在乡镇编号', '手机'];
const ASSIGNMENT_HEADERS = ['干部编号', '村编号', '角色'];

async function status(path: string): Promise<number> {
  return (await api.get(path)).status;
}

async function activeAssignments(villageId: string) {
  const res = await api.get(`/assignments?villageId=${villageId}&active=true&limit=100`);
  return (res.body.items as Array<{ cadreId: string; role: string }>)
    .map((a) => `${a.cadreId}:${a.role}`)
    .sort();
}

async function importFile(
  bytes: Buffer,
  name = '名册.xlsx',
  fields: Record<string, string> = {},
): Promise<TaskView> {
  const res = await upload(t.url, hq, { bytes, name }, fields);
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  expect(res.location).toMatch(/^\/app\/admin\/tasks\/[0-9A-Z]{26}$/);
  return waitForTask(hq, res.location!);
}

beforeAll(async () => {
  t = await startTestStack();
  api = await t.as('admin', 'api-admin');
  hq = await signInPages(t.url, 'hq-admin', 'admin');
  // Already in the system before any import: a township, its village and that village's chief.
  for (const [path, body] of [
    ['/townships', { id: 'TEXIST', name: '旧名乡' }],
    ['/villages', { id: 'VEX', name: '老村', townshipId: 'TEXIST', category: 'non' }],
    ['/cadres', { id: 'CEX', name: '老干部', unit: '县委办', rank: 'staff' }],
    ['/assignments', { cadreId: 'CEX', villageId: 'VEX', role: 'chief' }],
  ] as const) {
    expect((await api.post(path, body)).status).toBe(201);
  }
});

afterAll(() => t?.stop());

describe('the import template', () => {
  it('downloads as an .xlsx with the roster sheets and their headers', async () => {
    const res = await download(t.url, hq, '/app/admin/tasks/import/template');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    const sheets = await readWorkbook(res.bytes);
    expect(sheets.slice(0, 6).map((s) => [s.name, s.rows[0]!.cells[0]])).toEqual([
      ['乡镇', '编号'],
      ['单位', '编号'],
      ['村', '编号'],
      ['干部', '编号'],
      ['包村关系', '干部编号'],
      ['片区', '编号'],
    ]);
  });
});

describe('an import with bad rows', () => {
  let task: TaskView;

  beforeAll(async () => {
    const bytes = await workbook({
      乡镇: [TOWNSHIP_HEADERS, ['TA', '青石乡'], ['TB', ''], ['TA', '重复乡'], ['TEXIST', '新名乡']],
      村: [
        VILLAGE_HEADERS,
        ['VA1', '红旗村', 'TA', '深度贫困村', '412'],
        ['VA2', '白沙村', 'TZ', '一般贫困村', ''],
        ['VA3', '石门村', 'TA', '贫困村', 'x'],
      ],
      干部: [
        CADRE_HEADERS,
        ['CA1', '李明', '县水务局', '科级', 'TA', '13800138000'],
        ['CA2', '王芳', '县农业局', '大队长', '', '12345'],
        ['CA3', '', '县教育局', '一般干部', '', ''],
      ],
      包村关系: [
        ASSIGNMENT_HEADERS,
        ['CA1', 'VA1', '总队长'],
        ['CA3', 'VA1', '总队长'],
        ['CZ9', 'VA1', '工作队员'],
        ['CA1', 'VX', '工作队员'],
        ['CA1', 'VEX', '总队长'],
      ],
      填写说明: [['说明'], ['这张表不导入']],
    });
    task = await importFile(bytes);
  });

  it('is refused with every problem by sheet, row number and column', () => {
    expect(task.status).toBe('refused');
    expect(task.result?.issues?.map((i) => [i.sheet, i.row, i.column, i.code])).toEqual([
      ['乡镇', 3, '名称', 'TOO_SMALL'],
      ['乡镇', 4, '编号', 'DUPLICATE'],
      ['乡镇', 5, '名称', 'CONFLICT'],
      ['村', 3, '所属乡镇编号', 'UNKNOWN_REFERENCE'],
      ['村', 4, '类别', 'INVALID_VALUE'],
      ['村', 4, '户数', 'INVALID_TYPE'],
      ['干部', 3, '职级', 'INVALID_VALUE'],
      ['干部', 3, '手机', 'INVALID_FORMAT'],
      ['干部', 4, '姓名', 'TOO_SMALL'],
      ['包村关系', 3, '角色', 'CHIEF_TWICE'],
      ['包村关系', 4, '干部编号', 'UNKNOWN_REFERENCE'],
      ['包村关系', 5, '村编号', 'UNKNOWN_REFERENCE'],
      ['包村关系', 6, '角色', 'CHIEF_EXISTS'],
    ]);
    expect(task.result?.issueCount).toBe(13);
  });

  it('says what is wrong in the API’s own Chinese messages', () => {
    const message = (sheet: string, row: number, column: string) =>
      task.result?.issues?.find((i) => i.sheet === sheet && i.row === row && i.column === column)?.message;
    expect(message('乡镇', 3, '名称')).toBe('不能为空');
    expect(message('乡镇', 4, '编号')).toBe('编号 TA 与第 2 行重复');
    expect(message('乡镇', 5, '名称')).toContain('系统中为「旧名乡」');
    expect(message('村', 3, '所属乡镇编号')).toBe('乡镇 TZ 不存在：本文件「乡镇」表和系统中都没有');
    expect(message('村', 4, '类别')).toBe('请选择村类别：深度贫困村、一般贫困村或非贫困村');
    expect(message('干部', 3, '职级')).toBe('请选择职级：县级领导、科级、股级或一般干部');
    expect(message('干部', 3, '手机')).toBe('电话号码格式不正确（手机号 11 位，或带区号的固定电话）');
    expect(message('包村关系', 3, '角色')).toBe('村 VA1 已在第 2 行指定了总队长，每村只能有一名总队长');
    expect(message('包村关系', 6, '角色')).toContain('村 VEX 已有总队长（干部 CEX');
    expect(task.result?.notes).toEqual(['工作表「填写说明」不是导入内容，已忽略']);
  });

  it('writes nothing at all', async () => {
    for (const path of [
      '/townships/TA',
      '/townships/TB',
      '/villages/VA1',
      '/villages/VA2',
      '/cadres/CA1',
      '/cadres/CA2',
    ]) {
      expect(await status(path), path).toBe(404);
    }
    expect((await api.get('/townships/TEXIST')).body.name).toBe('旧名乡');
    expect(await activeAssignments('VEX')).toEqual(['CEX:chief']);
    expect(task.result?.sheets?.every((s) => s.created === 0)).toBe(true);
  });

  it('shows the row-by-row report on the task page and offers it as a file', async () => {
    const page = await hq.get(`/app/admin/tasks/${task.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('整份文件没有导入');
    expect(page.text).toContain('<tr data-issue-row="4"><td>村</td><td class="num">4</td><td>类别</td>');
    expect(page.text).not.toContain('http-equiv="refresh"');
    const file = await download(t.url, hq, `/app/admin/tasks/${task.id}/download`);
    expect(file.status).toBe(200);
    const [sheet] = await readWorkbook(file.bytes);
    expect(sheet!.rows).toHaveLength(14);
    expect(sheet!.rows[1]!.cells).toEqual(['乡镇', '3', '名称', '不能为空']);
  });

  it('cannot be retried (the file must be corrected)', async () => {
    expect(task.canRetry).toBe(false);
    const res = await hq.post(`/app/admin/tasks/${task.id}/retry`, {});
    expect(res.status).toBe(200);
    expect(res.text).toContain('只有失败或已中断的任务可以重试');
  });
});

describe('the corrected file', () => {
  let task: TaskView;
  const good = () =>
    workbook({
      乡镇: [TOWNSHIP_HEADERS, ['TA', '青石乡'], ['TB', '白云镇'], ['TEXIST', '旧名乡']],
      村: [
        VILLAGE_HEADERS,
        ['VA1', '红旗村', 'TA', '深度贫困村', '412'],
        ['VA2', '白沙村', 'TB', '一般贫困村', ''],
        ['VA3', '石门村', 'TA', '非贫困村', '88'],
      ],
      干部: [
        CADRE_HEADERS,
        ['CA1', '李明', '县水务局', '科级', 'TA', '13800138000'],
        ['CA2', '王芳', '县农业局', '股级', '', '0851-5221234'],
        ['CA3', '赵强', '县教育局', '一般干部', '', ''],
      ],
      包村关系: [
        ASSIGNMENT_HEADERS,
        ['CA1', 'VA1', '总队长'],
        ['CA3', 'VA1', '工作队员'],
        ['CA2', 'VA2', '总队长'],
        ['CEX', 'VEX', '总队长'],
        ['CA3', 'VA3', '总队长'],
      ],
    });

  beforeAll(async () => {
    task = await importFile(await good());
  });

  it('imports everything, counting what was already there as present', () => {
    expect(task.status).toBe('succeeded');
    expect(task.progress).toEqual({ done: 14, total: 14 });
    expect(task.result?.sheets?.map((s) => [s.sheet, s.rows, s.created, s.present])).toEqual([
      ['乡镇', 3, 2, 1],
      ['村', 3, 3, 0],
      ['干部', 3, 3, 0],
      ['包村关系', 5, 4, 1],
    ]);
  });

  it('wrote the records through the API, labels stored as codes', async () => {
    expect((await api.get('/villages/VA1')).body).toMatchObject({
      townshipId: 'TA',
      category: 'deep',
      profile: { households: 412 },
    });
    expect((await api.get('/cadres/CA2')).body).toMatchObject({ rank: 'staff', phone: '0851-5221234' });
    expect(await activeAssignments('VA1')).toEqual(['CA1:chief', 'CA3:member']);
    expect(await activeAssignments('VEX')).toEqual(['CEX:chief']);
  });

  it('left an audit trail as the person who uploaded it', async () => {
    const audit = await api.get('/audit?entityType=cadre&entityId=CA1');
    expect(audit.body.items[0]).toMatchObject({
      actor: 'hq-admin',
      action: 'create',
      routeKey: 'POST /cadres',
    });
  });

  it('imported again, writes nothing new and says everything is present', async () => {
    const again = await importFile(await good());
    expect(again.status).toBe('succeeded');
    expect(again.result?.sheets?.map((s) => [s.created, s.present])).toEqual([
      [0, 3],
      [0, 3],
      [0, 3],
      [0, 5],
    ]);
    expect(await activeAssignments('VA1')).toEqual(['CA1:chief', 'CA3:member']);
  });
});

describe('a task that crashes half way and is retried', () => {
  it('resumes with the same idempotency keys and leaves no duplicates', async () => {
    const rows = ['1', '2', '3', '4', '5', '6'];
    const bytes = await workbook({
      乡镇: [TOWNSHIP_HEADERS, ['TC', '东坡镇']],
      村: [VILLAGE_HEADERS, ...rows.slice(0, 3).map((n) => [`VC${n}`, `东坡${n}村`, 'TC', '非贫困村', ''])],
      干部: [CADRE_HEADERS, ...rows.map((n) => [`CC${n}`, `干部${n}`, '县财政局', '一般干部', 'TC', ''])],
      包村关系: [
        ASSIGNMENT_HEADERS,
        ...rows.map((n, i) => [`CC${n}`, `VC${(i % 3) + 1}`, i < 3 ? '总队长' : '工作队员']),
      ],
    });
    // The task is created by the page, but its start is held back, so the test runs the worker itself.
    const held: string[] = [];
    const holding: AsyncInvoker = {
      async invokeAsync(_target, payload) {
        held.push((payload as { taskId: string }).taskId);
      },
    };
    const previous = installInvoker(holding);
    let location: string;
    try {
      const res = await upload(t.url, hq, { bytes, name: '东坡镇.xlsx' });
      expect(res.status).toBe(303);
      location = res.location!;
    } finally {
      installInvoker(previous!);
    }
    const taskId = location.split('/').pop()!;
    expect(held).toEqual([taskId]);

    // The worker's process dies after a few writes (as a Lambda timeout would cut it).
    const api0 = createApiHandler(webApiRoutes, dynamoApiPorts);
    let writes = 0;
    const crashing: ApiInvoker = async (event, context) => {
      if (event.requestContext.http.method === 'POST' && ++writes > 7) throw new Error('process killed');
      return api0(event, context);
    };
    const first = await runTask(taskId, {
      apiAs: (task) => new ApiClient(crashing, creatorClaims(task), 'crash'),
      documents: documentStore(),
      clock: () => new Date(),
      log: createLogger({}, 'error'),
      requestId: 'crash',
    });
    expect(first.status).toBe('failed');
    const failed = await taskJson(hq, location);
    expect(failed.status).toBe('failed');
    expect(failed.canRetry).toBe(true);
    expect(failed.progress.done).toBeGreaterThan(0);
    expect(failed.progress.done).toBeLessThan(16);
    expect(await status('/townships/TC')).toBe(200);
    expect(await status('/cadres/CC6')).toBe(404);

    const page = await hq.get(location);
    expect(page.text).toContain('后台任务运行出错');
    expect(page.text).toContain('>重试</button>');

    // The retry button.
    const retry = await hq.post(`${location}/retry`, { _key: 'retry-key-0001' });
    expect(retry.status).toBe(303);
    const done = await waitForTask(hq, location);
    expect(done.status).toBe('succeeded');
    expect(done.attempt).toBe(2);
    expect(done.retries).toBe(1);
    const sheets = done.result!.sheets!;
    expect(sheets.map((s) => s.created + s.present)).toEqual([1, 3, 6, 6]);
    expect(sheets.reduce((n, s) => n + s.present, 0)).toBeGreaterThan(0);
    for (const n of rows) expect(await status(`/cadres/CC${n}`)).toBe(200);
    expect(await activeAssignments('VC1')).toEqual(['CC1:chief', 'CC4:member']);
    expect(await activeAssignments('VC2')).toEqual(['CC2:chief', 'CC5:member']);
    expect(await activeAssignments('VC3')).toEqual(['CC3:chief', 'CC6:member']);
    const audit = await api.get(`/audit?entityType=task&entityId=${taskId}`);
    expect((audit.body.items as Array<{ action: string }>).map((a) => a.action).reverse()).toEqual([
      'create',
      'start',
      'failed',
      'retry',
      'start',
      'succeeded',
    ]);
  });
});

describe('CSV files', () => {
  it('imports a GBK-encoded CSV (what Excel saves as "CSV (逗号分隔)") of the chosen kind', async () => {
    const csv = `${CADRE_HEADERS.join(',')}\r\nCG1,孙丽,县扶贫办,股级,TA,13900139000\r\nCG2,"周 敏",县民政局,科级,,\r\n`;
    const task = await importFile(encodeGbk(csv), '干部.csv', { csvKind: 'cadres' });
    expect(task.status).toBe('succeeded');
    expect(task.input.csvKind).toBe('cadres');
    expect((await api.get('/cadres/CG1')).body).toMatchObject({
      name: '孙丽',
      unit: '县扶贫办',
      rank: 'staff',
    });
    expect((await api.get('/cadres/CG2')).body.name).toBe('周 敏');
  });

  it('asks what a CSV file holds before taking it', async () => {
    const res = await upload(
      t.url,
      hq,
      { bytes: Buffer.from('编号,名称\nTQ,某乡\n'), name: 'x.csv' },
      { _key: 'csv-no-kind-1' },
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('导入 CSV 文件时请选择文件的内容');
    expect(await status('/townships/TQ')).toBe(404);
  });

  it('refuses a file that is not a workbook, and an upload without a file', async () => {
    const fake = await upload(t.url, hq, { bytes: Buffer.from('not a zip'), name: 'x.xlsx' });
    expect(fake.status).toBe(400);
    expect(fake.text).toContain('文件不是有效的 .xlsx 工作簿');
    const res = await fetch(`${t.url}/app/admin/tasks/import`, {
      method: 'POST',
      body: new FormData(),
      headers: { cookie: hq.cookie, origin: t.url },
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('请选择要导入的文件');
  });
});

describe('exports', () => {
  beforeAll(async () => {
    expect(
      (
        await api.post('/cadres', {
          id: 'CEVIL',
          name: '=HYPERLINK("http://x","y")',
          unit: '县委办',
          rank: 'general',
          townshipId: 'TA',
        })
      ).status,
    ).toBe(201);
  });

  async function exportOf(fields: Record<string, string>) {
    const res = await hq.post('/app/admin/exports', fields);
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const task = await waitForTask(hq, res.location!);
    expect(task.status).toBe('succeeded');
    const file = await download(t.url, hq, `${res.location}/download`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    return { task, bytes: file.bytes, sheets: await readWorkbook(file.bytes) };
  }

  it('exports a filtered list whose rows are the API list, formula text defused', async () => {
    const { task, bytes, sheets } = await exportOf({ list: 'cadres', townshipId: 'TA' });
    const listed = (await api.get('/cadres?townshipId=TA&limit=100')).body.items as Array<{
      id: string;
      name: string;
      rankLabel: string;
    }>;
    const [sheet] = sheets;
    expect(sheet!.name).toBe('干部名单');
    expect(sheet!.rows[0]!.cells.slice(0, 4)).toEqual(['编号', '姓名', '派出单位', '职级']);
    expect(sheet!.rows.slice(1).map((r) => [r.cells[0], r.cells[1], r.cells[3], r.cells[5]])).toEqual(
      listed.map((c) => [c.id, c.name, c.rankLabel, '青石乡']),
    );
    expect(task.result?.rows).toBe(listed.length);
    expect(task.input.filters).toEqual({ townshipId: 'TA' });
    const sheetXml = unzip(bytes).get('xl/worksheets/sheet1.xml')!.toString('utf8');
    expect(sheetXml).not.toMatch(/<f[\s>]/);
    expect(sheetXml).toContain(`<is><t>'=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</t></is>`);
  });

  it('takes the export button’s fields as the list query (empty ones dropped)', async () => {
    const { sheets } = await exportOf({ list: 'villages', townshipId: 'TA', category: 'deep', unit: '' });
    expect(sheets[0]!.rows.slice(1).map((r) => [r.cells[0], r.cells[3], r.cells[4], r.cells[5]])).toEqual([
      ['VA1', '青石乡', '深度贫困村', '412'],
    ]);
  });

  it('exports assignments with the names of cadres and villages', async () => {
    const { sheets } = await exportOf({ list: 'assignments', villageId: 'VA1' });
    expect(
      sheets[0]!.rows
        .slice(1)
        .map((r) => r.cells.slice(0, 6))
        .sort(),
    ).toEqual([
      ['CA1', '李明', 'VA1', '红旗村', '青石乡', '总队长'],
      ['CA3', '赵强', 'VA1', '红旗村', '青石乡', '工作队员'],
    ]);
  });

  it('exports the red/yellow/green board of a township (the board page’s button)', async () => {
    const { sheets } = await exportOf({ list: 'board', townshipId: 'TA' });
    expect(sheets[0]!.name).toBe('红黄绿清单');
    expect(sheets[0]!.rows.map((r) => r.cells.slice(0, 2))).toEqual([['颜色', '原因']]);
  });

  it('refuses filters the list does not take, saying why', async () => {
    const res = await hq.post('/app/admin/exports', { list: 'villages', category: 'rich' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('未能开始导出');
    const unknown = await hq.post('/app/admin/exports', { list: 'villages', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('不认识的字段');
  });

  it('lists the tasks, mine and everyone’s', async () => {
    const mine = await hq.get('/app/admin/tasks');
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('干部名单');
    expect(mine.text).toContain('未导入：数据有误');
    const other = await signInPages(t.url, 'other-admin', 'admin');
    expect((await other.get('/app/admin/tasks')).text).toContain('您还没有导入或导出任务');
    expect((await other.get('/app/admin/tasks?who=all')).text).toContain('干部名单');
  });
});

describe('who may', () => {
  it.each([
    ['inspector', 'inspector-9'],
    ['cadre', 'CA1'],
  ] as const)('refuses a %s every task and job page', async (role, sub) => {
    const client = await signInPages(t.url, sub, role);
    for (const path of [
      '/app/admin/tasks',
      '/app/admin/tasks/import',
      '/app/admin/jobs',
      '/app/admin/tasks/import/template',
    ]) {
      expect((await client.get(path)).status, path).toBe(403);
    }
    expect((await client.post('/app/admin/exports', { list: 'cadres' })).status).toBe(403);
    expect((await client.post('/app/admin/jobs/daily-sweep/run', {})).status).toBe(403);
    expect((await client.get('/app/admin/tasks/00000000000000000000000000/download')).status).toBe(403);
    const res = await upload(t.url, client, {
      bytes: await workbook({ 乡镇: [TOWNSHIP_HEADERS, ['TX', '某乡']] }),
      name: 'a.xlsx',
    });
    expect(res.status).toBe(403);
    expect(await status('/townships/TX')).toBe(404);
  });
});

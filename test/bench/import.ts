import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { TaskView } from '../../functions/schemas/background.ts';
import { ensureTable, startDynalite } from '../../infra/local/dynamo-local.ts';
import { upload, workbook } from '../support/background.ts';
import { signInPages } from '../support/pages.ts';

/**
 * `npm run bench -- --only import`: a provincial roster (seed 003: 10,000 cadres; here in 1,000
 * villages of 50 townships, a chief for every village and nine members each) as one workbook,
 * uploaded through the import page of the local stack and run by the background worker to the end:
 * the time to validate every row (schemas, cross-row and database checks), the time to write
 * 21,050 rows through the API (each POST with its idempotency key and audit record), and the peak
 * memory of the process that holds the pages, the API and the worker (DynamoDB, dynalite, runs in
 * this parent process). Then the same file again: validation finds everything present, nothing is
 * written (what a retried task costs).
 */
export interface ImportPlan {
  /** 1 = 10,000 cadres; 0.1 = 1,000 (the villages and townships scale with them). */
  scale: number;
  /** An already-running DynamoDB (DynamoDB Local) instead of dynalite in this process. */
  dynamoEndpoint?: string;
}

export interface ImportRun {
  status: string;
  rows: number;
  created: number;
  present: number;
  uploadMs: number;
  queuedMs: number;
  validateMs: number;
  writeMs: number;
  totalMs: number;
  /** Rows written per second while writing (0 when nothing was written). */
  rowsPerSecond: number;
}

export interface ImportReport {
  plan: ImportPlan;
  counts: { townships: number; villages: number; cadres: number; assignments: number };
  fileBytes: number;
  buildMs: number;
  first: ImportRun;
  again: ImportRun;
  memory: { baselineRss: number; peakRss: number; baselineHeap: number; peakHeap: number; cpuMs: number };
  /** CPU time of the parent (dynalite) over both runs. */
  dynamoCpuMs: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function rosterSheets(scale: number) {
  const townships = Math.max(1, Math.round(50 * scale));
  const villages = Math.max(1, Math.round(1000 * scale));
  const cadres = Math.max(villages, Math.round(10_000 * scale));
  const ranks = ['县级领导', '科级', '股级', '一般干部'];
  const classes = ['深度贫困村', '一般贫困村', '非贫困村'];
  const t = (i: number) => `BT${pad(i, 3)}`;
  const v = (i: number) => `BV${pad(i, 5)}`;
  const c = (i: number) => `BC${pad(i, 6)}`;
  return {
    counts: { townships, villages, cadres, assignments: cadres },
    sheets: {
      乡镇: [['编号', '名称'], ...Array.from({ length: townships }, (_, i) => [t(i), `第${i + 1}乡`])],
      村: [
        ['编号', '名称', '所属乡镇编号', '类别', '户数', '人口'],
        ...Array.from({ length: villages }, (_, i) => [
          v(i),
          `第${i + 1}村`,
          t(i % townships),
          classes[i % 3]!,
          100 + (i % 400),
          400 + (i % 1500),
        ]),
      ],
      干部: [
        ['编号', '姓名', '派出单位', '职级', '所在乡镇编号', '手机'],
        ...Array.from({ length: cadres }, (_, i) => [
          c(i),
          `干部${i + 1}`,
          `省直单位${(i % 80) + 1}`,
          ranks[i % 4]!,
          t(i % townships),
          `139${pad(i, 8)}`,
        ]),
      ],
      包村关系: [
        ['干部编号', '村编号', '角色'],
        ...Array.from({ length: cadres }, (_, i) => [
          c(i),
          v(i % villages),
          i < villages ? '总队长' : '工作队员',
        ]),
      ],
    },
  };
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

function startStack(
  endpoint: string,
  table: string,
): Promise<{ child: Child; url: string; next(): Promise<Record<string, unknown>> }> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', resolve(import.meta.dirname, 'import-stack.ts')],
    {
      env: {
        ...process.env,
        BENCH_DYNAMO_ENDPOINT: endpoint,
        BENCH_TABLE: table,
        LOG_SILENT: '1',
        SCHEDULER: 'off',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  ) as Child;
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  child.stdout.on('data', (c: Buffer) => {
    buffer += c.toString();
    let cut = buffer.indexOf('\n');
    while (cut >= 0) {
      const line = buffer.slice(0, cut).trim();
      buffer = buffer.slice(cut + 1);
      if (line.startsWith('{')) {
        const w = waiting.shift();
        if (w) w(line);
        else lines.push(line);
      }
      cut = buffer.indexOf('\n');
    }
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolveLine, reject) => {
      const line = lines.shift();
      if (line) return resolveLine(JSON.parse(line));
      const onExit = (code: number | null) => reject(new Error(`bench stack exited (${code}): ${err}`));
      child.once('exit', onExit);
      waiting.push((l) => {
        child.off('exit', onExit);
        resolveLine(JSON.parse(l));
      });
    });
  return next().then((first) => ({ child, url: String(first.url), next }));
}

async function runOnce(url: string, bytes: Buffer, sub: string): Promise<ImportRun> {
  const client = await signInPages(url, sub, 'admin');
  const started = performance.now();
  const res = await upload(
    url,
    client,
    { bytes, name: '全省包村名册.xlsx' },
    { _key: `bench-${randomUUID()}` },
  );
  if (res.status !== 303 || !res.location)
    throw new Error(`upload answered ${res.status}: ${res.text.slice(0, 500)}`);
  const uploadMs = performance.now() - started;
  let validatingAt = 0;
  let writingAt = 0;
  let task: TaskView;
  for (;;) {
    const page = await client.get(res.location, { accept: 'application/json' });
    task = JSON.parse(page.text) as TaskView;
    const now = performance.now();
    if (task.status === 'validating' && !validatingAt) validatingAt = now;
    if (task.status === 'writing' && !writingAt) writingAt = now;
    if (!['queued', 'validating', 'writing'].includes(task.status)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const end = performance.now();
  // Phases from the task's own timestamps where it has them (start, finish), the poll for the switch to writing.
  const startedAt = Date.parse(task.startedAt ?? task.createdAt);
  const finishedAt = Date.parse(task.finishedAt ?? new Date().toISOString());
  const createdAt = Date.parse(task.createdAt);
  const sheets = task.result?.sheets ?? [];
  const written = writingAt ? end - writingAt : 0;
  const rows = sheets.reduce((n, s) => n + s.rows, 0);
  return {
    status: task.status,
    rows,
    created: sheets.reduce((n, s) => n + s.created, 0),
    present: sheets.reduce((n, s) => n + s.present, 0),
    uploadMs,
    queuedMs: startedAt - createdAt,
    validateMs: writingAt ? writingAt - (validatingAt || started + uploadMs) : finishedAt - startedAt,
    writeMs: written,
    totalMs: end - started,
    rowsPerSecond: written ? (sheets.reduce((n, s) => n + s.created, 0) / written) * 1000 : 0,
  };
}

export async function benchImport(
  plan: ImportPlan,
  log: (line: string) => void = () => {},
): Promise<ImportReport> {
  const buildStarted = performance.now();
  const { counts, sheets } = rosterSheets(plan.scale);
  const bytes = await workbook(sheets);
  const buildMs = performance.now() - buildStarted;
  log(
    `   workbook: ${counts.cadres} cadres, ${counts.villages} villages, ${(bytes.length / 1024).toFixed(0)} KB (built in ${(buildMs / 1000).toFixed(1)} s)`,
  );
  const dynamo = plan.dynamoEndpoint
    ? { endpoint: plan.dynamoEndpoint, stop: async () => {} }
    : await startDynalite(undefined);
  const table = `bench${randomUUID().slice(0, 8)}`;
  await ensureTable(dynamo.endpoint, table);
  const stack = await startStack(dynamo.endpoint, table);
  try {
    stack.child.stdin.write('mark\n');
    await stack.next();
    const cpuAtStart = process.cpuUsage();
    log('   importing (validate, then write through the API)…');
    const first = await runOnce(stack.url, bytes, 'bench-admin');
    log(`   first run: ${first.status} in ${(first.totalMs / 1000).toFixed(1)} s; the same file again…`);
    const again = await runOnce(stack.url, bytes, 'bench-admin');
    stack.child.stdin.write('report\n');
    const memory = (await stack.next()) as ImportReport['memory'];
    const cpu = process.cpuUsage(cpuAtStart);
    const dynamoCpuMs = (cpu.user + cpu.system) / 1000;
    return { plan, counts, fileBytes: bytes.length, buildMs, first, again, memory, dynamoCpuMs };
  } finally {
    stack.child.stdin.end();
    stack.child.kill();
    await dynamo.stop();
  }
}

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { resetDocumentClient } from '../../functions/adapters/dynamo/client.ts';
import { writeNewInspection } from '../../functions/adapters/dynamo/inspections.ts';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { batchPut, type Item, queryAll } from '../../functions/adapters/dynamo/table.ts';
import { resetConfig } from '../../functions/config.ts';
import { INSPECTION_MODE_LABELS } from '../../functions/core/inspections.ts';
import { weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import type { ReadStats } from '../../functions/jobs/evaluate-week.ts';
import type { InspectionSummary } from '../../functions/schemas/inspections.ts';
import type { Problem } from '../../functions/schemas/problems.ts';
import { ensureTable, startDynalite } from '../../infra/local/dynamo-local.ts';

/**
 * The weekly evaluation at provincial scale: a roster of 10,000 cadres in 1,000 villages (50
 * townships), 50,000 findings in the evaluated week and 500,000 in the ten weeks before it, written
 * straight into in-process dynalite with BatchWriteItem in the product's own item formats
 * (writeNewInspection builds the finding, problem and header items exactly as a submission does).
 * The evaluation then runs in a fresh child process, so its memory is the job's alone.
 */
export interface EvaluationPlan {
  /** 1 = the full provincial size; 0.1 = a tenth of everything (cadres, villages, findings). */
  scale: number;
  /** Share of findings that record a problem. */
  problemRate: number;
  earlierWeeks: number;
}

export interface WorkerResult {
  week: string;
  evaluatedMs: number;
  renderMs: number;
  htmlBytes: number;
  baselineRss: number;
  peakRss: number;
  peakHeap: number;
  maxRss: number;
  reads: ReadStats;
  cadres: number;
  problems: number;
  tiers: Record<string, number>;
}

export interface MinimumRead {
  items: number;
  bytes: number;
  pages: number;
  units: number;
  /** The same minimum with dynalite's string sizes (what its ConsumedCapacity is comparable with). */
  dynaliteUnits: number;
  skippedHeaders: number;
}

export interface EvaluationReport {
  plan: EvaluationPlan;
  counts: { cadres: number; villages: number; weekFindings: number; earlierFindings: number; items: number };
  load: { ms: number; items: number; perItemMs: number };
  week: string;
  bootstrap: WorkerResult;
  steady: WorkerResult;
  minimum: MinimumRead;
  rosterMinimum: MinimumRead;
}

const CADRES = 10_000;
const VILLAGES = 1_000;
const TOWNSHIPS = 50;
const WEEK_FINDINGS = 50_000;
const EARLIER_FINDINGS = 500_000;
const PER_VILLAGE = CADRES / VILLAGES;

const pad = (n: number, width = 5) => String(n).padStart(width, '0');

// ---------- DynamoDB item size and read units ----------

/**
 * How strings are counted: DynamoDB charges UTF-8 bytes (3 per Chinese character); dynalite counts
 * UTF-16 code units (1 per Chinese character), so it undercharges Chinese text. The bench computes
 * both so the consumed figure is compared like with like.
 */
type StringRule = 'utf8' | 'dynalite';
const strLen = (s: string, rule: StringRule) => (rule === 'utf8' ? Buffer.byteLength(s) : s.length);

/** Size of one attribute value as DynamoDB counts it (strings, numbers by digits, 3-byte containers). */
function valueSize(v: unknown, rule: StringRule): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return strLen(v, rule);
  if (typeof v === 'number') {
    const digits = String(Math.abs(v)).replace('.', '').replace(/^0+/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (Array.isArray(v)) return 3 + v.reduce((sum: number, x) => sum + 1 + valueSize(x, rule), 0);
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return 3 + entries.length + entries.reduce((sum, [k, x]) => sum + strLen(k, rule) + valueSize(x, rule), 0);
}

export function itemSize(item: Item, rule: StringRule = 'utf8'): number {
  return Object.entries(item)
    .filter(([, v]) => v !== undefined)
    .reduce((sum, [k, v]) => sum + strLen(k, rule) + valueSize(v, rule), 0);
}

/**
 * The least an eventually consistent Query can charge for these items: pages of at most 1 MB, each
 * charged 0.5 RCU per started 4 KB of the summed item sizes (DynamoDB rounds per page, not per item).
 */
export function minimumQueryUnits(sizes: readonly number[]): { pages: number; units: number } {
  let pages = 0;
  let units = 0;
  let page = 0;
  const close = () => {
    if (page > 0) {
      pages++;
      units += Math.ceil(page / 4096) * 0.5;
    }
    page = 0;
  };
  for (const size of sizes) {
    if (page + size > 1024 * 1024) close();
    page += size;
  }
  close();
  return { pages, units };
}

// ---------- the data ----------

const townshipId = (t: number) => `T${pad(t, 3)}`;
const villageId = (v: number) => `V${pad(v)}`;
const cadreId = (c: number) => `C${pad(c)}`;
const villageTownship = (v: number) => v % TOWNSHIPS;

function rosterItems(cadres: number, villages: number, createdAt: string): Item[] {
  const items: Item[] = [];
  for (let t = 0; t < TOWNSHIPS; t++) {
    const id = townshipId(t);
    items.push({
      ...keys.township(id),
      GSI1PK: keys.townshipList(),
      GSI1SK: id,
      entity: 'township',
      id,
      name: `第${t + 1}乡`,
      createdAt,
      updatedAt: createdAt,
    });
  }
  for (let v = 0; v < villages; v++) {
    const id = villageId(v);
    const tId = townshipId(villageTownship(v));
    items.push({
      ...keys.village(id),
      GSI1PK: keys.villageList(),
      GSI1SK: `${tId}#${id}`,
      entity: 'village',
      id,
      name: `第${v + 1}村`,
      townshipId: tId,
      category: 'general',
      categoryLabel: '一般村',
      createdAt,
      updatedAt: createdAt,
    });
  }
  for (let c = 0; c < cadres; c++) {
    const id = cadreId(c);
    items.push({
      ...keys.cadre(id),
      GSI1PK: keys.cadreList(),
      GSI1SK: id,
      entity: 'cadre',
      id,
      name: `干部${c + 1}`,
      unit: '县农业农村局',
      rank: 'section',
      rankLabel: '科级',
      townshipId: townshipId(villageTownship(Math.floor(c / PER_VILLAGE) % villages)),
      createdAt,
      updatedAt: createdAt,
    });
  }
  return items;
}

/** Deterministic pseudo-random in [0, 1) so every run writes the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

type InspectionRecord = Parameters<typeof writeNewInspection>[0];

/**
 * One week of inspections: each visits a village and records a finding for each of its cadres; a
 * share of findings record a problem. Earlier weeks' problems are stored as closed (their weeks are
 * never read, and the open indexes should hold what is realistically still open).
 */
function* weekInspections(
  week: string,
  findings: number,
  villages: number,
  problemRate: number,
  closed: boolean,
): Generator<InspectionRecord> {
  const monday = weekBounds(week).monday;
  const random = rng(Number(week.replace(/\D/g, '')));
  const inspections = Math.ceil(findings / PER_VILLAGE);
  for (let n = 0; n < inspections; n++) {
    const v = (n * 7919) % villages;
    const date = addDays(monday, n % 7);
    const id = `I${week.replace('-', '')}-${pad(n, 6)}`;
    const createdAt = new Date(`${date}T10:00:00+08:00`).toISOString();
    const vId = villageId(v);
    const tId = townshipId(villageTownship(v));
    const problems: Problem[] = [];
    const rows = [];
    for (let k = 0; k < PER_VILLAGE; k++) {
      const cId = cadreId(v * PER_VILLAGE + k);
      const present = random() > 0.05;
      const problemIds: string[] = [];
      if (random() < problemRate) {
        const pId = `P${id.slice(1)}-${k}`;
        problemIds.push(pId);
        problems.push({
          id: pId,
          inspectionId: id,
          villageId: vId,
          townshipId: tId,
          cadreId: cId,
          description: '村务公开栏未按期更新，群众反映的问题未登记台账',
          severity: random() < 0.1 ? 'major' : 'minor',
          foundOn: date,
          rectifyBy: addDays(date, 7),
          status: closed ? 'closed' : 'open',
          falseRectifications: 0,
          lastEventId: id,
          ...(closed ? { closedAt: createdAt } : {}),
          createdAt,
          updatedAt: createdAt,
        });
      }
      rows.push({
        inspectionId: id,
        position: k,
        cadreId: cId,
        present,
        commend: present && problemIds.length === 0 && random() < 0.02,
        problemIds,
        villageId: vId,
        townshipId: tId,
        date,
        mode: 'open',
      });
    }
    const header: InspectionSummary = {
      id,
      villageId: vId,
      townshipId: tId,
      date,
      mode: 'open',
      modeLabel: INSPECTION_MODE_LABELS.open,
      problemIds: problems.map((p) => p.id),
      findingCount: rows.length,
      presentCount: rows.filter((r) => r.present).length,
      absentCount: rows.filter((r) => !r.present).length,
      commendCount: rows.filter((r) => r.commend).length,
      problemCount: problems.length,
      recordedBy: 'bench-inspector',
      createdAt,
    };
    yield { header, findings: rows, problems };
  }
}

async function writeAll(records: Iterable<InspectionRecord>, width: number): Promise<number> {
  const iterator = records[Symbol.iterator]();
  let written = 0;
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const r = next.value;
      await writeNewInspection(r, []);
      written += r.findings.length + r.problems.length + 1;
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return written;
}

// ---------- the child process ----------

function runWorker(week: string, now: Date, env: NodeJS.ProcessEnv): Promise<WorkerResult> {
  const file = resolve(import.meta.dirname, 'evaluation-worker.ts');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, week, now.toISOString()], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) fail(new Error(`evaluation worker failed (${code}): ${err.slice(-2000)}`));
      else done(JSON.parse(line) as WorkerResult);
    });
  });
}

async function measureRead(week: string, kinds: readonly string[]): Promise<MinimumRead> {
  const sizes: number[] = [];
  const local: number[] = [];
  for (const kind of kinds) {
    const items = await queryAll<Item>({
      index: 'GSI4',
      partition: keys.week(week),
      sort: { beginsWith: kind },
    });
    for (const item of items) {
      sizes.push(itemSize(item));
      local.push(itemSize(item, 'dynalite'));
    }
  }
  const headers = await queryAll<Item>({
    index: 'GSI4',
    partition: keys.week(week),
    sort: { beginsWith: 'INSPECTION#' },
  });
  const { pages, units } = minimumQueryUnits(sizes);
  return {
    items: sizes.length,
    bytes: sizes.reduce((a, b) => a + b, 0),
    pages,
    units,
    dynaliteUnits: minimumQueryUnits(local).units,
    skippedHeaders: headers.length,
  };
}

export async function benchEvaluation(
  plan: EvaluationPlan,
  log: (line: string) => void,
): Promise<EvaluationReport> {
  const db = await startDynalite(undefined);
  const tableName = 'bench-evaluation';
  await ensureTable(db.endpoint, tableName);
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: db.endpoint,
    AWS_REGION: 'cn-northwest-1',
    LOG_SILENT: '1',
  });
  resetConfig();
  resetDocumentClient();
  try {
    const now = new Date();
    const today = beijingDate(now);
    const week = isoWeekOf(addDays(today, -7));
    const earlier = Array.from({ length: plan.earlierWeeks }, (_, i) =>
      isoWeekOf(addDays(weekBounds(week).monday, -7 * (plan.earlierWeeks - i))),
    );
    const cadres = Math.round(CADRES * plan.scale);
    const villages = Math.max(1, Math.round(VILLAGES * plan.scale));
    const weekFindings = Math.round(WEEK_FINDINGS * plan.scale);
    const perEarlier = Math.round((EARLIER_FINDINGS * plan.scale) / plan.earlierWeeks);

    const loadStarted = performance.now();
    const rosterCreated = new Date(`${addDays(weekBounds(earlier[0] ?? week).monday, -1)}T09:00:00+08:00`);
    const roster = rosterItems(cadres, villages, rosterCreated.toISOString());
    await batchPut(roster, 8);
    let items = roster.length;
    for (const [i, w] of earlier.entries()) {
      // The week just before stays open: it is what the evaluated week carries over.
      const last = i === earlier.length - 1;
      items += await writeAll(weekInspections(w, perEarlier, villages, plan.problemRate, !last), 8);
      const soFar = performance.now() - loadStarted;
      log(`   loaded ${w}: ${items.toLocaleString('en')} items, ${(soFar / 1000).toFixed(0)} s`);
    }
    items += await writeAll(weekInspections(week, weekFindings, villages, plan.problemRate, false), 8);
    const loadMs = performance.now() - loadStarted;
    log(`   loaded ${week}: ${items.toLocaleString('en')} items, ${(loadMs / 1000).toFixed(0)} s`);

    const env = { ...process.env };
    // The week before, evaluated first with nothing stored: a cold start from the status indexes.
    const previous = earlier.at(-1);
    const bootstrap = previous ? await runWorker(previous, now, env) : undefined;
    const steady = await runWorker(week, now, env);
    const minimum = await measureRead(week, [
      'FINDING#',
      'PROBLEM#',
      'RECT#',
      'VERIFY#',
      'DISPATCH#',
      'DREPORT#',
      'DIRECT#',
      'DIRECTACK#',
    ]);
    const rosterItems_ = await queryAll<Item>({ index: 'GSI1', partition: keys.cadreList() });
    const rosterSizes = rosterItems_.map((i) => itemSize(i));
    const rosterRead = minimumQueryUnits(rosterSizes);
    const rosterLocal = minimumQueryUnits(rosterItems_.map((i) => itemSize(i, 'dynalite'))).units;
    return {
      plan,
      counts: {
        cadres,
        villages,
        weekFindings,
        earlierFindings: perEarlier * plan.earlierWeeks,
        items,
      },
      load: { ms: loadMs, items, perItemMs: loadMs / items },
      week,
      bootstrap: bootstrap ?? steady,
      steady,
      minimum,
      rosterMinimum: {
        items: rosterSizes.length,
        bytes: rosterSizes.reduce((a, b) => a + b, 0),
        ...rosterRead,
        dynaliteUnits: rosterLocal,
        skippedHeaders: 0,
      },
    };
  } finally {
    resetDocumentClient();
    await db.stop();
  }
}

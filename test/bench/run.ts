import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { routeGroups } from '../../functions/routes/index.ts';
import { type DynamoDbLocal, javaAvailable, startDynamoDbLocal } from '../support/dynamodb-local.ts';
import { buildBundles, type ImportTiming, timeImports } from './bundles.ts';
import { benchEvaluation } from './evaluation.ts';
import { benchImport } from './import.ts';
import type { LoadResult } from './load.ts';
import { benchPages, CADRE_PAGE_BUDGET_BYTES, PROFILES, pagesTable } from './pages.ts';
import { kb, ms, ratio, table } from './stats.ts';
import { benchSubmission } from './submission.ts';

/**
 * `npm run bench`: the cost of each Lambda bundle (size, cold import time) against a bundle that only
 * builds the DynamoDB document client, and `POST /inspections` on the local stack against one raw
 * PutItem to the same DynamoDB. Options:
 *   --only bundles|submission   run one half
 *   --runs N                    fresh processes per bundle (default 15)
 *   --bundles a,b               with bundles: only these route groups (names as in functions/routes/index.ts,
 *                               or `web (pages)`, `worker (tasks)`), beside the SDK-only bundle
 *   --against DIR               with bundles: also build every bundle from another checkout (DIR, e.g. a
 *                               `git archive` of the base commit with `npm run generate` run in it) and time
 *                               both sets interleaved in the same rounds: a before/after table
 *   --quick                     fewer runs and requests (a smoke test of the bench itself)
 *   --dynamo ddb-local          run the submission half against DynamoDB Local (needs Java)
 *   --only evaluation           the weekly evaluation at provincial scale (not in the default run)
 *   --scale F                   with --only evaluation: a fraction of the provincial size (default 1)
 *   --only pages                the web pages in Chromium on slow networks: bytes and time to interactive
 *   --only import               a 10,000-cadre roster workbook validated and imported by the background
 *                               worker on the local stack (--scale F for a fraction, --dynamo ddb-local)
 */
const IMPORT_TARGET = 1.3;
const SUBMISSION_TARGET = 3;
const ROOT = resolve(import.meta.dirname, '../..');

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    dynamo: { type: 'string', default: 'dynalite' },
    scale: { type: 'string' },
    against: { type: 'string' },
    bundles: { type: 'string' },
  },
});

const runs = Number(args.runs ?? (args.quick ? 5 : 15));
// Budgets keep the whole bench near 3 minutes on a slow or busy machine; a quiet one never meets them.
const plan = args.quick
  ? { c1: 60, c32: 300, warmup: 20, budgetC1Ms: 5_000, budgetC32Ms: 8_000 }
  : { c1: 300, c32: 2000, warmup: 60, budgetC1Ms: 12_000, budgetC32Ms: 20_000 };
const IMPORT_BUDGET_MS = args.quick ? 20_000 : 60_000;

function verdict(value: number, target: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value <= target ? 'ok' : `OVER (target ≤ ${target}×)`;
}

interface BundleEntry {
  /** The route group's name (or web, worker, SDK-only baseline). */
  label: string;
  name: string;
  entry: string;
  held: boolean;
}

/** The bundles of one checkout: its route groups, the web and worker functions, and the baseline. */
function bundleEntries(groups: { name: string; entry: string }[]): BundleEntry[] {
  const only = args.bundles?.split(',').map((n) => n.trim());
  return [
    ...groups.map((g) => ({ label: g.name, entry: g.entry, held: true })),
    // The web pages and the background worker carry every API route in-process (and the pages their
    // templates and assets): measured beside the others, but not held to the API bundles' target.
    { label: 'web (pages)', entry: 'functions/api/web.ts', held: false },
    { label: 'worker (tasks)', entry: 'functions/api/worker.ts', held: false },
  ]
    .filter((t) => !only || only.includes(t.label))
    .concat([{ label: BASELINE, entry: 'test/bench/sdk-only-entry.ts', held: true }])
    .map((t) => ({ ...t, name: t.label.replace(/[^\w-]+/g, '-') }));
}

const BASELINE = 'SDK-only baseline';

async function buildChecked(entries: BundleEntry[], dir: string, root?: string) {
  const built = await buildBundles(entries, dir, root ? { root } : {});
  for (const b of built.filter((x) => x.error))
    console.log(`   ${root ? `${root}: ` : ''}${b.label} not built, left out: ${b.error}`);
  const baseline = built.find((b) => b.label === BASELINE);
  if (baseline?.error) throw new Error(`the SDK-only baseline did not build: ${baseline.error}`);
  // The baseline last: every ratio is to it.
  return built.filter((b) => !b.error && b.label !== BASELINE).concat([baseline!]);
}

async function bundlesSection(): Promise<boolean> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'baocun-bench-'));
  try {
    const bundles = await buildChecked(bundleEntries(routeGroups), work);
    // --against: the same bundles from another checkout, timed in the same rounds (A/B interleaved).
    const againstRoot = args.against ? resolve(args.against) : undefined;
    let before: typeof bundles | undefined;
    if (againstRoot) {
      const { routeGroups: groups } = (await import(
        pathToFileURL(join(againstRoot, 'functions/routes/index.ts')).href
      )) as { routeGroups: { name: string; entry: string }[] };
      mkdirSync(join(work, 'before'));
      before = await buildChecked(bundleEntries(groups), join(work, 'before'), againstRoot);
    }
    const env = {
      TABLE_NAME: 'bench',
      AWS_REGION: 'cn-northwest-1',
      LOG_SILENT: '1',
      NODE_ENV: 'production',
    };
    const timings = await timeImports(
      [...bundles.map((b) => b.file), ...(before?.map((b) => b.file) ?? []), null],
      runs,
      env,
      work,
      // A before/after comparison is worth its full number of runs.
      before ? Number.POSITIVE_INFINITY : IMPORT_BUDGET_MS,
    );
    const empty = timings.at(-1)!;
    const afterTimings = timings.slice(0, bundles.length);
    const base = afterTimings.at(-1)!;
    const baseNet = base.wallMs - empty.wallMs;
    let allOk = true;
    let overOnCpu = 0;
    const rows = [
      [
        'bundle',
        'size',
        'import ms',
        '× SDK-only',
        'import CPU ms',
        '× SDK-only (CPU)',
        'process ms',
        'process − empty ms',
        '× SDK-only (net)',
        'verdict',
        'heaviest parts',
      ],
    ];
    bundles.forEach((b, i) => {
      const t = afterTimings[i]!;
      const isBase = i === bundles.length - 1;
      const importRatio = t.importMs / base.importMs;
      if (!isBase && b.held && importRatio > IMPORT_TARGET) allOk = false;
      if (!isBase && b.held && t.importCpuMs / base.importCpuMs > IMPORT_TARGET) overOnCpu++;
      rows.push([
        b.label,
        kb(b.bytes),
        ms(t.importMs),
        isBase ? '1.00×' : ratio(t.importMs, base.importMs),
        ms(t.importCpuMs),
        isBase ? '1.00×' : ratio(t.importCpuMs, base.importCpuMs),
        ms(t.wallMs),
        ms(t.wallMs - empty.wallMs),
        isBase ? '1.00×' : ratio(t.wallMs - empty.wallMs, baseNet),
        isBase ? '' : b.held ? verdict(importRatio, IMPORT_TARGET) : '(not held)',
        b.heaviest.map((h) => `${h.name} ${kb(h.bytes)}`).join(', '),
      ]);
    });
    rows.push(['empty process', '', '', '', ms(empty.importCpuMs), '', ms(empty.wallMs), '0.0', '', '', '']);
    const done = Math.min(...timings.map((t) => t.runs));
    console.log(
      `\n1. Lambda bundles: size and cold import in a fresh Node ${process.version} process (median of ${done}` +
        `${done < runs ? ` — cut from ${runs} by the ${IMPORT_BUDGET_MS / 1000} s budget: a busy machine` : ''})` +
        '\n   built as the stack deploys them (code splitting): size = the entry and the chunks it imports statically',
    );
    console.log(table(rows));
    console.log(
      [
        `   import ms = \`await import(bundle)\` timed inside the process; process ms = spawn to exit, which includes Node`,
        `   start-up (NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'is set here' : 'is not set'}); "process − empty" subtracts an empty process.`,
        `   import CPU ms = user + system CPU time of the process (all its threads) during the import: it moves little when`,
        `   other processes share the cores, where wall time does; ${overOnCpu} held bundle(s) over ${IMPORT_TARGET}× on CPU time.`,
        `   Target: each bundle ≤ ${IMPORT_TARGET}× the SDK-only bundle in import time. (${ms((performance.now() - started) / 1000)} s)`,
      ].join('\n'),
    );
    if (before)
      console.log(
        beforeAfter(bundles, afterTimings, before, timings.slice(bundles.length, -1), againstRoot!, done),
      );
    return allOk;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The before/after table of `--against`: each side's ratios are to its own SDK-only bundle. */
function beforeAfter(
  after: { label: string; bytes: number }[],
  afterTimings: ImportTiming[],
  before: { label: string; bytes: number }[],
  beforeTimings: ImportTiming[],
  root: string,
  rounds: number,
): string {
  const base = afterTimings.at(-1)!;
  const beforeBase = beforeTimings.at(-1)!;
  const rows = [
    [
      'bundle',
      'size before',
      'size after',
      'import ms before',
      'import ms after',
      '× before',
      '× after',
      'CPU ms before',
      'CPU ms after',
      '× CPU before',
      '× CPU after',
    ],
  ];
  const labels = [...new Set([...after.map((b) => b.label), ...before.map((b) => b.label)])];
  for (const label of labels) {
    const i = after.findIndex((b) => b.label === label);
    const j = before.findIndex((b) => b.label === label);
    const a = i >= 0 ? afterTimings[i] : undefined;
    const bt = j >= 0 ? beforeTimings[j] : undefined;
    rows.push([
      label,
      j >= 0 ? kb(before[j]!.bytes) : '—',
      i >= 0 ? kb(after[i]!.bytes) : '—',
      bt ? ms(bt.importMs) : '—',
      a ? ms(a.importMs) : '—',
      bt ? ratio(bt.importMs, beforeBase.importMs) : '—',
      a ? ratio(a.importMs, base.importMs) : '—',
      bt ? ms(bt.importCpuMs) : '—',
      a ? ms(a.importCpuMs) : '—',
      bt ? ratio(bt.importCpuMs, beforeBase.importCpuMs) : '—',
      a ? ratio(a.importCpuMs, base.importCpuMs) : '—',
    ]);
  }
  return [
    `\n   Before (${root}) and after (this checkout), timed interleaved in the same ${rounds} rounds;`,
    "   each side's ratios are to its own SDK-only bundle.",
    table(rows),
  ].join('\n');
}

function loadRows(results: LoadResult[]): string[][] {
  const rows = [['scenario', 'concurrency', 'ok', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'req/s']];
  for (const r of results) {
    rows.push([
      r.label,
      String(r.concurrency),
      String(r.ok),
      String(r.errors),
      ms(r.p50, 2),
      ms(r.p99, 2),
      ms(r.max, 1),
      ms(r.throughput, 0),
    ]);
  }
  return rows;
}

async function submissionSection(): Promise<boolean> {
  const started = performance.now();
  let ddbLocal: DynamoDbLocal | undefined;
  let backend = 'in-process dynalite';
  if (args.dynamo === 'ddb-local') {
    if (!javaAvailable()) throw new Error('--dynamo ddb-local needs `java` on PATH');
    ddbLocal = await startDynamoDbLocal();
    backend = `DynamoDB Local (${ddbLocal.endpoint})`;
  } else if (args.dynamo !== 'dynalite') {
    throw new Error(`--dynamo must be dynalite or ddb-local, not ${args.dynamo}`);
  }
  try {
    const report = await benchSubmission({
      ...plan,
      ...(ddbLocal ? { dynamoEndpoint: ddbLocal.endpoint } : {}),
    });
    console.log(
      `\n2. POST /inspections on the local stack (gateway + JWT check + handler) against ${backend}`,
    );
    console.log(table(loadRows(report.results)));
    for (const r of report.results) {
      const planned = r.concurrency === 1 ? plan.c1 : plan.c32;
      if (r.sent < planned)
        console.log(`   ${r.label} c=${r.concurrency}: ${r.sent} of ${planned} requests sent (time budget)`);
      if (r.errors > 0) {
        console.log(
          `   ${r.label} c=${r.concurrency}: ${r.errors} errors: ${[...r.errorReasons].map(([reason, n]) => `${n}× ${reason}`).join('; ')}`,
        );
      }
    }
    for (const note of report.notes) console.log(`   note: ${note}`);

    const find = (label: string, c: number) =>
      report.results.find((r) => r.label === label && r.concurrency === c);
    let allOk = true;
    for (const c of [1, 32]) {
      const sub = find('POST /inspections', c);
      const put = find('raw PutItem', c);
      if (!sub || !put) continue;
      const value = sub.p50 / put.p50;
      const clean = sub.errors === 0;
      if (c === 1 && (!clean || !(value <= SUBMISSION_TARGET))) allOk = false;
      console.log(
        `   c=${c}: submission p50 / raw PutItem p50 = ${ms(sub.p50, 2)} / ${ms(put.p50, 2)} ms = ${ratio(sub.p50, put.p50)}` +
          `  ${clean ? verdict(value, SUBMISSION_TARGET) : 'INVALID (submissions failed)'}`,
      );
    }
    const per = report.perSubmission;
    if (per && per.requests > 0) {
      const calls = [...per.calls].sort((a, b) => b[1] - a[1]);
      const total = calls.reduce((n, [, k]) => n + k, 0);
      console.log(
        `   per submission (c=1): ${(total / per.requests).toFixed(1)} DynamoDB calls (${calls
          .map(([name, k]) => `${name} ${(k / per.requests).toFixed(1)}`)
          .join(
            ', ',
          )}), ${ms(per.msInDynamo / per.requests, 2)} ms of ${ms(per.msTotal / per.requests, 2)} ms waiting on DynamoDB`,
      );
    }
    const { steps, totalMs, sample } = report.timeline;
    if (steps.length) {
      console.log(
        `\n   Where a submission's time goes (c=1, median of ${sample} requests, ${ms(totalMs, 2)} ms end to end as the client sees it):`,
      );
      console.log(
        table([['step', 'median ms'], ...steps.map((s) => [`   ${s.label}`, ms(s.medianMs, 2)])])
          .split('\n')
          .map((l) => `   ${l}`)
          .join('\n'),
      );
    }
    console.log(
      `   Target: submission p50 ≤ ${SUBMISSION_TARGET}× one raw PutItem round-trip (c=1). (${ms((performance.now() - started) / 1000)} s)`,
    );
    return allOk;
  } finally {
    await ddbLocal?.stop();
  }
}

const READ_TARGET = 1.2;
const MEMORY_TARGET_MB = 512;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function evaluationSection(): Promise<boolean> {
  const started = performance.now();
  const scale = Number(args.scale ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be in (0, 1]');
  console.log(
    `\n3. Weekly evaluation at ${scale === 1 ? 'provincial scale' : `scale ${scale} of provincial scale`} (in-process dynalite, evaluation in a fresh child process)`,
  );
  const r = await benchEvaluation({ scale, problemRate: 0.1, earlierWeeks: 10 }, (l) => console.log(l));
  const c = r.counts;
  console.log(
    `   data: ${c.cadres.toLocaleString('en')} cadres, ${c.villages.toLocaleString('en')} villages, ` +
      `${c.weekFindings.toLocaleString('en')} findings in ${r.week}, ${c.earlierFindings.toLocaleString('en')} in the 10 weeks before; ` +
      `${c.items.toLocaleString('en')} items written in ${ms(r.load.ms / 1000)} s (${ms(r.load.perItemMs, 3)} ms per item, BatchWriteItem into dynalite)`,
  );
  const row = (label: string, w: typeof r.steady) => [
    label,
    w.week,
    ms(w.evaluatedMs / 1000, 2),
    ms(w.renderMs, 0),
    mb(w.baselineRss),
    mb(w.peakRss),
    mb(w.peakHeap),
    ms(w.reads.capacityUnits, 1),
    String(w.reads.items),
    String(w.reads.requests),
  ];
  console.log(
    table([
      [
        'run',
        'week',
        'evaluate s',
        'bulletin HTML ms',
        'RSS at start',
        'peak RSS (sampled)',
        'peak heap',
        'RCU',
        'items read',
        'requests',
      ],
      row('cold start (no earlier evaluation)', r.bootstrap),
      row('steady state (carry-over stored)', r.steady),
    ]),
  );
  const bySource = (w: typeof r.steady) =>
    Object.entries(w.reads.bySource)
      .map(([s, v]) => `${s} ${v.capacityUnits} RCU / ${v.items} items / ${v.requests} req`)
      .join('; ');
  console.log(`   cold start reads by source: ${bySource(r.bootstrap)}`);
  console.log(`   steady state reads by source: ${bySource(r.steady)}`);
  const m = r.minimum;
  const week = r.steady.reads.bySource.week?.capacityUnits ?? 0;
  const total = r.steady.reads.capacityUnits;
  const local = m.dynaliteUnits;
  const needed = local + r.rosterMinimum.dynaliteUnits;
  const peak = Math.max(r.steady.peakRss, r.bootstrap.peakRss);
  console.log(
    [
      `   minimum for ${r.week}: its ${m.items.toLocaleString('en')} fact items (${kb(m.bytes)} in UTF-8; the ${m.skippedHeaders} INSPECTION# headers are not needed)`,
      `   read as one eventually consistent Query: ${m.pages} page(s) of ≤ 1 MB, each ceil(page bytes / 4 KB) × 0.5 RCU.`,
      `   Item size = attribute names + strings + numbers (1 + digits/2) + 1 per boolean + 3 per list/map (+1 per element).`,
      `   On DynamoDB (strings in UTF-8 bytes) that is ${m.units} RCU; dynalite counts strings in UTF-16 units (a Chinese`,
      `   character as 1 byte, not 3), so its ConsumedCapacity is compared with the same minimum by its rule: ${local} RCU.`,
      `   The roster the job must also read (GSI1 CADRS, ${r.rosterMinimum.items} cadres) is at least ${r.rosterMinimum.dynaliteUnits} RCU (${r.rosterMinimum.units} on DynamoDB).`,
      `   consumed (steady state): week partition ${week} RCU = ${ratio(week, local)} of its minimum; whole job ${total} RCU = ${ratio(total, local)} of the week's minimum, ${ratio(total, needed)} of week + roster minimum.`,
      `   bulletin: ${kb(r.steady.htmlBytes)} of HTML via renderDocumentHtml (no PDF: Chromium not included; notices not rendered).`,
      `   Peak RSS is sampled every 10 ms in the child; the kernel's ru_maxrss is not used (Linux carries it over from the parent across fork/exec, so it shows the bench's own dynalite).`,
    ].join('\n'),
  );
  const readsOk = total <= READ_TARGET * local;
  const memOk = peak <= MEMORY_TARGET_MB * 1024 * 1024;
  console.log(
    `   Targets: read capacity ≤ ${READ_TARGET}× the week's minimum: ${readsOk ? 'ok' : 'OVER'} (${ratio(total, local)}); ` +
      `evaluation + rendering ≤ ${MEMORY_TARGET_MB} MB: ${memOk ? 'ok' : 'OVER'} (peak RSS ${mb(peak)}). ` +
      `(${ms((performance.now() - started) / 1000)} s)`,
  );
  return readsOk && memOk;
}

/** The worker function's limits on AWS (infra/constructs/web.ts): 15 minutes, 1024 MB. */
const IMPORT_TIME_TARGET_S = 15 * 60;
const IMPORT_MEMORY_TARGET_MB = 1024;

async function importSection(): Promise<boolean> {
  const started = performance.now();
  const scale = Number(args.scale ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be in (0, 1]');
  let ddbLocal: DynamoDbLocal | undefined;
  if (args.dynamo === 'ddb-local') {
    if (!javaAvailable()) throw new Error('--dynamo ddb-local needs `java` on PATH');
    ddbLocal = await startDynamoDbLocal();
  } else if (args.dynamo !== 'dynalite') {
    throw new Error(`--dynamo must be dynalite or ddb-local, not ${args.dynamo}`);
  }
  const backend = ddbLocal ? 'DynamoDB Local' : 'dynalite';
  console.log(
    `\n5. Roster import of ${Math.round(10_000 * scale).toLocaleString('en')} cadres through the import page and the background worker (local stack in a child process, ${backend} in this one)`,
  );
  try {
    const r = await benchImport({ scale, ...(ddbLocal ? { dynamoEndpoint: ddbLocal.endpoint } : {}) }, (l) =>
      console.log(l),
    );
    const s = (v: number) => ms(v / 1000, 1);
    const row = (label: string, x: typeof r.first) => [
      label,
      x.status,
      String(x.rows),
      String(x.created),
      String(x.present),
      s(x.validateMs),
      s(x.writeMs),
      s(x.totalMs),
      ms(x.rowsPerSecond, 0),
    ];
    console.log(
      table([
        ['run', 'status', 'rows', 'written', 'present', 'validate s', 'write s', 'total s', 'rows/s writing'],
        row('first import', r.first),
        row('same file again', r.again),
      ]),
    );
    const m = r.memory;
    console.log(
      [
        `   file: ${kb(r.fileBytes)} (.xlsx, ${r.counts.townships} townships, ${r.counts.villages} villages, ${r.counts.cadres} cadres, ${r.counts.assignments} assignments)`,
        `   memory of the stack process (pages + API + worker): RSS ${mb(m.baselineRss)} before, peak ${mb(m.peakRss)} (+${mb(m.peakRss - m.baselineRss)}); heap ${mb(m.baselineHeap)} before, peak ${mb(m.peakHeap)}`,
        `   CPU over both runs: stack process ${s(m.cpuMs)} s (≈ ${ms(m.cpuMs / Math.max(1, r.first.created), 1)} ms per written row)${
          ddbLocal ? '' : `, dynalite ${s(r.dynamoCpuMs)} s`
        }. Writing is one POST per row through the API (its idempotency record, checks`,
        `   and audit entry: about 5 DynamoDB calls for a roster row, 10 for an assignment), 8 at a time; ${
          ddbLocal ? 'DynamoDB Local runs in its own Java process.' : 'dynalite serves them one at a time.'
        }`,
      ].join('\n'),
    );
    const timeOk = r.first.totalMs / 1000 <= IMPORT_TIME_TARGET_S;
    const memOk = r.memory.peakRss <= IMPORT_MEMORY_TARGET_MB * 1024 * 1024;
    const ok = r.first.status === 'succeeded' && r.again.created === 0;
    console.log(
      `   Targets: within the worker's ${IMPORT_TIME_TARGET_S / 60} min: ${timeOk ? 'ok' : 'OVER'}; within ${IMPORT_MEMORY_TARGET_MB} MB: ${memOk ? 'ok' : 'OVER'}; ` +
        `second run writes nothing: ${r.again.created === 0 ? 'ok' : 'NO'}. (${ms((performance.now() - started) / 1000)} s)`,
    );
    return ok && timeOk && memOk;
  } finally {
    await ddbLocal?.stop();
  }
}

async function pagesSection(): Promise<boolean> {
  const started = performance.now();
  const pageRuns = Number(args.runs ?? (args.quick ? 1 : 3));
  console.log(
    `\n4. Web pages, first visit with an empty cache, phone viewport, real Chromium (median of ${pageRuns} visits per page)`,
  );
  console.log(`   networks: ${PROFILES.map((p) => p.name).join('; ')} (CDP emulation)`);
  const results = await benchPages({ runs: pageRuns, log: (l) => console.log(l) });
  console.log(pagesTable(results));
  const cadre = results.filter((r) => r.target.role === 'cadre');
  const heaviest = Math.max(...cadre.map((r) => r.pageBytes));
  const ok = heaviest < CADRE_PAGE_BUDGET_BYTES;
  console.log(
    [
      '   transferred = every byte on the wire for the page (headers included) until it is interactive;',
      '   then in background = what the service worker fetches afterwards to work offline (offline page, linked forms).',
      '   interactive = the page script has wired its forms (performance mark), or load where there is no script.',
      `   Target: every cadre page < ${kb(CADRE_PAGE_BUDGET_BYTES)} transferred before cache: ${ok ? 'ok' : 'OVER'} (heaviest ${kb(heaviest)}). (${ms((performance.now() - started) / 1000)} s)`,
    ].join('\n'),
  );
  return ok;
}

async function main() {
  process.chdir(ROOT);
  console.log(
    `baocun bench — ${new Date().toISOString()} — node ${process.version}${args.quick ? ' — quick' : ''}`,
  );
  const verdicts: string[] = [];
  if (args.only === undefined || args.only === 'bundles')
    verdicts.push(`bundles: ${(await bundlesSection()) ? 'within target' : 'OVER target'}`);
  if (args.only === undefined || args.only === 'submission') {
    verdicts.push(`submission: ${(await submissionSection()) ? 'within target' : 'OVER target'}`);
  }
  if (args.only === 'pages')
    verdicts.push(`pages: ${(await pagesSection()) ? 'within target' : 'OVER target'}`);
  if (args.only === 'import')
    verdicts.push(`import: ${(await importSection()) ? 'within target' : 'OVER target'}`);
  if (args.only === 'evaluation')
    verdicts.push(`evaluation: ${(await evaluationSection()) ? 'within target' : 'OVER target'}`);
  console.log(`\n${verdicts.join('; ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

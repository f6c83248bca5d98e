import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { queryAll } from '../../functions/adapters/dynamo/table.ts';
import { renderDocumentHtml } from '../../functions/documents/render.ts';
import { documentSettings } from '../../functions/documents/settings.ts';
import { bulletinView } from '../../functions/documents/view-models.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';

/**
 * One weekly evaluation plus the bulletin's HTML, in a fresh process of its own (like a Lambda), so
 * its memory holds only the job: the emulated DynamoDB runs in the parent. Prints one JSON line.
 * argv: <week> <now ISO>.
 */
const [week, nowIso] = process.argv.slice(2) as [string, string];

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timer = setInterval(sample, 10);

async function main() {
  sample();
  const baselineRss = process.memoryUsage().rss;
  const started = performance.now();
  const run = await evaluateAndStoreWeek(week, { now: new Date(nowIso) });
  const evaluatedMs = performance.now() - started;
  sample();

  const renderStarted = performance.now();
  const e = run.evaluation;
  // The bulletin prints cadre names (from the evaluation) and township names (a small partition).
  const townships = await queryAll<Record<string, unknown>>({
    index: 'GSI1',
    partition: keys.townshipList(),
  });
  const html = renderDocumentHtml(
    'bulletin',
    bulletinView(e, {
      settings: documentSettings(),
      issue: { number: `${week.slice(0, 4)}年第1期`, issuedOn: nowIso.slice(0, 10) },
      revision: run.revision,
      names: {
        cadres: new Map(e.cadres.map((c) => [c.cadreId, { name: c.name }])),
        villages: new Map(),
        townships: new Map(townships.map((t) => [String(t.id), String(t.name)])),
        problems: new Map(),
      },
    }),
  );
  const renderMs = performance.now() - renderStarted;
  sample();
  clearInterval(timer);
  const result = {
    week,
    evaluatedMs,
    renderMs,
    htmlBytes: Buffer.byteLength(html),
    baselineRss,
    peakRss,
    peakHeap,
    // The kernel's own peak (KB → bytes): catches a spike between two samples.
    maxRss: process.resourceUsage().maxRSS * 1024,
    reads: run.reads,
    cadres: e.cadres.length,
    problems: e.problems.length,
    tiers: Object.fromEntries(Object.entries(e.tiers).map(([k, v]) => [k, v.length])),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

import { createInterface } from 'node:readline';
import { startLocalStack } from '../../infra/local/runtime.ts';

/**
 * The local stack (gateway, web pages, API handlers and the background worker, all in this process)
 * for the import benchmark, against a DynamoDB the parent runs, so this process's memory is the
 * pages' and the worker's alone. Prints `{"url"}` when up; on stdin `mark` it takes the baseline and
 * resets the peaks, on `report` it prints the memory figures and stops.
 * env: BENCH_DYNAMO_ENDPOINT, BENCH_TABLE.
 */
let peakRss = 0;
let peakHeap = 0;
let baselineRss = 0;
let baselineHeap = 0;
let cpuAtMark = process.cpuUsage();
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timer = setInterval(sample, 20);

const stack = await startLocalStack({
  dataDir: undefined,
  port: 0,
  dynamoEndpoint: process.env.BENCH_DYNAMO_ENDPOINT!,
  tableName: process.env.BENCH_TABLE!,
  scheduler: false,
});
console.log(JSON.stringify({ url: stack.url }));

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'mark') {
    globalThis.gc?.();
    const m = process.memoryUsage();
    baselineRss = m.rss;
    baselineHeap = m.heapUsed;
    peakRss = m.rss;
    peakHeap = m.heapUsed;
    cpuAtMark = process.cpuUsage();
    console.log(JSON.stringify({ marked: true }));
  } else if (line === 'report') {
    sample();
    const cpu = process.cpuUsage(cpuAtMark);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(JSON.stringify({ baselineRss, baselineHeap, peakRss, peakHeap, cpuMs }));
    clearInterval(timer);
    await stack.stop();
    process.exit(0);
  }
}

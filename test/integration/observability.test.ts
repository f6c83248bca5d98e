import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../functions/core/metric-names.ts';
import { resetMetrics } from '../../functions/http/metrics.ts';
import { JOBS } from '../../functions/jobs/registry.ts';
import { waitForRun } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * A job run that fails, as the jobs function writes it for CloudWatch: the `job run failed` log line
 * with the invocation's context (the local invoker gives the same fields Lambda does), and the
 * JobRunsFailed metric the alarm watches.
 */
let t: TestStack;
let admin: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
});
afterAll(() => t?.stop());
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  resetMetrics();
});

it('logs a failed job run with its invocation and counts it for the alarm', async () => {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  vi.stubEnv('LOG_SILENT', '0');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('STAGE', 'it');
  resetMetrics();
  const original = JOBS['daily-sweep'].run;
  JOBS['daily-sweep'].run = async () => {
    throw new Error('table unreachable');
  };
  let run: Record<string, any>;
  try {
    const res = await admin.post('/jobs/daily-sweep');
    expect(res.status).toBe(202);
    run = await waitForRun(admin.get, res.body.runId, undefined, 10_000);
    // The metrics are written when the invocation ends, just after the run is recorded.
    await vi.waitFor(() => expect(lines.join('\n')).toContain(METRIC_NAMES.jobRunsFailed), {
      timeout: 5_000,
      interval: 20,
    });
  } finally {
    JOBS['daily-sweep'].run = original;
  }
  expect(run.status).toBe('failed');

  const json = lines.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, any>] : []));
  const failed = json.find((l) => l.message === 'job run failed');
  expect(failed).toMatchObject({
    level: 'ERROR',
    service: 'baocun',
    function_name: 'baocun-jobs',
    job: 'daily-sweep',
    error: expect.stringContaining('table unreachable'),
  });
  expect(failed?.function_request_id).toMatch(/^local-jobs-/);
  expect(failed?.requestId).toBe(failed?.function_request_id);
  expect(typeof failed?.cold_start).toBe('boolean');

  const emf = json.filter((l) => l._aws && METRIC_NAMES.jobRunsFailed in l);
  expect(emf).toHaveLength(1);
  expect(emf[0]).toMatchObject({
    _aws: {
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [
            ['service', 'stage'],
            ['service', 'stage', 'job'],
          ],
          Metrics: [{ Name: METRIC_NAMES.jobRunsFailed, Unit: 'Count' }],
        },
      ],
    },
    service: 'baocun',
    stage: 'it',
    job: 'daily-sweep',
    [METRIC_NAMES.jobRunsFailed]: 1,
  });
});

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE } from '../core/metric-names.ts';

/**
 * The custom metrics (functions/core/metric-names.ts), written as CloudWatch embedded metric format
 * lines through Powertools for AWS Lambda's Metrics: Lambda's log stream turns them into metrics,
 * with no API call and no extra permission.
 *
 * Every metric carries the dimension set the alarms look for (`service`, `stage`). Submissions and
 * job outcomes also carry a second set with the route or the job, for the dashboard's breakdown:
 * one EMF line can publish a value under several dimension sets, so the alarmed series stays whole.
 *
 * Off outside Lambda unless asked (`POWERTOOLS_METRICS_DISABLED=false`): locally nobody reads the
 * lines, and they would crowd the console of `npm start`. On Lambda `POWERTOOLS_METRICS_DISABLED=true`
 * turns them off.
 */

/** The POST routes that take a person's form: a count per route. */
export const SUBMISSION_ROUTES: ReadonlySet<string> = new Set([
  'POST /inspections',
  'POST /dispatches/{id}/reports',
  'POST /problems/{id}/rectifications',
  'POST /direct-reports',
]);

let shared: Metrics | null | undefined;

function enabled(env: NodeJS.ProcessEnv): boolean {
  const flag = env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase();
  if (flag !== undefined && flag !== '') return !['1', 'true', 'y', 'yes', 'on'].includes(flag);
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
}

/** The process's Metrics, built on first use from the environment the CDK construct sets; null when off. */
function metrics(): Metrics | null {
  if (shared !== undefined) return shared;
  const env = process.env;
  shared = enabled(env)
    ? new Metrics({
        namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
        serviceName: env.POWERTOOLS_SERVICE_NAME || METRICS_SERVICE,
        defaultDimensions: { stage: env.STAGE || 'local' },
      })
    : null;
  return shared;
}

/** For tests, which change the environment between cases. */
export function resetMetrics(): void {
  shared = undefined;
}

/** One count, published at once under the alarms' dimension set and that set plus `extra`. */
function countWithBreakdown(name: string, extra: Record<string, string>): void {
  const m = metrics();
  if (!m) return;
  const single = m.singleMetric();
  // An empty set is the default dimensions alone: the series the alarms and totals read.
  single.addDimensions({});
  single.addDimensions(extra);
  single.addMetric(name, MetricUnit.Count, 1);
}

/** A form accepted by one of SUBMISSION_ROUTES (a replayed answer is not counted again). */
export function countSubmission(routeKey: string): void {
  if (SUBMISSION_ROUTES.has(routeKey)) countWithBreakdown(METRIC_NAMES.submissions, { route: routeKey });
}

/** How a job run ended; `failed` includes a run taken over after its lease ran out. */
export function countJobRun(job: string, status: 'succeeded' | 'failed'): void {
  countWithBreakdown(status === 'succeeded' ? METRIC_NAMES.jobRunsSucceeded : METRIC_NAMES.jobRunsFailed, {
    job,
  });
}

/** A mailer's outcome for one email (functions/adapters/mail/mailer.ts `onOutcome`). */
export function countEmail(outcome: string): void {
  if (outcome === 'sent') metrics()?.addMetric(METRIC_NAMES.emailsSent, MetricUnit.Count, 1);
  else if (outcome === 'failed') metrics()?.addMetric(METRIC_NAMES.emailsFailed, MetricUnit.Count, 1);
}

export function countSms(outcome: string): void {
  if (outcome === 'sent') metrics()?.addMetric(METRIC_NAMES.smsSent, MetricUnit.Count, 1);
  else if (outcome === 'failed') metrics()?.addMetric(METRIC_NAMES.smsFailed, MetricUnit.Count, 1);
}

/** The PDF renderer's hooks (functions/adapters/documents/chromium.ts observePdfRenders). */
export const pdfRenderMetrics = {
  rendered(timing: { renderMs: number }): void {
    metrics()?.addMetric(METRIC_NAMES.pdfRenderTime, MetricUnit.Milliseconds, Math.round(timing.renderMs));
  },
  failed(): void {
    metrics()?.addMetric(METRIC_NAMES.pdfRenderFailures, MetricUnit.Count, 1);
  },
};

/**
 * Writes what was recorded and not yet written. Every entry calls it when an invocation ends (the
 * API handler when a request ends); with nothing recorded it writes nothing (Powertools would
 * otherwise warn on every request that counted nothing).
 */
export function publishMetrics(): void {
  const m = metrics();
  if (m?.hasStoredMetrics()) m.publishStoredMetrics();
}

/**
 * The custom CloudWatch metrics, named once for both sides: the function code publishes them
 * (Powertools Metrics, embedded metric format) and the CDK stack alarms on them and charts them
 * (infra/constructs/operations.ts). An alarm matches a metric only when namespace, name and the whole
 * dimension set agree, so neither side spells them itself.
 *
 * Dimensions: Powertools puts a `service` dimension on every metric (its `serviceName`), and the
 * stack gives every function its stage (`STAGE`); publish with
 * `new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, defaultDimensions: { stage } })`
 * and add no further dimension to these metrics, or the alarms stop seeing them.
 */
export const METRICS_NAMESPACE = 'Baocun';
/** Powertools' `service` dimension (POWERTOOLS_SERVICE_NAME on every function). */
export const METRICS_SERVICE = 'baocun';
/** The dimension names, in the order Powertools writes them. */
export const METRIC_DIMENSIONS = ['service', 'stage'] as const;

export const METRIC_NAMES = {
  /** A form accepted by the API (one per successful write of a report, inspection, rectification…). Count. */
  submissions: 'Submissions',
  /** A job run that ended `succeeded`. Count. */
  jobRunsSucceeded: 'JobRunsSucceeded',
  /** A job run that ended `failed` (including one taken over after its lease). Count; alarmed. */
  jobRunsFailed: 'JobRunsFailed',
  /** An email handed to SES or SMTP. Count. */
  emailsSent: 'EmailsSent',
  /** An email the transport refused or that could not be built. Count; alarmed. */
  emailsFailed: 'EmailsFailed',
  /** A text message the SMS gateway accepted. Count. */
  smsSent: 'SmsSent',
  /** A text message the SMS gateway refused or did not answer. Count. */
  smsFailed: 'SmsFailed',
  /** Time to print one document to PDF. Milliseconds. */
  pdfRenderTime: 'PdfRenderTime',
  /** A document that did not print (the HTML is kept). Count; alarmed. */
  pdfRenderFailures: 'PdfRenderFailures',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** The dimension values one stage publishes with (and its alarms look for). */
export function metricDimensions(stage: string): Record<(typeof METRIC_DIMENSIONS)[number], string> {
  return { service: METRICS_SERVICE, stage };
}

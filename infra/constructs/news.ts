import { Duration } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ApiFunction } from './api-function.ts';
import type { Delivery } from './delivery.ts';
import type { DataTable } from './table.ts';

/**
 * News at once on AWS (docs/news.md): the news function (functions/api/news.ts) sends the emails and
 * text messages of one piece of news, invoked asynchronously (`{ key }`) by the functions that serve
 * the writes which make news (POST /inspections, /problems/{id}/verifications, /dispatches,
 * /direct-reports) and by the pages and the worker, which serve those routes in-process.
 *
 * It reads and writes the table (the event, the delivery ledger), reads the roster and recipients,
 * and sends through SES from the configured identity only. Text messages leave through the generic
 * HTTP adapter when the `sms` context names a gateway (`SMS_*` variables, the same as on the county
 * server); the scheduled-jobs function gets the same variables, since the daily sweep resends failed
 * texts and the weekly job texts talk notices.
 */
export const NEWS_TIMEOUT = Duration.minutes(2);
/** The `SMS_*` variables the stack accepts from the `sms` context (functions/adapters/sms/config.ts). */
export const SMS_VARIABLES = [
  'SMS_HTTP_URL',
  'SMS_HTTP_METHOD',
  'SMS_HTTP_HEADERS',
  'SMS_HTTP_BODY',
  'SMS_HTTP_SUCCESS_FIELD',
  'SMS_HTTP_SUCCESS_VALUE',
  'SMS_HTTP_TIMEOUT_MS',
  'SMS_SIGNATURE',
] as const;

/** The `sms` context (a JSON object, or an object in cdk.json) as environment variables; unknown names fail. */
export function smsEnvironment(context: unknown): Record<string, string> {
  if (context === undefined || context === null || context === '') return {};
  const value = typeof context === 'string' ? (JSON.parse(context) as unknown) : context;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('sms context must be an object of SMS_* settings');
  }
  const out: Record<string, string> = {};
  for (const [name, setting] of Object.entries(value as Record<string, unknown>)) {
    if (!(SMS_VARIABLES as readonly string[]).includes(name)) {
      throw new Error(`sms context: unknown setting ${name} (known: ${SMS_VARIABLES.join(', ')})`);
    }
    out[name] = typeof setting === 'string' ? setting : JSON.stringify(setting);
  }
  return out;
}

export interface NewsProps {
  data: DataTable;
  delivery: Delivery;
  projectRoot: string;
  sms: Record<string, string>;
  logLevel?: string;
}

export class News extends Construct {
  readonly fn: ApiFunction;

  constructor(scope: Construct, id: string, props: NewsProps) {
    super(scope, id);
    this.fn = new ApiFunction(this, 'Function', {
      entry: `${props.projectRoot}/functions/api/news.ts`,
      projectRoot: props.projectRoot,
      description: 'Baocun news at once: emails and texts of a new problem, rejection, dispatch or emergency',
      timeout: NEWS_TIMEOUT,
      environment: {
        TABLE_NAME: props.data.table.tableName,
        LOG_LEVEL: props.logLevel ?? 'info',
        ...props.delivery.environment(),
        ...props.sms,
      },
    });
    props.data.grant(this.fn.role, 'readwrite');
    props.delivery.grantSend(this.fn.role);
  }

  /** A function that records news starts its delivery: this function's name, and invoking exactly it. */
  bindAnnouncer(fn: ApiFunction): void {
    fn.fn.addEnvironment('NEWS_FUNCTION_NAME', this.fn.fn.functionName);
    // The unqualified ARN only: invoked by name, never a version or alias.
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.fn.fn.functionArn],
      }),
    );
  }
}

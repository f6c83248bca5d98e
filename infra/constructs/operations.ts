import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES, METRICS_NAMESPACE, metricDimensions } from '../../functions/core/metric-names.ts';
import type { ApiFunction } from './api-function.ts';

/**
 * Operations on AWS: where failures go and who hears of them.
 *
 * - One SNS topic for every alarm (`-c alarmEmail=` subscribes an address), encrypted with a key of
 *   its own: CloudWatch can publish to an encrypted topic only when the key policy lets
 *   cloudwatch.amazonaws.com use the key, which the AWS managed `alias/aws/sns` key cannot allow.
 * - One SQS queue for the asynchronous invokes that failed for good (the `onFailure` destination of
 *   the jobs function and the worker): the event and its error wait there 14 days to be read or sent
 *   again, and its depth raises an alarm.
 * - Alarms (each to the topic, on ALARM and on OK), thresholds below; periods of 5 minutes.
 * - One dashboard with every alarm and the metrics behind them.
 */

/** How an asynchronously invoked function is retried, and for how long an event may wait. */
export interface AsyncInvokePolicy {
  retryAttempts: number;
  maxEventAge: Duration;
}

/**
 * The scheduled-jobs function (invoked asynchronously by EventBridge Scheduler, by POST /jobs/{name}
 * and by the jobs page). Lambda's own two retries: Scheduler's retry policy covers only delivering
 * the event (throttling, permissions), while a run that throws (a scheduled run with failed items)
 * is retried by Lambda. A retry is safe: the run is keyed by its scheduled time or run key, and its
 * ledgers make a retry do only what is missing. An event waits at most 2 hours, like Scheduler's.
 */
export const JOBS_ASYNC_INVOKE: AsyncInvokePolicy = { retryAttempts: 2, maxEventAge: Duration.hours(2) };

/**
 * The worker (one import or export per event, from the pages). No Lambda retry: a retry of a run that
 * crashed finds its task claimed under the lease and returns, so it would only delay the failure
 * notice; the page offers "retry" once the lease runs out. An event throttled by the worker's reserved
 * concurrency is not a failed attempt: Lambda keeps re-queueing it for up to an hour.
 */
export const WORKER_ASYNC_INVOKE: AsyncInvokePolicy = { retryAttempts: 0, maxEventAge: Duration.hours(1) };

/**
 * The news function (one piece of news per event, from the writes that make news: docs/news.md).
 * Lambda's two retries are safe (each email and text is claimed in the delivery ledger before it
 * leaves) and quick; what still fails stays pending for the daily sweep.
 */
export const NEWS_ASYNC_INVOKE: AsyncInvokePolicy = { retryAttempts: 2, maxEventAge: Duration.hours(6) };

/** API 5xx rate (percent of requests) that raises the alarm, in 2 of 3 five-minute periods. */
export const API_5XX_RATE_PERCENT = 5;

export const ALARM_PERIOD = Duration.minutes(5);

export interface OperationsProps {
  stage: string;
  /** Base of the explicit names (`baocun`, `baocun-<stage>`): the alarm and dashboard names. */
  namePrefix: string;
  /** An address to subscribe to the alarms topic (`-c alarmEmail=`), confirmed from the email SNS sends. */
  alarmEmail?: string;
}

export interface Watched {
  api: HttpApi;
  /** Every function of the stack: their throttles. */
  functions: ApiFunction[];
  /** The scheduled-jobs function: its errors. */
  jobs: ApiFunction;
  /** The background worker: its errors. */
  worker: ApiFunction;
  /** EventBridge Scheduler's dead-letter queue: events it could not deliver. */
  scheduleDeadLetters: IQueue;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class Operations extends Construct {
  readonly topic: Topic;
  readonly topicKey: Key;
  /** Failed asynchronous invokes (the jobs function's and the worker's `onFailure` destination). */
  readonly asyncFailures: Queue;
  readonly alarms = new Map<string, Alarm>();
  dashboard?: Dashboard;
  private readonly props: OperationsProps;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.props = props;
    if (props.alarmEmail !== undefined && !EMAIL.test(props.alarmEmail)) {
      throw new Error(`alarmEmail "${props.alarmEmail}" is not an email address`);
    }

    this.topicKey = new Key(this, 'AlarmsKey', {
      description: `Baocun ${props.stage}: encrypts the alarms topic`,
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarm notifications as the service itself, so the key policy names it,
    // limited to this account's alarms.
    this.topicKey.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    this.topic = new Topic(this, 'Alarms', {
      displayName: `包村 Baocun ${props.stage} 告警`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.asyncFailures = new Queue(this, 'AsyncFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.asyncFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself where failed asynchronous invokes end (the onFailure destination of the jobs ' +
        'function and the worker); a dead-letter queue of it would hide failures one level deeper. Its depth ' +
        'raises an alarm.',
    });
  }

  /** The `onFailure` destination and retry policy of a function invoked asynchronously. */
  configureAsyncInvoke(fn: ApiFunction, policy: AsyncInvokePolicy): void {
    fn.fn.configureAsyncInvoke({
      onFailure: new SqsDestination(this.asyncFailures),
      retryAttempts: policy.retryAttempts,
      maxEventAge: policy.maxEventAge,
    });
  }

  /** A custom metric of this stage (functions/core/metric-names.ts). */
  customMetric(name: string, statistic = 'Sum'): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: metricDimensions(this.props.stage),
      statistic,
      period: ALARM_PERIOD,
    });
  }

  /** The alarms and the dashboard. */
  watch(watched: Watched): void {
    const { namePrefix } = this.props;
    const count = { statistic: 'Sum', period: ALARM_PERIOD };
    const atLeastOnce = (id: string, metric: IMetric, description: string) =>
      this.alarm(id, {
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        description,
      });
    const queueDepth = (queue: IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ALARM_PERIOD });

    this.alarm('ScheduleDeadLetters', {
      metric: queueDepth(watched.scheduleDeadLetters),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description:
        '定时任务未能送达（EventBridge Scheduler 死信队列中有消息）。查看消息中的错误，修复后可手动运行该任务。',
    });
    this.alarm('AsyncFailures', {
      metric: queueDepth(this.asyncFailures),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description: '后台调用（定时任务函数或导入导出 worker）重试后仍失败，事件和错误保存在失败队列中。',
    });
    atLeastOnce(
      'JobsErrors',
      watched.jobs.fn.metricErrors(count),
      '定时任务函数出错（运行失败、超时或崩溃）。查看该函数的日志。',
    );
    atLeastOnce(
      'WorkerErrors',
      watched.worker.fn.metricErrors(count),
      '后台 worker（名册导入、名单导出）出错。查看该函数的日志。',
    );

    const requests = watched.api.metricCount(count);
    const serverErrors = watched.api.metricServerError(count);
    const rate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period: ALARM_PERIOD,
      label: 'API 5xx (%)',
    });
    this.alarm('ApiServerErrorRate', {
      metric: rate,
      threshold: API_5XX_RATE_PERCENT,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `API 的 5xx 响应超过请求的 ${API_5XX_RATE_PERCENT}%（15 分钟内有 10 分钟如此）。`,
    });

    for (const fn of watched.functions) {
      atLeastOnce(
        `${fn.node.id}Throttles`,
        fn.fn.metricThrottles(count),
        `Lambda 函数 ${fn.node.path} 被限流（并发用尽）。`,
      );
    }

    atLeastOnce(
      'JobRunsFailed',
      this.customMetric(METRIC_NAMES.jobRunsFailed),
      '有定时任务运行记为失败（含租约到期被接管的运行）。在“定时任务”页面查看错误并重新运行。',
    );
    atLeastOnce(
      'EmailsFailed',
      this.customMetric(METRIC_NAMES.emailsFailed),
      '有邮件发送失败（SES 拒绝或无法生成）。检查 SES 身份与发送配额。',
    );
    atLeastOnce(
      'SmsFailed',
      this.customMetric(METRIC_NAMES.smsFailed),
      '有短信发送失败（短信网关拒绝或无应答）。检查短信网关配置；每日巡检会重发。',
    );
    atLeastOnce(
      'PdfRenderFailures',
      this.customMetric(METRIC_NAMES.pdfRenderFailures),
      '有公文未能生成 PDF（仅保留 HTML）。查看定时任务函数的日志。',
    );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${namePrefix}-operations`,
      defaultInterval: Duration.days(1),
    });
    const wide = { width: 12, height: 6 };
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# 包村 Baocun ${this.props.stage}\nAlarms go to the SNS topic of this stack (docs/deploy.md).`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms.values()], width: 24, height: 6 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API requests and 5xx', left: [requests, serverErrors], ...wide }),
      new GraphWidget({
        title: 'API 5xx rate (%)',
        left: [rate],
        leftAnnotations: [{ value: API_5XX_RATE_PERCENT, label: 'alarm' }],
        ...wide,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Errors: jobs and worker',
        left: [watched.jobs, watched.worker].map((f) => f.fn.metricErrors({ ...count, label: f.node.id })),
        ...wide,
      }),
      new GraphWidget({
        title: 'Throttles (every function)',
        left: watched.functions.map((f) => f.fn.metricThrottles({ ...count, label: f.node.id })),
        ...wide,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Queues: schedule dead letters, failed async invokes',
        left: [queueDepth(watched.scheduleDeadLetters), queueDepth(this.asyncFailures)],
        ...wide,
      }),
      new GraphWidget({
        title: 'Submissions',
        left: [this.customMetric(METRIC_NAMES.submissions)],
        ...wide,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Job runs',
        left: [
          this.customMetric(METRIC_NAMES.jobRunsSucceeded),
          this.customMetric(METRIC_NAMES.jobRunsFailed),
        ],
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: 'Emails',
        left: [this.customMetric(METRIC_NAMES.emailsSent), this.customMetric(METRIC_NAMES.emailsFailed)],
        // Text messages (functions/adapters/sms): zero unless a gateway is configured.
        right: [this.customMetric(METRIC_NAMES.smsSent), this.customMetric(METRIC_NAMES.smsFailed)],
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: 'PDF: render time (ms) and failures',
        left: [
          this.customMetric(METRIC_NAMES.pdfRenderTime, 'Average'),
          this.customMetric(METRIC_NAMES.pdfRenderTime, 'p95'),
        ],
        right: [this.customMetric(METRIC_NAMES.pdfRenderFailures)],
        width: 8,
        height: 6,
      }),
    );
  }

  private alarm(
    id: string,
    options: {
      metric: IMetric;
      threshold: number;
      comparisonOperator: ComparisonOperator;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      description: string;
    },
  ): Alarm {
    const alarm = new Alarm(this, `${id}Alarm`, {
      alarmName: `${this.props.namePrefix}-${kebab(id)}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator,
      evaluationPeriods: options.evaluationPeriods,
      ...(options.datapointsToAlarm ? { datapointsToAlarm: options.datapointsToAlarm } : {}),
      // No data is no failure: a quiet queue, an idle function or a metric nobody published.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.set(id, alarm);
    return alarm;
  }
}

function kebab(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

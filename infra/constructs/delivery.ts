import { Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Effect, type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { TASK_TTL_DAYS } from '../../functions/adapters/dynamo/background.ts';
import { cronExpression } from '../../functions/core/schedule.ts';
import { JOB_NAMES, JOBS, type JobName } from '../../functions/jobs/registry.ts';
import { pascal } from '../logical-ids.ts';
import { ApiFunction } from './api-function.ts';
import { DocumentLayer } from './document-layer.ts';
import type { DataTable } from './table.ts';

/**
 * Delivery and scheduling on AWS:
 * - the documents bucket (rendered bulletins and notices): private, encrypted, SSL only, versioned
 *   (a re-render never loses the file an official already downloaded), retained with the stack;
 *   its server access logs go to a bucket of their own;
 * - the scheduled-jobs function (functions/api/scheduled.ts), which also prints the documents: x86-64
 *   with the document layer (Chromium, playwright-core, fonts; document-layer.ts), 1536 MB, up to
 *   15 minutes;
 * - one EventBridge Scheduler schedule per job, at the registry's times in Asia/Shanghai, with a
 *   retry policy and an SQS dead-letter queue for events that still fail;
 * - grants that name exactly what each caller does: objects of the bucket only, SES sending only
 *   from the configured identity and address.
 */
export interface DeliveryProps {
  data: DataTable;
  projectRoot: string;
  /** The From address, e.g. `noreply@baocun.example.cn`; its domain is the SES identity. */
  mailFrom: string;
  /** Base URL of the API, for links in emails. */
  publicBaseUrl: string;
}

/**
 * Sized from measurement (test/e2e/pdf-lambda.test.ts, the Lambda binary on 2 cores): printing peaks
 * at ~190 MB in Node plus ~310 MB in Chromium; 1536 MB leaves room for a county-sized bulletin and
 * buys CPU (Lambda's CPU grows with memory: ~0.9 vCPU here), which is what a render waits on.
 */
export const SCHEDULED_FUNCTION_MEMORY_MB = 1536;
export const SCHEDULED_FUNCTION_TIMEOUT = Duration.minutes(15);
export const SCHEDULE_RETRY_ATTEMPTS = 3;
export const SCHEDULE_MAX_EVENT_AGE = Duration.hours(2);

export class Delivery extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  readonly deadLetterQueue: Queue;
  readonly jobs: ApiFunction;
  readonly schedules = new Map<JobName, Schedule>();
  /** The role EventBridge Scheduler assumes to invoke the function and to fill the DLQ. */
  readonly schedulerRole: Role;
  readonly sesIdentityArn: string;
  private readonly props: DeliveryProps;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the documents bucket’s server access logs; logging it into itself (or a third ' +
        'bucket) would only log the logging. It is private, encrypted and SSL-only.',
    });

    this.bucket = new Bucket(this, 'Documents', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      // Old versions of re-rendered files stay a year, then go; current files stay. Uploads waiting
      // for an import and finished exports go with their task records (90 days, the tasks' TTL).
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(365) },
        ...['imports/', 'exports/'].map((prefix) => ({
          prefix,
          expiration: Duration.days(TASK_TTL_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        })),
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new Queue(this, 'ScheduleDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the EventBridge Scheduler schedules (set on their ' +
        'targets, which cdk-nag does not see); a DLQ of a DLQ would hide failures one level deeper.',
    });

    const domain = props.mailFrom.split('@')[1] ?? props.mailFrom;
    this.sesIdentityArn = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain });

    this.jobs = new ApiFunction(this, 'ScheduledJobs', {
      entry: `${props.projectRoot}/functions/api/scheduled.ts`,
      projectRoot: props.projectRoot,
      description: `Baocun scheduled jobs: ${JOB_NAMES.join(', ')}`,
      timeout: SCHEDULED_FUNCTION_TIMEOUT,
      memorySize: SCHEDULED_FUNCTION_MEMORY_MB,
      architecture: Architecture.X86_64,
      layers: [new DocumentLayer(this, 'DocumentLayer').layer],
      environment: { TABLE_NAME: props.data.table.tableName, LOG_LEVEL: 'info' },
    });
    props.data.grant(this.jobs.role, 'readwrite');
    this.bindJobRunner(this.jobs);

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: invoke the scheduled-jobs function, send failed events to the DLQ',
    });
    const functionId = stack.getLogicalId(this.jobs.fn.node.defaultChild as CfnFunction);
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the function’s ARN and its qualified ARNs (`:*`, versions and aliases) as ' +
        'granted by grantInvoke; the wildcard covers qualifiers of this one function only.',
    });

    for (const name of JOB_NAMES) {
      const job = JOBS[name];
      const schedule = new Schedule(this, `${pascal(name)}Schedule`, {
        description: job.description,
        schedule: ScheduleExpression.expression(cronExpression(job.schedule), TimeZone.ASIA_SHANGHAI),
        timeWindow: TimeWindow.off(),
        target: new LambdaInvoke(this.jobs.fn, {
          // The scheduled time keys the run, so a repeated delivery does not run the job twice.
          input: ScheduleTargetInput.fromObject({ job: name, scheduledTime: ContextAttribute.scheduledTime }),
          retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
          maxEventAge: SCHEDULE_MAX_EVENT_AGE,
          deadLetterQueue: this.deadLetterQueue,
          role: this.schedulerRole,
        }),
      });
      this.schedules.set(name, schedule);
    }
  }

  /** What running the jobs needs besides the table (granted per route group): the documents and SES. */
  bindJobRunner(fn: ApiFunction): void {
    this.grantDocuments(fn.role, 'readwrite');
    this.grantSend(fn.role);
    for (const [key, value] of Object.entries(this.environment())) fn.fn.addEnvironment(key, value);
  }

  /**
   * Starting runs without running them (the API's jobs group, POST /jobs/{name}): an asynchronous
   * invoke of exactly the scheduled-jobs function, by its unqualified ARN (it is invoked by name,
   * never a version or alias, so no `:*`); no documents, no SES.
   */
  bindJobStarter(fn: ApiFunction): void {
    fn.fn.addEnvironment('JOBS_FUNCTION_NAME', this.jobs.fn.functionName);
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.jobs.fn.functionArn],
      }),
    );
  }

  /** Writing rendered files too (a talk's notice and record are rendered in the request). */
  bindDocumentWriter(fn: ApiFunction): void {
    this.grantDocuments(fn.role, 'readwrite');
    fn.fn.addEnvironment('DOCUMENTS_BUCKET', this.bucket.bucketName);
  }

  /**
   * Printing them apart: the request stores the HTML and hands the document to the scheduled-jobs
   * function (the one with Chromium) by an asynchronous invoke (`documents`), which prints the PDF
   * and sends the news. Its unqualified ARN only, as for starting runs.
   */
  bindDocumentPrinter(fn: ApiFunction): void {
    fn.fn.addEnvironment('DOCUMENTS_FUNCTION_NAME', this.jobs.fn.functionName);
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.jobs.fn.functionArn],
      }),
    );
  }

  /** Reading rendered files (the download route presigns GETs with this role). */
  bindDocumentReader(fn: ApiFunction): void {
    this.grantDocuments(fn.role, 'read');
    fn.fn.addEnvironment('DOCUMENTS_BUCKET', this.bucket.bucketName);
  }

  environment(): Record<string, string> {
    return {
      DOCUMENTS_BUCKET: this.bucket.bucketName,
      MAIL_TRANSPORT: 'ses',
      MAIL_FROM: `包村办公室 <${this.props.mailFrom}>`,
      PUBLIC_BASE_URL: this.props.publicBaseUrl,
    };
  }

  /** Exactly GetObject (and PutObject to write) on the bucket's objects, and listing to tell missing from denied: no deleting. */
  grantDocuments(grantee: IGrantable, access: 'read' | 'readwrite'): void {
    const statement = new PolicyStatement({
      effect: Effect.ALLOW,
      actions: access === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'],
      resources: [this.bucket.arnForObjects('*')],
    });
    grantee.grantPrincipal.addToPrincipalPolicy(statement);
    // The job runner asks whether a week's files exist before re-rendering them.
    if (access === 'readwrite') this.grantLookup(grantee);
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason:
        'Object-level actions (GetObject, PutObject) on the objects of the documents bucket: object keys are ' +
        'made per week and document at run time, so the resource is the bucket’s objects, nothing wider.',
    });
  }

  /**
   * One object action on the keys under one prefix of the bucket (`imports/`, `exports/`): the web
   * function stores uploads there, the worker reads them and writes its results beside them.
   */
  grantPrefix(grantee: IGrantable, access: 'read' | 'write', prefix: string): void {
    if (!/^[a-z0-9-]+\/$/.test(prefix))
      throw new Error(`grantPrefix: "${prefix}" is not a folder like "imports/"`);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [access === 'read' ? 's3:GetObject' : 's3:PutObject'],
        resources: [this.bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    // The worker reads an upload that may have expired (lifecycle rule): it must learn "gone", not 403.
    if (access === 'read') this.grantLookup(grantee);
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
      reason:
        `${access === 'read' ? 'GetObject' : 'PutObject'} on the objects under ${prefix} of the documents bucket only: ` +
        'each upload or task result gets a key made at run time (task id, file name), so the resource is that ' +
        'folder, nothing wider.',
    });
  }

  /**
   * s3:ListBucket on the bucket itself, for roles that read files which may be missing: without it S3
   * answers a missing key with 403 AccessDenied instead of 404 NoSuchKey (S3 GetObject/HeadObject
   * API reference, "Permissions"), and the document store surfaces every 403 as an error. Listing
   * shows key names (weeks, ids), never contents.
   */
  grantLookup(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
  }

  /** Sending from the configured identity and From address only. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [this.sesIdentityArn],
        conditions: { StringEquals: { 'ses:FromAddress': this.props.mailFrom } },
      }),
    );
  }
}

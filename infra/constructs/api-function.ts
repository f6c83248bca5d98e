import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  type ILayerVersion,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/core/metric-names.ts';
import { lambdaEsbuildOptions } from '../bundling.ts';
import { resolveStage, STAGE_CONTEXT } from '../stage.ts';

/**
 * Every Lambda of the API is built the same way; the defaults live here so no function drifts.
 *
 * - Node.js 24 on ARM (Graviton): Lambda's newest Node runtime (cdk-nag AwsSolutions-L1) and the
 *   cheaper architecture; nothing here is native code.
 * - Timeout 28 s: just under API Gateway's 29 s integration limit, so a slow request ends in our
 *   own logged timeout rather than an anonymous 503 from the gateway.
 * - Bundled locally with esbuild (never Docker) using the same options as the benchmark
 *   (infra/bundling.ts), with the AWS SDK inside the bundle so the deployed SDK is the one the tests
 *   ran against. esbuild is called directly rather than through NodejsFunction: NodejsFunction
 *   bundles to a single file and cannot split code, and splitting is what keeps code a request does
 *   not need (exceljs, the S3 client, document templates) out of the cold start.
 * - Its own log group with a retention, and its own role that may write only to that log group
 *   (no AWS managed policy). Table permissions are granted by the stack, per route group.
 * - Active X-Ray tracing, and the stage and Powertools settings in the environment, so every
 *   function's traces, logs and metrics carry the same service and stage (functions/core/metric-names.ts).
 */
export interface ApiFunctionProps {
  /** Absolute path of the entry file. */
  entry: string;
  /** Repository root: esbuild's working directory (paths in the source maps are relative to it). */
  projectRoot: string;
  environment: Record<string, string>;
  description?: string;
  /** Overrides for functions not behind API Gateway (the scheduled jobs); API functions keep the defaults. */
  timeout?: Duration;
  memorySize?: number;
  /** The document-rendering function runs on x86-64: @sparticuz/chromium ships no ARM binary on npm. */
  architecture?: Architecture;
  layers?: ILayerVersion[];
  /** Caps concurrent runs (the worker): see web.ts for the size. Unset: the account's shared pool. */
  reservedConcurrentExecutions?: number;
}

/**
 * Context flag: bundle a one-line stub instead of each entry (see stub-handler.ts). The template is
 * the same but for the asset hashes; test/infra bundles one real function to cover the rest.
 */
export const STUB_BUNDLING_CONTEXT = 'baocun:stubBundling';
const STUB_ENTRY = fileURLToPath(new URL('./stub-handler.ts', import.meta.url));

export const API_FUNCTION_DEFAULTS = {
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(28),
  logRetention: RetentionDays.ONE_YEAR,
} as const;

/**
 * The asset of one function: esbuild's output folder, hashed by its content (AssetHashType.OUTPUT),
 * so an unchanged bundle is not uploaded again. The Docker image is never pulled: local bundling
 * always succeeds or throws.
 *
 * CDK keeps one bundling result per source folder and bundling options within a synth, and a `local`
 * bundler is a function, which its key cannot see: the entry is named in `command` so that each
 * function gets its own bundle (without it every function of functions/api/ got the first one's).
 */
function bundledCode(entry: string, projectRoot: string): Code {
  return Code.fromAsset(dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('local-bundling-only'),
      command: ['esbuild', relative(projectRoot, entry)],
      local: {
        tryBundle(outputDir: string) {
          buildSync({
            ...lambdaEsbuildOptions(entry, outputDir, { sourcemap: true }),
            absWorkingDir: projectRoot,
          });
          return true;
        },
      },
    },
  });
}

export class ApiFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: API_FUNCTION_DEFAULTS.logRetention });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}: its own log group plus the table access its routes need`,
    });
    this.logGroup.grantWrite(this.role);

    const stub = [true, 'true'].includes(this.node.tryGetContext(STUB_BUNDLING_CONTEXT));
    this.fn = new LambdaFunction(this, 'Function', {
      code: bundledCode(stub ? STUB_ENTRY : props.entry, props.projectRoot),
      handler: 'index.handler',
      runtime: API_FUNCTION_DEFAULTS.runtime,
      architecture: props.architecture ?? API_FUNCTION_DEFAULTS.architecture,
      ...(props.layers ? { layers: props.layers } : {}),
      memorySize: props.memorySize ?? API_FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? API_FUNCTION_DEFAULTS.timeout,
      logGroup: this.logGroup,
      role: this.role,
      tracing: Tracing.ACTIVE,
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.description ? { description: props.description } : {}),
      environment: {
        ...props.environment,
        // Stack traces in the logs point at the TypeScript sources, not the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        // The dimensions the alarms look for on the custom metrics (Powertools reads these two).
        STAGE: resolveStage(this.node.tryGetContext(STAGE_CONTEXT)),
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which X-Ray authorizes on ' +
        'no resource narrower than "*" (they name no trace or group); no other action of this role has "*".',
    });
  }
}

import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaEsbuildOptions } from '../bundling.ts';

/**
 * Every Lambda of the API is built the same way; the defaults live here so no function drifts.
 *
 * - Node.js 24 on ARM (Graviton): Lambda's newest Node runtime (cdk-nag AwsSolutions-L1) and the
 *   cheaper architecture; nothing here is native code.
 * - Timeout 28 s: just under API Gateway's 29 s integration limit, so a slow request ends in our
 *   own logged timeout rather than an anonymous 503 from the gateway.
 * - Bundled locally with esbuild (never Docker) using the same options as the benchmark, with the
 *   AWS SDK inside the bundle so the deployed SDK is the one the tests ran against.
 * - Its own log group with a retention, and its own role that may write only to that log group
 *   (no AWS managed policy). Table permissions are granted by the stack, per route group.
 */
export interface ApiFunctionProps {
  /** Absolute path of the entry file. */
  entry: string;
  /** Repository root: esbuild's working directory and where package-lock.json lives. */
  projectRoot: string;
  environment: Record<string, string>;
  description?: string;
  /** Overrides for functions not behind API Gateway (the scheduled jobs); API functions keep the defaults. */
  timeout?: Duration;
  memorySize?: number;
}

export const API_FUNCTION_DEFAULTS = {
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(28),
  logRetention: RetentionDays.ONE_YEAR,
} as const;

/** The benchmark's esbuild options are the source of truth; CDK's option names differ. */
const shared = lambdaEsbuildOptions('entry.ts', 'out.mjs');

export class ApiFunction extends Construct {
  readonly fn: NodejsFunction;
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

    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: API_FUNCTION_DEFAULTS.runtime,
      architecture: API_FUNCTION_DEFAULTS.architecture,
      memorySize: props.memorySize ?? API_FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? API_FUNCTION_DEFAULTS.timeout,
      logGroup: this.logGroup,
      role: this.role,
      ...(props.description ? { description: props.description } : {}),
      environment: {
        ...props.environment,
        // Stack traces in the logs point at the TypeScript sources, not the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: shared.target,
        minify: shared.minify,
        mainFields: shared.mainFields,
        banner: shared.banner.js,
        sourceMap: true,
        // Maps only need line mappings; embedding every source would double the asset size.
        sourcesContent: false,
        bundleAwsSDK: true,
        externalModules: [],
        logLevel: LogLevel.ERROR,
        esbuildArgs: { '--legal-comments': shared.legalComments },
      },
    });
  }
}

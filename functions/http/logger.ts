import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { METRICS_SERVICE } from '../core/metric-names.ts';

/**
 * Structured JSON logs, one line per event, through Powertools for AWS Lambda's Logger: `level`,
 * `message`, `timestamp`, `service`, and with an invocation's context `function_request_id`,
 * `function_name`, `cold_start` (plus `xray_trace_id` under active tracing), then our own keys
 * (`requestId`, `routeKey`, `job`…). The same lines locally: the local gateway and invoker hand the
 * handlers a context of the same shape. Personal data never reaches a log: keys that can hold it are
 * replaced before writing.
 *
 * Call sites keep a small interface of their own (below) and get one logger per request or run,
 * not a shared one with keys appended: locally one process serves many requests at once, and keys
 * appended to a shared logger would leak between them.
 */
const REDACTED_KEYS = /^(phone|email|mobile|tel|authorization|token|password|idempotency-key)$/i;
type Level = 'debug' | 'info' | 'warn' | 'error';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = REDACTED_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** The part of a Lambda context the log lines carry; local callers pass only some of it. */
export interface LogContext {
  awsRequestId?: string | undefined;
  functionName?: string | undefined;
  functionVersion?: string | undefined;
  invokedFunctionArn?: string | undefined;
  memoryLimitInMB?: string | undefined;
}

/** The first invocation each function saw in this process: only that one is a cold start. */
const firstInvocation = new Map<string, string>();

function isColdStart(context: LogContext): boolean {
  // Pre-initialised environments (provisioned concurrency, SnapStart) never make a caller wait.
  const init = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  if (init && init !== 'on-demand') return false;
  const fn = context.functionName ?? '';
  const id = context.awsRequestId ?? '';
  if (!firstInvocation.has(fn)) firstInvocation.set(fn, id);
  return firstInvocation.get(fn) === id;
}

/**
 * Powertools decides `cold_start` per Logger instance (its first addContext), and on Lambda only;
 * with a logger per request every request would say cold. Here it is the first invocation id each
 * function name sees in the process, the same on Lambda and locally (where one process hosts every
 * function). An in-process API call carries its page's request id, so it reads as warm.
 */
class RequestLogger extends PowertoolsLogger {
  #coldStart = false;

  override addContext(context: Parameters<PowertoolsLogger['addContext']>[0]): void {
    this.#coldStart = isColdStart(context as LogContext);
    super.addContext(context);
  }

  protected override getColdStart(): boolean {
    return this.#coldStart;
  }

  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new RequestLogger(options);
  }
}

let root: RequestLogger | undefined;

/** Built on first use, after the local runtime has set the environment (service name, level). */
function rootLogger(): RequestLogger {
  root ??= new RequestLogger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || METRICS_SERVICE });
  return root;
}

/**
 * A logger for one request or run: `base` on every line, and the invocation's context when given
 * (nested in-process calls pass only a request id: the function's name then comes from Lambda's
 * environment). `LOG_SILENT=1` (tests, benchmarks) is read at each line, so a test may lift it.
 */
export function createLogger(
  base: Record<string, unknown>,
  minLevel: Level = 'info',
  context?: LogContext,
): Logger {
  const logger = rootLogger().createChild({
    logLevel: minLevel,
    persistentKeys: redact(base) as Record<string, unknown>,
  });
  if (context?.awsRequestId) {
    const env = process.env;
    // What is unknown stays undefined and so out of the line (locally: no ARN, no memory size).
    logger.addContext({
      awsRequestId: context.awsRequestId,
      functionName: context.functionName ?? env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: context.functionVersion ?? env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB ?? env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    } as Parameters<PowertoolsLogger['addContext']>[0]);
  }
  const write = (level: Level, message: string, data?: Record<string, unknown>) => {
    if (process.env.LOG_SILENT === '1') return;
    if (data) logger[level](message, redact(data) as Record<string, unknown>);
    else logger[level](message);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}

/** An error as a log field: everything a person debugging needs, for the log only, never a response. */
export function errorDetails(error: unknown): Record<string, unknown> | string {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : String(error);
}

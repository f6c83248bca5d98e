import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { AsyncInvoker, InvokePayloads, InvokeTarget } from './port.ts';

/**
 * The AWS side of the invoke port: one asynchronous Lambda invoke (InvocationType `Event`: Lambda
 * queues the event and answers 202; the target runs it, retrying on its own if it fails). The
 * function names come from the environment the stack sets on the calling function, read at call
 * time so a function that never invokes (the worker) needs neither variable.
 *
 * `@aws-sdk/client-lambda` is left out of the bundles (infra/bundling.ts) and imported on first use
 * from the Lambda Node.js runtime's own AWS SDK: several API functions can start news or a task, but
 * only a request that does pays for the client (91 KB minified, parsed at every cold start if bundled).
 * Dynamic imports only: esbuild hoists a static import of an external package to the top of the
 * bundle, which would load it at start-up.
 */
export const FUNCTION_NAME_ENV: Record<InvokeTarget, string> = {
  worker: 'WORKER_FUNCTION_NAME',
  jobs: 'JOBS_FUNCTION_NAME',
  news: 'NEWS_FUNCTION_NAME',
  // The scheduled-jobs function: the only one with Chromium (its document layer).
  documents: 'DOCUMENTS_FUNCTION_NAME',
};

/** Lambda's limit for an asynchronous invoke's payload. */
export const MAX_EVENT_BYTES = 256 * 1024;

export class InvokeError extends Error {
  override readonly name = 'InvokeError';
}

export class LambdaInvoker implements AsyncInvoker {
  constructor(
    private readonly client: LambdaClient,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  async invokeAsync<T extends InvokeTarget>(target: T, payload: InvokePayloads[T]): Promise<void> {
    const variable = FUNCTION_NAME_ENV[target];
    const functionName = this.env[variable];
    if (!functionName) throw new InvokeError(`${variable} is not set: cannot start the ${target} function`);
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    if (body.length > MAX_EVENT_BYTES) throw new InvokeError(`payload for ${target} is over 256 KB`);
    const { InvokeCommand } = await import('@aws-sdk/client-lambda');
    const out = await this.client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: body }),
    );
    if (out.StatusCode !== 202) {
      throw new InvokeError(`asynchronous invoke of ${functionName} answered ${String(out.StatusCode)}`);
    }
  }
}

let shared: LambdaInvoker | undefined;

/** One client per process (module scope in Lambda, reused across invocations). */
export async function lambdaInvoker(): Promise<LambdaInvoker> {
  if (shared) return shared;
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  shared ??= new LambdaInvoker(
    new LambdaClient({ region: process.env.AWS_REGION ?? 'cn-northwest-1', maxAttempts: 3 }),
  );
  return shared;
}

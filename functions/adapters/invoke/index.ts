/**
 * The asynchronous invoke port: start work in another function and return at once, for anything that
 * cannot finish inside one API request (API Gateway cuts a request at 29 s). Three targets:
 * - `worker`: functions/api/worker.ts runs one background task (roster import, list export);
 * - `jobs`: functions/api/scheduled.ts runs a scheduled job now (POST /jobs/{name}, also from the
 *   jobs page), under the run key it queued;
 * - `news`: functions/api/news.ts sends the emails and text messages of one piece of news (a new
 *   problem, a rejection, a dispatch, an emergency report) right after the request that made it;
 * - `documents`: functions/api/scheduled.ts prints one rendered document as PDF (a talk notice or
 *   record written by a request, in a function without Chromium), then sends its news if it has any.
 * On AWS the Lambda adapter (lambda.ts) invokes the function named by WORKER_FUNCTION_NAME /
 * JOBS_FUNCTION_NAME / NEWS_FUNCTION_NAME /
 * DOCUMENTS_FUNCTION_NAME with InvocationType Event; the local runtime installs the
 * in-process adapter (local.ts) instead. Callers never know which side they are on.
 */
import type { AsyncInvoker, InvokePayloads, InvokeTarget } from './port.ts';

export type {
  AsyncInvoker,
  DocumentsPayload,
  InvokePayloads,
  InvokeTarget,
  JobsPayload,
  NewsPayload,
  WorkerPayload,
} from './port.ts';

let installed: AsyncInvoker | undefined;

/** The local runtime (and tests) put their own invoker here; returns the one it replaces. */
export function installInvoker(invoker: AsyncInvoker): AsyncInvoker | undefined {
  const previous = installed;
  installed = invoker;
  return previous;
}

/** Back to Lambda, unless another invoker has been installed since (a later local stack). */
export function uninstallInvoker(invoker: AsyncInvoker): void {
  if (installed === invoker) installed = undefined;
}

export async function invokeAsync<T extends InvokeTarget>(
  target: T,
  payload: InvokePayloads[T],
): Promise<void> {
  if (installed) return installed.invokeAsync(target, payload);
  // Loaded on first use: a process with an installed invoker never loads the Lambda client.
  const { lambdaInvoker } = await import('./lambda.ts');
  return (await lambdaInvoker()).invokeAsync(target, payload);
}

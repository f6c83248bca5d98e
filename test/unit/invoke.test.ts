import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installInvoker, invokeAsync, uninstallInvoker } from '../../functions/adapters/invoke/index.ts';
import { LambdaInvoker } from '../../functions/adapters/invoke/lambda.ts';
import { createLocalInvoker, LAMBDA_MAX_TIMEOUT_MS } from '../../functions/adapters/invoke/local.ts';

/**
 * The asynchronous invoke port. The Lambda side is checked against the request the SDK really
 * sends (its own serializer and signer run; only the network is replaced by a request handler that
 * records the request and answers like Lambda does for an Event invoke: 202, empty body).
 */
interface Captured {
  method: string;
  hostname: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

function capturingClient(status = 202): { client: LambdaClient; requests: Captured[] } {
  const requests: Captured[] = [];
  const client = new LambdaClient({
    region: 'cn-northwest-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    requestHandler: {
      async handle(request: {
        method: string;
        hostname: string;
        path: string;
        headers: Record<string, string>;
        body?: unknown;
      }) {
        const body = request.body;
        requests.push({
          method: request.method,
          hostname: request.hostname,
          path: request.path,
          headers: request.headers,
          body: typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8'),
        });
        return {
          response: {
            statusCode: status,
            reason: '',
            headers: { 'x-amzn-requestid': 'r1' },
            body: new Uint8Array(),
          },
        };
      },
    } as never,
  });
  return { client, requests };
}

const env = { WORKER_FUNCTION_NAME: 'baocun-worker', JOBS_FUNCTION_NAME: 'baocun-jobs' };

describe('Lambda adapter', () => {
  it('sends an Event invoke of the worker named by WORKER_FUNCTION_NAME, with the payload as JSON', async () => {
    const { client, requests } = capturingClient();
    await new LambdaInvoker(client, env).invokeAsync('worker', { taskId: 'TASK1' });
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req!.method).toBe('POST');
    expect(req!.hostname).toBe('lambda.cn-northwest-1.amazonaws.com.cn');
    expect(req!.path).toBe('/2015-03-31/functions/baocun-worker/invocations');
    expect(req!.headers['x-amz-invocation-type']).toBe('Event');
    expect(req!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/cn-northwest-1\/lambda\/aws4_request/,
    );
    expect(JSON.parse(req!.body)).toEqual({ taskId: 'TASK1' });
  });

  it('invokes the scheduled-jobs function by JOBS_FUNCTION_NAME for a run POST /jobs/{name} queued', async () => {
    const { client, requests } = capturingClient();
    const payload = {
      job: 'daily-sweep',
      trigger: 'api' as const,
      requestedBy: 'hq-admin',
      runKey: 'k1',
    };
    await new LambdaInvoker(client, env).invokeAsync('jobs', payload);
    expect(requests[0]!.path).toBe('/2015-03-31/functions/baocun-jobs/invocations');
    expect(JSON.parse(requests[0]!.body)).toEqual(payload);
  });

  it('fails loudly when the function name is not configured, without calling Lambda', async () => {
    const { client, requests } = capturingClient();
    await expect(new LambdaInvoker(client, {}).invokeAsync('worker', { taskId: 'T' })).rejects.toThrow(
      'WORKER_FUNCTION_NAME is not set',
    );
    expect(requests).toHaveLength(0);
  });

  it('treats anything but 202 as not accepted', async () => {
    const { client } = capturingClient(200);
    await expect(new LambdaInvoker(client, env).invokeAsync('worker', { taskId: 'T' })).rejects.toThrow(
      'answered 200',
    );
  });
});

describe('local adapter', () => {
  afterEach(() => vi.useRealTimers());

  it('runs the handler after the current request (not before invokeAsync returns), with a copy of the payload', async () => {
    const seen: unknown[] = [];
    const local = createLocalInvoker({ worker: async (p) => void seen.push(p) });
    const payload = { taskId: 'T1' };
    await local.invokeAsync('worker', payload);
    expect(seen).toEqual([]);
    expect(local.pending()).toBe(1);
    await local.drain();
    expect(seen).toEqual([{ taskId: 'T1' }]);
    expect(seen[0]).not.toBe(payload);
    expect(local.pending()).toBe(0);
  });

  it('logs a failing handler (thrown or rejected) and keeps going', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const local = createLocalInvoker(
      {
        worker: async () => {
          throw new Error('boom');
        },
        jobs: () => {
          throw new TypeError('sync boom');
        },
      },
      (line) => lines.push(line),
    );
    await local.invokeAsync('worker', { taskId: 'T1' });
    await local.invokeAsync('jobs', {
      job: 'daily-sweep',
      trigger: 'api',
      requestedBy: 'a',
      runKey: 'k',
    });
    await local.drain();
    expect(lines.map((l) => [l.target, (l.error as { message: string }).message])).toEqual([
      ['worker', 'boom'],
      ['jobs', 'sync boom'],
    ]);
  });

  it('gives the handler a Lambda-like context counting down from its time limit (default 15 minutes)', async () => {
    const remaining: number[] = [];
    const names: string[] = [];
    const record = async (
      _p: unknown,
      context: { getRemainingTimeInMillis(): number; functionName: string },
    ) => {
      remaining.push(context.getRemainingTimeInMillis());
      names.push(context.functionName);
    };
    const lambdaLike = createLocalInvoker({ jobs: record });
    await lambdaLike.invokeAsync('jobs', {
      job: 'daily-sweep',
      trigger: 'api',
      requestedBy: 'a',
      runKey: 'k',
    });
    await lambdaLike.drain();
    const short = createLocalInvoker({ worker: record }, () => {}, { timeoutMs: 5_000 });
    await short.invokeAsync('worker', { taskId: 'T1' });
    await short.drain();
    expect(LAMBDA_MAX_TIMEOUT_MS).toBe(15 * 60_000);
    expect(remaining[0]).toBeGreaterThan(15 * 60_000 - 1_000);
    expect(remaining[0]).toBeLessThanOrEqual(15 * 60_000);
    expect(remaining[1]).toBeLessThanOrEqual(5_000);
    expect(names).toEqual(['baocun-jobs', 'baocun-worker']);
  });

  it('cuts an invocation at its time limit: logged, and no longer waited for', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const local = createLocalInvoker({ worker: () => new Promise(() => {}) }, (line) => lines.push(line), {
      timeoutMs: 30,
    });
    await local.invokeAsync('worker', { taskId: 'T1' });
    await local.drain();
    expect(local.pending()).toBe(0);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', msg: 'background invocation timed out', target: 'worker' }),
    ]);
  });

  it('runs at most `concurrency` invocations of a target at once; the others wait their turn', async () => {
    let now = 0;
    let most = 0;
    const done: string[] = [];
    const releases: Array<() => void> = [];
    const local = createLocalInvoker(
      {
        documents: (p) =>
          new Promise<void>((release) => {
            now++;
            most = Math.max(most, now);
            releases.push(() => {
              now--;
              done.push((p as { documentId: string }).documentId);
              release();
            });
          }),
        worker: async () => {},
      },
      () => {},
      { concurrency: { documents: 2 } },
    );
    for (const id of ['D1', 'D2', 'D3', 'D4', 'D5']) await local.invokeAsync('documents', { documentId: id });
    // Other targets are not held up by a busy one.
    await local.invokeAsync('worker', { taskId: 'T9' });
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    expect(local.pending()).toBe(5);
    while (done.length < 5) {
      await vi.waitFor(() => expect(releases.length).toBeGreaterThan(done.length));
      releases[done.length]!();
    }
    await local.drain();
    expect(most).toBe(2);
    expect(done).toEqual(['D1', 'D2', 'D3', 'D4', 'D5']);
  });

  it('is what invokeAsync uses while installed, and Lambda again after', async () => {
    const seen: unknown[] = [];
    const local = createLocalInvoker({ worker: async (p) => void seen.push(p) });
    installInvoker(local);
    try {
      await invokeAsync('worker', { taskId: 'T2' });
      await local.drain();
      expect(seen).toEqual([{ taskId: 'T2' }]);
    } finally {
      uninstallInvoker(local);
    }
    const saved = process.env.WORKER_FUNCTION_NAME;
    delete process.env.WORKER_FUNCTION_NAME;
    try {
      await expect(invokeAsync('worker', { taskId: 'T3' })).rejects.toThrow(
        'WORKER_FUNCTION_NAME is not set',
      );
    } finally {
      if (saved !== undefined) process.env.WORKER_FUNCTION_NAME = saved;
    }
  });
});

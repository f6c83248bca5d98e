import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/adapters/dynamo/client.ts';
import { dynamoClientConfig } from '../../functions/adapters/dynamo/endpoint.ts';
import { beijingDate } from '../../functions/core/time.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/runtime.ts';
import { type LoadResult, type Outcome, runLoad } from './load.ts';
import { type Call, type RequestTrace, type TimelineStep, timeline } from './timeline.ts';

/**
 * `POST /inspections` through the local stack (gateway + JWT check + the inspections Lambda handler +
 * in-process DynamoDB) beside one raw PutItem of a similar item to the same DynamoDB, at the same
 * concurrency. Everything runs in this one process, like `npm start`.
 */
export interface SubmissionPlan {
  c1: number;
  c32: number;
  warmup: number;
  budgetC1Ms: number;
  budgetC32Ms: number;
  /** An already-running DynamoDB (e.g. DynamoDB Local) instead of in-process dynalite. */
  dynamoEndpoint?: string;
}

export interface DynamoCallStats {
  requests: number;
  calls: Map<string, number>;
  msInDynamo: number;
  msTotal: number;
}

export interface SubmissionReport {
  results: LoadResult[];
  /** DynamoDB commands issued per submission and the share of time spent waiting on them (c=1). */
  perSubmission: DynamoCallStats | undefined;
  /** Median timeline of a successful submission at c=1. */
  timeline: { steps: TimelineStep[]; totalMs: number; sample: number };
  notes: string[];
}

interface HttpAnswer {
  status: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function http(
  url: string,
  method: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<HttpAnswer> {
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolveAnswer({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function errorReason(answer: HttpAnswer): string {
  try {
    const parsed = JSON.parse(answer.body) as {
      error?: { code?: string; fields?: { path: string; code: string }[] };
      message?: string;
    };
    const field = parsed.error?.fields?.[0];
    return `${answer.status} ${parsed.error?.code ?? parsed.message ?? ''}${field ? ` ${field.path}:${field.code}` : ''}`.trim();
  } catch {
    return String(answer.status);
  }
}

const expect201 = (answer: HttpAnswer): Outcome =>
  answer.status === 201 ? { ok: true } : { ok: false, reason: errorReason(answer) };

const PROBLEMS = [
  '村委会值班表未更新',
  '入户走访记录不全',
  '抗旱水源台账缺少三月记录',
  '产业帮扶资金公示栏未张贴',
];

export function inspectionBody(i: number, villageId: string, cadreIds: string[], date: string) {
  const first = cadreIds[i % cadreIds.length]!;
  const second = cadreIds[(i + 1) % cadreIds.length]!;
  const findings: {
    cadreId: string;
    present: boolean;
    problems: { description: string; severity: 'minor' }[];
  }[] = [
    {
      cadreId: first,
      present: true,
      problems: [{ description: PROBLEMS[i % PROBLEMS.length]!, severity: 'minor' }],
    },
  ];
  if (i % 2 === 1) findings.push({ cadreId: second, present: true, problems: [] });
  return { villageId, date, mode: (['open', 'covert', 'spot'] as const)[i % 3]!, findings };
}

async function seed(stack: LocalStack, notes: string[]): Promise<{ villageId: string; cadreIds: string[] }> {
  const admin = {
    authorization: `Bearer ${await stack.token('bench-admin', 'admin')}`,
    'content-type': 'application/json',
  };
  const post = async (path: string, body: unknown, required: boolean) => {
    const answer = await http(`${stack.url}${path}`, 'POST', JSON.stringify(body), admin);
    if (answer.status !== 201 && answer.status !== 200) {
      const line = `seeding ${path} answered ${errorReason(answer)}`;
      if (required) throw new Error(line);
      notes.push(line);
    }
  };
  const suffix = randomUUID().slice(0, 6).toUpperCase();
  const townshipId = `BT${suffix}`;
  const villageId = `BV${suffix}`;
  await post('/townships', { id: townshipId, name: '基准乡' }, true);
  await post('/villages', { id: villageId, name: '基准村', townshipId, category: 'general' }, true);
  const cadreIds: string[] = [];
  for (let c = 0; c < 5; c++) {
    const id = `BC${suffix}${c}`;
    await post('/cadres', { id, name: `基准干部${c}`, unit: '县农业农村局', rank: '科级' }, true);
    cadreIds.push(id);
  }
  // Assignments make the roster realistic (a chief and members); an inspection may check them.
  for (const [c, cadreId] of cadreIds.entries()) {
    await post('/assignments', { cadreId, villageId, role: c === 0 ? 'chief' : 'member' }, false);
  }
  return { villageId, cadreIds };
}

/**
 * Counts the DynamoDB commands the handlers send and the wall time during which at least one of them
 * was in flight (parallel writes overlap, so summing their latencies would overstate it); while a
 * trace is open, also records each call for the timeline.
 */
function instrumentDocumentClient() {
  let calls = new Map<string, number>();
  let busyMs = 0;
  let inFlight = 0;
  let busySince = 0;
  let since = performance.now();
  let recording: Call[] | undefined;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const start = performance.now();
      if (inFlight++ === 0) busySince = start;
      const into = recording;
      try {
        return await next(args);
      } finally {
        const end = performance.now();
        if (--inFlight === 0) busyMs += end - busySince;
        const name = String((context as { commandName?: string }).commandName ?? 'unknown').replace(
          /Command$/,
          '',
        );
        calls.set(name, (calls.get(name) ?? 0) + 1);
        into?.push({ name, start, end });
      }
    },
    { step: 'initialize', name: 'benchDynamoTiming' },
  );
  return {
    reset() {
      calls = new Map();
      busyMs = 0;
      since = performance.now();
    },
    stats: (): DynamoCallStats => ({
      requests: 0,
      calls: new Map(calls),
      msInDynamo: busyMs,
      msTotal: performance.now() - since,
    }),
    /** Runs one request (only at concurrency 1: calls are attributed to whatever request is open). */
    async trace<T>(run: () => Promise<T>, into: RequestTrace[]): Promise<T> {
      const trace: RequestTrace = { start: performance.now(), end: 0, calls: [] };
      recording = trace.calls;
      try {
        return await run();
      } finally {
        recording = undefined;
        trace.end = performance.now();
        into.push(trace);
      }
    },
  };
}

export async function benchSubmission(plan: SubmissionPlan): Promise<SubmissionReport> {
  process.env.LOG_SILENT = '1';
  const notes: string[] = [];
  const stack = await startLocalStack({
    dataDir: undefined,
    port: 0,
    tableName: `bench${randomUUID().slice(0, 8)}`,
    ...(plan.dynamoEndpoint ? { dynamoEndpoint: plan.dynamoEndpoint } : {}),
  });
  const raw = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: process.env.AWS_REGION ?? 'cn-northwest-1',
      ...dynamoClientConfig(stack.dynamoEndpoint),
      maxAttempts: 4,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  try {
    const { villageId, cadreIds } = await seed(stack, notes);
    const inspector = {
      authorization: `Bearer ${await stack.token('bench-inspector', 'inspector')}`,
      'content-type': 'application/json',
    };
    const date = beijingDate(new Date());
    const url = `${stack.url}/inspections`;
    let sequence = 0;
    const submit = async (idempotent: boolean) => {
      const i = sequence++;
      const headers = idempotent ? { ...inspector, 'idempotency-key': `bench-${randomUUID()}` } : inspector;
      return expect201(
        await http(url, 'POST', JSON.stringify(inspectionBody(i, villageId, cadreIds, date)), headers),
      );
    };
    const putItem = async (): Promise<Outcome> => {
      const id = randomUUID();
      const body = inspectionBody(sequence++, villageId, cadreIds, date);
      // Shaped like a stored inspection: table keys, one GSI pair, the submitted content.
      await raw.send(
        new PutCommand({
          TableName: stack.tableName,
          Item: {
            PK: `BENCH#${id}`,
            SK: 'INSPECTION',
            GSI1PK: `VILLAGE#${villageId}`,
            GSI1SK: `INSPECTION#${date}#${id}`,
            id,
            createdAt: new Date().toISOString(),
            createdBy: 'bench-inspector',
            ...body,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return { ok: true };
    };
    const health = async () => {
      const answer = await http(`${stack.url}/healthz`, 'GET', undefined, {});
      return answer.status === 200 ? { ok: true } : { ok: false, reason: errorReason(answer) };
    };

    // Warm up every path (module loading, JIT, keep-alive sockets) before anything is timed.
    const warm = await runLoad('warm-up', { count: plan.warmup, concurrency: 4 }, () => submit(false));
    if (warm.errors > 0)
      notes.push(`warm-up: ${[...warm.errorReasons].map(([r, n]) => `${n}× ${r}`).join(', ')}`);
    await runLoad('warm-up', { count: plan.warmup, concurrency: 4 }, putItem);
    await runLoad('warm-up', { count: plan.warmup, concurrency: 4 }, health);

    const instrument = instrumentDocumentClient();
    const results: LoadResult[] = [];
    results.push(
      await runLoad(
        'GET /healthz (gateway + handler floor)',
        { count: plan.c1, concurrency: 1, budgetMs: plan.budgetC1Ms },
        health,
      ),
    );
    results.push(
      await runLoad('raw PutItem', { count: plan.c1, concurrency: 1, budgetMs: plan.budgetC1Ms }, putItem),
    );
    instrument.reset();
    const traces: RequestTrace[] = [];
    const c1 = await runLoad(
      'POST /inspections',
      { count: plan.c1, concurrency: 1, budgetMs: plan.budgetC1Ms },
      async () => {
        const trace: RequestTrace[] = [];
        const outcome = await instrument.trace(() => submit(false), trace);
        if (outcome.ok) traces.push(...trace);
        return outcome;
      },
    );
    const perSubmission = { ...instrument.stats(), requests: c1.sent };
    results.push(c1);
    results.push(
      await runLoad(
        'POST /inspections + Idempotency-Key',
        { count: plan.c1, concurrency: 1, budgetMs: plan.budgetC1Ms },
        () => submit(true),
      ),
    );
    results.push(
      await runLoad(
        'GET /healthz (gateway + handler floor)',
        { count: plan.c32, concurrency: 32, budgetMs: plan.budgetC32Ms },
        health,
      ),
    );
    results.push(
      await runLoad('raw PutItem', { count: plan.c32, concurrency: 32, budgetMs: plan.budgetC32Ms }, putItem),
    );
    results.push(
      await runLoad(
        'POST /inspections',
        { count: plan.c32, concurrency: 32, budgetMs: plan.budgetC32Ms },
        () => submit(false),
      ),
    );
    return { results, perSubmission, timeline: timeline(traces), notes };
  } finally {
    raw.destroy();
    agent.destroy();
    await stack.stop();
  }
}

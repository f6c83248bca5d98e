import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import {
  closeDefaultPdfRenderer,
  defaultPdfRenderer,
  observePdfRenders,
} from '../../functions/adapters/documents/chromium.ts';
import { createMailer, type DeliveryLedger } from '../../functions/adapters/mail/mailer.ts';
import { resetConfig } from '../../functions/config.ts';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../../functions/core/idempotency.ts';
import { METRIC_NAMES, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/core/metric-names.ts';
import { type ApiEvent, createApiHandler } from '../../functions/http/api-handler.ts';
import { createLogger } from '../../functions/http/logger.ts';
import {
  countEmail,
  countJobRun,
  pdfRenderMetrics,
  publishMetrics,
  resetMetrics,
} from '../../functions/http/metrics.ts';
import { type AnyRoute, created, defineRoute, ok } from '../../functions/http/route.ts';

/**
 * What the functions write to stdout/stderr for CloudWatch: Powertools log lines (the fields a
 * person searches by, personal data redacted) and embedded-metric-format lines (the names,
 * namespace and dimension sets the alarms in infra/constructs/operations.ts look for).
 */

let lines: string[];
const capture = (chunk: unknown) => {
  lines.push(...String(chunk).split('\n').filter(Boolean));
  return true;
};

beforeAll(() => {
  process.env.TABLE_NAME = 'unit';
  resetConfig();
});
afterAll(() => resetConfig());

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  vi.stubEnv('LOG_SILENT', '0');
  vi.stubEnv('LOG_LEVEL', 'info');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('STAGE', 'unit');
  resetMetrics();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  resetMetrics();
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
const logLines = () => parsed().filter((l) => !l._aws);
const emfLines = () => parsed().filter((l) => l._aws);

/** Just enough of the idempotency port for a replay: a completed key answers from the store. */
class MemoryStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  async claim(sub: string, key: string, fingerprint: string, routeKey: string, now: Date) {
    const existing = this.records.get(`${sub}#${key}`);
    if (existing) return { kind: 'existing', record: structuredClone(existing) } as ClaimResult;
    this.records.set(`${sub}#${key}`, {
      status: 'in_progress',
      fingerprint,
      routeKey,
      token: 't',
      leaseUntil: now.getTime() + 30_000,
      expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
    });
    return { kind: 'claimed', token: 't', fresh: true } as ClaimResult;
  }
  async takeOverExpiredLease() {
    return undefined;
  }
  async complete(sub: string, key: string, _token: string, response: IdempotencyRecord['response']) {
    Object.assign(this.records.get(`${sub}#${key}`)!, { status: 'completed', response });
  }
  async release(sub: string, key: string) {
    this.records.delete(`${sub}#${key}`);
  }
  async read(sub: string, key: string) {
    return this.records.get(`${sub}#${key}`);
  }
}

const routes: AnyRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/direct-reports',
    summary: 'a cadre reports',
    tags: [],
    roles: ['cadre'],
    body: z.strictObject({ text: z.string(), phone: z.optional(z.string()) }),
    responses: {},
    async handle({ body }, ctx) {
      ctx.log.info('report taken', { report: body });
      return created({ id: 'DR1' });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/direct-reports',
    summary: 'list',
    tags: [],
    roles: ['cadre'],
    responses: {},
    async handle() {
      return ok({ items: [] });
    },
  }),
];

let seq = 0;
function event(routeKey: string, body?: unknown, key?: string): ApiEvent {
  const [method = '', path = ''] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {
      authorization: 'Bearer secret-token',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'unit',
      apiId: 'unit',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'unit' },
      requestId: `gw-${++seq}`,
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: { sub: 'C001', 'cognito:groups': '[cadre]' }, scopes: [] },
      },
    },
  } as ApiEvent;
}

describe('log lines', () => {
  it('carry level, message, timestamp, service, the request id, the function and cold start', async () => {
    const api = createApiHandler(routes, { idempotency: new MemoryStore(), audit: async () => {} });
    const context = { functionName: 'baocun-direct-reports-unit', memoryLimitInMB: '512' };

    await api(event('GET /direct-reports'), { ...context, awsRequestId: 'lambda-1' });
    await api(event('GET /direct-reports'), { ...context, awsRequestId: 'lambda-2' });

    const done = logLines().filter((l) => l.message === 'request done');
    expect(done).toHaveLength(2);
    expect(done[0]).toMatchObject({
      level: 'INFO',
      service: METRICS_SERVICE,
      function_name: 'baocun-direct-reports-unit',
      function_memory_size: '512',
      function_request_id: 'lambda-1',
      cold_start: true,
      requestId: 'gw-1',
      routeKey: 'GET /direct-reports',
      status: 200,
    });
    expect(new Date(done[0]!.timestamp).toISOString()).toBe(done[0]!.timestamp);
    expect(done[1]).toMatchObject({ function_request_id: 'lambda-2', cold_start: false, requestId: 'gw-2' });
  });

  it.each([
    ['phone', '13800138000'],
    ['email', 'zhang@example.cn'],
    ['authorization', 'Bearer abc'],
    ['token', 'abc'],
    ['password', 'hunter2'],
    ['Idempotency-Key', 'k-1'],
  ])('redact %s wherever it is, in the bound keys and in nested data', (key, value) => {
    const log = createLogger({ requestId: 'r1', [key]: value }, 'info', { awsRequestId: 'r1' });
    log.info('something happened', { deep: { list: [{ [key]: value }] } });
    expect(lines.join('\n')).not.toContain(value);
    const [line] = logLines();
    expect(line?.[key]).toBe('[redacted]');
    expect(line?.deep.list[0][key]).toBe('[redacted]');
  });

  it('redacts the personal data a request carries into its use case', async () => {
    const api = createApiHandler(routes, { idempotency: new MemoryStore(), audit: async () => {} });
    await api(event('POST /direct-reports', { text: '路断了', phone: '13800138000' }), {
      awsRequestId: 'lambda-3',
    });
    expect(lines.join('\n')).not.toContain('13800138000');
    expect(logLines().find((l) => l.message === 'report taken')?.report).toEqual({
      text: '路断了',
      phone: '[redacted]',
    });
  });

  it('honour the level, and LOG_SILENT silences them', () => {
    const log = createLogger({ job: 'daily-sweep' }, 'warn');
    log.info('not written');
    log.warn('written');
    vi.stubEnv('LOG_SILENT', '1');
    log.error('silenced');
    expect(logLines().map((l) => [l.level, l.message])).toEqual([['WARN', 'written']]);
  });
});

describe('metrics (embedded metric format)', () => {
  it('count a submission under the alarms’ dimensions and per route, once per form', async () => {
    const api = createApiHandler(routes, { idempotency: new MemoryStore(), audit: async () => {} });
    const body = { text: '路断了' };

    expect((await api(event('POST /direct-reports', body, 'form-key-0001'))).statusCode).toBe(201);
    // The same form again (a retry after a lost answer) is a replay, not a second submission.
    expect((await api(event('POST /direct-reports', body, 'form-key-0001'))).statusCode).toBe(201);
    await api(event('GET /direct-reports'));

    const emf = emfLines();
    expect(emf).toHaveLength(1);
    expect(emf[0]!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [
          ['service', 'stage'],
          ['service', 'stage', 'route'],
        ],
        Metrics: [{ Name: METRIC_NAMES.submissions, Unit: 'Count' }],
      },
    ]);
    expect(emf[0]).toMatchObject({
      service: METRICS_SERVICE,
      stage: 'unit',
      route: 'POST /direct-reports',
      [METRIC_NAMES.submissions]: 1,
    });
  });

  it('count a failed job run under the alarms’ dimensions and per job', () => {
    countJobRun('daily-sweep', 'failed');
    const [emf] = emfLines();
    expect(emf?._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [
        ['service', 'stage'],
        ['service', 'stage', 'job'],
      ],
      Metrics: [{ Name: METRIC_NAMES.jobRunsFailed, Unit: 'Count' }],
    });
    expect(emf).toMatchObject({ job: 'daily-sweep', stage: 'unit', [METRIC_NAMES.jobRunsFailed]: 1 });
  });

  it('gather emails and PDF renders and write them once when the invocation ends', () => {
    countEmail('sent');
    countEmail('sent');
    countEmail('failed');
    countEmail('already-sent');
    pdfRenderMetrics.rendered({ renderMs: 812.4 });
    pdfRenderMetrics.failed();
    expect(emfLines()).toHaveLength(0);
    publishMetrics();
    publishMetrics();
    const emf = emfLines();
    expect(emf).toHaveLength(1);
    expect(emf[0]!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'stage']]);
    expect(emf[0]).toMatchObject({
      [METRIC_NAMES.emailsSent]: [1, 1],
      [METRIC_NAMES.emailsFailed]: 1,
      [METRIC_NAMES.pdfRenderTime]: 812,
      [METRIC_NAMES.pdfRenderFailures]: 1,
    });
  });

  it('count what the mailer tells of each email: sent, refused, already sent', async () => {
    const status = new Map<string, 'sending' | 'sent' | 'failed'>();
    const ledger: DeliveryLedger = {
      async claim({ messageKey, recipientHash }) {
        const record = status.get(`${messageKey}#${recipientHash}`);
        if (record) return { claimed: false, record: { status: record } };
        status.set(`${messageKey}#${recipientHash}`, 'sending');
        return { claimed: true };
      },
      async markSent(messageKey, hash) {
        status.set(`${messageKey}#${hash}`, 'sent');
      },
      async markFailed(messageKey, hash) {
        status.set(`${messageKey}#${hash}`, 'failed');
      },
    };
    const mailer = createMailer({
      ledger,
      from: 'noreply@baocun.example.cn',
      onOutcome: countEmail,
      transport: {
        kind: 'outbox',
        async send(_raw, envelope) {
          if (envelope.to.startsWith('refused')) throw new Error('mailbox full');
          return {};
        },
      },
    });
    const mail = {
      subject: '周通报',
      text: '见附件',
      html: '<p>见附件</p>',
      messageKey: 'bulletin:2026-W47',
    };
    const to = (address: string) => ({ address, ref: `recipient:${address}` });

    expect(await mailer.deliver({ ...mail, to: to('a@example.cn') })).toBe('sent');
    expect(await mailer.deliver({ ...mail, to: to('refused@example.cn') })).toBe('failed');
    expect(await mailer.deliver({ ...mail, to: to('a@example.cn') })).toBe('already-sent');
    publishMetrics();

    const [emf] = emfLines();
    expect(emf).toMatchObject({ [METRIC_NAMES.emailsSent]: 1, [METRIC_NAMES.emailsFailed]: 1 });
  });

  it('tell render times and failures of the process’s PDF renderer to the metrics', async () => {
    // A "browser" that cannot start: the failure reaches the observer, and the caller still sees it.
    vi.stubEnv('CHROMIUM_PATH', '/bin/false');
    vi.stubEnv('PDF_RENDERER', undefined);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
    await closeDefaultPdfRenderer();
    const failures: unknown[] = [];
    observePdfRenders({
      rendered: pdfRenderMetrics.rendered,
      failed: (e) => {
        failures.push(e);
        pdfRenderMetrics.failed();
      },
    });
    try {
      await expect(defaultPdfRenderer()!.toPdf('<p>通知</p>')).rejects.toThrow();
    } finally {
      observePdfRenders(undefined);
      await closeDefaultPdfRenderer();
    }
    expect(failures).toHaveLength(1);
    publishMetrics();
    expect(emfLines()[0]).toMatchObject({ [METRIC_NAMES.pdfRenderFailures]: 1 });
  });

  it('write nothing outside Lambda unless asked', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', undefined);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
    resetMetrics();
    countJobRun('daily-sweep', 'failed');
    countEmail('failed');
    publishMetrics();
    expect(emfLines()).toHaveLength(0);
  });
});

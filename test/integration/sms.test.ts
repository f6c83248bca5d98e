import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listDeliveries } from '../../functions/adapters/dynamo/mail-ledger.ts';
import { pendingNews } from '../../functions/adapters/dynamo/news.ts';
import { resetMailConfig } from '../../functions/adapters/mail/config.ts';
import { parseSmsConfig, resetSmsConfig, SmsConfigError } from '../../functions/adapters/sms/config.ts';
import { createSmsSender, phoneHash } from '../../functions/adapters/sms/sender.ts';
import { httpSmsTransport } from '../../functions/adapters/sms/transport.ts';
import { beijingDate } from '../../functions/core/time.ts';
import { deliverNews } from '../../functions/jobs/news.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The text-message port's generic HTTP adapter against a real HTTP peer (a node server in this
 * test): the request a county's gateway receives (method, headers, body filled from the template and
 * escaped for its content type), success only on 2xx and the configured answer field, failures
 * counted and retried by the daily sweep, each (news, phone) sent once.
 */
interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let peer: Server;
let peerUrl: string;
const received: Received[] = [];
/** What the peer answers next (then it goes back to accepting). */
let answers: { status: number; body: string }[] = [];

let t: TestStack;
let admin: Caller;
let inspector: Caller;
const tid = uid('T');
const vid = uid('V');
const cadreId = uid('C');
const quietId = uid('C');
const PHONE = '13800138000';
const BASE = 'https://baocun.example.cn';

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const SMS_ENV = {
  SMS_HTTP_METHOD: 'POST',
  SMS_HTTP_HEADERS: JSON.stringify({
    'Content-Type': 'application/json',
    Authorization: 'Bearer county-key',
  }),
  SMS_HTTP_BODY: '{"mobile":"{{phone}}","content":"{{text}}","outId":"{{id}}","template":"BAOCUN_NEWS"}',
  SMS_HTTP_SUCCESS_FIELD: 'result.code',
  SMS_HTTP_SUCCESS_VALUE: 'OK',
  SMS_SIGNATURE: '青岚县包村办',
};

beforeAll(async () => {
  peer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers.shift() ?? { status: 200, body: '{"result":{"code":"OK"}}' };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', () => resolve()));
  peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
  Object.assign(process.env, SMS_ENV, { SMS_HTTP_URL: `${peerUrl}/sms/send`, PUBLIC_BASE_URL: BASE });
  resetSmsConfig();
  resetMailConfig();

  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  expect((await admin.post('/townships', { id: tid, name: '短信乡' })).status).toBe(201);
  expect(
    (await admin.post('/villages', { id: vid, name: '石桥村', townshipId: tid, category: 'general' })).status,
  ).toBe(201);
  for (const [id, name, phone] of [
    [cadreId, '孙短信', PHONE],
    [quietId, '周无号', undefined],
  ] as const) {
    expect(
      (
        await admin.post('/cadres', {
          id,
          name,
          unit: '县农业农村局',
          rank: 'staff',
          townshipId: tid,
          ...(phone ? { phone } : {}),
        })
      ).status,
    ).toBe(201);
  }
});

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => peer?.close(() => resolve()));
  for (const name of [...Object.keys(SMS_ENV), 'SMS_HTTP_URL', 'PUBLIC_BASE_URL']) delete process.env[name];
  resetSmsConfig();
  resetMailConfig();
});

beforeEach(() => {
  received.length = 0;
  answers = [];
});

async function inspect(cadre: string, description: string) {
  const res = await inspector.post('/inspections', {
    villageId: vid,
    date: beijingDate(new Date()),
    mode: 'spot',
    findings: [{ cadreId: cadre, present: true, problems: [{ description, severity: 'minor' }] }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; problemIds: string[] };
}

describe('the generic HTTP adapter through the news', () => {
  it('sends one request of the configured shape to the gateway, with the text escaped for JSON', async () => {
    const inspection = await inspect(cadreId, '公示栏写着"已完成"但未张贴\n名单');
    const [request] = await until(() => (received.length ? received : undefined), 'the gateway request');
    expect(request).toMatchObject({ method: 'POST', url: '/sms/send' });
    expect(request?.headers.authorization).toBe('Bearer county-key');
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '') as Record<string, string>;
    expect(body.mobile).toBe(PHONE);
    expect(body.template).toBe('BAOCUN_NEWS');
    expect(body.outId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.content).toMatch(/^【青岚县包村办】督查发现问题，请按期整改：/);
    expect(body.content).toContain('石桥村');
    expect(body.content).toContain(`详情：${BASE}/app/cadre/problems/${inspection.problemIds[0]}`);
    expect(body.content).not.toContain('\n');

    const key = `sms:news:problems:${inspection.id}:${cadreId}`;
    const deliveries = await until(async () => {
      const list = await listDeliveries(key);
      return list[0]?.status === 'sent' ? list : undefined;
    }, 'the text recorded as sent');
    // The ledger keeps a digest of the number, never the number.
    expect(deliveries).toEqual([
      expect.objectContaining({ recipientHash: phoneHash(PHONE), status: 'sent' }),
    ]);
    expect(JSON.stringify(deliveries)).not.toContain(PHONE);

    // Exactly once: the news delivered again sends no second text.
    const again = await deliverNews(`problems:${inspection.id}:${cadreId}`);
    expect(again?.texts).toMatchObject({ sent: 0, alreadySent: 1 });
    expect(received).toHaveLength(1);
  });

  it('texts nobody without a phone number', async () => {
    const inspection = await inspect(quietId, '村务公开不及时');
    const key = `problems:${inspection.id}:${quietId}`;
    await until(async () => !(await pendingNews(100)).items.some((i) => i.key === key), 'the news done');
    expect(received).toHaveLength(0);
  });

  it.each([
    ['an error status', { status: 503, body: 'busy' }],
    [
      'a 2xx whose answer field says no',
      { status: 200, body: '{"result":{"code":"isv.BUSINESS_LIMIT_CONTROL"}}' },
    ],
    ['a 2xx that is not JSON', { status: 200, body: '<html>ok</html>' }],
  ])('counts %s as failed, keeps the news pending, and the sweep sends it once', async (_what, refusal) => {
    answers = [refusal];
    const inspection = await inspect(cadreId, `重发测试 ${uid('x')}`);
    const key = `problems:${inspection.id}:${cadreId}`;
    const [failed] = await until(async () => {
      const list = await listDeliveries(`sms:news:${key}`);
      return list[0]?.status === 'failed' ? list : undefined;
    }, 'the refused text recorded as failed');
    expect(failed).toMatchObject({ attempts: 1, status: 'failed' });
    expect(failed?.error).not.toContain(PHONE);
    expect((await pendingNews(100)).items.map((i) => i.key)).toContain(key);
    expect(received).toHaveLength(1);

    const run = await runJobNow(admin, 'daily-sweep');
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.summary.newsTexts).toMatchObject({ sent: 1, failed: 0 });
    expect(received).toHaveLength(2);
    expect(JSON.parse(received[1]?.body ?? '').outId).toBe(JSON.parse(received[0]?.body ?? '').outId);
    const [retried] = await listDeliveries(`sms:news:${key}`);
    expect(retried).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await pendingNews(100)).items.map((i) => i.key)).not.toContain(key);

    await runJobNow(admin, 'daily-sweep');
    expect(received).toHaveLength(2);
  });

  it('marks a sweep run failed when the gateway still refuses, and a later one sends it', async () => {
    answers = [
      { status: 500, body: 'down' },
      { status: 500, body: 'still down' },
    ];
    const inspection = await inspect(cadreId, `仍失败 ${uid('x')}`);
    const key = `problems:${inspection.id}:${cadreId}`;
    await until(async () => (await listDeliveries(`sms:news:${key}`))[0]?.status === 'failed', 'failed');
    const res = await admin.post('/jobs/daily-sweep', {});
    expect(res.status).toBe(202);
    const run = await until(async () => {
      const got = await admin.get(`/jobs/runs/${encodeURIComponent(res.body.runId)}`);
      return got.body.status === 'failed' || got.body.status === 'succeeded' ? got.body : undefined;
    }, 'the run to end');
    expect(run).toMatchObject({ status: 'failed' });
    expect(run.failures).toBeGreaterThanOrEqual(1);
    const second = await runJobNow(admin, 'daily-sweep');
    expect(second.status).toBe('succeeded');
    expect(received).toHaveLength(3);
  });
});

describe('the adapter on its own', () => {
  const ledger = () => {
    const records = new Map<string, { status: 'sending' | 'sent' | 'failed' }>();
    return {
      records,
      claim: async (input: { messageKey: string; recipientHash: string }) => {
        const id = `${input.messageKey}|${input.recipientHash}`;
        const found = records.get(id);
        if (found && found.status !== 'failed') return { claimed: false as const, record: found };
        records.set(id, { status: 'sending' });
        return { claimed: true as const };
      },
      markSent: async (messageKey: string, hash: string) => {
        records.set(`${messageKey}|${hash}`, { status: 'sent' });
      },
      markFailed: async (messageKey: string, hash: string) => {
        records.set(`${messageKey}|${hash}`, { status: 'failed' });
      },
    };
  };

  it('form-encodes the body for a form gateway and fills the URL for GET', async () => {
    const form = parseSmsConfig({
      SMS_HTTP_URL: `${peerUrl}/form`,
      SMS_HTTP_HEADERS: '{"content-type":"application/x-www-form-urlencoded"}',
      SMS_HTTP_BODY: 'to={{phone}}&msg={{text}}',
    });
    await createSmsSender({ ledger: ledger(), transport: httpSmsTransport(form!) }).deliver({
      messageKey: 'sms:test:form',
      to: { phone: '+86 138-0013-8000', ref: 'cadre:x' },
      text: '请于12月1日前整改 & 报告',
    });
    const get = parseSmsConfig({
      SMS_HTTP_URL: `${peerUrl}/get?m={{phone}}&c={{text}}`,
      SMS_HTTP_METHOD: 'get',
    });
    const outcome = await createSmsSender({ ledger: ledger(), transport: httpSmsTransport(get!) }).deliver({
      messageKey: 'sms:test:get',
      to: { phone: PHONE, ref: 'cadre:x' },
      text: '新任务',
    });
    expect(outcome).toBe('sent');
    expect(received).toHaveLength(2);
    expect(new URLSearchParams(received[0]?.body)).toEqual(
      new URLSearchParams({ to: PHONE, msg: '请于12月1日前整改 & 报告' }),
    );
    expect(received[1]).toMatchObject({ method: 'GET', body: '' });
    expect(new URL(received[1]?.url ?? '', peerUrl).searchParams.get('c')).toBe('新任务');
  });

  it('sends each (message, phone) once, however often it is asked', async () => {
    const config = parseSmsConfig({ SMS_HTTP_URL: `${peerUrl}/once` });
    const sender = createSmsSender({ ledger: ledger(), transport: httpSmsTransport(config!) });
    const message = { messageKey: 'sms:test:once', to: { phone: PHONE, ref: 'cadre:x' }, text: '一次' };
    const outcomes = await Promise.all([sender.deliver(message), sender.deliver(message)]);
    expect(outcomes.sort()).toEqual(['sent', 'unconfirmed']);
    expect(await sender.deliver({ ...message, to: { ...message.to, phone: `+86${PHONE}` } })).toBe(
      'already-sent',
    );
    expect(received).toHaveLength(1);
  });

  it('is off without a URL and refuses a malformed configuration', () => {
    expect(parseSmsConfig({})).toBeUndefined();
    expect(() => parseSmsConfig({ SMS_HTTP_URL: 'not a url' })).toThrow(SmsConfigError);
    expect(() => parseSmsConfig({ SMS_HTTP_URL: 'ftp://x/y' })).toThrow(SmsConfigError);
    expect(() => parseSmsConfig({ SMS_HTTP_URL: 'https://x/y', SMS_HTTP_METHOD: 'DELETE' })).toThrow(
      SmsConfigError,
    );
    expect(() => parseSmsConfig({ SMS_HTTP_URL: 'https://x/y', SMS_HTTP_HEADERS: '[1]' })).toThrow(
      SmsConfigError,
    );
  });
});

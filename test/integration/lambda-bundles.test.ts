import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarterOf } from '../../functions/core/assessment.ts';
import { beijingDate } from '../../functions/core/time.ts';
import { lambdaEsbuildOptions } from '../../infra/bundling.ts';
import { createAll } from '../support/county.ts';
import { startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The bundles the stack deploys (code-split, infra/bundling.ts) run: each is imported in a fresh
 * Node process with only a Lambda's environment and given an HTTP API v2 event with the claims API
 * Gateway's authorizer would pass, against the test stack's DynamoDB. The assessments export loads
 * exceljs from its chunk on that request, so a chunk that does not load (a wrong path, a missing
 * `require` banner) fails here and not in a county's first export.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const period = quarterOf(beijingDate(new Date()));
const township = uid('T');
const village = uid('V');
const tableName = `t${uid('b').slice(-8).toLowerCase()}`;
const work = mkdtempSync(join(tmpdir(), 'baocun-bundles-'));
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ tableName });
  const admin = await t.as('admin');
  await createAll(admin, [
    ['/townships', { id: township, name: '打包乡' }],
    ['/villages', { id: village, name: '打包村', townshipId: township, category: 'deep' }],
  ]);
  for (const group of ['roster', 'assessments'])
    await build({
      ...lambdaEsbuildOptions(join(ROOT, `functions/api/${group}.ts`), join(work, group)),
      absWorkingDir: ROOT,
    });
}, 120_000);

afterAll(async () => {
  await t?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface LambdaAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

/** One cold invocation of a bundle's handler in a process of its own. */
async function invoke(
  group: string,
  routeKey: string,
  path: string,
  params: Record<string, string>,
  groups = '[admin]',
) {
  const [method] = routeKey.split(' ');
  const event = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { accept: 'application/json' },
    pathParameters: params,
    isBase64Encoded: false,
    requestContext: {
      requestId: uid('req'),
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'test' },
      authorizer: { jwt: { claims: { sub: 'hq-bundle', 'cognito:groups': groups, name: '督查室' } } },
    },
  };
  const script = `
    const { handler } = await import(${JSON.stringify(join(work, group, 'index.mjs'))});
    const answer = await handler(${JSON.stringify(event)}, { awsRequestId: 'r1', functionName: 'Baocun-test-${group}' });
    process.stdout.write(JSON.stringify(answer));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: work,
    // A Lambda's environment, not this machine's: the table, the region, the emulator's address.
    env: {
      PATH: process.env.PATH ?? '',
      TABLE_NAME: tableName,
      AWS_REGION: 'cn-northwest-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT ?? '',
      LOG_LEVEL: 'error',
      AWS_LAMBDA_FUNCTION_NAME: `Baocun-test-${group}`,
    },
    maxBuffer: 20 * 1024 * 1024,
  });
  return JSON.parse(stdout) as LambdaAnswer;
}

describe('the deployed Lambda bundles', () => {
  it('are split into an entry and chunks', () => {
    const files = readdirSync(join(work, 'assessments'), { recursive: true, encoding: 'utf8' });
    expect(files).toContain('index.mjs');
    expect(files.filter((f) => f.startsWith('chunks/') && f.endsWith('.mjs')).length).toBeGreaterThan(1);
  });

  it('answer a read from the table (roster: GET /townships/{id})', async () => {
    const answer = await invoke('roster', 'GET /townships/{id}', `/townships/${township}`, { id: township });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ id: township, name: '打包乡' });
  }, 60_000);

  it('load a chunk on use: the assessment workbook comes from the exceljs chunk', async () => {
    const answer = await invoke(
      'assessments',
      'GET /assessments/{period}/export',
      `/assessments/${period}/export`,
      {
        period,
      },
    );
    expect(answer.statusCode, answer.body.slice(0, 300)).toBe(200);
    expect(answer.headers['content-disposition']).toContain('.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8') as never);
    const villages = book.getWorksheet('村');
    expect(villages?.getColumn(2).values).toContain('打包村');
  }, 60_000);

  it('check the role inside the bundle (403 in Chinese for a role the route does not name)', async () => {
    const answer = await invoke('assessments', 'GET /assessment-schemes', '/assessment-schemes', {});
    expect(answer.statusCode, answer.body).toBe(200);
    const inspector = await invoke(
      'assessments',
      'GET /assessment-schemes',
      '/assessment-schemes',
      {},
      '[inspector]',
    );
    expect(inspector.statusCode).toBe(403);
    expect(JSON.parse(inspector.body).error.message).toMatch(/[\u4e00-\u9fff]/);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ApiClient } from '../../functions/client/api-client.ts';
import { defineRoute, ok } from '../../functions/http/route.ts';
import { contractViolations } from '../support/contract-violations.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { checkAgainst, checkResponse, ResponseContractError } from '../support/response-contract.ts';

/**
 * Every answer the integration tests get is checked against its route's declared schemas
 * (test/support/response-contract.ts). These tests show that the check can fail, and how.
 */
let stack: TestStack;
let admin: Caller;
let townshipId: string;

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.as('admin');
  townshipId = uid('T');
  expect((await admin.post('/townships', { id: townshipId, name: '青石乡' })).status).toBe(201);
});
afterAll(() => stack?.stop());

const observed = (path: string, status: number, body: unknown) => ({
  method: 'GET',
  path,
  status,
  contentType: 'application/json',
  body,
});

describe('the response contract check', () => {
  it('passes a real answer that matches its route', async () => {
    const res = await admin.get(`/townships/${townshipId}`);
    expect(res.status).toBe(200);
    expect(() => checkResponse(observed(`/townships/${townshipId}`, 200, res.body))).not.toThrow();
  });

  it('fails a real answer held against a deliberately wrong schema', async () => {
    const res = await stack.anonymous().get('/healthz');
    expect(res.status).toBe(200);
    const wrong = defineRoute({
      method: 'GET',
      path: '/healthz',
      summary: 'a health check that declares the wrong answer',
      tags: ['test'],
      roles: 'public',
      responses: { 200: z.object({ status: z.literal('down'), uptime: z.number() }) },
      handle: async () => ok({ status: 'down', uptime: 0 }),
    });
    expect(() => checkAgainst(wrong, observed('/healthz', 200, res.body))).toThrow(ResponseContractError);
    expect(() => checkAgainst(wrong, observed('/healthz', 200, res.body))).toThrow(
      /GET \/healthz → 200 \(route GET \/healthz\) does not match its declared zod schema[\s\S]*status/,
    );
  });

  it('fails a field the route does not declare (the OpenAPI document closes objects zod would strip)', async () => {
    const res = await stack.anonymous().get('/healthz');
    const body = { ...res.body, internalNote: 'not for clients' };
    expect(() => checkResponse(observed('/healthz', 200, res.body))).not.toThrow();
    expect(() => checkResponse(observed('/healthz', 200, body))).toThrow(
      /does not match the OpenAPI document[\s\S]*internalNote/,
    );
  });

  it('fails a success status the route does not list, and an error outside the error shape', () => {
    expect(() =>
      checkResponse(observed(`/townships/${townshipId}`, 201, { id: townshipId, name: '青石乡' })),
    ).toThrow(/declares no JSON answer for status 201/);
    expect(() => checkResponse(observed(`/townships/${townshipId}`, 404, { error: '不存在' }))).toThrow(
      /does not match its declared zod schema/,
    );
  });

  it('holds the pages’ in-process calls to the same contract, failing the test that made them', async () => {
    // A handler that answers a village where a township is declared.
    const api = new ApiClient(
      async () => ({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: townshipId, name: '青石乡', category: 'deep' }),
      }),
      undefined,
      'contract-test',
    );
    await api.call('GET', '/townships/{id}', { params: { id: townshipId } });
    // Taken out here so that this test passes: contract-setup.ts would fail it otherwise.
    const found = contractViolations.splice(0);
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(/GET \/townships\/.+ → 200 \(route GET \/townships\/\{id\}\)/);
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, inject } from 'vitest';
import type { Role } from '../../functions/core/roles.ts';
import type { Mode } from '../../infra/local/data-folder.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/runtime.ts';
import { checkInProcessAnswers, checkResponse } from './response-contract.ts';

/**
 * The real local stack (gateway + handlers + dynalite) for integration tests, on a free port, with a
 * small HTTP client that signs in as any role.
 */
process.env.LOG_SILENT ??= '1';
// Jobs run when a test runs them, never because a suite happened to span 07:00 Beijing.
process.env.SCHEDULER ??= 'off';
// The pages' and the worker's in-process API calls are checked against the routes' schemas too.
checkInProcessAnswers();

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Caller {
  sub: string;
  role: Role;
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  send<T = any>(
    method: string,
    path: string,
    body?: string | Buffer,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
}

export interface TestStack {
  stack: LocalStack;
  url: string;
  /** `townshipId`: the township of a `township` caller (claim `custom:townshipId`). */
  as(role: Role, sub?: string, options?: { townshipId?: string }): Promise<Caller>;
  anonymous(): Caller;
  stop(): Promise<void>;
}

async function request(
  url: string,
  method: string,
  body: string | Buffer | undefined,
  headers: Record<string, string>,
): Promise<ApiResponse> {
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  // Every answer is held against its route's declared schemas: a mismatch fails the test that got it.
  checkResponse({
    method,
    path: new URL(url).pathname,
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: parsed,
  });
  return { status: res.status, headers: res.headers, body: parsed };
}

function caller(url: string, sub: string, role: Role, token: string | undefined): Caller {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const send = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    request(`${url}${path}`, method, body, { ...auth, ...headers });
  return {
    sub,
    role,
    get: (path) => send('GET', path),
    post: (path, body, headers = {}) =>
      send('POST', path, body === undefined ? undefined : JSON.stringify(body), {
        'content-type': 'application/json',
        ...headers,
      }),
    send,
  };
}

/**
 * In the `ddb-local` vitest project (vitest.config.ts) the suites run against DynamoDB Local, started
 * once per run by ddb-local-setup.ts; each stack still gets its own table. A stack with a data folder
 * tests what `npm start` persists with dynalite, so it keeps dynalite.
 */
function externalDynamoEndpoint(dataDir: string | undefined): string | undefined {
  if (process.env.BAOCUN_TEST_DYNAMO !== 'ddb-local' || dataDir) return undefined;
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) throw new Error('BAOCUN_TEST_DYNAMO=ddb-local, but no DynamoDB Local endpoint was provided');
  return endpoint;
}

export interface TestStackOptions {
  dataDir?: string;
  /**
   * `county`: accounts with passwords; `as()` then opens an account (through the accounts service,
   * with a password of its own) and signs in with POST /auth/token, and a cadre's roster entry is
   * made first if missing. Default dev (tokens from the local signing key).
   */
  mode?: Mode;
  /** The table's name (default a fresh random one; `npm run users` against a running server expects `baocun`). */
  tableName?: string;
  /** Host names answered besides loopback (a LAN name the browser is pointed at). */
  allowedHosts?: string;
  /** Serve https with this certificate and key. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Time limit of each background invocation (default Lambda's 15 minutes). */
  backgroundTimeoutMs?: number;
}

/** The password `as()` gives the accounts it opens in county mode. */
export const TEST_PASSWORD = 'test-password-Kq7x9';

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const dynamoEndpoint = externalDynamoEndpoint(options.dataDir);
  const tableName = options.tableName ?? `t${randomUUID().slice(0, 8)}`;
  const stack = await startLocalStack({
    dataDir: options.dataDir,
    port: 0,
    tableName,
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.backgroundTimeoutMs ? { backgroundTimeoutMs: options.backgroundTimeoutMs } : {}),
    ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
  });
  const countyToken = async (sub: string, role: Role, townshipId?: string): Promise<string> => {
    const { createAccount } = await import('../../functions/accounts/service.ts');
    const audit = { actor: 'test-setup', roles: ['admin'], routeKey: 'test', requestId: randomUUID() };
    if (role === 'cadre' || role === 'leader') {
      const { getCadre, createCadre } = await import('../../functions/adapters/dynamo/roster.ts');
      if (!(await getCadre(sub))) {
        const now = new Date().toISOString();
        await createCadre({
          id: sub,
          name: `干部${sub.slice(-4)}`,
          unit: '县测试局',
          rank: 'staff',
          rankLabel: '股级',
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    const username = sub.toLowerCase();
    await createAccount(
      {
        username,
        role,
        ...(role === 'cadre' || role === 'leader' ? { cadreId: sub } : {}),
        ...(townshipId ? { townshipId } : {}),
        password: TEST_PASSWORD,
      },
      audit,
    ).catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'DUPLICATE_USERNAME') throw error;
    });
    const res = await request(
      `${stack.url}/auth/token`,
      'POST',
      JSON.stringify({ username, password: TEST_PASSWORD }),
      {
        'content-type': 'application/json',
      },
    );
    if (res.status !== 200)
      throw new Error(`sign-in as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };
  return {
    stack,
    url: stack.url,
    async as(role, sub = `${role}-${randomUUID().slice(0, 6)}`, options = {}) {
      const token =
        stack.mode === 'county'
          ? await countyToken(sub, role, options.townshipId)
          : await stack.token(sub, role, undefined, options.townshipId);
      return caller(stack.url, stack.mode === 'county' ? sub.toLowerCase() : sub, role, token);
    },
    anonymous: () => caller(stack.url, 'anonymous', 'admin', undefined),
    async stop() {
      await stack.stop();
      // Without a data folder, documents and photos go to a per-table folder in the system temp
      // directory: hundreds of test stacks would otherwise leave hundreds of folders behind.
      if (!options.dataDir && !options.tableName)
        rmSync(join(tmpdir(), `baocun-documents-${tableName}`), { recursive: true, force: true });
    },
  };
}

export function tempDataDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'baocun-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Undo after every test, last first, for suites that start servers and make data folders of their
 * own: `defer` registers an undo (stop a server, kill a process), `folder` makes a temporary folder
 * that goes with the test.
 */
export function cleanupAfterEach(): { defer(undo: () => Promise<void> | void): void; folder(): string } {
  const undos: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (undos.length) await undos.pop()?.();
  });
  return {
    defer: (undo) => undos.push(undo),
    folder() {
      const dir = tempDataDir();
      undos.push(() => dir.remove());
      return dir.path;
    },
  };
}

export const uid = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`;

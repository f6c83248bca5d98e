import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { documentsFolder } from '../../functions/adapters/documents/store.ts';
import { resetDocumentClient } from '../../functions/adapters/dynamo/client.ts';
import { getCadre } from '../../functions/adapters/dynamo/roster.ts';
import { installInvoker, uninstallInvoker } from '../../functions/adapters/invoke/index.ts';
import { createLocalInvoker } from '../../functions/adapters/invoke/local.ts';
import { resetMailConfig } from '../../functions/adapters/mail/config.ts';
import { resetConfig } from '../../functions/config.ts';
import { ROLES } from '../../functions/core/roles.ts';
import { routeKey } from '../../functions/http/route.ts';
import { routeGroups } from '../../functions/routes/index.ts';
import { entityId } from '../../functions/schemas/common.ts';
import { homeOf, SESSION_COOKIE, safeNext, serializeCookie } from '../../functions/web/session.ts';
import { WEB_ROUTES } from '../../functions/web/web-routes.ts';
import { type Mode, openDataFolder } from './data-folder.ts';
import { lockDataFolder } from './data-lock.ts';
import { DEMO_ADMIN, DEMO_INSPECTORS } from './demo-county.ts';
import { ensureTable, startDynalite } from './dynamo-local.ts';
import { type GatewayRoute, type LambdaHandler, startGateway } from './gateway.ts';
import { issueLocalToken, loadSigningKey, verifyLocalToken } from './local-auth.ts';
import { type LocalScheduler, startLocalScheduler } from './scheduler.ts';

/**
 * The embedded default: everything AWS would run, on one machine. Used by `npm start` and by the
 * integration tests (which start and stop it per suite).
 */
export interface LocalStackOptions {
  /** Folder for persisted data; undefined keeps everything in memory (tests). */
  dataDir: string | undefined;
  port: number;
  host?: string;
  tableName?: string;
  log?: (line: Record<string, unknown>) => void;
  /** An already-running DynamoDB API (DynamoDB Local in tests) instead of in-process dynalite; stop() leaves it running. */
  dynamoEndpoint?: string;
  /** Run the jobs on their schedules in-process (default: on, unless SCHEDULER=off). */
  scheduler?: boolean;
  /**
   * demo and dev: one-tap sign-in and POST /local/token; county: accounts with passwords only. A data
   * folder keeps the mode it was created in (data-folder.ts). Default: dev (tests, developers).
   */
  mode?: Mode;
}

export interface LocalStack {
  url: string;
  mode: Mode;
  dynamoEndpoint: string;
  tableName: string;
  token(sub: string, role: (typeof ROLES)[number], name?: string): Promise<string>;
  stop(): Promise<void>;
}

const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /openapi.json']);

/** A browser session from the local sign-in page lasts a week (Cognito's refresh token does this on AWS). */
const BROWSER_SESSION_SECONDS = 7 * 24 * 3600;

/** The demo users the local sign-in page offers besides the roster's cadres. */
const LOCAL_USERS = [
  { sub: DEMO_ADMIN, role: 'admin', name: '县指挥部管理员' },
  { sub: DEMO_INSPECTORS[0], role: 'inspector', name: '督查一组' },
  { sub: DEMO_INSPECTORS[1], role: 'inspector', name: '督查二组' },
];

const tokenRequest = z.strictObject({
  sub: entityId,
  role: z.enum(ROLES),
  name: z.optional(z.string().check(z.maxLength(60))),
});

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const mode: Mode = options.mode ?? 'dev';
  const unlock = dataDir ? lockDataFolder(dataDir) : () => {};
  try {
    if (dataDir) openDataFolder(dataDir, mode);
    // The pages and the sign-in routes read the mode: county mode has no one-tap sign-in.
    process.env.BAOCUN_MODE = mode;
    const dynamo = options.dynamoEndpoint
      ? { endpoint: options.dynamoEndpoint, stop: async () => {} }
      : await startDynalite(dataDir);
    const tableName = options.tableName ?? 'baocun';
    await ensureTable(dynamo.endpoint, tableName);

    process.env.TABLE_NAME = tableName;
    // Rendered documents live beside the data (DATA_DIR/documents); in-memory stacks use a temp folder.
    process.env.DOCUMENTS_DIR = documentsFolder(dataDir, tableName);
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    const key = loadSigningKey(dataDir);
    // The pages verify their session cookie with the same key the gateway checks bearer tokens with.
    process.env.LOCAL_JWT_KEY = Buffer.from(key).toString('base64');
    process.env.LOCAL_USERS = JSON.stringify(LOCAL_USERS);
    process.env.AWS_REGION ??= 'cn-northwest-1';
    // Without SMTP_URL, email lands as .eml files in the data folder's outbox (DATA_DIR/outbox).
    if (dataDir) process.env.DATA_DIR = dataDir;
    resetConfig();
    resetMailConfig();
    resetDocumentClient();

    const routes: GatewayRoute[] = [];
    for (const group of routeGroups) {
      const module = (await import(resolve(import.meta.dirname, '../..', group.entry))) as {
        handler: LambdaHandler;
      };
      for (const route of group.routes) {
        routes.push({
          method: route.method,
          path: route.path,
          authorized: !PUBLIC_ROUTES.has(routeKey(route)),
          functionName: `baocun-${group.name}`,
          handler: module.handler,
          // POST /jobs/{name} answers when the job has finished; locally that may take minutes (PDFs).
          ...(group.name === 'jobs' ? { timeoutMs: 15 * 60_000 } : {}),
        });
      }
    }

    const web = (await import(resolve(import.meta.dirname, '../../functions/api/web.ts'))) as {
      handler: LambdaHandler;
    };
    for (const route of WEB_ROUTES) {
      routes.push({ ...route, authorized: false, functionName: 'baocun-web', handler: web.handler });
    }

    // Background work (imports, exports, jobs started from the console) runs in this process, after
    // the request that started it has been answered, as Lambda runs an asynchronous invoke.
    const background = await import(resolve(import.meta.dirname, '../../functions/api/worker.ts'));
    const jobs = await import(resolve(import.meta.dirname, '../../functions/api/scheduled.ts'));
    const invoker = createLocalInvoker(
      {
        worker: (event) => background.handler(event as Parameters<typeof background.handler>[0]),
        jobs: (event) => jobs.handler(event as Parameters<typeof jobs.handler>[0]),
      },
      options.log ?? ((line) => console.error(JSON.stringify(line))),
    );
    installInvoker(invoker);

    const fallback = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/local/token' || req.method !== 'POST' || mode === 'county') return false;
      if (/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
        await signInBrowser(res, body);
        return true;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const result = tokenRequest.safeParse(parsed);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      if (!result.success) {
        res.writeHead(400);
        res.end(
          JSON.stringify({
            error: {
              code: 'VALIDATION_FAILED',
              message: '请求内容有误',
              fields: result.error.issues.map((i) => ({
                path: i.path.join('.'),
                code: i.code.toUpperCase(),
                message: i.message,
              })),
            },
          }),
        );
        return true;
      }
      res.writeHead(200);
      res.end(JSON.stringify({ token: await issueLocalToken(key, result.data) }));
      return true;
    };

    /** The local sign-in page posts here: a session cookie, then the person's home page. */
    const signInBrowser = async (res: ServerResponse, body: Buffer) => {
      const form = new URLSearchParams(body.toString('utf8'));
      const result = tokenRequest.safeParse({ sub: form.get('sub')?.trim(), role: form.get('role') });
      if (!result.success) {
        res.writeHead(303, { location: '/app/login?error=1' });
        res.end();
        return;
      }
      const { sub, role } = result.data;
      const name =
        role === 'cadre'
          ? (await getCadre(sub).catch(() => undefined))?.name
          : LOCAL_USERS.find((u) => u.sub === sub && u.role === role)?.name;
      const token = await issueLocalToken(
        key,
        { sub, role, ...(name ? { name } : {}) },
        BROWSER_SESSION_SECONDS,
      );
      res.writeHead(303, {
        location: safeNext(form.get('next')) ?? homeOf(role),
        'set-cookie': serializeCookie(SESSION_COOKIE, token, {
          secure: false,
          maxAgeSeconds: BROWSER_SESSION_SECONDS,
        }),
        'cache-control': 'no-store',
      });
      res.end();
    };

    const gateway = await startGateway({
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      routes,
      verifyToken: (token) => verifyLocalToken(key, token),
      fallback,
      ...(options.log ? { log: options.log } : {}),
    });

    const schedulerOn = options.scheduler ?? process.env.SCHEDULER !== 'off';
    const scheduler: LocalScheduler | undefined = schedulerOn
      ? startLocalScheduler(options.log ? { log: options.log } : {})
      : undefined;

    let stopped = false;
    return {
      url: gateway.url,
      mode,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      token: (sub, role, name) => issueLocalToken(key, { sub, role, ...(name ? { name } : {}) }),
      async stop() {
        if (stopped) return;
        stopped = true;
        scheduler?.stop();
        await gateway.close();
        // Let background work started by the last requests finish before the database goes away.
        await invoker.drain();
        uninstallInvoker(invoker);
        resetDocumentClient();
        await dynamo.stop();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

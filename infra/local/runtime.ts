import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { documentsFolder } from '../../functions/adapters/documents/store.ts';
import { resetDocumentClient, setWriteHook } from '../../functions/adapters/dynamo/client.ts';
import { getCadre, getTownship } from '../../functions/adapters/dynamo/roster.ts';
import { installInvoker, uninstallInvoker } from '../../functions/adapters/invoke/index.ts';
import { createLocalInvoker } from '../../functions/adapters/invoke/local.ts';
import { resetMailConfig } from '../../functions/adapters/mail/config.ts';
import { config, resetConfig } from '../../functions/config.ts';
import { ROLES } from '../../functions/core/roles.ts';
import { routeKey } from '../../functions/http/route.ts';
import { releaseRunningJobs } from '../../functions/jobs/registry.ts';
import { routeGroups } from '../../functions/routes/index.ts';
import { entityId } from '../../functions/schemas/common.ts';
import { DEFAULT_PAGE_MAX_BODY, pageBodyLimits } from '../../functions/web/handler.ts';
import {
  homeOf,
  parseCookies,
  SESSION_COOKIE,
  safeNext,
  serializeCookie,
} from '../../functions/web/session.ts';
import { WEB_ROUTES } from '../../functions/web/web-routes.ts';
import { createAuthRoutes } from './accounts/auth-routes.ts';
import {
  type BackupResult,
  backupDirFromEnv,
  backupKeepFromEnv,
  createBackup,
  dailyBackupJob,
} from './backup-archive.ts';
import { type ControlServer, controlRoutes, startControlServer } from './control.ts';
import { type Mode, openDataFolder } from './data-folder.ts';
import { lockDataFolder } from './data-lock.ts';
import { DEMO_ADMIN, DEMO_INSPECTORS } from './demo-county.ts';
import { ensureTable, startDynalite } from './dynamo-local.ts';
import {
  forwardedFacts,
  type GatewayRoute,
  type LambdaHandler,
  sendJson,
  startGateway,
  type Transport,
} from './gateway.ts';
import { createHostPolicy } from './hosts.ts';
import { issueLocalToken, loadSigningKey, verifyLocalToken } from './local-auth.ts';
import { localPhotoRoutes } from './photo-routes.ts';
import { type LocalScheduler, startLocalScheduler } from './scheduler.ts';
import { upgradeDataFolder } from './upgrades.ts';
import { createWriteGate } from './write-gate.ts';

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
  /** Where backups go (default BACKUP_DIR, else beside the data folder) and how many daily ones stay (BACKUP_KEEP, 14). */
  backupDir?: string;
  backupKeep?: number;
  /** The scheduler's clock (tests fire the daily jobs without waiting). */
  clock?: () => Date;
  /** Host names answered besides loopback and this machine's addresses (default ALLOWED_HOSTS; hosts.ts). */
  allowedHosts?: string;
  /** Serve https with this certificate and key (PEM; start.ts reads TLS_CERT and TLS_KEY). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Honour X-Forwarded-Proto/-Host/-For from a reverse proxy (TRUST_PROXY=1). Default off. */
  trustProxy?: boolean;
  /** Time limit of each background invocation (default Lambda's 15 minutes; tests shorten it). */
  backgroundTimeoutMs?: number;
}

export interface LocalStack {
  url: string;
  mode: Mode;
  dynamoEndpoint: string;
  tableName: string;
  token(
    sub: string,
    role: (typeof ROLES)[number],
    name?: string,
    /** The township of a `township` user (claim `custom:townshipId`). */
    townshipId?: string,
  ): Promise<string>;
  /** A backup archive of the data folder, taken while writes are paused (backup-archive.ts). */
  backup(outDir?: string): Promise<BackupResult>;
  /**
   * Stops the stack. With `graceMs` (SIGTERM), requests under way and background work get that long
   * to finish, and a job still running then gives up its lease, before the database closes.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };

const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /openapi.json']);

/** A browser session from the local sign-in page lasts a week (Cognito's refresh token does this on AWS). */
const BROWSER_SESSION_SECONDS = 7 * 24 * 3600;

/** The demo users the local sign-in page offers besides the roster's cadres. */
const LOCAL_USERS = [
  { sub: DEMO_ADMIN, role: 'admin', name: '县指挥部管理员' },
  { sub: DEMO_INSPECTORS[0], role: 'inspector', name: '督查一组' },
  { sub: DEMO_INSPECTORS[1], role: 'inspector', name: '督查二组' },
];

const tokenRequest = z
  .strictObject({
    sub: entityId,
    role: z.enum(ROLES, { message: '角色须为 admin、inspector、township、leader 或 cadre' }),
    name: z.optional(z.string().check(z.maxLength(60))),
    townshipId: z.optional(entityId),
  })
  .check(
    z.refine((r) => r.role !== 'township' || r.townshipId !== undefined, {
      message: '乡镇工作人员须指定所在乡镇',
      path: ['townshipId'],
      params: { code: 'REQUIRED' },
    }),
    z.refine((r) => r.role === 'township' || r.townshipId === undefined, {
      message: '只有乡镇工作人员才指定乡镇',
      path: ['townshipId'],
      params: { code: 'NOT_ALLOWED' },
    }),
  );

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const mode: Mode = options.mode ?? 'dev';
  const unlock = dataDir ? lockDataFolder(dataDir) : () => {};
  try {
    const opened = dataDir ? openDataFolder(dataDir, mode) : undefined;
    // The pages and the sign-in routes read the mode: county mode has no one-tap sign-in.
    process.env.BAOCUN_MODE = mode;
    const dynamo = options.dynamoEndpoint
      ? { endpoint: options.dynamoEndpoint, stop: async () => {} }
      : await startDynalite(dataDir);
    const tableName = options.tableName ?? 'baocun';
    await ensureTable(dynamo.endpoint, tableName);
    const backupDir = options.backupDir ?? (dataDir ? backupDirFromEnv(dataDir) : undefined);
    const log = options.log ?? ((line: Record<string, unknown>) => console.error(JSON.stringify(line)));
    if (dataDir && backupDir && opened?.needsUpgrade) {
      // An older folder: backed up first, then upgraded step by step (upgrades.ts).
      await upgradeDataFolder({ dataDir, dynamoEndpoint: dynamo.endpoint, backupDir, log }).catch(
        async (error: unknown) => {
          await dynamo.stop();
          throw error;
        },
      );
    }

    process.env.TABLE_NAME = tableName;
    // Rendered documents live beside the data (DATA_DIR/documents); in-memory stacks use a temp folder.
    process.env.DOCUMENTS_DIR = documentsFolder(dataDir, tableName);
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    const key = loadSigningKey(dataDir);
    // The pages verify their session cookie with the same key the gateway checks bearer tokens with.
    process.env.LOCAL_JWT_KEY = Buffer.from(key).toString('base64');
    // The one-tap sign-in's demo users exist in demo and dev folders only; a county signs in with passwords.
    if (mode === 'county') delete process.env.LOCAL_USERS;
    else process.env.LOCAL_USERS = JSON.stringify(LOCAL_USERS);
    process.env.AWS_REGION ??= 'cn-northwest-1';
    // Without SMTP_URL, email lands as .eml files in the data folder's outbox (DATA_DIR/outbox).
    if (dataDir) process.env.DATA_DIR = dataDir;
    resetConfig();
    resetMailConfig();
    resetDocumentClient();
    // Backups pause writes: a request that writes passes the gate as a whole, other writes one call at a time.
    const gate = createWriteGate();
    setWriteHook(gate.runWrite);
    const gated =
      (handler: LambdaHandler): LambdaHandler =>
      (event, context) =>
        ['GET', 'HEAD'].includes(event.requestContext.http.method)
          ? handler(event, context)
          : gate.run(() => handler(event, context));

    const routes: GatewayRoute[] = [];
    for (const group of routeGroups) {
      const module = (await import(resolve(import.meta.dirname, '../..', group.entry))) as {
        handler: LambdaHandler;
      };
      for (const route of group.routes) {
        const maxBodyBytes = route.maxBodyBytes ?? config().maxBodyBytes;
        routes.push({
          method: route.method,
          path: route.path,
          authorized: !PUBLIC_ROUTES.has(routeKey(route)),
          functionName: `baocun-${group.name}`,
          handler: gated(module.handler),
          // The handler's own limit, checked by the gateway before it reads more (same answer as the handler's).
          maxBodyBytes,
          tooLarge: (limit) => ({
            error: {
              code: 'PAYLOAD_TOO_LARGE',
              message: `请求内容过大（上限 ${Math.floor(limit / 1024)} KB）`,
            },
            // The error shape every route declares carries a request id; no Lambda ran, so a fresh one.
            requestId: randomUUID(),
          }),
        });
      }
    }

    const web = (await import(resolve(import.meta.dirname, '../../functions/api/web.ts'))) as {
      handler: LambdaHandler;
    };
    const { webPages } = await import(resolve(import.meta.dirname, '../../functions/web/pages/index.ts'));
    const pageLimit = pageBodyLimits(webPages);
    /**
     * A page's body limit, before the body is read: large uploads only for a signed-in person (the
     * page checks the role); anyone else gets the default page limit, so an anonymous flood of big
     * bodies to the pages is refused as it streams instead of buffered.
     */
    const webBodyLimit = async (req: IncomingMessage, url: URL): Promise<number> => {
      const page = pageLimit(req.method ?? 'GET', url.pathname);
      if (!page || page.maxBytes <= DEFAULT_PAGE_MAX_BODY || page.public) {
        return Math.min(page?.maxBytes ?? DEFAULT_PAGE_MAX_BODY, DEFAULT_PAGE_MAX_BODY);
      }
      const token = parseCookies(undefined, req.headers.cookie).get(SESSION_COOKIE);
      const signedIn = token ? await verifyLocalToken(key, token) : undefined;
      return signedIn ? page.maxBytes : DEFAULT_PAGE_MAX_BODY;
    };
    for (const route of WEB_ROUTES) {
      routes.push({
        ...route,
        authorized: false,
        functionName: 'baocun-web',
        handler: gated(web.handler),
        maxBodyBytes: webBodyLimit,
      });
    }
    // Photo bytes: the county server's stand-in for the bucket's presigned PUT and GET links.
    routes.push(...localPhotoRoutes(gated));
    const transport: Transport = {
      scheme: options.tls ? 'https' : 'http',
      ...(options.trustProxy ? { trustProxy: true } : {}),
    };

    // Background work (imports, exports, jobs started from the console) runs in this process, after
    // the request that started it has been answered, as Lambda runs an asynchronous invoke.
    const background = await import(resolve(import.meta.dirname, '../../functions/api/worker.ts'));
    const jobs = await import(resolve(import.meta.dirname, '../../functions/api/scheduled.ts'));
    // News at once (docs/news.md): the emails and texts of a new problem, rejection, dispatch or emergency.
    const news = await import(resolve(import.meta.dirname, '../../functions/api/news.ts'));
    const invoker = createLocalInvoker(
      {
        worker: (event, context) =>
          background.handler(event as Parameters<typeof background.handler>[0], context),
        jobs: (event, context) => jobs.handler(event as Parameters<typeof jobs.handler>[0], context),
        news: (event, context) => news.handler(event as Parameters<typeof news.handler>[0], context),
        // Talk notices and records written by requests, printed as PDF apart as on AWS (docs/talks.md).
        documents: (event, context) => jobs.handler(event as Parameters<typeof jobs.handler>[0], context),
      },
      options.log ?? ((line) => console.error(JSON.stringify(line))),
      // Lambda's 15 minutes for each background run (jobs started by POST /jobs/{name}, tasks).
      // Two PDF prints at a time: each is a Chromium page, and a county's server has a few cores (a day
      // of inspections hands off dozens of rectification notices within a minute).
      { timeoutMs: options.backgroundTimeoutMs, concurrency: { documents: 2 } },
    );
    installInvoker(invoker);

    // County mode: sign-in and password change for the accounts (infra/local/accounts/auth-routes.ts).
    const authRoutes = createAuthRoutes({
      county: mode === 'county',
      sourceIp: (req) => forwardedFacts(req, transport).sourceIp,
      ...(options.log ? { log: options.log } : {}),
    });

    const fallback = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/local/token' || req.method !== 'POST' || mode === 'county') return false;
      if (!sameOriginPost(req)) {
        sendJson(res, 403, { error: { code: 'CROSS_SITE', message: '只能从本系统的页面登录' } }, JSON_UTF8);
        return true;
      }
      if (/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
        await signInBrowser(req, res, body);
        return true;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const result = tokenRequest.safeParse(parsed);
      if (!result.success) {
        const fields = result.error.issues.map((i) => ({
          path: i.path.join('.'),
          code: i.code.toUpperCase(),
          message: i.message,
        }));
        sendJson(
          res,
          400,
          { error: { code: 'VALIDATION_FAILED', message: '请求内容有误', fields } },
          JSON_UTF8,
        );
        return true;
      }
      sendJson(res, 200, { token: await issueLocalToken(key, result.data) }, JSON_UTF8);
      return true;
    };

    /**
     * A sign-in must come from our own page or a program: a page on another site could otherwise
     * post the form and sign the browser in as a user of its choosing (or mint a token with a
     * text/plain body). Browsers send Origin or Sec-Fetch-Site with every POST; programs send neither.
     */
    const sameOriginPost = (req: IncomingMessage): boolean => {
      const site = req.headers['sec-fetch-site'];
      if (site && site !== 'same-origin' && site !== 'none') return false;
      const from = req.headers.origin;
      if (from === undefined) return true;
      const facts = forwardedFacts(req, transport);
      return from === `${facts.scheme}://${facts.host ?? req.headers.host ?? ''}`;
    };

    /** The local sign-in page posts here: a session cookie, then the person's home page. */
    const signInBrowser = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
      const form = new URLSearchParams(body.toString('utf8'));
      const result = tokenRequest.safeParse({
        sub: form.get('sub')?.trim(),
        role: form.get('role'),
        ...(form.get('townshipId') ? { townshipId: form.get('townshipId') } : {}),
      });
      if (!result.success) {
        res.writeHead(303, { location: '/app/login?error=1' });
        res.end();
        return;
      }
      const { sub, role, townshipId } = result.data;
      const name =
        role === 'cadre' || role === 'leader'
          ? (await getCadre(sub).catch(() => undefined))?.name
          : role === 'township' && townshipId
            ? `${(await getTownship(townshipId).catch(() => undefined))?.name ?? townshipId}工作人员`
            : LOCAL_USERS.find((u) => u.sub === sub && u.role === role)?.name;
      const token = await issueLocalToken(
        key,
        { sub, role, ...(name ? { name } : {}), ...(townshipId ? { townshipId } : {}) },
        BROWSER_SESSION_SECONDS,
      );
      res.writeHead(303, {
        location: safeNext(form.get('next')) ?? homeOf(role),
        'set-cookie': serializeCookie(SESSION_COOKIE, token, {
          // Over plain http (a LAN) a Secure cookie would be dropped by the browser.
          secure: forwardedFacts(req, transport).scheme === 'https',
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
      // Sign-ins write several records (throttle, audit): through the write gate as one writer, like the routes.
      fallback: (req, res, body) => {
        const serve = async () => (await authRoutes(req, res, body)) || fallback(req, res, body);
        return ['GET', 'HEAD'].includes(req.method ?? 'GET') ? serve() : gate.run(serve);
      },
      ...(options.log ? { log: options.log } : {}),
      hosts: createHostPolicy({
        publicBaseUrl: process.env.PUBLIC_BASE_URL,
        allowedHosts: options.allowedHosts ?? process.env.ALLOWED_HOSTS,
      }),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.trustProxy ? { trustProxy: true } : {}),
    });

    const schedulerOn = options.scheduler ?? process.env.SCHEDULER !== 'off';
    const backup = (outDir?: string): Promise<BackupResult> => {
      if (!dataDir || !backupDir)
        return Promise.reject(new Error('a stack without a data folder has no backups'));
      return createBackup({
        dataDir,
        dynamoEndpoint: dynamo.endpoint,
        outDir: outDir ?? backupDir,
        gate,
        ...(options.clock ? { now: options.clock } : {}),
      });
    };
    const scheduler: LocalScheduler | undefined = schedulerOn
      ? startLocalScheduler({
          ...(options.log ? { log: options.log } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
          // The daily backup (02:00 Beijing) is a job of this runtime only: on AWS, DynamoDB keeps point-in-time recovery.
          ...(backupDir
            ? {
                local: [
                  dailyBackupJob({
                    backup,
                    dir: backupDir,
                    keep: options.backupKeep ?? backupKeepFromEnv(),
                    log,
                  }),
                ],
              }
            : {}),
        })
      : undefined;
    // Commands (npm run backup …) reach this process through the data folder's control socket.
    const control: ControlServer | undefined = dataDir
      ? await startControlServer(dataDir, controlRoutes({ backup }))
      : undefined;

    let stopped = false;
    return {
      url: gateway.url,
      mode,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      token: (sub, role, name, townshipId) =>
        issueLocalToken(key, { sub, role, ...(name ? { name } : {}), ...(townshipId ? { townshipId } : {}) }),
      backup,
      async stop(stopOptions = {}) {
        if (stopped) return;
        stopped = true;
        scheduler?.stop();
        await control?.close();
        const graceMs = stopOptions.graceMs;
        const deadline = Date.now() + (graceMs ?? 0);
        await gateway.close(graceMs ?? 0);
        // Let background work started by the last requests finish before the database goes away.
        if (graceMs === undefined) {
          await invoker.drain();
        } else {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            invoker.drain(),
            new Promise<void>((done) => {
              timer = setTimeout(done, Math.max(0, deadline - Date.now()));
            }),
          ]);
          clearTimeout(timer);
        }
        // A job still running (scheduled, or started from the console) gives up its lease, so the
        // next start or trigger runs it again instead of waiting for the lease to run out.
        const released = await releaseRunningJobs(
          graceMs === undefined ? 0 : Math.max(0, deadline - Date.now()),
        );
        for (const run of released) {
          (options.log ?? ((line) => console.error(JSON.stringify(line))))({
            level: 'warn',
            msg: 'job interrupted by shutdown; its lease was released',
            job: run.job,
            runKey: run.runKey,
          });
        }
        uninstallInvoker(invoker);
        resetDocumentClient();
        setWriteHook(undefined);
        await dynamo.stop();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { backupDirFromEnv } from './backup-archive.ts';
import { DataFolderError, type Mode } from './data-folder.ts';
import { DataFolderLockedError } from './data-lock.ts';
import { startLocalStack } from './runtime.ts';

/** `npm start`: the whole pipeline on one machine. */
// Everything this process creates (database files, keys, documents, backups) is the service user's alone.
process.umask(0o077);
const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
process.env.LOG_LEVEL ??= 'warn';
// Node 20 is supported here; the SDK's advance notice about dropping it is noise for operators.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const mode: Mode = process.argv.includes('--demo')
  ? 'demo'
  : process.argv.includes('--dev')
    ? 'dev'
    : 'county';

/** How long a stop (SIGTERM, Ctrl+C) waits for requests and jobs under way (systemd's TimeoutStopSec must be longer). */
const STOP_GRACE_MS = Number(process.env.STOP_GRACE_MS ?? 30_000);

class StartError extends Error {}

/** TLS_CERT and TLS_KEY (PEM files): serve https directly, so phones get the offline pages. */
function tlsFromEnv(): { cert: Buffer; key: Buffer } | undefined {
  const certPath = process.env.TLS_CERT;
  const keyPath = process.env.TLS_KEY;
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) {
    throw new StartError(
      'TLS_CERT 和 TLS_KEY 需要同时设置 / set both TLS_CERT and TLS_KEY (PEM files), or neither for plain http',
    );
  }
  try {
    return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } catch (error) {
    throw new StartError(`无法读取证书或私钥 / cannot read TLS_CERT or TLS_KEY: ${(error as Error).message}`);
  }
}

/** The addresses a phone on the LAN can use, when the server listens on every interface. */
function lanUrls(url: string, host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  const { protocol, port: shownPort } = new URL(url);
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry && entry.family === 'IPv4' && !entry.internal)
    .map((entry) => `${protocol}//${entry!.address}:${shownPort}/`);
}

try {
  const started = Date.now();
  const host = process.env.HOST ?? '127.0.0.1';
  const tls = tlsFromEnv();
  const stack = await startLocalStack({
    mode,
    dataDir,
    port,
    host,
    ...(tls ? { tls } : {}),
    trustProxy: process.env.TRUST_PROXY === '1',
  });
  const lan = lanUrls(stack.url, host);
  const common = [
    '',
    `包村 Baocun is running at ${stack.url}  (started in ${Date.now() - started} ms, ${mode} mode)`,
    `  in a browser: ${stack.url}/`,
    ...lan.map((u) => `  on the LAN:   ${u}`),
    `  data folder: ${dataDir}`,
    `  backups:     ${backupDirFromEnv(dataDir)}  (daily 02:00 Beijing time${process.env.SCHEDULER === 'off' ? ', off: SCHEDULER=off' : ''}; npm run backup)`,
    `  health:      ${stack.url}/healthz`,
    `  API docs:    ${stack.url}/openapi.json`,
  ];
  if (mode === 'county') {
    // A county's server: no demo users, no token minting; people sign in with their own accounts.
    console.log(
      [
        ...common,
        '',
        '县级正式模式：用户用账号和密码登录。/ County mode: people sign in with a user name and password.',
        '创建第一个管理员账号 / create the first administrator account (prints an initial password):',
        '  npm run users -- add <username> --role admin',
        'API clients: POST /auth/token with {"username": "…", "password": "…"}, then "Authorization: Bearer <token>".',
        ...(tls
          ? []
          : lan.length
            ? [
                '',
                '手机离线使用需要 https：见 docs/county-server.md（TLS_CERT、TLS_KEY）/ phones need https for offline use: docs/county-server.md',
              ]
            : []),
        '',
        'Stop with Ctrl+C (or SIGTERM: requests under way finish first).',
      ].join('\n'),
    );
  }
  const { describeSummary, hasDemoData, runDemoJobs, seedDemo } =
    mode === 'county'
      ? ({} as Partial<typeof import('./seed-demo-data.ts')>)
      : await import('./seed-demo-data.ts');
  const empty = mode !== 'county' && !(await hasDemoData!());
  // The demo goes in through the API while the server already answers: starting stays quick.
  const seeding = mode === 'demo' && empty;
  if (mode !== 'county') {
    console.log(
      [
        ...common,
        `  sign-in:     ${stack.url}/app/login   (包村网页：选择演示用户登录 / sign in as a demo user)`,
        '',
        'API clients log in locally: POST /local/token with {"sub": "<user id>", "role": "admin|inspector|leader|cadre"}',
        '  or {"sub": "<user id>", "role": "township", "townshipId": "<township id>"}',
        `  curl -s -X POST ${stack.url}/local/token -H 'content-type: application/json' -d '{"sub":"hq-admin","role":"admin"}'`,
        '  then send the token as "Authorization: Bearer <token>".',
        ...(seeding
          ? ['', '正在写入演示数据（青岚县，虚构）… / loading the fictional demo county in the background …']
          : empty
            ? [
                '',
                mode === 'demo'
                  ? 'The data folder is empty. Load the fictional demo county with:  npm run seed:demo'
                  : 'Development mode: no demo data (use npm start -- --demo with another DATA_DIR for the demo county).',
              ]
            : mode === 'demo'
              ? [
                  '',
                  'Demo users: admin "hq-admin", inspector "inspector-1", cadres by their cadre id (e.g. "C001").',
                ]
              : []),
        '',
        'Stop with Ctrl+C.',
      ].join('\n'),
    );
  }
  if (seeding && seedDemo && describeSummary && runDemoJobs) {
    seedDemo({ url: stack.url })
      .then(async (summary) => {
        console.log(`\n${describeSummary(summary)}`);
        await runDemoJobs({ url: stack.url, log: (line) => console.log(line) });
      })
      .catch((error: unknown) =>
        console.error(`\n${error instanceof Error ? error.message : String(error)}`),
      );
  }
  // A graceful stop: no new connections, requests under way finish (up to STOP_GRACE_MS), background
  // work drains, a running job gives up its lease, then the database closes and the folder unlocks.
  // A second signal stops at once.
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: stopping now`);
      process.exit(1);
    }
    stopping = true;
    console.error(
      `${signal}: 正在停止 / stopping (waiting up to ${Math.round(STOP_GRACE_MS / 1000)} s for requests under way) …`,
    );
    try {
      await stack.stop({ graceMs: STOP_GRACE_MS });
      process.exit(0);
    } catch (error) {
      console.error(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  if (
    error instanceof DataFolderLockedError ||
    error instanceof DataFolderError ||
    error instanceof StartError
  ) {
    console.error(error.message);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    console.error(
      `无法监听 ${process.env.HOST ?? '127.0.0.1'}:${port}（${code}）/ cannot listen on ${process.env.HOST ?? '127.0.0.1'}:${port} (${code}): set PORT or HOST`,
    );
    process.exit(2);
  }
  throw error;
}

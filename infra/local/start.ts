import { resolve } from 'node:path';
import { DataFolderError, type Mode } from './data-folder.ts';
import { DataFolderLockedError } from './data-lock.ts';
import { startLocalStack } from './runtime.ts';

/** `npm start`: the whole pipeline on one machine. */
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

try {
  const started = Date.now();
  const stack = await startLocalStack({
    mode,
    dataDir,
    port,
    host: process.env.HOST ?? '127.0.0.1',
  });
  const { describeSummary, hasDemoData, runDemoJobs, seedDemo } = await import('./seed-demo-data.ts');
  const empty = !(await hasDemoData());
  // The demo goes in through the API while the server already answers: starting stays quick.
  const seeding = process.argv.includes('--demo') && empty;
  console.log(
    [
      '',
      `包村 Baocun is running at ${stack.url}  (started in ${Date.now() - started} ms)`,
      `  in a browser: ${stack.url}/   (包村网页：选择演示用户登录 / sign in as a demo user)`,
      `  data folder: ${dataDir}`,
      `  health:      ${stack.url}/healthz`,
      `  API docs:    ${stack.url}/openapi.json`,
      '',
      'API clients log in locally: POST /local/token with {"sub": "<user id>", "role": "admin|inspector|cadre"}',
      `  curl -s -X POST ${stack.url}/local/token -H 'content-type: application/json' -d '{"sub":"hq-admin","role":"admin"}'`,
      '  then send the token as "Authorization: Bearer <token>".',
      ...(seeding
        ? ['', '正在写入演示数据（青岚县，虚构）… / loading the fictional demo county in the background …']
        : empty
          ? [
              '',
              'The data folder is empty. Load the fictional demo county with:  npm run seed:demo  (or npm start -- --demo)',
            ]
          : [
              '',
              'Demo users: admin "hq-admin", inspector "inspector-1", cadres by their cadre id (e.g. "C001").',
            ]),
      '',
      'Stop with Ctrl+C.',
    ].join('\n'),
  );
  if (seeding) {
    seedDemo({ url: stack.url })
      .then(async (summary) => {
        console.log(`\n${describeSummary(summary)}`);
        await runDemoJobs({ url: stack.url, log: (line) => console.log(line) });
      })
      .catch((error: unknown) =>
        console.error(`\n${error instanceof Error ? error.message : String(error)}`),
      );
  }
  const shutdown = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof DataFolderLockedError || error instanceof DataFolderError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

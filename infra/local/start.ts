import { resolve } from 'node:path';
import { DataFolderLockedError } from './data-lock.ts';
import { startLocalStack } from './runtime.ts';

/** `npm start`: the whole pipeline on one machine. */
const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
process.env.LOG_LEVEL ??= 'warn';

try {
  const started = Date.now();
  const stack = await startLocalStack({
    dataDir,
    port,
    host: process.env.HOST ?? '127.0.0.1',
  });
  const { describeSummary, hasDemoData, seedDemo } = await import('./seed-demo-data.ts');
  if (process.argv.includes('--demo') && !(await hasDemoData())) {
    console.log(describeSummary(await seedDemo({ url: stack.url })));
  }
  const empty = !(await hasDemoData());
  console.log(
    [
      '',
      `包村 Baocun is running at ${stack.url}  (started in ${Date.now() - started} ms)`,
      `  data folder: ${dataDir}`,
      `  health:      ${stack.url}/healthz`,
      `  API docs:    ${stack.url}/openapi.json`,
      '',
      'Log in locally: POST /local/token with {"sub": "<user id>", "role": "admin|inspector|cadre"}',
      `  curl -s -X POST ${stack.url}/local/token -H 'content-type: application/json' -d '{"sub":"hq-admin","role":"admin"}'`,
      '  then send the token as "Authorization: Bearer <token>".',
      ...(empty
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
  const shutdown = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof DataFolderLockedError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

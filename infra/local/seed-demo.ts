import { resolve } from 'node:path';
import { DataFolderLockedError } from './data-lock.ts';
import { startLocalStack } from './runtime.ts';
import { describeSummary, runDemoJobs, SeedError, seedDemo } from './seed-demo-data.ts';

/**
 * `npm run seed:demo`: loads the fictional demo county. If a Baocun server already answers on
 * http://127.0.0.1:$PORT it is seeded over HTTP (it holds the data folder's lock); otherwise the local
 * stack is started on DATA_DIR on a free port just for the seed, and stopped again.
 */
process.env.LOG_LEVEL ??= 'warn';
const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');

async function runningServer(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as { status?: unknown };
    return res.ok && body.status === 'ok';
  } catch {
    return false;
  }
}

try {
  const running = `http://127.0.0.1:${port}`;
  if (await runningServer(running)) {
    console.log(`正在向运行中的 Baocun 写入演示数据 / seeding the running server at ${running} …`);
    console.log(describeSummary(await seedDemo({ url: running })));
    await runDemoJobs({ url: running, log: (line) => console.log(line) });
  } else {
    console.log(`正在启动本地环境并写入演示数据 / starting the local stack on ${dataDir} to seed it …`);
    const stack = await startLocalStack({ dataDir, port: 0, host: '127.0.0.1' });
    try {
      console.log(describeSummary(await seedDemo({ url: stack.url })));
      await runDemoJobs({ url: stack.url, log: (line) => console.log(line) });
    } finally {
      await stack.stop();
    }
    console.log(
      '完成。运行 npm start 后即可登录 / done: run `npm start` and log in as one of the users above.',
    );
  }
} catch (error) {
  if (error instanceof DataFolderLockedError || error instanceof SeedError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

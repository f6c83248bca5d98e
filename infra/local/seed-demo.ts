import { resolve } from 'node:path';
import { DataFolderError, readManifest } from './data-folder.ts';
import { DataFolderLockedError } from './data-lock.ts';
import { startLocalStack } from './runtime.ts';
import { describeSummary, runDemoJobs, SeedError, seedDemo } from './seed-demo-data.ts';

/**
 * `npm run seed:demo`: loads the fictional demo county. If a Baocun server already answers on
 * http://127.0.0.1:$PORT it is seeded over HTTP (it holds the data folder's lock); otherwise the local
 * stack is started on DATA_DIR on a free port just for the seed, and stopped again.
 */
process.umask(0o077);
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
  // A county's data never gets demo users: refused before anything is started or sent.
  if (readManifest(dataDir)?.mode === 'county') {
    throw new DataFolderError(
      `数据目录 ${dataDir} 是县级正式数据，不能写入演示数据。演示请用另一个目录：DATA_DIR=.demo npm start -- --demo\n` +
        `The data folder ${dataDir} is a county's (county mode); demo data is never written into it. For the demo, use another folder: DATA_DIR=.demo npm start -- --demo`,
    );
  }
  const running = `http://127.0.0.1:${port}`;
  if (await runningServer(running)) {
    console.log(`正在向运行中的 Baocun 写入演示数据 / seeding the running server at ${running} …`);
    console.log(describeSummary(await seedDemo({ url: running })));
    await runDemoJobs({ url: running, log: (line) => console.log(line) });
  } else {
    console.log(`正在启动本地环境并写入演示数据 / starting the local stack on ${dataDir} to seed it …`);
    const stack = await startLocalStack({ dataDir, port: 0, host: '127.0.0.1', mode: 'demo' });
    try {
      console.log(describeSummary(await seedDemo({ url: stack.url })));
      await runDemoJobs({ url: stack.url, log: (line) => console.log(line) });
    } finally {
      await stack.stop();
    }
    console.log(
      '完成。运行 npm start -- --demo 后即可登录 / done: run `npm start -- --demo` and log in as one of the users above.',
    );
  }
} catch (error) {
  if (
    error instanceof DataFolderLockedError ||
    error instanceof DataFolderError ||
    error instanceof SeedError
  ) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { restoreArchive } from '../../infra/local/restore-archive.ts';
import { startLocalStack } from '../../infra/local/runtime.ts';
import { runDemoJobs, seedDemo } from '../../infra/local/seed-demo-data.ts';

/**
 * How long a backup of the demo county takes, and how long it holds writes: seeds the demo (with its
 * jobs, so the documents are there) on a temporary data folder, then backs it up in-process a few
 * times and once through `npm run backup` (the control socket of the running server), and restores
 * that archive into another folder.
 * `npx tsx test/bench/backup.ts [--no-jobs]`
 */
process.env.LOG_SILENT ??= '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';
const root = mkdtempSync(join(tmpdir(), 'baocun-bench-backup-'));
const dataDir = join(root, 'data');
const stack = await startLocalStack({ dataDir, port: 0, mode: 'demo', scheduler: false, log: () => {} });
try {
  let started = performance.now();
  const seeded = await seedDemo({ url: stack.url });
  const seedMs = performance.now() - started;
  started = performance.now();
  const jobs = process.argv.includes('--no-jobs') ? {} : await runDemoJobs({ url: stack.url });
  const jobsMs = performance.now() - started;
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const r = await stack.backup(join(root, 'out'));
    runs.push({ pauseMs: r.pauseMs, totalMs: r.totalMs, bytes: r.bytes, counts: r.manifest.counts });
  }
  started = performance.now();
  // Asynchronous: the server answering the command's control socket runs in this process.
  const { stdout: cli } = await promisify(execFile)(
    resolve(import.meta.dirname, '../../node_modules/.bin/tsx'),
    ['infra/local/backup.ts'],
    {
      cwd: resolve(import.meta.dirname, '../..'),
      env: { ...process.env, DATA_DIR: dataDir, BACKUP_DIR: join(root, 'out') },
      encoding: 'utf8',
    },
  );
  const cliMs = performance.now() - started;
  started = performance.now();
  const restored = await restoreArchive(cli.trim().split('\n').at(-1) as string, join(root, 'restored'));
  const restoreMs = performance.now() - started;
  console.log(
    JSON.stringify(
      {
        seedMs: Math.round(seedMs),
        jobsMs: Math.round(jobsMs),
        jobs,
        inspections: seeded.inspections,
        backups: runs,
        cli: { ms: Math.round(cliMs), output: cli.trim().split('\n') },
        restore: { ms: Math.round(restoreMs), items: restored.items, files: restored.files },
      },
      null,
      2,
    ),
  );
} finally {
  await stack.stop();
  rmSync(root, { recursive: true, force: true });
}

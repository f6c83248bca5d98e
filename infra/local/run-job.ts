import { resolve } from 'node:path';
import { isValidIsoWeek } from '../../functions/core/time.ts';
import { isJobName, JOB_NAMES, JobFailedError, runJob } from '../../functions/jobs/registry.ts';
import { DataFolderError, readManifest } from './data-folder.ts';
import { DataFolderLockedError } from './data-lock.ts';
import { startLocalStack } from './runtime.ts';

/**
 * `npm run job -- <name> [--week 2026-W47]`: runs one job now against the data folder (DATA_DIR,
 * default .data) and prints the run record when it has finished. The local stack is started on a
 * free port without the scheduler, because the data folder admits one process: stop `npm start`
 * first, or call `POST /jobs/{name}` on the running server instead.
 */
function usage(message?: string): never {
  if (message) console.error(message);
  console.error(`usage: npm run job -- <${JOB_NAMES.join('|')}> [--week 2026-W47]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const name = args[0];
if (!name || !isJobName(name)) usage(name ? `unknown job: ${name}` : undefined);
let week: string | undefined;
for (let i = 1; i < args.length; i++) {
  const arg = args[i] as string;
  if (arg === '--week') week = args[++i];
  else if (arg.startsWith('--week=')) week = arg.slice('--week='.length);
  else usage(`unknown argument: ${arg}`);
}
if (week !== undefined && !isValidIsoWeek(week)) usage(`not an ISO week: ${week} (e.g. 2026-W47)`);
if (week !== undefined && name === 'daily-sweep') usage('daily-sweep takes no --week');

process.umask(0o077);
process.env.LOG_LEVEL ??= 'warn';
process.env.SCHEDULER = 'off';
const dataDir = resolve(process.env.DATA_DIR ?? '.data');
process.env.DATA_DIR = dataDir;
let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
try {
  // The folder keeps the mode it was made in (a new folder: a county's, as `npm start` makes it).
  const mode = readManifest(dataDir)?.mode ?? 'county';
  stack = await startLocalStack({ dataDir, port: 0, scheduler: false, mode });
  const { run } = await runJob(name, { trigger: 'cli', now: new Date(), week, requestedBy: 'cli' });
  console.log(JSON.stringify(run, null, 2));
} catch (error) {
  if (error instanceof DataFolderLockedError || error instanceof DataFolderError) {
    console.error(error.message);
    process.exitCode = 2;
  } else if (error instanceof JobFailedError) {
    console.error(JSON.stringify(error.run, null, 2));
    process.exitCode = 1;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
} finally {
  await stack?.stop();
}

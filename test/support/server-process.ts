import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/**
 * `npm start` as its own process, for tests of what only a real process shows: the startup banner,
 * exit codes, signals, file modes made under its umask, its memory. Started as
 * `node --import tsx infra/local/start.ts`, so the child's pid is the server's own.
 */
export const ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the URL the banner prints ("running at …"). */
  url(timeoutMs?: number): Promise<string>;
  signal(name: NodeJS.Signals): void;
}

export function startServerProcess(
  args: string[],
  env: Record<string, string>,
  script = 'infra/local/start.ts',
): ServerProcess {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', SCHEDULER: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    pid: child.pid!,
    output: () => output,
    exited,
    url: (timeoutMs = 60_000) =>
      waitFor(
        'the server to print its URL',
        () => /running at (https?:\/\/\S+)/.exec(output)?.[1],
        timeoutMs,
        () => (child.exitCode !== null ? `the server exited (${child.exitCode}):\n${output}` : undefined),
      ),
    signal(name) {
      if (child.exitCode === null) child.kill(name);
    },
  };
}

/** Polls `probe` until it returns something truthy; `fail` may end the wait early with a reason. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  fail?: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    const reason = fail?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Resident memory of a process in bytes (Linux: VmRSS in /proc/<pid>/status). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

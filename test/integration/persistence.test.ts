import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFolderLockedError } from '../../infra/local/data-lock.ts';
import { type LocalStack, startLocalStack } from '../../infra/local/runtime.ts';
import { cleanupAfterEach, startTestStack, type TestStack, uid } from '../support/local-stack.ts';
import { freePort, waitFor } from '../support/server-process.ts';

/**
 * The embedded default keeps its data in a folder: it survives a restart, and one folder serves one
 * process at a time (a second is refused with a clear message instead of corrupting LevelDB).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const { defer, folder } = cleanupAfterEach();

describe('restart persistence', () => {
  /** A request to a stack as admin, the way `npm start` serves it (default table name). */
  async function asAdmin(stack: LocalStack, method: string, path: string, body?: unknown) {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await stack.token('hq-admin', 'admin')}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { items?: { id: string }[]; [field: string]: unknown },
    };
  }

  it('reads back after a restart what was written before it', async () => {
    const dataDir = folder();
    const id = uid('T');
    const first = await startLocalStack({ dataDir, port: 0 });
    try {
      expect((await asAdmin(first, 'POST', '/townships', { id, name: '  持久乡 ' })).status).toBe(201);
    } finally {
      await first.stop();
    }
    expect(existsSync(join(dataDir, 'baocun.pid'))).toBe(false);

    const second = await startLocalStack({ dataDir, port: 0 });
    try {
      const read = await asAdmin(second, 'GET', `/townships/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id, name: '持久乡' });
      const list = await asAdmin(second, 'GET', '/townships');
      expect(list.body.items?.map((i) => i.id)).toEqual([id]);
      const audit = await asAdmin(second, 'GET', `/audit?entityType=township&entityId=${id}`);
      expect(audit.body.items).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('keeps the local signing key, so a token issued before a restart is still accepted', async () => {
    const dataDir = folder();
    const first = await startLocalStack({ dataDir, port: 0 });
    const token = await first.token('hq-admin', 'admin');
    await first.stop();
    const second = await startLocalStack({ dataDir, port: 0 });
    try {
      const res = await fetch(`${second.url}/townships`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});

describe('one process per data folder', () => {
  it('refuses a second stack on a folder another stack holds, and allows it once the first has stopped', async () => {
    const dataDir = folder();
    const first: TestStack = await startTestStack({ dataDir });
    try {
      await expect(startLocalStack({ dataDir, port: 0 })).rejects.toThrow(DataFolderLockedError);
      await expect(startLocalStack({ dataDir, port: 0 })).rejects.toThrow(/in use/);
      // The refused attempt must not have released the holder's lock.
      expect(existsSync(join(dataDir, 'baocun.pid'))).toBe(true);
      expect((await first.anonymous().get('/healthz')).status).toBe(200);
    } finally {
      await first.stop();
    }
    const again = await startLocalStack({ dataDir, port: 0 });
    await again.stop();
  });

  it('takes over a lock left behind by a process that no longer exists', async () => {
    const dataDir = folder();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dataDir, 'baocun.pid'), '2147483646');
    const stack = await startLocalStack({ dataDir, port: 0 });
    await stack.stop();
    expect(existsSync(join(dataDir, 'baocun.pid'))).toBe(false);
  });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npx tsx infra/local/start.ts`, the way `npm start` runs it, in its own process group. */
function start(dataDir: string, port: number): Started {
  let output = '';
  const child = spawn('npx', ['tsx', 'infra/local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, output: () => output, exited };
}

/** SIGTERM to the group we created: npx, its shell, tsx and the node process running start.ts. */
function terminate(started: Started): void {
  // Even when npx itself has exited, the rest of its group may still be running.
  if (started.child.pid === undefined) return;
  try {
    process.kill(-started.child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

describe('npm start on a folder already in use', () => {
  it('refuses the second process with exit code 2 and a Chinese and English message; the first releases the folder on SIGTERM', async () => {
    const dataDir = folder();
    const first = start(dataDir, 0);
    defer(async () => {
      terminate(first);
      await first.exited;
    });
    const url = await waitFor(
      'the first process to print its URL',
      () => /running at (http:\/\/\S+)/.exec(first.output())?.[1],
      60_000,
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(existsSync(join(dataDir, 'baocun.pid'))).toBe(true);

    const second = start(dataDir, await freePort());
    defer(async () => {
      terminate(second);
      await second.exited;
    });
    expect(await second.exited).toBe(2);
    expect(second.output()).toContain('正被另一个 Baocun 进程');
    expect(second.output()).toContain('is in use by another Baocun process');
    expect(second.output()).not.toMatch(/running at/);
    // The refused process left the holder alone.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    terminate(first);
    await first.exited;
    await waitFor('the lock file to be removed', () => !existsSync(join(dataDir, 'baocun.pid')), 10_000);
  }, 150_000);
});

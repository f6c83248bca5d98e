import { chmodSync, existsSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { isAbsolute } from 'node:path';
import * as z from 'zod/mini';
import type { BackupResult } from './backup-archive.ts';
import { socketPath } from './data-folder.ts';

/**
 * The running server's control socket: how commands (`npm run backup`, and others) reach the process
 * that holds a data folder, since the folder admits one process. It is a Unix socket inside the data
 * folder (0700, socket 0600): only the service's user can connect, and no TCP port or web page can.
 * A request that carries an Origin header (a browser) is refused. JSON in, JSON out.
 */
export const CONTROL_SOCKET = 'control';

/** A handler: the parsed JSON body in, a JSON-serializable answer out; throwing answers 500 with the message. */
export type ControlHandler = (body: unknown) => Promise<unknown>;

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

/** Bodies are small commands, never uploads. */
const MAX_BODY = 64 * 1024;

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `routes` by "METHOD /path"; a handler may be added later by another part of the runtime. */
export async function startControlServer(
  dataDir: string,
  routes: Map<string, ControlHandler>,
): Promise<ControlServer> {
  const path = socketPath(dataDir, CONTROL_SOCKET);
  const server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.origin !== undefined) return answer(403, { error: 'forbidden' });
    const handler = routes.get(`${req.method} ${new URL(req.url ?? '/', 'http://control').pathname}`);
    if (!handler) return answer(404, { error: 'not found' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        return answer(400, { error: 'body is not JSON' });
      }
      handler(body).then(
        (result) => answer(200, result ?? {}),
        (error: unknown) =>
          answer(error instanceof ControlError ? error.status : 500, {
            error: error instanceof Error ? error.message : String(error),
          }),
      );
    });
  });
  // A socket left by a process that died is in the way; the data folder's lock says none runs.
  if (existsSync(path)) rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(path, { force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/**
 * Calls the server running on `dataDir`: its answer, or `undefined` when no server listens there (no
 * socket, or a socket left by a process that is gone). A server's error answer is thrown.
 */
export function callControl<T = unknown>(
  dataDir: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T | undefined> {
  const socket = socketPath(dataDir, CONTROL_SOCKET);
  if (!existsSync(socket)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath: socket,
        method,
        path,
        headers: {
          'content-type': 'application/json',
          ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = { error: text };
          }
          if ((res.statusCode ?? 500) >= 400) {
            reject(
              new ControlError(res.statusCode ?? 500, String((parsed as { error?: unknown }).error ?? text)),
            );
          } else resolve(parsed as T);
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(undefined);
      else if (error.code === 'EACCES') {
        reject(
          new ControlError(
            403,
            `无权访问运行中的 Baocun（${socket}），请以运行服务的用户执行（如 sudo -u baocun …）。\n` +
              `Permission denied on ${socket}: run this command as the service's user (e.g. sudo -u baocun …).`,
          ),
        );
      } else reject(error);
    });
    req.end(payload);
  });
}

const backupRequest = z.strictObject({
  out: z.optional(
    z.string().check(
      z.minLength(1),
      z.refine((p) => isAbsolute(p), 'out must be an absolute path'),
    ),
  ),
});

/** The control routes of a running stack. */
export function controlRoutes(stack: {
  backup(outDir?: string): Promise<BackupResult>;
}): Map<string, ControlHandler> {
  return new Map<string, ControlHandler>([
    [
      'POST /backup',
      async (body) => {
        const parsed = backupRequest.safeParse(body);
        if (!parsed.success)
          throw new ControlError(400, parsed.error.issues.map((i) => i.message).join('; '));
        const result = await stack.backup(parsed.data.out);
        return {
          path: result.path,
          pauseMs: result.pauseMs,
          totalMs: result.totalMs,
          bytes: result.bytes,
          counts: result.manifest.counts,
        };
      },
    ],
  ]);
}

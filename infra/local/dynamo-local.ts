import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { dynamoClientConfig, unixEndpoint } from '../../functions/adapters/dynamo/endpoint.ts';
import { createTableInput } from '../../functions/adapters/dynamo/table-definition.ts';
import { socketPath } from './data-folder.ts';

/**
 * dynalite in-process: a real DynamoDB API over HTTP, persisted with LevelDB under the data folder (or
 * in memory when no folder is given). It listens on a Unix socket inside the data folder, never on a
 * TCP port: only the service's user can reach it (the folder is 0700), so no other process or web page
 * on the machine can read or write the table past the API's role checks and audit trail. A request
 * that carries an Origin header (a browser) is refused, and no CORS header is ever sent. The table is
 * created from the same definition the CDK stack uses.
 */
export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

export const DYNAMO_SOCKET = 'dynamodb';

export async function startDynalite(dataDir: string | undefined): Promise<LocalDynamo> {
  const server = dynalite({
    ...(dataDir ? { path: join(dataDir, 'dynamodb') } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const [dynaliteListener] = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin !== undefined) {
      res.writeHead(403, { 'content-length': 0 });
      res.end();
      return;
    }
    dynaliteListener?.(req, res);
  });
  // In-memory stacks (tests) put their socket in a private temporary folder of their own.
  const scratch = dataDir ? undefined : mkdtempSync(join(tmpdir(), 'baocun-db-'));
  const path = dataDir ? socketPath(dataDir, DYNAMO_SOCKET) : join(scratch!, `${DYNAMO_SOCKET}.sock`);
  // A socket file left by a process that died is in the way; the data folder's lock says none runs.
  if (existsSync(path)) rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    endpoint: unixEndpoint(path),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(scratch ?? path, { recursive: true, force: true });
          resolve();
        });
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

export async function ensureTable(endpoint: string, tableName: string): Promise<'created' | 'existing'> {
  const client = new DynamoDBClient({ region: 'local', ...dynamoClientConfig(endpoint) });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'existing';
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    return 'created';
  } finally {
    client.destroy();
  }
}

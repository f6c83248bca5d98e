import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

/**
 * The jobs and worker functions' traces, as Lambda's X-Ray daemon receives them: the handler's
 * subsegment with the cold-start annotation, and inside it one subsegment per table call. Lambda's
 * environment is imitated (task root, trace header, daemon address); the daemon is a UDP socket here
 * and DynamoDB a small HTTP server.
 */
let daemon: Socket;
let table: Server;
const received: Record<string, any>[] = [];

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // Each datagram is a header line and a segment document.
    const [, body] = message.toString().split('\n');
    if (body) received.push(JSON.parse(body));
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  table = createServer((_req, res) => {
    res.setHeader('content-type', 'application/x-amz-json-1.0');
    res.end(JSON.stringify({ Item: { pk: { S: 'a' } } }));
  });
  await new Promise<void>((resolve) => table.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'baocun-unit-jobs');
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', `127.0.0.1:${(daemon.address() as AddressInfo).port}`);
  vi.stubEnv(
    '_X_AMZN_TRACE_ID',
    'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  );
  vi.stubEnv('TABLE_NAME', 'unit');
  vi.stubEnv('AWS_REGION', 'cn-northwest-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'unit');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'unit');
  vi.stubEnv('DYNAMODB_ENDPOINT', `http://127.0.0.1:${(table.address() as AddressInfo).port}`);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  daemon.close();
  await new Promise((resolve) => table.close(resolve));
});

it('traces the handler and each table call of a jobs invocation', async () => {
  // Loaded after the environment is Lambda's: the X-Ray SDK reads it when it loads.
  const { resetConfig } = await import('../../functions/config.ts');
  const { documentClient, instrumentDynamoClient, resetDocumentClient } = await import(
    '../../functions/adapters/dynamo/client.ts'
  );
  const { traced, tracedClient } = await import('../../functions/http/tracing.ts');
  resetConfig();
  resetDocumentClient();
  instrumentDynamoClient(tracedClient);
  try {
    const handler = traced('scheduled job', async () => {
      const out = await documentClient().send(
        new GetCommand({ TableName: 'unit', Key: { pk: 'a', sk: 'b' } }),
      );
      return out.Item;
    });
    expect(await handler({}, {})).toEqual({ pk: 'a' });

    await vi.waitFor(() => expect(received.map((s) => s.name)).toContain('## scheduled job'));
    const run = received.find((s) => s.name === '## scheduled job')!;
    expect(run).toMatchObject({
      type: 'subsegment',
      trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      parent_id: '53995c3f42cd8ad8',
      annotations: { ColdStart: true, Service: 'baocun' },
    });
    await vi.waitFor(() => expect(received.map((s) => s.name)).toContain('DynamoDB'));
    expect(received.find((s) => s.name === 'DynamoDB')).toMatchObject({
      namespace: 'aws',
      parent_id: run.id,
      aws: { operation: 'GetItem', table_name: 'unit' },
    });
  } finally {
    instrumentDynamoClient(undefined);
    resetDocumentClient();
    resetConfig();
  }
});

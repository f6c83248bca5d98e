import { Agent } from 'node:http';
import { connect } from 'node:net';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * How the DynamoDB client reaches a local database. `unix:/path/to/socket` is the embedded runtime's
 * dynalite on a Unix socket inside the data folder (no TCP port anyone else could reach); an http URL
 * is an emulator on a port (DynamoDB Local in tests); no endpoint is AWS.
 */
export const UNIX_PREFIX = 'unix:';

export function unixEndpoint(socketPath: string): string {
  return `${UNIX_PREFIX}${socketPath}`;
}

export function dynamoClientConfig(endpoint: string | undefined): Partial<DynamoDBClientConfig> {
  if (!endpoint) return {};
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  if (!endpoint.startsWith(UNIX_PREFIX)) return { endpoint, credentials };
  const path = endpoint.slice(UNIX_PREFIX.length);
  // Every connection of this agent goes to the socket, whatever host the SDK names in the URL.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  (agent as unknown as { createConnection: () => ReturnType<typeof connect> }).createConnection = () =>
    connect(path);
  return {
    endpoint: 'http://dynamodb.local',
    credentials,
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  };
}

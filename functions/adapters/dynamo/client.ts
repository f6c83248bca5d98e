import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../../config.ts';
import { dynamoClientConfig } from './endpoint.ts';

/**
 * The one place that decides local endpoint or AWS. Built once per process (module scope in Lambda,
 * reused across invocations).
 */
let client: DynamoDBDocumentClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  if (client) return client;
  const { region, dynamodbEndpoint } = config();
  const base = new DynamoDBClient({
    region,
    ...dynamoClientConfig(dynamodbEndpoint),
    maxAttempts: 4,
  });
  client = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return client;
}

export function resetDocumentClient(): void {
  client?.destroy();
  client = undefined;
}

import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClientConfig } from '../../functions/adapters/dynamo/endpoint.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * The integration suites run twice (vitest.config.ts): against dynalite and against DynamoDB Local.
 * This suite proves each run talks to the backend it claims, so a misconfigured ddb-local project
 * cannot quietly test dynalite twice.
 */
const onDdbLocal = process.env.BAOCUN_TEST_DYNAMO === 'ddb-local';

let t: TestStack;
let client: DynamoDBClient;

beforeAll(async () => {
  t = await startTestStack();
  client = new DynamoDBClient({
    region: 'local',
    ...dynamoClientConfig(t.stack.dynamoEndpoint),
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await t.stop();
});

async function transactionOutcome(): Promise<string> {
  try {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: t.stack.tableName, Item: { PK: { S: 'PROBE' }, SK: { S: 'PROBE' } } } },
        ],
      }),
    );
    return 'accepted';
  } catch (error) {
    return (error as Error).name;
  }
}

describe('the DynamoDB backend under test', () => {
  it('is the one its project names: DynamoDB Local accepts TransactWriteItems, dynalite has none', async () => {
    const outcome = await transactionOutcome();
    if (onDdbLocal) expect(outcome).toBe('accepted');
    else expect(outcome).not.toBe('accepted');
  });
});

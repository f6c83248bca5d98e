import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The benchmark's baseline Lambda: nothing but the DynamoDB document client, built at module scope.
 * Every route bundle is compared with this one, bundled with the same esbuild options.
 */
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async () => ({ statusCode: 200, body: String(Boolean(client)) });

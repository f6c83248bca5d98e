import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { recipientsRoutes } from '../routes/recipients.ts';

export const handler = createApiHandler(recipientsRoutes, dynamoApiPorts);

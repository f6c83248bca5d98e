import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { noticesRoutes } from '../routes/notices.ts';

export const handler = createApiHandler(noticesRoutes, dynamoApiPorts);

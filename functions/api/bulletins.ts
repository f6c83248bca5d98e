import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { bulletinsRoutes } from '../routes/bulletins.ts';

export const handler = createApiHandler(bulletinsRoutes, dynamoApiPorts);

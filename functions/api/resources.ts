import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { resourcesRoutes } from '../routes/resources.ts';

export const handler = createApiHandler(resourcesRoutes, dynamoApiPorts);

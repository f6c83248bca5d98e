import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { majorFailuresRoutes } from '../routes/major-failures.ts';

export const handler = createApiHandler(majorFailuresRoutes, dynamoApiPorts);

import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { directReportsRoutes } from '../routes/direct-reports.ts';

export const handler = createApiHandler(directReportsRoutes, dynamoApiPorts);

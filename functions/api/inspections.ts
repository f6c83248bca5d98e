import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { inspectionsRoutes } from '../routes/inspections.ts';

export const handler = createApiHandler(inspectionsRoutes, dynamoApiPorts);

import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { assignmentsRoutes } from '../routes/assignments.ts';

export const handler = createApiHandler(assignmentsRoutes, dynamoApiPorts);

import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { auditRoutes } from '../routes/audit.ts';

export const handler = createApiHandler(auditRoutes, dynamoApiPorts);

import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { organisationRoutes } from '../routes/organisation.ts';

export const handler = createApiHandler(organisationRoutes, dynamoApiPorts);

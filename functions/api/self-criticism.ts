import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { selfCriticismRoutes } from '../routes/self-criticism.ts';

export const handler = createApiHandler(selfCriticismRoutes, dynamoApiPorts);

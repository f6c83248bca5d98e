import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { healthRoute, openApiRoute } from '../routes/meta.ts';

export const handler = createApiHandler([healthRoute, openApiRoute], dynamoApiPorts);

import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { photosRoutes } from '../routes/photos.ts';

export const handler = createApiHandler(photosRoutes, dynamoApiPorts);

import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import { webApiRoutes } from '../client/api-routes.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { createWebHandler } from '../web/handler.ts';
import { webPages } from '../web/pages/index.ts';

/** The web pages under /app (and `/`): one Lambda, calling the API's handlers in-process. */
export const handler = createWebHandler({
  pages: webPages,
  api: createApiHandler(webApiRoutes, dynamoApiPorts),
});

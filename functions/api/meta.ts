import { createApiHandler } from '../http/api-handler.ts';
import { healthRoute } from '../routes/meta.ts';
import { openApiRoute } from '../routes/index.ts';

export const handler = createApiHandler([healthRoute, openApiRoute]);

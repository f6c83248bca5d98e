import { createApiHandler } from '../http/api-handler.ts';
import { dispatchesRoutes } from '../routes/dispatches.ts';

export const handler = createApiHandler(dispatchesRoutes);

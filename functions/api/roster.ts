import { createApiHandler } from '../http/api-handler.ts';
import { rosterRoutes } from '../routes/roster.ts';

export const handler = createApiHandler(rosterRoutes);

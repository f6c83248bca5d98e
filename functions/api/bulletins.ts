import { createApiHandler } from '../http/api-handler.ts';
import { bulletinsRoutes } from '../routes/bulletins.ts';

export const handler = createApiHandler(bulletinsRoutes);

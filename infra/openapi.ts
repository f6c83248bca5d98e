import { resolve } from 'node:path';
import { OPENAPI_INFO, openApiDocument } from '../functions/http/openapi.ts';
import { allRoutes } from '../functions/routes/index.ts';
import { namedSchemas } from '../functions/schemas/index.ts';

/** The OpenAPI document the meta Lambda serves, from the routes' zod schemas; `npm run generate` writes it. */
export const OPENAPI_FILE = resolve(import.meta.dirname, '../functions/routes/openapi.generated.json');

export function generatedOpenApi(): string {
  return `${JSON.stringify(openApiDocument(allRoutes(), OPENAPI_INFO, namedSchemas()), null, 2)}\n`;
}

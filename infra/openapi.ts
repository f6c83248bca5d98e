import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPENAPI_INFO, openApiDocument } from '../functions/http/openapi.ts';
import { allRoutes } from '../functions/routes/index.ts';

/** `npm run openapi`: writes the OpenAPI document the meta Lambda serves, from the routes' zod schemas. */
export const OPENAPI_FILE = resolve(import.meta.dirname, '../functions/api/openapi.generated.json');

export function generatedOpenApi(): string {
  return `${JSON.stringify(openApiDocument(allRoutes(), OPENAPI_INFO), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(OPENAPI_FILE, generatedOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}

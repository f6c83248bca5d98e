import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OUTPUTS } from '../../infra/build/generate.ts';

/**
 * Global setup of every vitest project: brings the generated modules (templates, assets, the OpenAPI
 * document) up to date before any suite imports them, so `npx vitest run <file>` works on a fresh
 * clone and right after a template edit. In a process of its own, as `npm run generate` runs it, so
 * the generator's imports (every route) stay out of vitest's main process; a no-op check is ~0.3 s.
 *
 * A generator that fails while every output exists (a route mid-edit breaks the OpenAPI build) is
 * reported and the run goes on: the suites of the unrelated code still run, and the ones that check
 * the outputs against their generators (openapi, templates) fail with the real error. With an
 * output missing nothing could run, so the setup fails.
 */
export function setup(): void {
  const root = resolve(import.meta.dirname, '../..');
  try {
    execFileSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'infra/build/generate.ts'), '--quiet'], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch (error) {
    const missing = OUTPUTS.map((o) => o.file).filter((f) => !existsSync(join(root, f)));
    if (missing.length > 0) throw error;
    console.warn('\n[generate] FAILED (see above): the suites run against the outputs built before.\n');
  }
}

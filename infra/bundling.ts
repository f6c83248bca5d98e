/**
 * How Lambda bundles are built, shared by the CDK stack (NodejsFunction) and the benchmark, so the
 * bundle that is measured is the bundle that is deployed.
 */
export const LAMBDA_NODE_TARGET = 'node24';

/** ESM bundles still meet CommonJS inside some dependencies; give them a `require`. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __baocunCreateRequire } from 'node:module'; const require = __baocunCreateRequire(import.meta.url);";

/** esbuild options for one Lambda entry (used directly by the benchmark). */
export function lambdaEsbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: LAMBDA_NODE_TARGET,
    minify: true,
    sourcemap: false as const,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
  };
}

/**
 * How Lambda bundles are built, shared by the CDK stack (local esbuild bundling) and the benchmark, so the
 * bundle that is measured is the bundle that is deployed.
 */
export const LAMBDA_NODE_TARGET = 'node24';

/** ESM bundles still meet CommonJS inside some dependencies; give them a `require`. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __baocunCreateRequire } from 'node:module'; const require = __baocunCreateRequire(import.meta.url);";

/**
 * AWS SDK clients taken from the Lambda Node.js runtime instead of the bundle: each is imported
 * dynamically, on first use, by the one adapter that needs it (functions/adapters/invoke/lambda.ts),
 * so most invocations never load it. Every other SDK package stays in the bundle: its version is the
 * one the tests ran.
 */
export const RUNTIME_SDK_MODULES = ['@aws-sdk/client-lambda'];

/**
 * Packages left out of every bundle: sharp is native code, shipped to the functions that process
 * photos in a Lambda layer with its arm64 binaries (infra/photo-layer.ts) and imported on first use;
 * exif-reader, used only beside it, travels in the same layer.
 */
export const EXTERNAL_MODULES = ['sharp', 'exif-reader', ...RUNTIME_SDK_MODULES];

export interface LambdaBundleOptions {
  /** Linked source maps beside each file (`index.mjs.map`), without the sources' text; the stack ships them. */
  sourcemap?: boolean;
}

/**
 * esbuild options for one Lambda entry (the stack's local bundling and the benchmark). The bundle is a
 * folder: `index.mjs` (the handler, `index.handler`) and, with code splitting, `chunks/*.mjs`. Every
 * dynamic `import()` in our code or a dependency becomes a chunk loaded on first use, so a cold start
 * compiles only what the entry imports statically: exceljs, the S3 client, the document templates and
 * the SDK's rarer credential providers stay on disk until a request needs them (docs/deploy.md §9).
 * The banner is prepended to every chunk (each is its own ES module).
 */
export function lambdaEsbuildOptions(
  entry: string,
  outdir: string,
  { sourcemap = false }: LambdaBundleOptions = {},
) {
  return {
    entryPoints: [entry],
    outdir,
    entryNames: 'index',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: LAMBDA_NODE_TARGET,
    minify: true,
    sourcemap: sourcemap ? ('linked' as const) : false,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: EXTERNAL_MODULES,
    banner: { js: ESM_REQUIRE_BANNER },
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
  };
}

/** The handler file inside a bundle folder made with `lambdaEsbuildOptions`. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

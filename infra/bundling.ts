/**
 * How Lambda bundles are built, shared by the CDK stack (NodejsFunction) and the benchmark, so the
 * bundle that is measured is the bundle that is deployed.
 */
export const LAMBDA_NODE_TARGET = 'node24';

/** ESM bundles still meet CommonJS inside some dependencies; give them a `require`. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __baocunCreateRequire } from 'node:module'; const require = __baocunCreateRequire(import.meta.url);";

/**
 * AWS SDK clients taken from the Lambda Node.js runtime instead of the bundle: each is imported
 * dynamically, on first use, by the one adapter that needs it (functions/adapters/invoke/lambda.ts),
 * so most invocations never load it. Every other SDK package stays bundled (`bundleAwsSDK`): its
 * version is the one the tests ran.
 */
export const RUNTIME_SDK_MODULES = ['@aws-sdk/client-lambda'];

/**
 * Packages left out of every bundle: sharp is native code, shipped to the functions that process
 * photos in a Lambda layer with its arm64 binaries (infra/photo-layer.ts) and imported on first use;
 * exif-reader, used only beside it, travels in the same layer.
 */
export const EXTERNAL_MODULES = ['sharp', 'exif-reader', ...RUNTIME_SDK_MODULES];

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
    external: EXTERNAL_MODULES,
    banner: { js: ESM_REQUIRE_BANNER },
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
  };
}

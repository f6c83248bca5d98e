/**
 * What every Lambda bundles instead of its real entry when the context flag `baocun:stubBundling` is
 * set (the CDK tests; `cdk synth -c baocun:stubBundling=true` for a quick look at the template): the
 * same esbuild options and template, in milliseconds instead of a minute. Never deployed.
 */
export async function handler(): Promise<never> {
  throw new Error('stub bundle: synthesized with baocun:stubBundling, not deployable');
}

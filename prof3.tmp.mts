import { AwsSolutionsChecks } from 'cdk-nag';
import { CloudFormationValidatePlugin } from 'aws-cdk-lib';
const { buildApp } = await import('./infra/app.ts');
const wrap = (proto: any, name: string) => { const orig = proto.validate; proto.validate = function (...a: any[]) { const t = Date.now(); try { return orig.apply(this, a); } finally { console.log(name, Date.now() - t, 'ms'); } }; };
wrap(AwsSolutionsChecks.prototype, 'cdk-nag');
try { wrap((CloudFormationValidatePlugin as any).prototype, 'cfn-validate'); } catch (e) { console.log('no cfn plugin export'); }
const { app } = buildApp({ outdir: '/tmp/cdkout-p3' });
const t = Date.now(); app.synth(); console.log('synth', Date.now() - t);

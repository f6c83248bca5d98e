import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { EXTERNAL_MODULES, lambdaEsbuildOptions } from '../../infra/bundling.ts';
import { STUB_BUNDLING_CONTEXT } from '../../infra/constructs/api-function.ts';
import { stagePhotoLayer } from '../../infra/photo-layer.ts';
import { type BaocunStack, PHOTO_GROUPS } from '../../infra/stack.ts';

/** Photos on AWS: the sharp layer (arm64), who gets it, the bucket's photo grants, CORS and lifecycle. */
type Json = any;

let outdir: string;
let app: App;
let stack: BaocunStack;
let resources: Record<string, Json>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'baocun-cdk-photos-'));
  ({ app, stack } = buildApp({ outdir, context: { [STUB_BUNDLING_CONTEXT]: true } }));
  try {
    app.synth();
  } catch {
    // cdk-nag's verdict is test/infra/stack.test.ts's; the template is on disk either way.
  }
  resources = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')).Resources;
}, 120_000);
afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function ofType(type: string): [string, Json][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

function statementsOfRole(roleId: string): Json[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const photoLayerId = () => idOf(stack.photos.layer);
const layersOf = (fnId: string): string[] =>
  (resources[fnId].Properties.Layers ?? []).map((l: Json) => l.Ref);
const photoStatements = (roleId: string) =>
  statementsOfRole(roleId).filter((s) => JSON.stringify(s.Resource).includes('/photos/*'));

describe('photo functions', () => {
  it('the photo layer is arm64 and goes to the photo route groups and the pages only', () => {
    expect(resources[photoLayerId()].Properties.CompatibleArchitectures).toEqual(['arm64']);
    const withLayer = [...stack.functions.entries()]
      .filter(([, fn]) => layersOf(idOf(fn.fn)).includes(photoLayerId()))
      .map(([name]) => name)
      .sort();
    expect(withLayer).toEqual(PHOTO_GROUPS.filter((g) => stack.functions.has(g)).sort());
    expect(layersOf(idOf(stack.web.pages.fn))).toContain(photoLayerId());
    expect(layersOf(idOf(stack.delivery.jobs.fn))).not.toContain(photoLayerId());
  });

  it('grants exactly Get/Put/Delete on photos/* to those functions, and nothing on photos/ to the others', () => {
    for (const [name, fn] of stack.functions) {
      const statements = photoStatements(idOf(fn.role));
      if ((PHOTO_GROUPS as readonly string[]).includes(name)) {
        expect(statements.flatMap((s) => [s.Action].flat()).sort(), name).toEqual([
          's3:DeleteObject',
          's3:GetObject',
          's3:PutObject',
        ]);
      } else {
        expect(statements, name).toEqual([]);
      }
    }
  });

  it('the functions are arm64 and know the bucket', () => {
    const fn = resources[idOf(stack.functions.get('photos')!.fn)];
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(Object.keys(fn.Properties.Environment.Variables)).toContain('DOCUMENTS_BUCKET');
  });
});

describe('the documents bucket, for photos', () => {
  const bucket = () => resources[idOf(stack.delivery.bucket)].Properties;

  it('lets the web origins PUT uploads and GET pictures (CORS), signing Content-Type', () => {
    const rule = bucket().CorsConfiguration.CorsRules[0];
    expect(rule.AllowedMethods.sort()).toEqual(['GET', 'PUT']);
    expect(rule.AllowedHeaders).toEqual(['content-type']);
    expect(JSON.stringify(rule.AllowedOrigins)).not.toContain('"*"');
  });

  it('deletes raw uploads no record claimed after a day', () => {
    const rule = bucket().LifecycleConfiguration.Rules.find((r: Json) => r.Prefix === 'photos/uploads/');
    expect(rule).toMatchObject({ ExpirationInDays: 1, Status: 'Enabled' });
  });
});

describe('sharp on Lambda', () => {
  it('the layer holds sharp and the Linux arm64 binaries, and no x64 ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'photo-layer-'));
    try {
      stagePhotoLayer(dir);
      const modules = join(dir, 'nodejs', 'node_modules');
      const arm = JSON.parse(readFileSync(join(modules, '@img/sharp-linux-arm64/package.json'), 'utf8'));
      expect(arm).toMatchObject({ os: ['linux'], cpu: ['arm64'] });
      const binary = readdirSync(join(modules, '@img/sharp-linux-arm64/lib')).find((f) =>
        f.endsWith('.node'),
      );
      // ELF header: machine 0xB7 is AArch64.
      const elf = readFileSync(join(modules, '@img/sharp-linux-arm64/lib', binary!));
      expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(elf.readUInt16LE(18)).toBe(0xb7);
      expect(existsSync(join(modules, '@img/sharp-libvips-linux-arm64/package.json'))).toBe(true);
      expect(existsSync(join(modules, 'sharp/package.json'))).toBe(true);
      expect(existsSync(join(modules, 'exif-reader/package.json'))).toBe(true);
      expect(readdirSync(join(modules, '@img')).filter((n) => n.includes('x64'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('bundles leave sharp out and import it only when a photo is processed', async () => {
    expect(EXTERNAL_MODULES).toEqual(expect.arrayContaining(['sharp', 'exif-reader']));
    const dir = mkdtempSync(join(tmpdir(), 'photo-bundle-'));
    try {
      // The problems function claims rectification photos: it decodes them with sharp.
      await build(lambdaEsbuildOptions('functions/api/problems.ts', dir));
      // Every file of the bundle: the entry and its chunks.
      const code = readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.mjs'))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n');
      expect(/import\(\s*["']sharp["']\s*\)/.test(code), 'a dynamic import of sharp').toBe(true);
      expect(/from\s*["']sharp["']/.test(code), 'a static import of sharp').toBe(false);
      expect(code.includes('sharp-libvips'), 'sharp inlined').toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

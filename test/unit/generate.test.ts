import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GeneratedOutput, generate, OUTPUTS, ROOT } from '../../infra/build/generate.ts';

/**
 * The generator rebuilds an output exactly when one of its inputs changed: a file of an input folder
 * (a new one too), a module in the import graph of its generator, the lock file, or the output itself.
 * Tried on a scratch tree with one output that concatenates a folder and imports a module.
 */
let root: string;
let builds: number;

const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};

function output(): GeneratedOutput {
  return {
    file: 'out/list.generated.ts',
    dirs: ['src/items'],
    modules: ['src/build.ts'],
    async build() {
      builds++;
      return `export const items = ${JSON.stringify(readFileSync(join(root, 'src/items/a.txt'), 'utf8'))};\n`;
    },
  };
}

const run = () => generate({ root, outputs: [output()], stampFile: join(root, 'stamp.json') });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'baocun-generate-'));
  builds = 0;
  write('package-lock.json', '{"lockfileVersion":3}');
  write('src/items/a.txt', 'a');
  write('src/build.ts', "import { helper } from './helper.ts';\nexport const x = helper;\n");
  write('src/helper.ts', 'export const helper = 1;\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('npm run generate', () => {
  it('builds a missing output once, then does nothing while no input changed', async () => {
    expect(await run()).toEqual(['out/list.generated.ts']);
    expect(readFileSync(join(root, 'out/list.generated.ts'), 'utf8')).toContain('"a"');
    expect(await run()).toEqual([]);
    expect(builds).toBe(1);
  });

  it.each([
    ['a file of an input folder changes', () => write('src/items/a.txt', 'b')],
    ['a file appears in an input folder', () => write('src/items/b.txt', 'new')],
    ['a module the generator imports changes', () => write('src/helper.ts', 'export const helper = 2;\n')],
    ['the lock file changes (a compiler upgrade)', () => write('package-lock.json', '{"lockfileVersion":4}')],
    ['the output was edited by hand', () => write('out/list.generated.ts', 'edited')],
    ['the output was deleted', () => unlinkSync(join(root, 'out/list.generated.ts'))],
  ])('rebuilds when %s', async (_label, change) => {
    await run();
    change();
    expect(await run()).toEqual(['out/list.generated.ts']);
    expect(await run()).toEqual([]);
    expect(builds).toBe(2);
  });

  it('lists every generated file of the repository, each git-ignored', () => {
    const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8');
    for (const { file } of OUTPUTS) {
      expect(file).toMatch(/\.generated\.(ts|json)$/);
      expect(ignored).toContain(`*${file.slice(file.lastIndexOf('.generated.'))}`);
    }
  });
});

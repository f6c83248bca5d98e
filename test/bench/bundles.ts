import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { lambdaEsbuildOptions } from '../../infra/bundling.ts';
import { median } from './stats.ts';

/**
 * Bundle every Lambda exactly as the CDK stack does (infra/bundling.ts) and time a cold import of each
 * in a fresh Node process, beside a bundle that only builds the DynamoDB document client.
 */
const ROOT = resolve(import.meta.dirname, '../..');

export interface BundleTarget {
  name: string;
  entry: string;
}

export interface BuiltBundle extends BundleTarget {
  file: string;
  bytes: number;
  /** Largest contributors by package (bytes in the output). */
  heaviest: { name: string; bytes: number }[];
}

export async function buildBundles(targets: BundleTarget[], outDir: string): Promise<BuiltBundle[]> {
  return Promise.all(
    targets.map(async (target) => {
      const file = join(outDir, `${target.name}.mjs`);
      const result = await build({
        ...lambdaEsbuildOptions(resolve(ROOT, target.entry), file),
        metafile: true,
      });
      return { ...target, file, bytes: statSync(file).size, heaviest: heaviestPackages(result.metafile) };
    }),
  );
}

function heaviestPackages(metafile: Metafile): { name: string; bytes: number }[] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = m ? m[1]! : input.startsWith('functions/') ? 'functions/ (ours)' : input;
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);
}

export interface ImportTiming {
  /** Fresh processes actually timed for this file. */
  runs: number;
  /** `await import(bundle)` inside the process, ms (median). */
  importMs: number;
  /** Spawn to exit of the whole process, ms (median). */
  wallMs: number;
}

/**
 * Runs `node runner.mjs <file>` `runs` times per file, interleaving the files (round-robin) so a
 * noisy neighbour or CPU frequency drift hits all of them alike. `null` as a file is the empty
 * process (the runner imports nothing): Node start-up, including NODE_EXTRA_CA_CERTS loading.
 */
export async function timeImports(
  files: (string | null)[],
  runs: number,
  env: Record<string, string>,
  workDir: string,
  /** After this long, stop starting new rounds (at least 3 rounds always run). */
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<ImportTiming[]> {
  const runner = join(workDir, 'import-runner.mjs');
  writeFileSync(
    runner,
    [
      'const target = process.argv[2];',
      'const t0 = performance.now();',
      'if (target) await import(target);',
      'const t1 = performance.now();',
      'process.stdout.write(JSON.stringify({ importMs: t1 - t0 }));',
    ].join('\n'),
  );
  const samples = files.map(() => ({ importMs: [] as number[], wallMs: [] as number[] }));
  const started = performance.now();
  for (let run = 0; run < runs && (run < 3 || performance.now() - started < budgetMs); run++) {
    for (const [i, file] of files.entries()) {
      const sample = await runOnce(runner, file, env);
      samples[i]!.importMs.push(sample.importMs);
      samples[i]!.wallMs.push(sample.wallMs);
    }
  }
  return samples.map((s) => ({
    runs: s.importMs.length,
    importMs: median(s.importMs),
    wallMs: median(s.wallMs),
  }));
}

function runOnce(
  runner: string,
  file: string | null,
  env: Record<string, string>,
): Promise<{ importMs: number; wallMs: number }> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const args = ['--no-warnings', runner, ...(file ? [pathToFileURL(file).href] : [])];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0)
        return reject(new Error(`import of ${file} failed (exit ${code}): ${err.trim().slice(0, 2000)}`));
      try {
        resolveRun({ importMs: (JSON.parse(out) as { importMs: number }).importMs, wallMs });
      } catch {
        reject(
          new Error(`import runner printed no timing for ${file}: ${out.slice(0, 200)} ${err.slice(0, 500)}`),
        );
      }
    });
  });
}

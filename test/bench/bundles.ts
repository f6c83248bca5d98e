import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_ENTRY_FILE, lambdaEsbuildOptions } from '../../infra/bundling.ts';
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
  /** Why the bundle could not be built (then there is no file to time). */
  error?: string;
  bytes: number;
  /** Largest contributors by package (bytes in the output). */
  heaviest: { name: string; bytes: number }[];
}

export interface BuildOptions {
  /** The checkout the entries are in (another one for a before/after comparison). */
  root?: string;
}

/**
 * Builds each target into a folder of its own as the stack does (code splitting: `index.mjs` and its
 * chunks). `bytes` is what a cold import loads: the entry and the chunks it imports statically.
 * A checkout from before code splitting (`--against`) exports the single-file options
 * (`lambdaEsbuildOptions(entry, outfile)`): its bundles are built as it deployed them.
 */
export async function buildBundles<T extends BundleTarget>(
  targets: T[],
  outDir: string,
  { root = ROOT }: BuildOptions = {},
): Promise<(T & BuiltBundle)[]> {
  const bundling =
    root === ROOT
      ? { lambdaEsbuildOptions }
      : await import(pathToFileURL(resolve(root, 'infra/bundling.ts')).href);
  return Promise.all(
    targets.map(async (target) => {
      const dir = join(outDir, target.name);
      const options = bundling.lambdaEsbuildOptions(resolve(root, target.entry), dir) as BuildOptionsOf;
      const split = Boolean(options.splitting);
      const file = split ? join(dir, BUNDLE_ENTRY_FILE) : join(outDir, `${target.name}.mjs`);
      try {
        const result = await build({
          ...options,
          ...(split ? {} : { outfile: file }),
          absWorkingDir: root,
          metafile: true,
        });
        const bytes = split ? staticBytes(result.metafile, root, file) : statSync(file).size;
        return { ...target, file, bytes, heaviest: heaviestPackages(result.metafile, root, file) };
      } catch (error) {
        // One entry that does not build (work in progress in a shared tree) leaves the others measured.
        const message = (error as Error).message.split('\n').slice(0, 2).join(' ');
        return { ...target, file, bytes: Number.NaN, heaviest: [], error: message };
      }
    }),
  );
}

type BuildOptionsOf = Parameters<typeof build>[0] & { splitting?: boolean };

/** The outputs a cold import of `entry` loads: the entry and its static imports, transitively. */
function loadedOutputs(metafile: Metafile, root: string, entry: string): Metafile['outputs'][string][] {
  const byPath = new Map(Object.entries(metafile.outputs).map(([path, o]) => [resolve(root, path), o]));
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !byPath.has(path)) return;
    seen.add(path);
    for (const i of byPath.get(path)!.imports)
      if (i.kind === 'import-statement') visit(resolve(root, i.path));
  };
  visit(resolve(entry));
  return [...seen].map((path) => byPath.get(path)!);
}

function staticBytes(metafile: Metafile, root: string, entry: string): number {
  return loadedOutputs(metafile, root, entry).reduce((n, o) => n + o.bytes, 0);
}

function heaviestPackages(
  metafile: Metafile,
  root: string,
  entry: string,
): { name: string; bytes: number }[] {
  const byPackage = new Map<string, number>();
  for (const output of loadedOutputs(metafile, root, entry)) {
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
  /**
   * CPU time (user + system, every thread of the process: `process.cpuUsage()`) spent during
   * `await import(bundle)`, ms (median). Unlike wall time it barely moves when other processes
   * share the cores, so it is the figure to compare on a busy machine.
   */
  importCpuMs: number;
  /** CPU time of the whole process from its start to the end of the import, ms (median). */
  processCpuMs: number;
}

interface ImportSample {
  importMs: number;
  importCpuMs: number;
  processCpuMs: number;
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
      'const c0 = process.cpuUsage();',
      'const t0 = performance.now();',
      'if (target) await import(target);',
      'const t1 = performance.now();',
      'const c1 = process.cpuUsage();',
      'const cpu = (c) => (c.user + c.system) / 1000;',
      'process.stdout.write(JSON.stringify({ importMs: t1 - t0, importCpuMs: cpu(c1) - cpu(c0), processCpuMs: cpu(c1) }));',
    ].join('\n'),
  );
  const samples = files.map(() => ({
    importMs: [] as number[],
    importCpuMs: [] as number[],
    processCpuMs: [] as number[],
    wallMs: [] as number[],
  }));
  const started = performance.now();
  for (let run = 0; run < runs && (run < 3 || performance.now() - started < budgetMs); run++) {
    for (const [i, file] of files.entries()) {
      const sample = await runOnce(runner, file, env);
      for (const key of ['importMs', 'importCpuMs', 'processCpuMs', 'wallMs'] as const)
        samples[i]![key].push(sample[key]);
    }
  }
  return samples.map((s) => ({
    runs: s.importMs.length,
    importMs: median(s.importMs),
    wallMs: median(s.wallMs),
    importCpuMs: median(s.importCpuMs),
    processCpuMs: median(s.processCpuMs),
  }));
}

function runOnce(runner: string, file: string | null, env: Record<string, string>): Promise<ImportSample> {
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
        resolveRun({ ...(JSON.parse(out) as Omit<ImportSample, 'wallMs'>), wallMs });
      } catch {
        reject(
          new Error(`import runner printed no timing for ${file}: ${out.slice(0, 200)} ${err.slice(0, 500)}`),
        );
      }
    });
  });
}

/**
 * `npm run generate`: builds every generated module, each only when its inputs changed. Generated
 * files are build output, never committed (.gitignore `*.generated.*`): `npm install` (the `prepare`
 * script), `npm start`, `npm test`, `npm run bench`, `cdk synth` and the other entry scripts run this
 * first, and so does vitest's global setup, so a fresh clone and a single `npx vitest run <file>` work.
 *
 * Freshness is a content hash, not a timestamp (a checkout or a copy keeps no useful mtimes): the
 * stamp (node_modules/.cache/baocun/generated.json) records, per output, the hash of every input file
 * and of the output itself. Inputs are the files of the input folders (so a new template counts) and
 * the local import graph of the generator and of the code it reads (traced by esbuild when the output
 * is built; a file new to that graph can only enter it through an edit to a file already in it), plus
 * package-lock.json for the compilers' versions. With nothing changed the check hashes a few hundred
 * files and exits; a deleted or hand-edited output is rebuilt.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');
export const STAMP_FILE = join(ROOT, 'node_modules/.cache/baocun/generated.json');

export interface GeneratedOutput {
  /** The generated file, relative to the root. */
  file: string;
  /** Folders (relative) whose every file is an input. */
  dirs: string[];
  /** Modules (relative) whose local import graph is an input. */
  modules: string[];
  /** Builds the file's content; it may import the outputs listed before it. */
  build(): Promise<string>;
}

/**
 * In dependency order: the OpenAPI document comes last because building it loads every route, and
 * routes render documents and e-mails with the precompiled templates.
 */
export const OUTPUTS: GeneratedOutput[] = [
  {
    file: 'functions/documents/precompiled.generated.ts',
    dirs: ['templates/documents'],
    modules: ['functions/documents/build-templates.ts'],
    build: async () => (await import('../../functions/documents/build-templates.ts')).generate(),
  },
  {
    file: 'functions/adapters/mail/email-templates.generated.ts',
    dirs: ['templates/emails', 'templates/sms'],
    modules: ['functions/adapters/mail/build-email-templates.ts'],
    build: async () =>
      (await import('../../functions/adapters/mail/build-email-templates.ts')).generateEmailTemplates(),
  },
  {
    file: 'functions/web/templates.generated.ts',
    dirs: ['templates/pages'],
    modules: ['functions/web/build-templates.ts'],
    build: async () => (await import('../../functions/web/build-templates.ts')).generate(),
  },
  {
    file: 'functions/web/assets.generated.ts',
    dirs: ['templates/pages/assets', 'functions/web/browser'],
    modules: [
      'functions/web/build-assets.ts',
      'functions/web/browser/sw.ts',
      'functions/web/browser/entries',
    ],
    build: async () => (await import('../../functions/web/build-assets.ts')).generate(),
  },
  {
    file: 'functions/routes/openapi.generated.json',
    dirs: [],
    modules: ['infra/openapi.ts'],
    build: async () => {
      // routes/meta.ts serves this very file, so loading the routes needs one to exist already.
      const file = join(ROOT, 'functions/routes/openapi.generated.json');
      if (!existsSync(file)) writeAtomically(file, '{}\n');
      return (await import('../openapi.ts')).generatedOpenApi();
    },
  },
];

/** Inputs of every output besides its own: the locked versions of handlebars, esbuild, zod. */
const COMMON_INPUTS = ['package-lock.json'];

interface Stamp {
  [file: string]: { output: string; inputs: Record<string, string> };
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 32);

function hashFile(root: string, rel: string): string | undefined {
  try {
    return sha(readFileSync(join(root, rel)));
  } catch {
    return undefined;
  }
}

function filesUnder(root: string, rel: string): string[] {
  const abs = join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs)
    .sort()
    .flatMap((entry) => filesUnder(root, `${rel}/${entry}`));
}

/** The repository's own files the given modules import, transitively (packages are covered by the lock file). */
async function importGraph(root: string, modules: string[]): Promise<string[]> {
  if (modules.length === 0) return [];
  const { build } = await import('esbuild');
  const entryPoints = modules.flatMap((m) => filesUnder(root, m)).filter((f) => f.endsWith('.ts'));
  const result = await build({
    entryPoints: entryPoints.map((f) => join(root, f)),
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(root, 'node_modules/.cache/baocun/graph'),
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
    plugins: [
      {
        // Outputs may not exist yet (they are what is being built); they are never inputs.
        name: 'generated-outputs-are-not-inputs',
        setup(b) {
          b.onResolve({ filter: /\.generated\.(ts|json)$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  return Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
}

function readStamp(file: string): Stamp {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return {};
  }
}

/** Writes through a temporary file, so a concurrent run never reads half a file. */
function writeAtomically(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

/** Why the output must be rebuilt, or undefined when it is current. */
export function staleReason(root: string, output: GeneratedOutput, stamp: Stamp): string | undefined {
  const entry = stamp[output.file];
  if (!entry) return 'never built here';
  if (hashFile(root, output.file) !== entry.output) return `${output.file} is missing or was edited`;
  for (const [input, hash] of Object.entries(entry.inputs)) {
    if (hashFile(root, input) !== hash) return `${input} changed`;
  }
  for (const input of output.dirs.flatMap((d) => filesUnder(root, d))) {
    if (!(input in entry.inputs)) return `${input} is new`;
  }
  return undefined;
}

export interface GenerateOptions {
  root?: string;
  outputs?: GeneratedOutput[];
  stampFile?: string;
  /** Rebuild everything, whatever the stamp says. */
  force?: boolean;
  log?: (line: string) => void;
}

/** Brings every output up to date; returns the files it rebuilt. */
export async function generate(options: GenerateOptions = {}): Promise<string[]> {
  const root = options.root ?? ROOT;
  const outputs = options.outputs ?? OUTPUTS;
  const stampFile = options.stampFile ?? STAMP_FILE;
  const log = options.log ?? (() => {});
  const stamp = readStamp(stampFile);
  const rebuilt: string[] = [];
  for (const output of outputs) {
    const reason = options.force ? 'forced' : staleReason(root, output, stamp);
    if (!reason) continue;
    const started = performance.now();
    const content = await output.build();
    if (hashFile(root, output.file) !== sha(content)) writeAtomically(join(root, output.file), content);
    const files = [
      ...COMMON_INPUTS.filter((f) => existsSync(join(root, f))),
      ...output.dirs.flatMap((d) => filesUnder(root, d)),
      ...(await importGraph(root, output.modules)),
    ];
    const inputs: Record<string, string> = {};
    for (const file of [...new Set(files)].sort()) inputs[file] = hashFile(root, file) ?? '';
    stamp[output.file] = { output: sha(content), inputs };
    rebuilt.push(output.file);
    log(`generated ${output.file} (${reason}) in ${Math.round(performance.now() - started)} ms`);
  }
  if (rebuilt.length > 0) {
    // Merged into the stamp as it is now: a run beside this one (another terminal, vitest's setup)
    // may have recorded other outputs meanwhile, and an old copy of its entries would mark them stale.
    const current = readStamp(stampFile);
    for (const file of rebuilt) current[file] = stamp[file]!;
    writeAtomically(stampFile, `${JSON.stringify(current, null, 1)}\n`);
  }
  return rebuilt;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const quiet = process.argv.includes('--quiet');
  const rebuilt = await generate({
    force: process.argv.includes('--force'),
    log: (line) => console.log(line),
  });
  if (!quiet || rebuilt.length > 0) {
    const took = Math.round(performance.now() - started);
    console.log(
      rebuilt.length > 0
        ? `generate: ${rebuilt.length} file(s) rebuilt in ${took} ms`
        : `generate: ${relative(process.cwd(), ROOT) || '.'} up to date (${took} ms)`,
    );
  }
}

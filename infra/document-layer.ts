import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DOCUMENT_FONTS, faceFiles } from '../functions/adapters/documents/fonts.ts';

/**
 * The Lambda layer of the document-rendering function (the scheduled jobs), staged from
 * node_modules: `@sparticuz/chromium` (its brotli-packed x86-64 Chromium, unpacked to /tmp at run
 * time) and playwright-core, each with its run-time dependencies, and exactly the woff2 files of the
 * four font weights the documents use (fonts.ts), with their licences. Lambda mounts it at /opt, so
 * the packages sit in /opt/nodejs/node_modules, which is on NODE_PATH; the renderer requires them
 * by name at run time, so no function bundle carries them.
 *
 * A layer rather than the bundle: ~75 MB that changes only with these packages' versions, uploaded
 * once per version instead of with every code change, and kept out of every other function.
 */
export const LAYER_PACKAGES = ['@sparticuz/chromium', 'playwright-core'] as const;

const ROOT = resolve(import.meta.dirname, '..');

/** Where `name` is installed as seen from `fromDir` (Node's lookup: node_modules upwards). */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A package and everything it needs at run time (dependencies, and optional ones that are installed). */
function closure(names: readonly string[], root: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, from: string, optional: boolean) => {
    if (found.has(name)) return;
    const dir = packageDir(name, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`document layer: ${name} is not installed (npm install)`);
    }
    found.set(name, dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of names) visit(name, root, false);
  return found;
}

function sizeOf(path: string): { bytes: number; files: number } {
  const st = statSync(path);
  if (!st.isDirectory()) return { bytes: st.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(path)) {
    const s = sizeOf(join(path, entry));
    bytes += s.bytes;
    files += s.files;
  }
  return { bytes, files };
}

/** Copies the layer's contents into `outDir` (`nodejs/node_modules/…`); returns its size. */
export function stageDocumentLayer(outDir: string, root = ROOT): { bytes: number; files: number } {
  const modules = join(outDir, 'nodejs', 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const [name, dir] of closure(LAYER_PACKAGES, root)) {
    cpSync(dir, join(modules, name), {
      recursive: true,
      dereference: true,
      // Type declarations and nested installs are not needed at run time (nested ones are in the closure).
      filter: (src) => !/\.d\.ts$|\.map$/.test(src) && !src.slice(dir.length).includes('/node_modules/'),
    });
  }
  for (const face of Object.values(DOCUMENT_FONTS)) {
    const dir = packageDir(face.pkg, root);
    if (!dir) throw new Error(`document layer: font package ${face.pkg} is not installed`);
    const files = ['package.json', face.css, ...faceFiles(face)];
    for (const licence of ['LICENSE', 'OFL.txt']) if (existsSync(join(dir, licence))) files.push(licence);
    for (const file of files) {
      mkdirSync(dirname(join(modules, face.pkg, file)), { recursive: true });
      cpSync(join(dir, file), join(modules, face.pkg, file));
    }
  }
  return sizeOf(outDir);
}

/** What the layer's content depends on: the versions of what it copies and the font files chosen. */
export function documentLayerFingerprint(root = ROOT): string {
  const parts = [...closure(LAYER_PACKAGES, root)].map(([name, dir]) => {
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
      .version;
    return `${name}@${version}`;
  });
  for (const face of Object.values(DOCUMENT_FONTS)) {
    const dir = packageDir(face.pkg, root)!;
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
      .version;
    parts.push(`${face.pkg}@${version}/${face.css}`);
  }
  return parts.sort().join('\n');
}

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { extract } from 'tar';

/**
 * The Lambda layer of the functions that process photos (docs/photos.md): `sharp` with its run-time
 * dependencies and the Linux **arm64** (glibc) binaries the functions run on, `@img/sharp-linux-arm64`
 * and `@img/sharp-libvips-linux-arm64`. npm installs only the binaries of the machine it runs on, so
 * the arm64 ones are fetched once with `npm pack` (tarballs only, no install) into
 * node_modules/.cache/baocun/sharp-arm64-<version>/ and unpacked into the layer. The layer holds no
 * x64 binary. Lambda mounts it at /opt; the packages sit in /opt/nodejs/node_modules (on NODE_PATH),
 * and the bundles leave `sharp` external (infra/bundling.ts), importing it only when a photo is processed.
 */
const ROOT = resolve(import.meta.dirname, '..');

function packageJson(dir: string): {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
} {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** sharp and its (non-optional) dependencies, as installed. */
function sharpClosure(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, from: string) => {
    if (found.has(name)) return;
    const dir = packageDir(name, from);
    if (!dir) throw new Error(`photo layer: ${name} is not installed (npm install)`);
    found.set(name, dir);
    for (const dep of Object.keys(packageJson(dir).dependencies ?? {})) visit(dep, dir);
  };
  visit('sharp', root);
  // Read only beside sharp (functions/adapters/photos/images.ts), so external to the bundles too.
  visit('exif-reader', root);
  return found;
}

/** The arm64 binary packages this sharp wants, by its own optionalDependencies: name → version. */
export function arm64Binaries(root = ROOT): Record<string, string> {
  const dir = packageDir('sharp', root);
  if (!dir) throw new Error('photo layer: sharp is not installed (npm install)');
  const optional = packageJson(dir).optionalDependencies ?? {};
  const wanted = ['@img/sharp-linux-arm64', '@img/sharp-libvips-linux-arm64'];
  return Object.fromEntries(
    wanted.map((name) => {
      const version = optional[name];
      if (!version) throw new Error(`photo layer: sharp names no ${name}`);
      return [name, version];
    }),
  );
}

/** The arm64 tarballs, fetched once into the cache (`npm pack`, tarballs only); their paths by package. */
export function arm64Tarballs(root = ROOT): Map<string, string> {
  const binaries = arm64Binaries(root);
  const cache = join(
    root,
    'node_modules',
    '.cache',
    'baocun',
    `sharp-arm64-${Object.values(binaries).join('-')}`,
  );
  const tarball = (name: string, version: string) =>
    join(cache, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  const missing = Object.entries(binaries).filter(([name, version]) => !existsSync(tarball(name, version)));
  if (missing.length) {
    mkdirSync(cache, { recursive: true });
    execFileSync(
      'npm',
      ['pack', '--silent', '--pack-destination', cache, ...missing.map(([n, v]) => `${n}@${v}`)],
      { cwd: cache, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  return new Map(Object.entries(binaries).map(([name, version]) => [name, tarball(name, version)]));
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
export function stagePhotoLayer(outDir: string, root = ROOT): { bytes: number; files: number } {
  const modules = join(outDir, 'nodejs', 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const [name, dir] of sharpClosure(root)) {
    cpSync(dir, join(modules, name), {
      recursive: true,
      dereference: true,
      filter: (src) => !/\.d\.[cm]?ts$|\.map$/.test(src) && !src.slice(dir.length).includes('/node_modules/'),
    });
  }
  for (const [name, file] of arm64Tarballs(root)) {
    const target = join(modules, name);
    mkdirSync(target, { recursive: true });
    extract({ file, cwd: target, strip: 1, sync: true });
  }
  return sizeOf(outDir);
}

/** What the layer depends on: sharp's version and the arm64 binaries'. */
export function photoLayerFingerprint(root = ROOT): string {
  const parts = [...sharpClosure(root)].map(([name, dir]) => `${name}@${packageJson(dir).version}`);
  for (const [name, version] of Object.entries(arm64Binaries(root))) parts.push(`${name}@${version}`);
  return parts.sort().join('\n');
}

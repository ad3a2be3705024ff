// Bundles the built CLI (packages/cli/dist/main.js and everything it imports from the workspace
// packages) into packages/cli/dist/bundle/. Loading ~250 ES modules one by one is most of
// `brook start`'s start-up time (resolution, file reads, per-module work); a handful of chunks
// load ~3x faster. Code splitting keeps lazy imports lazy (each command, the handler registry,
// metrics). npm packages stay external: native addons, pino and prom-client are loaded on demand.
//
// bin/brook.js uses the bundle only while it is newer than every package's last `tsc -b` output
// (dist/.tsbuildinfo), so a stale bundle is never run. Run after `tsc -b`: npm run build does.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(root, 'packages/cli/dist/bundle');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const started = Date.now();
const result = await build({
  entryPoints: [resolve(root, 'packages/cli/dist/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Workspace packages are bundled (resolved through their package.json exports to dist/);
  // everything from npm stays a runtime import.
  plugins: [
    {
      name: 'externalize-npm',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@brook/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
});
// A marker written last: bin/brook.js compares its mtime with the packages' tsbuildinfo files.
writeFileSync(resolve(outdir, 'BUILT'), `${new Date().toISOString()}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `bundled the CLI into ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB, in ${Date.now() - started} ms`,
);

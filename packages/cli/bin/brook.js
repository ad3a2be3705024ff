#!/usr/bin/env node
// Committed shim so the bin link exists before the first build.
// On Node >= 22.1 the on-disk compile cache roughly halves module loading (most of start-up time);
// on older Node this is a no-op. It must run before dist/ is imported, hence the dynamic import.
import { statSync } from 'node:fs';
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import(bundleIsFresh() ? '../dist/bundle/main.js' : '../dist/main.js');

/**
 * dist/bundle (scripts/bundle-cli.mjs, run by `npm run build`) loads ~3x faster than ~250 separate
 * modules; it is used only while newer than every package's last tsc output, so never stale.
 */
function bundleIsFresh() {
  try {
    const built = statSync(new URL('../dist/bundle/BUILT', import.meta.url)).mtimeMs;
    for (const pkg of ['protocol', 'storage', 'broker', 'cli']) {
      const info = new URL(`../../${pkg}/dist/.tsbuildinfo`, import.meta.url);
      if (statSync(info, { throwIfNoEntry: false })?.mtimeMs > built) return false;
    }
    return true;
  } catch {
    return false;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`brook: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

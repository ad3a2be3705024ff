#!/usr/bin/env node
// Committed shim so the bin link exists before the first build.
// On Node >= 22.1 the on-disk compile cache roughly halves module loading (most of start-up time);
// on older Node this is a no-op. It must run before dist/ is imported, hence the dynamic import.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`brook: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

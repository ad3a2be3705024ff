#!/usr/bin/env node
// Committed shim so the bin link exists before the first build.
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`brook: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

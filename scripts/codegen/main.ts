// npm run gen: protocol-specs/ → packages/protocol/src/generated/ (load → model → emit).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitAll } from './emit.js';
import { DEFAULT_SPEC_DIR, loadErrorCodes, loadSpecs } from './load.js';
import { buildModel } from './model.js';

export const DEFAULT_OUT_DIR = fileURLToPath(new URL('../../packages/protocol/src/generated/', import.meta.url));

/** Generates every file in memory: relative path → contents. */
export function generate(specDir = DEFAULT_SPEC_DIR): Map<string, string> {
  return emitAll(buildModel(loadSpecs(specDir)), loadErrorCodes(specDir));
}

/** Writes the generated files to outDir, removing stale .ts files there. */
export function writeGenerated(outDir = DEFAULT_OUT_DIR, specDir = DEFAULT_SPEC_DIR): number {
  const files = generate(specDir);
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (f.endsWith('.ts') && !files.has(f)) rmSync(join(outDir, f));
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  return files.size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = writeGenerated();
  console.log(`generated ${n} files in ${DEFAULT_OUT_DIR}`);
}

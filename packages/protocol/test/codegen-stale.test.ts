// The committed src/generated must be exactly what `npm run gen` produces from protocol-specs/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERATED_HEADER } from '../../../scripts/codegen/emit.js';
import { generate } from '../../../scripts/codegen/main.js';

const GENERATED_DIR = fileURLToPath(new URL('../src/generated/', import.meta.url));

describe('generated code is up to date (run `npm run gen` if this fails)', () => {
  const expected = generate();
  const committed = readdirSync(GENERATED_DIR)
    .filter((f) => f.endsWith('.ts'))
    .sort();

  it('has exactly the expected files', () => {
    expect(committed).toEqual([...expected.keys()].sort());
  });

  it('every file matches the generator output byte for byte', () => {
    const stale = [...expected].filter(([name, text]) => {
      try {
        return readFileSync(join(GENERATED_DIR, name), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    expect(stale.map(([name]) => name)).toEqual([]);
  });

  it('every generated file starts with the GENERATED line', () => {
    for (const [name, text] of expected) expect(text.startsWith(`${GENERATED_HEADER}\n`), name).toBe(true);
  });

  it('generation is deterministic', () => {
    const again = generate();
    expect([...again]).toEqual([...expected]);
  });
});

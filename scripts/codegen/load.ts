// Stage 1: read protocol-specs/*.txt into SpecFile objects (the same shape as Kafka's JSON, minus prose).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSpec, type SpecFile } from './spec-format.js';

export const DEFAULT_SPEC_DIR = fileURLToPath(new URL('../../protocol-specs/', import.meta.url));

export interface ErrorCodeSpec {
  code: number;
  name: string;
  retriable: boolean;
}

/** Every message spec, sorted by file name. */
export function loadSpecs(dir = DEFAULT_SPEC_DIR): SpecFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt') && f !== 'error-codes.txt')
    .sort()
    .map((f) => parseSpec(readFileSync(join(dir, f), 'utf8'), f));
}

/** error-codes.txt: `code NAME retriable|-` per line, `#` comments. */
export function loadErrorCodes(dir = DEFAULT_SPEC_DIR): ErrorCodeSpec[] {
  const out: ErrorCodeSpec[] = [];
  const lines = readFileSync(join(dir, 'error-codes.txt'), 'utf8').split('\n');
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const [code, name, flag, ...rest] = t.split(/\s+/);
    if (!code || !name || (flag !== 'retriable' && flag !== '-') || rest.length > 0 || !/^-?\d+$/.test(code)) {
      throw new Error(`error-codes.txt:${i + 1}: expected "code NAME retriable|-"`);
    }
    out.push({ code: Number(code), name, retriable: flag === 'retriable' });
  });
  return out;
}

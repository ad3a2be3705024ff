// Lint and format as part of `npm test`: runs the project's own Biome (`biome check .` from the repo root,
// the same as `npm run lint`) and fails with Biome's report when it finds errors. Warnings don't fail it.
// Biome is a devDependency, so a missing binary is a broken install, not a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const MAX_REPORT = 20_000;

describe('lint', () => {
  it('biome check . reports no errors', () => {
    expect(existsSync(BIOME), `${BIOME} not found: run npm ci`).toBe(true);
    const r = spawnSync(BIOME, ['check', '.', '--colors=off', '--max-diagnostics=none'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 90_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      let report = `${r.stdout}\n${r.stderr}`.trim();
      // Biome's header lines ("path:line:col rule ━━━" / "path format ━━━"), as a short list before the details.
      const files = [
        ...new Set([...report.matchAll(/^(\S+?)(?::\d+:\d+)? (?:lint|format|assist)\S* /gm)].map((m) => m[1])),
      ];
      if (report.length > MAX_REPORT) {
        report = `${report.slice(0, MAX_REPORT / 2)}\n…\n${report.slice(-MAX_REPORT / 2)}`;
      }
      throw new Error(
        `biome check . exited with ${r.status}; files: ${files.join(', ') || '(see report)'}\n` +
          `(fix with: npx biome check --write .)\n${report}`,
      );
    }
  });
});

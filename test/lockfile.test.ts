import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

// npm ci refuses a lock that lacks optional platform packages; see scripts/tools/lockfile-platforms.mjs.
test('package-lock.json lists every optional platform package (fix: node scripts/tools/lockfile-platforms.mjs)', () => {
  const run = () =>
    execFileSync(process.execPath, ['scripts/tools/lockfile-platforms.mjs', '--check'], { encoding: 'utf8' });
  expect(run).not.toThrow();
});

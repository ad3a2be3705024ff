// The registry these machines use serves only some platform builds of a few packages (Biome's
// darwin/win32/android/musl binaries are missing). npm then leaves those optional packages out of
// package-lock.json, and `npm ci` refuses the lock. This restores an entry for each missing
// platform package, with os/cpu/libc read from its name, so npm ci skips it on other platforms.
// Run after `npm install` changes the lock: `node scripts/tools/lockfile-platforms.mjs [--check]`.
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM = /-(win32|darwin|linux|android|freebsd)-(x64|arm64|arm|ia32)(-musl|-gnu|-msvc)?$/;
const lockPath = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const missing = [];

for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = `${path}/node_modules/${name}`;
    if (lock.packages[key] || lock.packages[nested]) continue;
    const m = PLATFORM.exec(name);
    if (!m) continue;
    const restored = { version, dev: entry.dev || undefined, optional: true, os: [m[1]], cpu: [m[2]] };
    if (m[3] === '-musl') restored.libc = ['musl'];
    if (m[3] === '-gnu') restored.libc = ['glibc'];
    missing.push([key, restored]);
  }
}

if (process.argv.includes('--check')) {
  for (const [key] of missing) console.log(`missing from package-lock.json: ${key}`);
  process.exitCode = missing.length > 0 ? 1 : 0;
} else {
  for (const [key, restored] of missing) lock.packages[key] = restored;
  const sorted = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  lock.packages = sorted;
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`restored ${missing.length} platform entries`);
}

// Compiles the librdkafka bench tools (native/*.c) into scripts/bench/.build/ when a C compiler
// and librdkafka-dev are present. Rebuilds only when a source is newer than its binary.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const NATIVE_DIR = join(here, 'native');
export const BUILD_DIR = join(here, '.build');
const TOOLS = ['rk-producer', 'rk-consumer', 'mock-cluster'] as const;
export type Tool = (typeof TOOLS)[number];

export type NativeBuild = { ok: true; bin: Record<Tool, string> } | { ok: false; reason: string };

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function buildNative(): NativeBuild {
  const cc = process.env.CC ?? 'cc';
  if (!which(cc)) return { ok: false, reason: `no C compiler (${cc})` };
  const header = ['/usr/include/librdkafka/rdkafka_mock.h', '/usr/local/include/librdkafka/rdkafka_mock.h'];
  if (!header.some((h) => existsSync(h))) return { ok: false, reason: 'librdkafka-dev not installed (rdkafka_mock.h)' };
  mkdirSync(BUILD_DIR, { recursive: true });
  const common = join(NATIVE_DIR, 'common.h');
  const bin = {} as Record<Tool, string>;
  for (const tool of TOOLS) {
    const src = join(NATIVE_DIR, `${tool}.c`);
    const out = join(BUILD_DIR, tool);
    bin[tool] = out;
    const fresh = existsSync(out) && statSync(out).mtimeMs > Math.max(statSync(src).mtimeMs, statSync(common).mtimeMs);
    if (fresh) continue;
    try {
      execFileSync(cc, ['-O2', '-Wall', '-o', out, src, '-lrdkafka'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(0, 3).join(' ');
      return { ok: false, reason: `cc ${tool}.c failed: ${stderr || String(err)}` };
    }
  }
  return { ok: true, bin };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = buildNative();
  console.log(r.ok ? `built: ${Object.values(r.bin).join(' ')}` : `skipped: ${r.reason}`);
}

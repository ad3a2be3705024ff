// External clients (kcat, Debian's python client packages) are optional on a developer machine but
// required in CI: a missing tool skips its suite with a printed reason, or fails it when CI=true.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ToolCheck {
  ok: boolean;
  reason: string;
}

export const IN_CI = process.env.CI === 'true';

export function checkExecutable(path: string): ToolCheck {
  return existsSync(path) ? { ok: true, reason: '' } : { ok: false, reason: `${path} not found` };
}

/** Whether `python` can import every module (Debian's python3-* packages live only under /usr/bin/python3). */
export function checkPythonModules(python: string, modules: string[]): ToolCheck {
  if (!existsSync(python)) return { ok: false, reason: `${python} not found` };
  const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (r.status === 0) return { ok: true, reason: '' };
  return {
    ok: false,
    reason: `${python} cannot import ${modules.join(', ')}: ${(r.stderr || '').trim().split('\n').pop()}`,
  };
}

/**
 * True when the suite should run. When the tool is missing: prints why and returns false, except in CI,
 * where it returns true so the suite runs and `assertTool` fails it.
 */
export function shouldRun(suite: string, check: ToolCheck): boolean {
  if (check.ok) return true;
  if (IN_CI) return true;
  console.warn(`[skip] ${suite}: ${check.reason}`);
  return false;
}

export function assertTool(check: ToolCheck): void {
  if (!check.ok) throw new Error(`required external tool missing in CI: ${check.reason}`);
}

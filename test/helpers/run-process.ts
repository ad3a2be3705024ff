// Runs a command to completion and collects its output: kcat, the Python client scripts, the brook CLI.
// Asynchronous, so a broker living in the test process keeps serving meanwhile.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** Exit code; null when killed by a signal (e.g. on the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs `cmd args`, writing `input` to its stdin (stdin is /dev/null when `input` is undefined), and
 * SIGKILLs it after `timeoutMs`. Resolves once it has exited and its output is read, whatever the exit
 * code; rejects only when it cannot be started.
 */
export function runProcess(
  cmd: string,
  args: readonly string[],
  opts: { input?: string; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin?.end(opts.input);
  });
}

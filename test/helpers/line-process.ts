// A child process whose stdout (and optionally stderr) lines a test watches, e.g. a Python or kcat
// group consumer.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export class LineProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  exited = false;

  constructor(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    createInterface({ input: this.child.stdout! }).on('line', (l) => this.stdout.push(l));
    createInterface({ input: this.child.stderr! }).on('line', (l) => this.stderr.push(l));
    this.child.on('exit', () => {
      this.exited = true;
    });
  }

  /** stdout lines parsed as JSON (non-JSON lines are skipped). */
  events<T = Record<string, unknown>>(): T[] {
    const out: T[] = [];
    for (const l of this.stdout) {
      try {
        out.push(JSON.parse(l) as T);
      } catch {
        // not a JSON line
      }
    }
    return out;
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.exited) this.child.kill(signal);
  }

  waitExit(timeoutMs = 15_000): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('process did not exit')), timeoutMs);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

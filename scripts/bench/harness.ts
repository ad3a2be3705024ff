// Bench harness: child processes, /proc sampling, A/B pairing statistics and table printing.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Row {
  name: string;
  value: number;
  unit: string;
}

// ---------------------------------------------------------------------------------------------
// /proc sampling
// ---------------------------------------------------------------------------------------------

let clkTck = 0;
function ticksPerSecond(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime+stime of a process (all its threads) in seconds, or null when /proc is unavailable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Peak resident set size (VmHWM) in bytes, or null. */
export function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

export class Child {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(
    readonly label: string,
    cmd: string,
    args: string[],
    opts: { stdin?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {
    this.proc = spawn(cmd, args, {
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    const wake = () => {
      for (const w of this.waiters.splice(0)) w();
    };
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      wake();
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 1 << 20) this.stderr = this.stderr.slice(-(1 << 19));
      wake();
    });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code) => {
        wake();
        resolve(code);
      });
      this.proc.on('error', (err) => {
        this.stderr += `\nspawn error: ${err.message}`;
        wake();
        resolve(-1);
      });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Resolves with the first match of `re` in stdout or stderr (checked as output arrives). */
  async waitFor(
    re: RegExp,
    timeoutMs: number,
    streams: 'stdout' | 'stderr' | 'both' = 'both',
  ): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text =
        streams === 'stdout' ? this.stdout : streams === 'stderr' ? this.stderr : `${this.stdout}\n${this.stderr}`;
      const m = re.exec(text);
      if (m) return m;
      if (!this.running) throw new Error(`${this.label} exited before printing ${re}: ${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.label}: timed out waiting for ${re}: ${this.tail()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  write(line: string): void {
    this.proc.stdin?.write(line);
  }

  tail(): string {
    return `${this.stdout}\n${this.stderr}`.trim().split('\n').slice(-5).join(' | ');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

/** Runs a tool to completion and parses the last JSON line of its stdout. */
export async function runJson(
  label: string,
  cmd: string,
  args: string[],
  timeoutMs: number,
  cwd?: string,
): Promise<Record<string, unknown>> {
  const child = new Child(label, cmd, args, { cwd });
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  const line = child.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`${label} (exit ${code}) printed no result: ${child.tail()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

export function median(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function range(xs: number[]): [number, number] {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? [Math.min(...v), Math.max(...v)] : [Number.NaN, Number.NaN];
}

/** Paired ratios a[i]/b[i] over rounds where both exist: median and range. */
export function pairedRatio(a: number[], b: number[]): { median: number; min: number; max: number; n: number } {
  const r: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isFinite(x) && Number.isFinite(y) && y > 0) r.push(x / y);
  }
  const [min, max] = range(r);
  return { median: median(r), min, max, n: r.length };
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

export function fmtNum(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toFixed(abs >= 1e8 ? 0 : 2)}M`;
  if (abs >= 1e4) return `${(x / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`;
  if (abs >= 100) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}

export function fmtRatio(r: { median: number; min: number; max: number; n: number } | undefined): string {
  if (!r?.n) return '-';
  return `${r.median.toFixed(2)}x [${r.min.toFixed(2)}-${r.max.toFixed(2)}]`;
}

export function fmtBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '-';
  return `${(b / (1 << 20)).toFixed(0)} MiB`;
}

/** Plain-text table; columns are sized to their widest cell. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

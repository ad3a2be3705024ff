// Brokers under test: Brook (on disk, in memory, on disk with fsync before ack) started from the
// CLI as child processes, and librdkafka's mock cluster in a process of its own.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBuild } from './build.js';
import { Child, runJson } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(HERE, '..', '..');
export const BROOK_BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'brook.js');

export type SubjectName = 'brook-disk' | 'brook-mem' | 'brook-mem-window' | 'brook-fsync' | 'mock';

/**
 * Broker settings of 'brook-mem-window': in memory, keeping a window of the newest bytes per
 * partition as the mock does (~5 MB), through ordinary retention settings.
 */
export const MEMORY_WINDOW_CONFIG: Record<string, string> = {
  BROOK_LOG_RETENTION_BYTES: String(8 * 1024 * 1024),
  BROOK_LOG_SEGMENT_BYTES: String(1024 * 1024),
  BROOK_LOG_RETENTION_CHECK_INTERVAL_MS: '10',
};

export interface Subject {
  name: SubjectName;
  bootstrap: string;
  pid: number;
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Best effort: frees the memory/disk a finished run used. */
  deleteTopic(topic: string): Promise<void>;
  stop(): Promise<void>;
}

type Bins = Extract<NativeBuild, { ok: true }>['bin'];

export async function startMock(bin: Bins): Promise<Subject> {
  const child = new Child('mock-cluster', bin['mock-cluster'], [], { stdin: true });
  const m = await child.waitFor(/bootstrap=(\S+)/, 10_000, 'stdout');
  return {
    name: 'mock',
    bootstrap: m[1]!,
    pid: child.pid,
    async createTopic(topic, partitions) {
      child.write(`create ${topic} ${partitions}\n`);
      await child.waitFor(new RegExp(`(created|error) ${topic}\\b.*`), 10_000, 'stdout').then((r) => {
        if (r[1] === 'error') throw new Error(`mock: ${r[0]}`);
      });
    },
    async deleteTopic() {
      // The mock keeps about 5 MB per partition; nothing to free.
    },
    stop: () => child.stop(),
  };
}

export interface BrookOptions {
  /** CLI args selecting in-memory storage; empty (default): use brook-memory.mjs. */
  memArgs: string[];
  /** Root for the on-disk data directories (default: the OS temp dir). */
  dataRoot: string;
}

/** Why Brook cannot be benchmarked, or null when its CLI is built. */
export function brookUnavailable(): string | null {
  if (!existsSync(join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js'))) return 'packages/cli not built';
  return null;
}

export async function startBrook(
  name: Exclude<SubjectName, 'mock'>,
  opts: BrookOptions,
  producerBin: string,
): Promise<Subject> {
  const inMemory = name === 'brook-mem' || name === 'brook-mem-window';
  const dataDir = inMemory ? null : mkdtempSync(join(opts.dataRoot, `brook-bench-${name}-`));
  // In memory: the CLI has no such option, so a launcher calls startBroker({ dataDir: null })
  // (unless --brook-mem-args gives CLI flags that select in-memory storage).
  const args =
    dataDir || opts.memArgs.length
      ? [BROOK_BIN, 'start', '--host', '127.0.0.1', '--port', '0']
      : [join(HERE, 'brook-memory.mjs'), '--host', '127.0.0.1', '--port', '0'];
  if (dataDir) args.push('--data-dir', dataDir);
  else args.push(...opts.memArgs);
  const env = { ...process.env };
  env.BROOK_BROOK_FSYNC_BEFORE_ACK = name === 'brook-fsync' ? 'true' : 'false';
  if (name === 'brook-mem-window') Object.assign(env, MEMORY_WINDOW_CONFIG);
  const child = new Child(name, process.execPath, args, { env, cwd: REPO_ROOT });
  let bootstrap: string;
  try {
    const m = await child.waitFor(/(?:127\.0\.0\.1|localhost):(\d{2,5})\b/, 20_000);
    bootstrap = `127.0.0.1:${m[1]}`;
  } catch (err) {
    await child.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const admin = async (topic: string, extra: string[]) =>
    runJson(`${name} admin`, producerBin, ['--bootstrap', bootstrap, '--topic', topic, ...extra], 30_000);
  return {
    name,
    bootstrap,
    pid: child.pid,
    async createTopic(topic, partitions) {
      await admin(topic, ['--partitions', String(partitions), '--create-only']);
    },
    async deleteTopic(topic) {
      await admin(topic, ['--delete-only']).catch(() => undefined);
    },
    async stop() {
      await child.stop(10_000);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

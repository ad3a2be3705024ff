// All partitions of a data dir: opens them concurrently at start, runs retention, compaction
// and time-based flushes in the background (unref'd timers), and writes the clean-shutdown
// marker on close so the next start skips recovery.
import fs from 'node:fs';
import path from 'node:path';
import { compactLog } from './compaction.js';
import { isCompacted, type LogConfig, resolveConfig } from './config.js';
import {
  type CleanState,
  fsyncDir,
  type Logger,
  NOOP_LOGGER,
  type PartitionLog,
  partitionDirName,
  writeFileAtomic,
} from './log.js';
import { openPartitionLog } from './recovery.js';

/**
 * Written last by a clean close, removed by the next open once every partition is loaded. It carries every partition's
 * state (segments, log end, start offsets…) so a clean start reads one file, not thousands.
 */
export const CLEAN_SHUTDOWN_MARKER = '.brook-clean-shutdown';

interface CleanMarker {
  version: 1;
  partitions: Record<string, CleanState>;
}

export interface LogManagerOptions {
  /** null = in-memory, no files. */
  dataDir: string | null;
  defaultConfig?: Partial<LogConfig>;
  logger?: Logger;
  /** log.retention.check.interval.ms (default 5 min); 0 disables the timer. */
  retentionCheckIntervalMs?: number;
  /** log.cleaner.backoff.ms: how often compacted logs are checked (default 15 s); 0 disables. */
  compactionCheckIntervalMs?: number;
  /** How often flush.ms is checked (default 1 s). */
  flushCheckIntervalMs?: number;
  /** Newest bytes of each active segment kept in memory for readers (default 4 MiB). */
  tailCacheBytes?: number;
  /** Appends move the high watermark to the log end (single replica). Default true. */
  autoHighWatermark?: boolean;
  /** Partitions opened at once during start (default 64). */
  openConcurrency?: number;
}

const DIR_RE = /^(.+)-(\d+)$/;

export class LogManager {
  private readonly byKey = new Map<string, PartitionLog>();
  private readonly creating = new Map<string, Promise<PartitionLog>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly defaults: Partial<LogConfig>;
  private readonly logger: Logger;
  private readonly tailCacheBytes: number;
  private readonly autoHighWatermark: boolean;
  /** Whether the last shutdown was clean (for logs and tests). */
  readonly recoveredCleanly: boolean;

  private constructor(
    readonly dataDir: string | null,
    opts: LogManagerOptions,
    clean: boolean,
  ) {
    this.defaults = opts.defaultConfig ?? {};
    resolveConfig(this.defaults); // fail fast on a bad default
    this.logger = opts.logger ?? NOOP_LOGGER;
    this.tailCacheBytes = opts.tailCacheBytes ?? 4 * 1024 * 1024;
    this.autoHighWatermark = opts.autoHighWatermark ?? true;
    this.recoveredCleanly = clean;
  }

  static async open(opts: LogManagerOptions): Promise<LogManager> {
    const dataDir = opts.dataDir === null ? null : path.resolve(opts.dataDir);
    let clean = false;
    let dirs: string[] = [];
    let states: Record<string, CleanState> = {};
    if (dataDir !== null) {
      await fs.promises.mkdir(dataDir, { recursive: true });
      const names = await fs.promises.readdir(dataDir, { withFileTypes: true });
      if (names.some((d) => d.name === CLEAN_SHUTDOWN_MARKER)) {
        try {
          const marker = JSON.parse(await fs.promises.readFile(path.join(dataDir, CLEAN_SHUTDOWN_MARKER), 'utf8'));
          states = (marker as CleanMarker).partitions;
          clean = true;
        } catch (err) {
          opts.logger?.warn({ err }, 'unreadable clean-shutdown marker; recovering every partition');
        }
      }
      for (const d of names) {
        if (!d.isDirectory()) continue;
        if (d.name.endsWith('-delete')) {
          // A delete interrupted by a crash.
          await fs.promises.rm(path.join(dataDir, d.name), { recursive: true, force: true });
        } else if (DIR_RE.test(d.name)) {
          dirs.push(d.name);
        }
      }
      dirs = dirs.sort();
    }
    const mgr = new LogManager(dataDir, opts, clean);
    const started = Date.now();
    if (dataDir !== null) {
      let next = 0;
      const worker = async () => {
        while (next < dirs.length) {
          const name = dirs[next++]!;
          const m = DIR_RE.exec(name)!;
          const log = await openPartitionLog({
            topic: m[1]!,
            partition: Number(m[2]),
            dir: path.join(dataDir, name),
            defaultConfig: mgr.defaults,
            exists: true,
            ...(states[name] ? { cleanState: states[name] } : {}),
            logger: mgr.logger,
            tailCacheBytes: mgr.tailCacheBytes,
            autoHighWatermark: mgr.autoHighWatermark,
          });
          mgr.byKey.set(key(log.topic, log.partition), log);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, opts.openConcurrency ?? 64) }, worker));
      if (clean) {
        // From now on, a crash must trigger recovery.
        await fs.promises.rm(path.join(dataDir, CLEAN_SHUTDOWN_MARKER), { force: true });
        await fsyncDir(dataDir);
      }
      mgr.logger.info({ dataDir, partitions: dirs.length, clean, ms: Date.now() - started }, 'opened partition logs');
    }
    mgr.startTimers(opts);
    return mgr;
  }

  private startTimers(opts: LogManagerOptions): void {
    const every = (ms: number | undefined, dflt: number, fn: () => Promise<void>) => {
      const interval = ms ?? dflt;
      if (interval <= 0) return;
      let running = false;
      const t = setInterval(() => {
        if (running || this.closed) return;
        running = true;
        fn()
          .catch((err) => this.logger.error({ err }, 'log maintenance failed'))
          .finally(() => {
            running = false;
          });
      }, interval);
      t.unref();
      this.timers.push(t);
    };
    every(opts.retentionCheckIntervalMs, 300_000, async () => {
      await this.runRetention();
    });
    every(opts.compactionCheckIntervalMs, 15_000, () => this.runCompaction());
    if (this.dataDir !== null) every(opts.flushCheckIntervalMs, 1_000, () => this.runTimedFlushes());
  }

  /** One retention pass over every log (the timer calls this). */
  async runRetention(now = Date.now()): Promise<number> {
    let n = 0;
    for (const log of [...this.byKey.values()]) {
      if (!log.isClosed) n += await log.runRetention(now);
    }
    return n;
  }

  /** One compaction pass over every compacted log. */
  async runCompaction(now = Date.now()): Promise<void> {
    for (const log of [...this.byKey.values()]) {
      if (!log.isClosed && isCompacted(log.config)) await compactLog(log, { now });
    }
  }

  private async runTimedFlushes(): Promise<void> {
    const now = Date.now();
    const due: Promise<void>[] = [];
    for (const log of this.byKey.values()) {
      const ms = log.config.flushMs;
      if (ms < Number.MAX_SAFE_INTEGER && now - log.lastFlushMs >= ms) due.push(log.flush());
    }
    await Promise.all(due);
  }

  logs(): Iterable<PartitionLog> {
    return this.byKey.values();
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.byKey.get(key(topic, partition));
  }

  /** Opens or creates the partition's log. Idempotent: an existing log is returned as is. */
  async create(topic: string, partition: number, config?: Partial<LogConfig>): Promise<PartitionLog> {
    if (this.closed) throw new Error('log manager is closed');
    validateName(topic, partition);
    const k = key(topic, partition);
    const existing = this.byKey.get(k);
    if (existing) return existing;
    const pending = this.creating.get(k);
    if (pending) return pending;
    const p = openPartitionLog({
      topic,
      partition,
      dir: this.dataDir === null ? null : path.join(this.dataDir, partitionDirName(topic, partition)),
      defaultConfig: this.defaults,
      ...(config ? { overrides: config } : {}),
      logger: this.logger,
      tailCacheBytes: this.tailCacheBytes,
      autoHighWatermark: this.autoHighWatermark,
    }).then(async (log) => {
      if (config) await log.writeMeta();
      this.byKey.set(k, log);
      return log;
    });
    this.creating.set(k, p);
    try {
      return await p;
    } finally {
      this.creating.delete(k);
    }
  }

  /** Closes the log and removes its directory (renamed first, so a crash cannot resurrect it). */
  async delete(topic: string, partition: number): Promise<void> {
    const k = key(topic, partition);
    const log = this.byKey.get(k);
    if (!log) return;
    this.byKey.delete(k);
    await log.withLock(() => log.closeNow());
    if (log.dir !== null) {
      const doomed = `${log.dir}.${Date.now().toString(36)}-delete`;
      await fs.promises.rename(log.dir, doomed);
      if (this.dataDir !== null) await fsyncDir(this.dataDir);
      await fs.promises.rm(doomed, { recursive: true, force: true });
    }
  }

  /**
   * Stops without any shutdown work: no flush, no indexes, no marker, as if the process died
   * (the page cache keeps what was written). For crash tests.
   */
  abandon(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const log of this.byKey.values()) log.closeNow();
  }

  /** Flushes and closes every log, then writes the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled(this.creating.values());
    const logs = [...this.byKey.values()];
    let next = 0;
    let failed = false;
    const partitions: Record<string, CleanState> = {};
    const worker = async () => {
      while (next < logs.length) {
        const log = logs[next++]!;
        try {
          const state = await log.close();
          if (state) partitions[partitionDirName(log.topic, log.partition)] = state;
        } catch (err) {
          failed = true;
          this.logger.error({ err, topic: log.topic, partition: log.partition }, 'closing log failed');
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    if (this.dataDir !== null && !failed) {
      const marker: CleanMarker = { version: 1, partitions };
      await writeFileAtomic(path.join(this.dataDir, CLEAN_SHUTDOWN_MARKER), JSON.stringify(marker));
      await fsyncDir(this.dataDir);
    }
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Kafka's legal topic names ([a-zA-Z0-9._-], at most 249 chars); the dir name must round-trip. */
function validateName(topic: string, partition: number): void {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    throw new RangeError(`illegal topic name ${JSON.stringify(topic)}`);
  }
  if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`illegal partition ${partition}`);
}

// Per-partition log settings, named after Kafka's topic configs (segment.bytes → segmentBytes, …).

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type TimestampTypeName = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** segment.bytes: roll the active segment before it grows past this. */
  segmentBytes: number;
  /** segment.ms: roll the active segment once its first batch is this old. */
  segmentMs: number;
  /** retention.ms, -1 = forever. */
  retentionMs: number;
  /** retention.bytes, -1 = unlimited. */
  retentionBytes: number;
  cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms: how long tombstones survive compaction. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are never compacted. */
  minCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: compact when dirty bytes / cleanable bytes reaches this. */
  minCleanableDirtyRatio: number;
  /** index.interval.bytes: log bytes between two sparse index entries. */
  indexIntervalBytes: number;
  /** segment.index.bytes: maximum offset index size; a full index rolls the segment. */
  segmentIndexBytes: number;
  /** flush.messages: fsync after this many records (Number.MAX_SAFE_INTEGER = leave it to the OS). */
  flushMessages: number;
  /** flush.ms: fsync when the last flush is this old (Number.MAX_SAFE_INTEGER = leave it to the OS). */
  flushMs: number;
  messageTimestampType: TimestampTypeName;
  /** Resolve AppendResult.durable only after fdatasync (group-committed). */
  fsyncOnAppend: boolean;
  /** max.message.bytes: largest batch accepted. */
  maxMessageBytes: number;
  /** producer.id.expiration.ms: forget idle idempotent producers after this long. */
  producerIdExpirationMs: number;
}

/** Kafka's defaults. "Long.MAX_VALUE" becomes Number.MAX_SAFE_INTEGER. */
export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 3600 * 1000,
  minCompactionLagMs: 0,
  minCleanableDirtyRatio: 0.5,
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10 * 1024 * 1024,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  messageTimestampType: 'CreateTime',
  fsyncOnAppend: false,
  maxMessageBytes: 1024 * 1024 + 12,
  producerIdExpirationMs: 24 * 3600 * 1000,
}) as LogConfig;

/** Merges patches over the defaults and rejects values the log cannot work with. */
export function resolveConfig(...patches: Array<Partial<LogConfig> | undefined>): LogConfig {
  const cfg: LogConfig = { ...DEFAULT_LOG_CONFIG };
  for (const p of patches) {
    if (!p) continue;
    for (const [k, v] of Object.entries(p)) {
      if (v !== undefined) (cfg as unknown as Record<string, unknown>)[k] = v;
    }
  }
  validateConfig(cfg);
  return cfg;
}

export function validateConfig(cfg: LogConfig): void {
  const positive = (name: keyof LogConfig, min = 1) => {
    const v = cfg[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      throw new RangeError(`invalid log config ${name}=${String(v)} (must be >= ${min})`);
    }
  };
  positive('segmentBytes', 14); // Kafka's minimum: one empty batch header fits
  positive('segmentMs');
  positive('indexIntervalBytes', 0);
  positive('segmentIndexBytes', 8);
  positive('flushMessages');
  positive('flushMs', 0);
  positive('maxMessageBytes', 0);
  positive('deleteRetentionMs', 0);
  positive('minCompactionLagMs', 0);
  positive('producerIdExpirationMs', 1);
  if (cfg.retentionMs < -1 || cfg.retentionBytes < -1) throw new RangeError('retention values must be >= -1');
  if (!(cfg.minCleanableDirtyRatio >= 0 && cfg.minCleanableDirtyRatio <= 1)) {
    throw new RangeError('minCleanableDirtyRatio must be within [0, 1]');
  }
  if (!['delete', 'compact', 'compact,delete'].includes(cfg.cleanupPolicy)) {
    throw new RangeError(`invalid cleanupPolicy ${cfg.cleanupPolicy}`);
  }
  if (cfg.messageTimestampType !== 'CreateTime' && cfg.messageTimestampType !== 'LogAppendTime') {
    throw new RangeError(`invalid messageTimestampType ${cfg.messageTimestampType}`);
  }
}

export function isCompacted(cfg: LogConfig): boolean {
  return cfg.cleanupPolicy !== 'delete';
}

export function hasDeleteRetention(cfg: LogConfig): boolean {
  return cfg.cleanupPolicy !== 'compact';
}

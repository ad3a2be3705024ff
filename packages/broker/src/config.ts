// Every broker config key Brook understands, with Kafka's names, types, defaults and validation,
// plus topic-level configs and their broker synonyms (so DescribeConfigs can report synonyms).
// Sources, lowest to highest precedence: defaults < properties file < BROOK_* env < overrides
// (CLI --set/flags, startBroker options) < dynamic default (AlterConfigs "") < dynamic per-broker.
import { readFileSync } from 'node:fs';
import { type LogConfig, resolveConfig } from '@brook/storage';

export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';
export type ConfigValue = boolean | string | number | string[] | null;

/** DescribeConfigs ConfigSource values. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

/** DescribeConfigs v3+ ConfigType values. */
export const CONFIG_TYPE_CODE: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

export const LONG_MAX = '9223372036854775807';
const INT_MAX = 2147483647;

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's textual default (null = no default). */
  default: string | null;
  doc: string;
  validValues?: readonly string[];
  min?: number;
  max?: number;
  /** Can be changed at runtime with AlterConfigs on the broker resource. */
  dynamic?: boolean;
  sensitive?: boolean;
  /** Extra validation of a parsed value (Kafka's custom validators); returns why it is invalid, or null. */
  check?: (v: ConfigValue) => string | null;
}

export interface TopicConfigDef extends ConfigDef {
  /** Broker keys this topic key falls back to, highest priority first; value = broker value * factor. */
  brokerSynonyms: readonly { name: string; factor?: number }[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

const TIMESTAMP_TYPES = ['CreateTime', 'LogAppendTime'] as const;
const CLEANUP_POLICIES = ['delete', 'compact'] as const;
const BROKER_COMPRESSION = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;
const LZ4_LEVEL_DOC =
  'LZ4 level when compression.type=lz4. Accepted but not applied: the LZ4 binding compresses at its one fixed level.';

/** Kafka's MetadataVersionValidator: a release (0.8.0 .. 3.9) with an optional -IVn suffix. */
function checkMetadataVersion(v: ConfigValue): string | null {
  return typeof v === 'string' && /^(0\.(8\.[0-2]|9\.0|10\.[0-2]|11\.0)|[1-3]\.\d)(\.\d+)?(-IV\d+)?$/.test(v)
    ? null
    : 'expected a Kafka version such as 2.8 or 3.0-IV1';
}

/** Kafka's ThrottledReplicaListValidator: "*" or partitionId:brokerId pairs. */
function checkThrottledReplicas(v: ConfigValue): string | null {
  const items = Array.isArray(v) ? v : [];
  if (items.length === 1 && items[0] === '*') return null;
  return items.every((x) => /^\d+:\d+$/.test(x))
    ? null
    : 'must be the wildcard (*) or a list of replicas in the format [partitionId]:[brokerId],[partitionId]:[brokerId],...';
}

function def(
  name: string,
  type: ConfigType,
  dflt: string | null,
  doc: string,
  extra: Partial<ConfigDef> = {},
): ConfigDef {
  return { name, type, default: dflt, doc, ...extra };
}
const dyn = { dynamic: true };

/** Broker configs. Defaults are Kafka 3.9's unless marked "Brook default". */
export const BROKER_CONFIG_DEFS: readonly ConfigDef[] = [
  def('node.id', 'int', '1', 'Id of this broker. Brook default 1 (Kafka requires it in KRaft mode).', { min: 0 }),
  def('broker.id', 'int', null, 'Alias of node.id (ZooKeeper-era name).', { min: -1 }),
  def(
    'listeners',
    'list',
    'PLAINTEXT://127.0.0.1:9092',
    'Listener to bind, as PLAINTEXT://host:port. Brook default binds 127.0.0.1 only (Kafka: all interfaces).',
  ),
  def(
    'advertised.listeners',
    'list',
    null,
    'Listener address given to clients in Metadata; defaults to the bound listener.',
  ),
  def('log.dirs', 'string', null, 'Data directory (one). Overrides log.dir.'),
  def('log.dir', 'string', './data', 'Data directory used when log.dirs is not set. Brook default ./data.'),
  def('num.partitions', 'int', '1', 'Default partition count for auto-created topics.', { min: 1 }),
  def('default.replication.factor', 'int', '1', 'Default replication factor for auto-created topics.', { min: 1 }),
  def('auto.create.topics.enable', 'boolean', 'true', 'Create unknown topics on Metadata/Produce requests.'),
  def('delete.topic.enable', 'boolean', 'true', 'Allow DeleteTopics.'),
  def('log.segment.bytes', 'int', '1073741824', 'Maximum size of a log segment file.', { min: 14, ...dyn }),
  def('log.roll.ms', 'long', null, 'Maximum age of a segment before rolling (ms); overrides log.roll.hours.', {
    min: 1,
    ...dyn,
  }),
  def('log.roll.hours', 'int', '168', 'Maximum age of a segment before rolling (hours).', { min: 1, ...dyn }),
  def('log.roll.jitter.ms', 'long', null, 'Maximum jitter subtracted from segment roll time (ms).', { min: 0, ...dyn }),
  def('log.roll.jitter.hours', 'int', '0', 'Maximum jitter subtracted from segment roll time (hours).', {
    min: 0,
    ...dyn,
  }),
  def('log.retention.ms', 'long', null, 'Time to keep a log segment (ms); -1 = forever. Overrides minutes/hours.', {
    min: -1,
    ...dyn,
  }),
  def('log.retention.minutes', 'int', null, 'Time to keep a log segment (minutes); overrides hours.', {
    min: -1,
    ...dyn,
  }),
  def('log.retention.hours', 'int', '168', 'Time to keep a log segment (hours).', { min: -1, ...dyn }),
  def('log.retention.bytes', 'long', '-1', 'Maximum partition size before deleting old segments; -1 = no limit.', dyn),
  def('log.retention.check.interval.ms', 'long', '300000', 'How often retention is checked.', { min: 1 }),
  def('log.cleanup.policy', 'list', 'delete', 'Retention policy for old segments: delete, compact or both.', {
    validValues: CLEANUP_POLICIES,
    ...dyn,
  }),
  def('log.index.interval.bytes', 'int', '4096', 'Bytes between offset index entries.', { min: 0, ...dyn }),
  def('log.index.size.max.bytes', 'int', '10485760', 'Maximum size of an offset index file.', { min: 4, ...dyn }),
  def('log.flush.interval.messages', 'long', LONG_MAX, 'Messages appended before the log is fsynced.', {
    min: 1,
    ...dyn,
  }),
  def('log.flush.interval.ms', 'long', null, 'Maximum time a message stays unflushed (ms).', { min: 0, ...dyn }),
  def('log.flush.scheduler.interval.ms', 'long', LONG_MAX, 'How often the flusher checks for logs to flush.'),
  def('log.preallocate', 'boolean', 'false', 'Preallocate segment files.', dyn),
  def('log.segment.delete.delay.ms', 'long', '60000', 'Delay before a deleted segment file is removed.', {
    min: 0,
    ...dyn,
  }),
  def('log.message.timestamp.type', 'string', 'CreateTime', 'Record timestamps: CreateTime or LogAppendTime.', {
    validValues: TIMESTAMP_TYPES,
    ...dyn,
  }),
  def('log.message.timestamp.before.max.ms', 'long', LONG_MAX, 'Largest allowed age of a record timestamp.', {
    min: 0,
    ...dyn,
  }),
  def('log.message.timestamp.after.max.ms', 'long', LONG_MAX, 'Largest allowed future skew of a record timestamp.', {
    min: 0,
    ...dyn,
  }),
  def('log.message.downconversion.enable', 'boolean', 'true', 'Down-convert batches for old fetch versions.', dyn),
  def(
    'log.message.timestamp.difference.max.ms',
    'long',
    LONG_MAX,
    'Deprecated form of log.message.timestamp.before/after.max.ms, used for either one left at its default.',
    { min: 0, ...dyn },
  ),
  def(
    'log.message.format.version',
    'string',
    '3.0-IV1',
    'Deprecated; accepted and ignored, as Kafka 3.x ignores it (batches are always written with magic 2).',
    { check: checkMetadataVersion, ...dyn },
  ),
  def(
    'log.local.retention.ms',
    'long',
    '-2',
    'Local retention of tiered topics (-2 = retention.ms); no effect without tiered storage, as in Kafka.',
    { min: -2, ...dyn },
  ),
  def(
    'log.local.retention.bytes',
    'long',
    '-2',
    'Local size limit of tiered topics (-2 = retention.bytes); no effect without tiered storage, as in Kafka.',
    { min: -2, ...dyn },
  ),

  def('log.cleaner.enable', 'boolean', 'true', 'Run the log cleaner for compacted topics.'),
  def('log.cleaner.threads', 'int', '1', 'Log cleaner threads.', { min: 0, ...dyn }),
  def('log.cleaner.backoff.ms', 'long', '15000', 'Sleep when there is nothing to clean.', { min: 0, ...dyn }),
  def('log.cleaner.delete.retention.ms', 'long', '86400000', 'How long tombstones are kept in compacted topics.', {
    min: 0,
    ...dyn,
  }),
  def('log.cleaner.min.compaction.lag.ms', 'long', '0', 'Minimum time a message stays uncompacted.', {
    min: 0,
    ...dyn,
  }),
  def('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, 'Maximum time a message stays uncompacted.', {
    min: 1,
    ...dyn,
  }),
  def('log.cleaner.min.cleanable.ratio', 'double', '0.5', 'Minimum dirty ratio before a log is cleaned.', {
    min: 0,
    max: 1,
    ...dyn,
  }),
  def('message.max.bytes', 'int', '1048588', 'Largest record batch size allowed.', { min: 0, ...dyn }),
  def('compression.type', 'string', 'producer', 'Final compression of topic data; producer keeps the original.', {
    validValues: BROKER_COMPRESSION,
    ...dyn,
  }),
  def('compression.gzip.level', 'int', '-1', 'Gzip level when compression.type=gzip (-1 = zlib default).', {
    min: -1,
    max: 9,
    ...dyn,
  }),
  def('compression.lz4.level', 'int', '9', LZ4_LEVEL_DOC, { min: 1, max: 17, ...dyn }),
  def('compression.zstd.level', 'int', '3', 'Zstd level when compression.type=zstd.', {
    min: -131072,
    max: 22,
    ...dyn,
  }),
  def('min.insync.replicas', 'int', '1', 'Minimum in-sync replicas for acks=all.', { min: 1, ...dyn }),
  def('unclean.leader.election.enable', 'boolean', 'false', 'Allow out-of-sync replicas to become leader.', dyn),
  def('socket.request.max.bytes', 'int', '104857600', 'Largest request frame accepted.', { min: 1 }),
  def('connections.max.idle.ms', 'long', '600000', 'Close connections idle for longer than this; < 0 = never.'),
  def('fetch.max.bytes', 'int', '57671680', 'Largest fetch response the broker builds.', { min: 1024 }),
  def('max.incremental.fetch.session.cache.slots', 'int', '1000', 'Incremental fetch sessions kept.', { min: 0 }),
  def(
    'group.initial.rebalance.delay.ms',
    'int',
    '100',
    'Delay of the first rebalance of a new group. Brook default 100 (Kafka 3000): a dev consumer gets its first record well under 1 s.',
    { min: 0 },
  ),
  def('group.min.session.timeout.ms', 'int', '6000', 'Smallest session timeout a member may ask for.'),
  def('group.max.session.timeout.ms', 'int', '1800000', 'Largest session timeout a member may ask for.'),
  def('group.max.size', 'int', String(INT_MAX), 'Maximum members in one group.', { min: 1 }),
  def('offsets.retention.minutes', 'int', '10080', 'Committed offsets of empty groups are kept this long.', {
    min: 1,
  }),
  def('offsets.retention.check.interval.ms', 'long', '600000', 'How often stale offsets are removed.', { min: 1 }),
  def('offset.metadata.max.bytes', 'int', '4096', 'Largest metadata string of an offset commit.', { min: 0 }),
  def('offsets.topic.num.partitions', 'int', '50', 'Partitions of __consumer_offsets.', { min: 1 }),
  def('offsets.topic.replication.factor', 'short', '1', 'Replication of __consumer_offsets. Brook default 1.', {
    min: 1,
  }),
  def('offsets.topic.segment.bytes', 'int', '104857600', 'Segment size of __consumer_offsets.', { min: 1 }),
  def('offsets.commit.timeout.ms', 'int', '5000', 'Timeout of an offset commit.', { min: 1 }),
  def('transaction.max.timeout.ms', 'int', '900000', 'Largest transaction timeout a producer may ask for.', {
    min: 1,
  }),
  def('transactional.id.expiration.ms', 'int', '604800000', 'Idle transactional ids expire after this.', { min: 1 }),
  def('transaction.state.log.num.partitions', 'int', '50', 'Partitions of __transaction_state.', { min: 1 }),
  def(
    'transaction.state.log.replication.factor',
    'short',
    '1',
    'Replication of __transaction_state. Brook default 1.',
    {
      min: 1,
    },
  ),
  def('transaction.state.log.min.isr', 'int', '1', 'min.insync.replicas of __transaction_state. Brook default 1.', {
    min: 1,
  }),
  def('transaction.state.log.segment.bytes', 'int', '104857600', 'Segment size of __transaction_state.', { min: 1 }),
  def('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', '10000', 'Timed-out txn check period.', {
    min: 1,
  }),
  def('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', '3600000', 'Expired txn id check period.', {
    min: 1,
  }),
  def('producer.id.expiration.ms', 'int', '86400000', 'Idle producer ids expire after this.', { min: 1 }),
  def('brook.fsync.before.ack', 'boolean', 'false', 'Brook: fsync appended data before acknowledging acks=-1/1.'),
  def(
    'brook.connection.max.inflight.requests',
    'int',
    '100',
    'Brook: requests in flight per connection before reads pause.',
    {
      min: 1,
    },
  ),
  def(
    'brook.connection.max.pending.bytes',
    'int',
    '8388608',
    'Brook: unsent response bytes per connection before reads pause.',
    {
      min: 1024,
    },
  ),
  def('brook.shutdown.timeout.ms', 'int', '5000', 'Brook: how long close() waits for in-flight requests.', { min: 0 }),
];

function tdef(
  name: string,
  type: ConfigType,
  synonyms: TopicConfigDef['brokerSynonyms'],
  doc: string,
  extra: Partial<ConfigDef> = {},
): TopicConfigDef {
  return { name, type, default: null, doc, brokerSynonyms: synonyms, ...extra };
}
const HOUR = 3_600_000;

/** Topic-level configs; an unset one takes its value from its broker synonyms. */
export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  tdef('cleanup.policy', 'list', [{ name: 'log.cleanup.policy' }], 'delete and/or compact.', {
    validValues: CLEANUP_POLICIES,
  }),
  tdef(
    'compression.type',
    'string',
    [{ name: 'compression.type' }],
    'Final compression of this topic: a codec recompresses produced batches to it; producer keeps theirs.',
    {
      validValues: BROKER_COMPRESSION,
    },
  ),
  tdef('compression.gzip.level', 'int', [{ name: 'compression.gzip.level' }], 'Gzip level.', { min: -1, max: 9 }),
  tdef('compression.lz4.level', 'int', [{ name: 'compression.lz4.level' }], LZ4_LEVEL_DOC, { min: 1, max: 17 }),
  tdef('compression.zstd.level', 'int', [{ name: 'compression.zstd.level' }], 'Zstd level.', {
    min: -131072,
    max: 22,
  }),
  tdef('delete.retention.ms', 'long', [{ name: 'log.cleaner.delete.retention.ms' }], 'Tombstone retention.', {
    min: 0,
  }),
  tdef('file.delete.delay.ms', 'long', [{ name: 'log.segment.delete.delay.ms' }], 'Delay before file deletion.', {
    min: 0,
  }),
  tdef(
    'follower.replication.throttled.replicas',
    'list',
    [],
    'Replicas throttled on the follower side; accepted, nothing to throttle on one broker.',
    { default: '', check: checkThrottledReplicas },
  ),
  tdef('flush.messages', 'long', [{ name: 'log.flush.interval.messages' }], 'Messages between fsyncs.', { min: 1 }),
  tdef(
    'flush.ms',
    'long',
    [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }],
    'Time between fsyncs.',
    { min: 0 },
  ),
  tdef('index.interval.bytes', 'int', [{ name: 'log.index.interval.bytes' }], 'Bytes between index entries.', {
    min: 0,
  }),
  tdef(
    'leader.replication.throttled.replicas',
    'list',
    [],
    'Replicas throttled on the leader side; accepted, nothing to throttle on one broker.',
    { default: '', check: checkThrottledReplicas },
  ),
  tdef(
    'local.retention.bytes',
    'long',
    [{ name: 'log.local.retention.bytes' }],
    'Local size limit of a tiered topic; no effect without tiered storage.',
    { min: -2 },
  ),
  tdef(
    'local.retention.ms',
    'long',
    [{ name: 'log.local.retention.ms' }],
    'Local retention of a tiered topic; no effect without tiered storage.',
    { min: -2 },
  ),
  tdef('max.compaction.lag.ms', 'long', [{ name: 'log.cleaner.max.compaction.lag.ms' }], 'Max uncompacted age.', {
    min: 1,
  }),
  tdef('max.message.bytes', 'int', [{ name: 'message.max.bytes' }], 'Largest record batch size.', { min: 0 }),
  tdef(
    'message.downconversion.enable',
    'boolean',
    [{ name: 'log.message.downconversion.enable' }],
    'Down-convert for old consumers.',
  ),
  tdef(
    'message.format.version',
    'string',
    [{ name: 'log.message.format.version' }],
    'Deprecated; accepted and ignored (Kafka 3.x ignores it too).',
    { check: checkMetadataVersion },
  ),
  tdef(
    'message.timestamp.after.max.ms',
    'long',
    [{ name: 'log.message.timestamp.after.max.ms' }],
    'Largest allowed future timestamp skew.',
    { min: 0 },
  ),
  tdef(
    'message.timestamp.before.max.ms',
    'long',
    [{ name: 'log.message.timestamp.before.max.ms' }],
    'Largest allowed timestamp age.',
    { min: 0 },
  ),
  tdef(
    'message.timestamp.difference.max.ms',
    'long',
    [{ name: 'log.message.timestamp.difference.max.ms' }],
    'Deprecated; applies to message.timestamp.before/after.max.ms where those are left at their default.',
    { min: 0 },
  ),
  tdef('message.timestamp.type', 'string', [{ name: 'log.message.timestamp.type' }], 'CreateTime or LogAppendTime.', {
    validValues: TIMESTAMP_TYPES,
  }),
  tdef('min.cleanable.dirty.ratio', 'double', [{ name: 'log.cleaner.min.cleanable.ratio' }], 'Dirty ratio to clean.', {
    min: 0,
    max: 1,
  }),
  tdef('min.compaction.lag.ms', 'long', [{ name: 'log.cleaner.min.compaction.lag.ms' }], 'Min uncompacted age.', {
    min: 0,
  }),
  tdef('min.insync.replicas', 'int', [{ name: 'min.insync.replicas' }], 'Min in-sync replicas for acks=all.', {
    min: 1,
  }),
  tdef('preallocate', 'boolean', [{ name: 'log.preallocate' }], 'Preallocate segment files.'),
  tdef(
    'remote.log.copy.disable',
    'boolean',
    [],
    'Stop copying segments to tiered storage; accepted, no tiered storage here.',
    { default: 'false' },
  ),
  tdef(
    'remote.log.delete.on.disable',
    'boolean',
    [],
    'Delete tiered data when tiering is turned off; accepted, no tiered storage here.',
    { default: 'false' },
  ),
  tdef(
    'remote.storage.enable',
    'boolean',
    [],
    'Tiered storage; only false is accepted (this broker has no tiered storage).',
    { default: 'false' },
  ),
  tdef('retention.bytes', 'long', [{ name: 'log.retention.bytes' }], 'Max partition size; -1 = unlimited.'),
  tdef(
    'retention.ms',
    'long',
    [
      { name: 'log.retention.ms' },
      { name: 'log.retention.minutes', factor: 60_000 },
      { name: 'log.retention.hours', factor: HOUR },
    ],
    'Time to keep data; -1 = forever.',
    { min: -1 },
  ),
  tdef('segment.bytes', 'int', [{ name: 'log.segment.bytes' }], 'Segment file size.', { min: 14 }),
  tdef('segment.index.bytes', 'int', [{ name: 'log.index.size.max.bytes' }], 'Index file size.', { min: 4 }),
  tdef(
    'segment.jitter.ms',
    'long',
    [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', factor: HOUR }],
    'Segment roll jitter.',
    { min: 0 },
  ),
  tdef(
    'segment.ms',
    'long',
    [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', factor: HOUR }],
    'Segment roll time.',
    { min: 1 },
  ),
  tdef(
    'unclean.leader.election.enable',
    'boolean',
    [{ name: 'unclean.leader.election.enable' }],
    'Allow unclean leader election.',
  ),
];

export const BROKER_CONFIGS: ReadonlyMap<string, ConfigDef> = new Map(BROKER_CONFIG_DEFS.map((d) => [d.name, d]));
export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIG_DEFS.map((d) => [d.name, d]));

/** Broker keys whose lower-priority synonyms resolve them (broker-level synonym chains). */
const BROKER_SYNONYMS: Record<string, readonly { name: string; factor?: number }[]> = {
  'node.id': [{ name: 'node.id' }, { name: 'broker.id' }],
  'log.dirs': [{ name: 'log.dirs' }, { name: 'log.dir' }],
  'log.retention.ms': TOPIC_CONFIGS.get('retention.ms')!.brokerSynonyms,
  'log.roll.ms': TOPIC_CONFIGS.get('segment.ms')!.brokerSynonyms,
  'log.roll.jitter.ms': TOPIC_CONFIGS.get('segment.jitter.ms')!.brokerSynonyms,
  'log.flush.interval.ms': TOPIC_CONFIGS.get('flush.ms')!.brokerSynonyms,
};

/** Broker synonyms of a broker key, itself first. */
export function brokerSynonymsOf(name: string): readonly { name: string; factor?: number }[] {
  return BROKER_SYNONYMS[name] ?? [{ name }];
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation of single values.

/** Parses and validates `raw` for `def`; throws ConfigError naming the key. */
export function parseValue(d: ConfigDef, raw: string | null): ConfigValue {
  if (raw === null) return null;
  const s = raw.trim();
  const bad = (why: string): never => {
    throw new ConfigError(d.name, `invalid value "${raw}": ${why}`);
  };
  let v: ConfigValue;
  switch (d.type) {
    case 'boolean': {
      const l = s.toLowerCase();
      if (l !== 'true' && l !== 'false') bad('expected true or false');
      v = l === 'true';
      break;
    }
    case 'int':
    case 'short':
    case 'long': {
      if (!/^[+-]?\d+$/.test(s)) bad('expected an integer');
      const big = BigInt(s);
      const [lo, hi] =
        d.type === 'long'
          ? [-(2n ** 63n), 2n ** 63n - 1n]
          : d.type === 'int'
            ? [-(2n ** 31n), 2n ** 31n - 1n]
            : [-(2n ** 15n), 2n ** 15n - 1n];
      if (big < lo || big > hi) bad(`out of range for ${d.type}`);
      // Long.MAX means "never"; the precision lost above 2^53 does not matter for such values.
      v = Number(big);
      break;
    }
    case 'double': {
      const n = Number(s);
      if (s === '' || !Number.isFinite(n)) bad('expected a number');
      v = n;
      break;
    }
    case 'list':
      v = s === '' ? [] : s.split(',').map((x) => x.trim());
      break;
    default:
      v = s;
  }
  if (typeof v === 'number') {
    if (d.min !== undefined && v < d.min) bad(`must be at least ${d.min}`);
    if (d.max !== undefined && v > d.max) bad(`must be at most ${d.max}`);
  }
  if (d.validValues) {
    const vals = Array.isArray(v) ? v : [v as string];
    for (const x of vals) {
      if (!d.validValues.includes(x)) bad(`must be one of ${d.validValues.join(', ')}`);
    }
  }
  const why = d.check?.(v);
  if (why) bad(why);
  return v;
}

/** The textual form DescribeConfigs reports for a typed value. */
export function formatValue(v: ConfigValue): string | null {
  if (v === null) return null;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** Normalises an option value (number/boolean/array) to the textual form configs are kept in. */
export function toRaw(v: string | number | boolean | readonly string[] | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Properties files and the environment.

/** Parses Java .properties text (comments, `=`/`:`/space separators, continuations, escapes). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    let k = 0;
    let key = '';
    while (k < line.length) {
      const c = line[k]!;
      if (c === '\\' && k + 1 < line.length) {
        key += line.slice(k, k + 2);
        k += 2;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      key += c;
      k++;
    }
    let rest = line.slice(k).replace(/^[ \t\f]*/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
    out.set(unescapeProperty(key), unescapeProperty(rest));
  }
  return out;
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  });
}

/** `num.partitions` ↔ `BROOK_NUM_PARTITIONS`. */
export function envNameOf(key: string): string {
  return `BROOK_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const ENV_TO_KEY = new Map(BROKER_CONFIG_DEFS.map((d) => [envNameOf(d.name), d.name]));

// ---------------------------------------------------------------------------------------------
// The broker configuration: layered raw values + typed, resolved reads.

export type StaticSource = 'file' | 'env' | 'override';

export interface LoadConfigOptions {
  /** Path of a Java .properties file (`--config FILE`). */
  file?: string | undefined;
  /** Environment to read BROOK_* keys from; omit to ignore the environment. */
  env?: Record<string, string | undefined> | undefined;
  /** Highest static layer: CLI flags / startBroker options. Unknown keys are errors here. */
  overrides?: Record<string, string | number | boolean | readonly string[] | null | undefined> | undefined;
  /** Called for ignored unknown keys in the file (Kafka warns, it does not fail). */
  onWarning?: (msg: string) => void;
}

export interface ResolvedEntry {
  name: string;
  value: string | null;
  source: ConfigSource;
}

export class BrokerConfig {
  /** Static layer (file < env < override, already merged), raw text. */
  private readonly staticValues = new Map<string, { raw: string; from: StaticSource }>();
  private readonly dynamicDefault = new Map<string, string>();
  private readonly dynamicBroker = new Map<string, string>();
  private cache = new Map<string, ConfigValue>();

  /** Builds and validates a config from all sources; throws ConfigError naming the bad key. */
  static load(opts: LoadConfigOptions = {}): BrokerConfig {
    const c = new BrokerConfig();
    if (opts.file !== undefined) {
      let text: string;
      try {
        text = readFileSync(opts.file, 'utf8');
      } catch (e) {
        throw new ConfigError('--config', `cannot read ${opts.file}: ${(e as Error).message}`);
      }
      for (const [k, v] of parseProperties(text)) {
        if (!BROKER_CONFIGS.has(k)) {
          opts.onWarning?.(`The configuration '${k}' was supplied but isn't a known config.`);
          continue;
        }
        c.setStatic(k, v, 'file');
      }
    }
    if (opts.env) {
      for (const [name, v] of Object.entries(opts.env)) {
        const key = ENV_TO_KEY.get(name);
        if (key !== undefined && v !== undefined) c.setStatic(key, v, 'env');
      }
    }
    for (const [k, v] of Object.entries(opts.overrides ?? {})) {
      const raw = toRaw(v);
      if (raw === null) continue;
      if (!BROKER_CONFIGS.has(k)) throw new ConfigError(k, 'unknown config key');
      c.setStatic(k, raw, 'override');
    }
    c.validateCrossKey();
    return c;
  }

  private setStatic(key: string, raw: string, from: StaticSource): void {
    parseValue(BROKER_CONFIGS.get(key)!, raw);
    this.staticValues.set(key, { raw, from });
    this.cache.clear();
  }

  private validateCrossKey(): void {
    const min = this.getNumber('group.min.session.timeout.ms');
    const max = this.getNumber('group.max.session.timeout.ms');
    if (min > max)
      throw new ConfigError('group.min.session.timeout.ms', `must not exceed group.max.session.timeout.ms`);
    for (const l of this.getList('listeners')) parseListener(l, 'listeners');
    for (const l of this.getList('advertised.listeners')) parseListener(l, 'advertised.listeners');
    if (this.getList('listeners').length !== 1) throw new ConfigError('listeners', 'exactly one listener is supported');
    const dirs = this.getString('log.dirs');
    if (dirs?.includes(',')) throw new ConfigError('log.dirs', 'only one log directory is supported');
  }

  /** Raw value of one key in its own layers (ignoring synonyms), highest layer first. */
  layers(name: string): ResolvedEntry[] {
    const out: ResolvedEntry[] = [];
    const db = this.dynamicBroker.get(name);
    if (db !== undefined) out.push({ name, value: db, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    const dd = this.dynamicDefault.get(name);
    if (dd !== undefined) out.push({ name, value: dd, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    const st = this.staticValues.get(name);
    if (st !== undefined) out.push({ name, value: st.raw, source: ConfigSource.STATIC_BROKER_CONFIG });
    const d = BROKER_CONFIGS.get(name);
    if (d && d.default !== null) out.push({ name, value: d.default, source: ConfigSource.DEFAULT_CONFIG });
    return out;
  }

  /** Kafka's synonym list for a broker key: synonym-major, then layer; the first entry wins. */
  synonyms(name: string): ResolvedEntry[] {
    return brokerSynonymsOf(name).flatMap((s) => this.layers(s.name));
  }

  /** Effective typed value of a broker key, resolving synonyms (log.retention.hours → ms, ...). */
  get(name: string): ConfigValue {
    const cached = this.cache.get(name);
    if (cached !== undefined || this.cache.has(name)) return cached ?? null;
    const d = BROKER_CONFIGS.get(name);
    if (!d) throw new ConfigError(name, 'unknown config key');
    let v: ConfigValue = null;
    for (const s of brokerSynonymsOf(name)) {
      const top = this.layers(s.name)[0];
      if (top === undefined || top.value === null) continue;
      v = parseValue(BROKER_CONFIGS.get(s.name)!, top.value);
      if (typeof v === 'number' && s.factor !== undefined && v >= 0) v *= s.factor;
      break;
    }
    this.cache.set(name, v);
    return v;
  }

  /** A broker key as DescribeConfigs reports it: its own value (no synonym resolution) and source. */
  describe(name: string): ResolvedEntry {
    return this.layers(name)[0] ?? { name, value: null, source: ConfigSource.DEFAULT_CONFIG };
  }

  getNumber(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number') throw new ConfigError(name, 'not set');
    return v;
  }
  getOptionalNumber(name: string): number | null {
    const v = this.get(name);
    return typeof v === 'number' ? v : null;
  }
  getBoolean(name: string): boolean {
    return this.get(name) === true;
  }
  getString(name: string): string | null {
    const v = this.get(name);
    return v === null ? null : formatValue(v);
  }
  getList(name: string): string[] {
    const v = this.get(name);
    return Array.isArray(v) ? v : v === null ? [] : [String(v)];
  }

  /** Where the static value of a key came from, or undefined if it is a default. */
  staticSource(name: string): StaticSource | undefined {
    return this.staticValues.get(name)?.from;
  }
  isExplicit(name: string): boolean {
    return this.staticValues.has(name) || this.dynamicBroker.has(name) || this.dynamicDefault.has(name);
  }

  // --- dynamic configs (AlterConfigs on the broker resource) ---

  dynamicConfigs(scope: 'default' | 'broker'): ReadonlyMap<string, string> {
    return scope === 'default' ? this.dynamicDefault : this.dynamicBroker;
  }

  /** Validates a dynamic change without applying it; returns the error or null. */
  checkDynamic(name: string, raw: string | null): ConfigError | null {
    const d = BROKER_CONFIGS.get(name);
    if (!d) return new ConfigError(name, 'unknown broker config');
    if (!d.dynamic) return new ConfigError(name, 'cannot be updated dynamically');
    try {
      parseValue(d, raw);
      return null;
    } catch (e) {
      return e as ConfigError;
    }
  }

  /** Replaces the dynamic configs of one scope (AlterConfigs semantics); call checkDynamic first. */
  setDynamic(scope: 'default' | 'broker', values: ReadonlyMap<string, string>): void {
    const m = scope === 'default' ? this.dynamicDefault : this.dynamicBroker;
    m.clear();
    for (const [k, v] of values) m.set(k, v);
    this.cache.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Topic configs.

export type TopicOverrides = Record<string, string>;

/** Validates one topic config entry; returns the parsed value or throws ConfigError. */
export function parseTopicConfig(name: string, raw: string | null): ConfigValue {
  const d = TOPIC_CONFIGS.get(name);
  if (!d) throw new ConfigError(name, 'unknown topic config');
  if (raw === null) throw new ConfigError(name, 'null value');
  return parseValue(d, raw);
}

/** Validates a whole override map (CreateTopics/AlterConfigs); throws on the first bad key. */
export function validateTopicOverrides(overrides: TopicOverrides): void {
  for (const [k, v] of Object.entries(overrides)) {
    // Kafka's answer on a broker with remote.log.storage.system.enable=false (the only kind Brook is).
    if (k === 'remote.storage.enable' && parseTopicConfig(k, v) === true) {
      throw new ConfigError(
        k,
        'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
      );
    }
    parseTopicConfig(k, v);
  }
}

export interface TopicEntry extends ResolvedEntry {
  def: TopicConfigDef;
  /** Topic override first (if any), then the broker synonyms with values. */
  synonyms: ResolvedEntry[];
}

/** Effective topic config: override, else the first broker synonym with a value (scaled). */
export function describeTopicConfig(broker: BrokerConfig, overrides: TopicOverrides, name: string): TopicEntry {
  const d = TOPIC_CONFIGS.get(name)!;
  const syn: ResolvedEntry[] = [];
  const own = overrides[name];
  if (own !== undefined) syn.push({ name, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  for (const s of d.brokerSynonyms) syn.push(...brokerLayers(broker, s.name));
  const first = syn[0];
  if (own !== undefined)
    return { name, value: scaledText(d, own, undefined), source: first!.source, def: d, synonyms: syn };
  let value: string | null = null;
  for (const s of d.brokerSynonyms) {
    const entry = brokerLayers(broker, s.name)[0];
    if (!entry || entry.value === null) continue;
    value = scaledText(BROKER_CONFIGS.get(s.name)!, entry.value, s.factor);
    break;
  }
  // Topic-only keys (no broker synonym) fall back to their own Kafka default.
  if (value === null && d.brokerSynonyms.length === 0) value = d.default;
  // A topic value inherited from the broker is reported with the broker entry's source (Kafka does too).
  return { name, value, source: first?.source ?? ConfigSource.DEFAULT_CONFIG, def: d, synonyms: syn };
}

/** A broker value as text for a topic key, scaled exactly (BigInt) so Long.MAX survives the round trip. */
function scaledText(d: ConfigDef, raw: string, factor: number | undefined): string | null {
  const v = parseValue(d, raw);
  if (typeof v === 'number' && (d.type === 'long' || d.type === 'int' || d.type === 'short')) {
    const big = BigInt(raw.trim());
    return (factor !== undefined && big >= 0n ? big * BigInt(factor) : big).toString();
  }
  return formatValue(v);
}

function brokerLayers(broker: BrokerConfig, name: string): ResolvedEntry[] {
  return broker.layers(name);
}

/** All effective topic configs, typed, keyed by Kafka topic config name. */
export function effectiveTopicConfig(broker: BrokerConfig, overrides: TopicOverrides): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const d of TOPIC_CONFIG_DEFS) {
    const e = describeTopicConfig(broker, overrides, d.name);
    out[d.name] = e.value === null ? null : parseValue(d, e.value);
  }
  return out;
}

/** `retention.ms` → `retentionMs` (storage's LogConfig uses camelCase of Kafka topic configs). */
export function camelCaseOf(name: string): string {
  return name.replace(/[.-]([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

// ---------------------------------------------------------------------------------------------
// Listeners.

export interface Listener {
  name: string;
  host: string;
  port: number;
}

/** Parses `PLAINTEXT://host:port` (host may be empty or a [v6] literal). */
export function parseListener(s: string, key = 'listeners'): Listener {
  const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(s.trim());
  if (!m) throw new ConfigError(key, `invalid listener "${s}", expected PLAINTEXT://host:port`);
  const name = m[1]!.toUpperCase();
  if (name !== 'PLAINTEXT') throw new ConfigError(key, `only PLAINTEXT listeners are supported, got ${name}`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(key, `invalid port ${port}`);
  return { name, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

// ---------------------------------------------------------------------------------------------
// Storage mapping.

const clampLong = (v: ConfigValue | undefined): number | undefined =>
  typeof v === 'number' ? Math.min(v, Number.MAX_SAFE_INTEGER) : undefined;

/**
 * Maps effective topic configs (effectiveTopicConfig) to storage's LogConfig and validates the
 * result with storage's own rules. Throws on values the log cannot work with.
 */
export function toLogConfig(t: Record<string, ConfigValue>, broker: BrokerConfig): LogConfig {
  const policy = new Set(Array.isArray(t['cleanup.policy']) ? t['cleanup.policy'] : ['delete']);
  const cleanupPolicy: LogConfig['cleanupPolicy'] = policy.has('compact')
    ? policy.has('delete')
      ? 'compact,delete'
      : 'compact'
    : 'delete';
  const patch: Partial<LogConfig> = {
    segmentBytes: clampLong(t['segment.bytes']),
    segmentMs: clampLong(t['segment.ms']),
    retentionMs: clampLong(t['retention.ms']),
    retentionBytes: clampLong(t['retention.bytes']),
    cleanupPolicy,
    deleteRetentionMs: clampLong(t['delete.retention.ms']),
    minCompactionLagMs: clampLong(t['min.compaction.lag.ms']),
    minCleanableDirtyRatio: clampLong(t['min.cleanable.dirty.ratio']),
    indexIntervalBytes: clampLong(t['index.interval.bytes']),
    segmentIndexBytes: clampLong(t['segment.index.bytes']),
    flushMessages: clampLong(t['flush.messages']),
    flushMs: clampLong(t['flush.ms']),
    messageTimestampType: t['message.timestamp.type'] === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    fsyncOnAppend: broker.getBoolean('brook.fsync.before.ack'),
    maxMessageBytes: clampLong(t['max.message.bytes']),
    producerIdExpirationMs: broker.getNumber('producer.id.expiration.ms'),
  };
  return resolveConfig(patch);
}

// ---------------------------------------------------------------------------------------------
// Topic configs the broker applies itself (storage gets the rest through LogConfig).

export interface TopicPolicy {
  /** Codec produced batches are rewritten to; 'producer' keeps the producer's. */
  compressionType: (typeof BROKER_COMPRESSION)[number];
  /** Level of that codec (gzip/zstd; LZ4 has no level in its binding), undefined for none. */
  compressionLevel: number | undefined;
  minInsyncReplicas: number;
  /** message.timestamp.before/after.max.ms, falling back to the deprecated difference key as Kafka does. */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  downconversionEnable: boolean;
}

const LONG_MAX_NUMBER = Number(LONG_MAX);

/** The policy of effective topic configs (effectiveTopicConfig). */
export function topicPolicy(t: Record<string, ConfigValue>): TopicPolicy {
  const num = (k: string, dflt: number) => (typeof t[k] === 'number' ? (t[k] as number) : dflt);
  const type = (
    typeof t['compression.type'] === 'string' ? t['compression.type'] : 'producer'
  ) as TopicPolicy['compressionType'];
  // Kafka's LogConfig: a before/after bound left at Long.MAX takes message.timestamp.difference.max.ms.
  const difference = num('message.timestamp.difference.max.ms', LONG_MAX_NUMBER);
  const bound = (k: string) => {
    const v = num(k, LONG_MAX_NUMBER);
    return v >= LONG_MAX_NUMBER ? difference : v;
  };
  return {
    compressionType: type,
    compressionLevel:
      type === 'gzip'
        ? num('compression.gzip.level', -1)
        : type === 'zstd'
          ? num('compression.zstd.level', 3)
          : undefined,
    minInsyncReplicas: num('min.insync.replicas', 1),
    timestampBeforeMaxMs: bound('message.timestamp.before.max.ms'),
    timestampAfterMaxMs: bound('message.timestamp.after.max.ms'),
    downconversionEnable: t['message.downconversion.enable'] !== false,
  };
}

// Topic metadata: names, ids, partition counts, config overrides, internal flags.
// Persisted as <data-dir>/__brook_topics.json (temp + fsync + rename); storage logs are created and
// deleted through the LogManager. All mutations are serialized so concurrent admin calls cannot race.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode as Errors } from '@brook/protocol';
import type { LogConfig } from '@brook/storage';
import {
  type BrokerConfig,
  ConfigError,
  effectiveTopicConfig,
  type TopicOverrides,
  type TopicPolicy,
  toLogConfig,
  topicPolicy,
  validateTopicOverrides,
} from '../config.js';
import { BrokerError, toBrokerError } from '../errors.js';
import type { Logger } from '../logger.js';

export const TOPICS_FILE = '__brook_topics.json';
export const MAX_TOPIC_NAME_LENGTH = 249;

export interface TopicInfo {
  readonly name: string;
  /** Random v4 uuid, canonical lowercase; stable across restarts. */
  readonly topicId: string;
  partitions: number;
  /** Per-topic overrides only (DYNAMIC_TOPIC_CONFIG); effective values come from effectiveTopicConfig. */
  configs: TopicOverrides;
  readonly internal: boolean;
}

export interface CreateTopicOptions {
  /** -1/undefined = num.partitions. */
  partitions?: number;
  /** -1/undefined = default.replication.factor; anything but 1 fails on one broker. */
  replicationFactor?: number;
  configs?: TopicOverrides;
  internal?: boolean;
  validateOnly?: boolean;
}

/** Spec for an internal topic (e.g. __consumer_offsets), registered by the component that owns it. */
export type InternalTopicSpec = () => { partitions: number; configs: TopicOverrides };

/** The storage operations the registry needs (a subset of @brook/storage's LogManager). */
export interface TopicStorage {
  /** `fresh`: a new partition (replace any stray log); otherwise open the existing one. */
  createPartition(topic: string, partition: number, config: Partial<LogConfig>, fresh: boolean): Promise<void>;
  deletePartition(topic: string, partition: number): Promise<void>;
  updatePartitionConfig(topic: string, partition: number, config: Partial<LogConfig>): void;
}

/** Kafka's rule: 1-249 chars of [a-zA-Z0-9._-], not "." or "..". Returns the reason or null. */
export function topicNameError(name: string | null | undefined): string | null {
  if (name === null || name === undefined || name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Kafka treats '.' and '_' as colliding (metric names); "a.b" and "a_b" cannot both exist. */
function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

export class TopicRegistry {
  private readonly byName = new Map<string, TopicInfo>();
  private readonly byId = new Map<string, TopicInfo>();
  private readonly internalSpecs = new Map<string, InternalTopicSpec>();
  /** Effective policies by topic name, built on first use and dropped whenever configs may change. */
  private readonly policies = new Map<string, TopicPolicy>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      config: BrokerConfig;
      storage: TopicStorage;
      dataDir: string | null;
      log: Logger;
    },
  ) {}

  /** Reads the persisted topics (if any) and opens their partitions. */
  async load(): Promise<void> {
    if (this.deps.dataDir === null) return;
    let text: string;
    try {
      text = await readFile(join(this.deps.dataDir, TOPICS_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const data = JSON.parse(text) as { version: number; topics: TopicInfo[] };
    for (const t of data.topics) {
      const info: TopicInfo = {
        name: t.name,
        topicId: t.topicId,
        partitions: t.partitions,
        configs: { ...t.configs },
        internal: t.internal === true,
      };
      this.byName.set(info.name, info);
      this.byId.set(info.topicId, info);
      const lc = this.logConfig(info);
      for (let p = 0; p < info.partitions; p++) await this.deps.storage.createPartition(info.name, p, lc, false);
    }
    this.deps.log.debug({ topics: this.byName.size }, 'topics loaded');
  }

  get(name: string): TopicInfo | undefined {
    return this.byName.get(name);
  }
  getById(topicId: string): TopicInfo | undefined {
    return this.byId.get(topicId);
  }
  list(): TopicInfo[] {
    return [...this.byName.values()];
  }
  get size(): number {
    return this.byName.size;
  }

  /** Lets the owner of an internal topic say how it is created when first needed. */
  registerInternalTopic(name: string, spec: InternalTopicSpec): void {
    this.internalSpecs.set(name, spec);
  }
  isInternal(name: string): boolean {
    return this.byName.get(name)?.internal ?? this.internalSpecs.has(name);
  }

  /** Storage config of a topic: broker defaults + overrides, mapped to LogConfig. */
  logConfig(t: TopicInfo): Partial<LogConfig> {
    return toLogConfig(effectiveTopicConfig(this.deps.config, t.configs), this.deps.config);
  }

  /** The configs the broker enforces itself on produce/fetch (cached: these run per request). */
  policy(t: TopicInfo): TopicPolicy {
    let p = this.policies.get(t.name);
    if (p === undefined) {
      p = topicPolicy(effectiveTopicConfig(this.deps.config, t.configs));
      this.policies.set(t.name, p);
    }
    return p;
  }

  /**
   * Creates a topic; throws BrokerError with TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION,
   * INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR or INVALID_CONFIG. With validateOnly nothing changes.
   */
  create(name: string, opts: CreateTopicOptions = {}): Promise<TopicInfo> {
    return this.serialized(async () => {
      const info = this.checkCreate(name, opts);
      if (opts.validateOnly) return info;
      this.policies.delete(name);
      this.byName.set(name, info);
      this.byId.set(info.topicId, info);
      try {
        const lc = this.logConfig(info);
        for (let p = 0; p < info.partitions; p++) await this.deps.storage.createPartition(name, p, lc, true);
        await this.persist();
      } catch (e) {
        this.byName.delete(name);
        this.byId.delete(info.topicId);
        throw e;
      }
      this.deps.log.info({ topic: name, topicId: info.topicId, partitions: info.partitions }, 'topic created');
      return info;
    });
  }

  private checkCreate(name: string, opts: CreateTopicOptions): TopicInfo {
    const nameErr = topicNameError(name);
    if (nameErr) throw new BrokerError(Errors.INVALID_TOPIC_EXCEPTION, nameErr);
    if (this.byName.has(name)) throw new BrokerError(Errors.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const key = collisionKey(name);
    for (const other of this.byName.keys()) {
      if (collisionKey(other) === key) {
        throw new BrokerError(Errors.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${other}`);
      }
    }
    const cfg = this.deps.config;
    const partitions =
      opts.partitions === undefined || opts.partitions === -1 ? cfg.getNumber('num.partitions') : opts.partitions;
    if (!Number.isInteger(partitions) || partitions <= 0) {
      throw new BrokerError(Errors.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    }
    const rf =
      opts.replicationFactor === undefined || opts.replicationFactor === -1
        ? cfg.getNumber('default.replication.factor')
        : opts.replicationFactor;
    if (rf <= 0) throw new BrokerError(Errors.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (rf > 1) {
      throw new BrokerError(
        Errors.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
      );
    }
    const configs = { ...(opts.configs ?? {}) };
    try {
      validateTopicOverrides(configs);
      // The storage layer rejects combinations it cannot work with; surface that as INVALID_CONFIG too.
      toLogConfig(effectiveTopicConfig(cfg, configs), cfg);
    } catch (e) {
      throw new BrokerError(Errors.INVALID_CONFIG, (e as Error).message);
    }
    return {
      name,
      topicId: randomUUID(),
      partitions,
      configs,
      internal: opts.internal ?? this.internalSpecs.has(name),
    };
  }

  /**
   * Returns the topic, creating it if auto-creation applies (Metadata/Produce on an unknown topic).
   * Returns an error code instead of throwing: UNKNOWN_TOPIC_OR_PARTITION when auto-creation is off,
   * INVALID_TOPIC_EXCEPTION / INVALID_REPLICATION_FACTOR when it fails.
   */
  async getOrAutoCreate(name: string, allowAutoCreate = true): Promise<TopicInfo | number> {
    const existing = this.byName.get(name);
    if (existing) return existing;
    const spec = this.internalSpecs.get(name);
    if (!spec && (!allowAutoCreate || !this.deps.config.getBoolean('auto.create.topics.enable'))) {
      return topicNameError(name) ? Errors.INVALID_TOPIC_EXCEPTION : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
    try {
      if (spec) {
        const s = spec();
        return await this.create(name, {
          partitions: s.partitions,
          replicationFactor: 1,
          configs: s.configs,
          internal: true,
        });
      }
      return await this.create(name);
    } catch (e) {
      // Lost a race with a concurrent create: the topic exists now.
      const now = this.byName.get(name);
      if (now) return now;
      return toBrokerError(e, this.deps.log, `auto-create ${name}`).code;
    }
  }

  /** Deletes a topic and its data. Throws UNKNOWN_TOPIC_OR_PARTITION / TOPIC_DELETION_DISABLED. */
  delete(name: string): Promise<TopicInfo> {
    return this.serialized(async () => {
      const info = this.byName.get(name);
      if (!info)
        throw new BrokerError(Errors.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
      if (!this.deps.config.getBoolean('delete.topic.enable')) {
        throw new BrokerError(Errors.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
      }
      this.byName.delete(name);
      this.byId.delete(info.topicId);
      this.policies.delete(name);
      // Data first: a crash in between leaves an empty topic that can be deleted again, never old data
      // resurfacing under a new topic of the same name.
      for (let p = 0; p < info.partitions; p++) await this.deps.storage.deletePartition(name, p);
      await this.persist();
      this.deps.log.info({ topic: name, topicId: info.topicId }, 'topic deleted');
      return info;
    });
  }

  /** Grows a topic to `total` partitions. Throws INVALID_PARTITIONS / UNKNOWN_TOPIC_OR_PARTITION. */
  createPartitions(name: string, total: number, validateOnly = false): Promise<TopicInfo> {
    return this.serialized(async () => {
      const info = this.byName.get(name);
      if (!info)
        throw new BrokerError(Errors.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
      if (total === info.partitions) {
        throw new BrokerError(Errors.INVALID_PARTITIONS, `Topic already has ${info.partitions} partitions.`);
      }
      if (total < info.partitions) {
        throw new BrokerError(
          Errors.INVALID_PARTITIONS,
          `The topic ${name} currently has ${info.partitions} partition(s); ${total} would not be an increase.`,
        );
      }
      if (validateOnly) return info;
      const lc = this.logConfig(info);
      const before = info.partitions;
      for (let p = before; p < total; p++) await this.deps.storage.createPartition(name, p, lc, true);
      info.partitions = total;
      await this.persist();
      this.deps.log.info({ topic: name, from: before, to: total }, 'partitions added');
      return info;
    });
  }

  /**
   * Replaces a topic's overrides (AlterConfigs semantics; IncrementalAlterConfigs computes the full map).
   * Validates, applies to every partition live, persists. Throws INVALID_CONFIG / UNKNOWN_TOPIC_OR_PARTITION.
   */
  setConfigs(name: string, overrides: TopicOverrides, validateOnly = false): Promise<TopicInfo> {
    return this.serialized(async () => {
      const info = this.byName.get(name);
      if (!info)
        throw new BrokerError(Errors.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
      let lc: Partial<LogConfig>;
      try {
        validateTopicOverrides(overrides);
        lc = toLogConfig(effectiveTopicConfig(this.deps.config, overrides), this.deps.config);
      } catch (e) {
        if (e instanceof ConfigError) throw new BrokerError(Errors.INVALID_CONFIG, e.message);
        throw new BrokerError(Errors.INVALID_CONFIG, (e as Error).message);
      }
      if (validateOnly) return info;
      info.configs = { ...overrides };
      this.policies.delete(name);
      for (let p = 0; p < info.partitions; p++) this.deps.storage.updatePartitionConfig(name, p, lc);
      await this.persist();
      this.deps.log.info({ topic: name, configs: Object.keys(overrides) }, 'topic configs updated');
      return info;
    });
  }

  /** Re-applies effective configs to all partitions (after a dynamic broker default changed). */
  refreshLogConfigs(): void {
    this.policies.clear();
    for (const t of this.byName.values()) {
      const lc = this.logConfig(t);
      for (let p = 0; p < t.partitions; p++) this.deps.storage.updatePartitionConfig(t.name, p, lc);
    }
  }

  /** Resolves when every mutation started so far has finished (used by close()). */
  async idle(): Promise<void> {
    await this.lock.catch(() => {});
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }

  private async persist(): Promise<void> {
    const dir = this.deps.dataDir;
    if (dir === null) return;
    const topics = [...this.byName.values()].map((t) => ({
      name: t.name,
      topicId: t.topicId,
      partitions: t.partitions,
      configs: t.configs,
      internal: t.internal,
    }));
    await writeFileAtomic(join(dir, TOPICS_FILE), `${JSON.stringify({ version: 1, topics }, null, 1)}\n`);
  }
}

/** Write temp + fsync + rename + fsync(dir): readers see the old or the new file, never a torn one. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true });
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}

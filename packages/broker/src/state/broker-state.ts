// Everything a handler can reach: config, identity, storage, topics, and the components other
// parts of the broker add (groups, producers, fetch sessions, transactions). Plain class with an
// explicit lifecycle: start() opens components in order, close() closes them in reverse.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogManager } from '@brook/storage';
import { type BrokerConfig, ConfigError, effectiveTopicConfig, toLogConfig } from '../config.js';
import type { ApiVersionRange } from '../dispatch.js';
import type { Logger } from '../logger.js';
import { DataPathState } from './data-path.js';
import { createBrokerGroupCoordinator } from './groups/broker-groups.js';
import type { GroupCoordinator } from './groups/group-coordinator.js';
import { TopicRegistry, type TopicStorage, writeFileAtomic } from './topics.js';
import { createBrokerTransactionCoordinator } from './transactions/broker-transactions.js';
import type { TransactionCoordinator } from './transactions/coordinator.js';

export const META_PROPERTIES = 'meta.properties';
export const DYNAMIC_CONFIG_FILE = '__brook_broker_configs.json';

/** A part of broker state with a lifecycle; started in registration order, closed in reverse. */
export interface Component {
  readonly name: string;
  start?(): Promise<void> | void;
  close?(): Promise<void> | void;
}

export interface AdvertisedAddress {
  host: string;
  port: number;
}

export class BrokerState {
  readonly nodeId: number;
  /** Kafka-style cluster id (22-char base64url uuid), persisted in meta.properties. */
  clusterId = '';
  /** Storage for all partitions; set by start(). */
  logs!: LogManager;
  /** Topic metadata; set by start(). */
  topics!: TopicRegistry;
  /** Address clients are told to use (Metadata, DescribeCluster); set by the server after listen. */
  advertised: AdvertisedAddress = { host: '127.0.0.1', port: 9092 };
  /** Broker rack (Metadata); none on a single dev broker. */
  readonly rack: string | null = null;
  /** Level the root logger started with (BROKER_LOGGER DELETE restores it). */
  readonly defaultLogLevel: string;
  /** What ApiVersions advertises; set by the server from the handler registry. */
  apiVersions: readonly ApiVersionRange[] = [];

  /** Consumer groups and committed offsets (state/groups); a component. */
  readonly groups: GroupCoordinator;

  // Slots other components fill (each adds its field and registers itself with addComponent):
  // groups, producers, fetchSessions, transactions.
  /** Producer ids, fetch sessions and long-poll waiters of the data path (Produce/Fetch/...). */
  readonly dataPath: DataPathState;
  /** Transaction coordinator (state/transactions); a component, after groups (it commits their offsets). */
  readonly transactions: TransactionCoordinator;

  private readonly components: Component[] = [];
  private started = false;

  constructor(
    readonly config: BrokerConfig,
    /** null = in-memory storage, nothing persisted. */
    readonly dataDir: string | null,
    readonly log: Logger,
  ) {
    this.nodeId = config.getNumber('node.id');
    this.dataPath = new DataPathState(config, dataDir);
    this.addComponent(this.dataPath);
    this.groups = createBrokerGroupCoordinator(this);
    this.addComponent(this.groups);
    this.transactions = createBrokerTransactionCoordinator(this);
    this.addComponent(this.transactions);
    this.defaultLogLevel = log.level;
  }

  /** Registers a component; must be called before start(). */
  addComponent(c: Component): void {
    if (this.started) throw new Error(`component ${c.name} added after start()`);
    this.components.push(c);
  }

  async start(): Promise<void> {
    this.started = true;
    if (this.dataDir !== null) await mkdir(this.dataDir, { recursive: true });
    this.clusterId = await this.loadMeta();
    await this.loadDynamicConfigs();
    const cfg = this.config;
    this.logs = await LogManager.open({
      dataDir: this.dataDir,
      defaultConfig: toLogConfig(effectiveTopicConfig(cfg, {}), cfg),
      logger: this.log.child({ component: 'storage' }),
      retentionCheckIntervalMs: cfg.getNumber('log.retention.check.interval.ms'),
      compactionCheckIntervalMs: cfg.getBoolean('log.cleaner.enable') ? cfg.getNumber('log.cleaner.backoff.ms') : 0,
    });
    this.topics = new TopicRegistry({
      config: this.config,
      storage: storageAdapter(this.logs),
      dataDir: this.dataDir,
      log: this.log.child({ component: 'topics' }),
    });
    await this.topics.load();
    for (const c of this.components) await c.start?.();
  }

  async close(): Promise<void> {
    for (const c of [...this.components].reverse()) {
      try {
        await c.close?.();
      } catch (e) {
        this.log.error({ err: e, component: c.name }, 'component close failed');
      }
    }
    if (this.topics) await this.topics.idle();
    if (this.logs) await this.logs.close();
  }

  /**
   * Deletes a topic with its data, and (as Kafka does on partition deletion) the offsets every group
   * committed or staged for it, so a re-created topic of that name never resumes at stale offsets.
   */
  async deleteTopic(name: string): Promise<void> {
    await this.topics.delete(name);
    this.groups.deleteTopicOffsets(name);
    this.transactions.forgetTopicOffsets(name);
  }

  /**
   * Replaces the dynamic broker configs of one scope ("" resource = default, node id = broker),
   * persists them and re-applies topic configs that inherit from them. Validate before calling.
   */
  async setDynamicBrokerConfigs(scope: 'default' | 'broker', values: ReadonlyMap<string, string>): Promise<void> {
    this.config.setDynamic(scope, values);
    if (this.dataDir !== null) {
      const data = {
        version: 1,
        default: Object.fromEntries(this.config.dynamicConfigs('default')),
        broker: Object.fromEntries(this.config.dynamicConfigs('broker')),
      };
      await writeFileAtomic(join(this.dataDir, DYNAMIC_CONFIG_FILE), `${JSON.stringify(data, null, 1)}\n`);
    }
    this.topics.refreshLogConfigs();
    this.log.info({ scope, configs: [...values.keys()] }, 'dynamic broker configs updated');
  }

  private async loadDynamicConfigs(): Promise<void> {
    if (this.dataDir === null) return;
    let text: string;
    try {
      text = await readFile(join(this.dataDir, DYNAMIC_CONFIG_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const data = JSON.parse(text) as { default?: Record<string, string>; broker?: Record<string, string> };
    for (const scope of ['default', 'broker'] as const) {
      const m = new Map<string, string>();
      for (const [k, v] of Object.entries(data[scope] ?? {})) {
        // A key that stopped being valid (e.g. after an upgrade) is dropped with a warning, not fatal.
        const err = this.config.checkDynamic(k, v);
        if (err) this.log.warn({ key: k, err: err.message }, 'ignoring stored dynamic config');
        else m.set(k, v);
      }
      this.config.setDynamic(scope, m);
    }
  }

  /** Reads or creates meta.properties; a node.id different from the stored one is a config error. */
  private async loadMeta(): Promise<string> {
    if (this.dataDir === null) return newClusterId();
    const path = join(this.dataDir, META_PROPERTIES);
    let text: string | null = null;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text !== null) {
      const props = new Map<string, string>();
      for (const line of text.split('\n')) {
        const m = /^\s*([^#=\s]+)\s*=\s*(.*?)\s*$/.exec(line);
        if (m) props.set(m[1]!, m[2]!);
      }
      const stored = props.get('node.id');
      if (stored !== undefined && Number(stored) !== this.nodeId) {
        throw new ConfigError(
          'node.id',
          `stored node id ${stored} in ${path} doesn't match the configured node id ${this.nodeId}`,
        );
      }
      const id = props.get('cluster.id');
      if (id) return id;
    }
    const clusterId = newClusterId();
    await writeFileAtomic(
      path,
      `#\n#${new Date().toUTCString()}\ncluster.id=${clusterId}\ndirectory.id=${newClusterId()}\nnode.id=${this.nodeId}\nversion=1\n`,
    );
    return clusterId;
  }
}

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes, base64url without padding. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

function storageAdapter(logs: LogManager): TopicStorage {
  return {
    async createPartition(topic, partition, config, fresh) {
      // A fresh partition must not inherit a stray log left by an interrupted delete.
      if (fresh && logs.get(topic, partition)) await logs.delete(topic, partition);
      const log = await logs.create(topic, partition, config);
      // An existing log keeps the overrides it stored; the registry's view (and broker defaults) win.
      if (!fresh) log.updateConfig(config);
    },
    async deletePartition(topic, partition) {
      await logs.delete(topic, partition);
    },
    updatePartitionConfig(topic, partition, config) {
      logs.get(topic, partition)?.updateConfig(config);
    },
  };
}

// kafkajs admin against an embedded broker: topic lifecycle, configs and cluster description,
// comparing returned values (not just "no exception").
import { type Broker, startBroker } from '@brook/broker';
import { type Admin, ConfigResourceTypes, ConfigSource, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let broker: Broker;
let admin: Admin;

beforeAll(async () => {
  broker = await startBroker({
    port: 0,
    logLevel: process.env.BROOK_TEST_LOG ?? 'silent',
    config: { 'num.partitions': 2, 'log.retention.hours': 24 },
  });
  const kafka = new Kafka({
    clientId: 'admin-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
});

async function errorType(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (e) {
    type E = { type?: string; errors?: E[]; originalError?: E; cause?: E; message: string };
    const find = (x: E | undefined): string | undefined =>
      x === undefined ? undefined : (x.type ?? find(x.errors?.[0]) ?? find(x.originalError) ?? find(x.cause));
    return find(e as E) ?? (e as Error).message;
  }
}

function configMap(entries: { configName: string; configValue: string }[]) {
  return Object.fromEntries(entries.map((e) => [e.configName, e.configValue]));
}

describe('kafkajs admin', () => {
  it('creates topics, with defaults, explicit counts and configs', async () => {
    expect(
      await admin.createTopics({
        topics: [
          { topic: 'orders', numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          { topic: 'defaults' },
        ],
      }),
    ).toBe(true);
    const md = await admin.fetchTopicMetadata({ topics: ['orders', 'defaults'] });
    const byName = Object.fromEntries(md.topics.map((t) => [t.name, t]));
    expect(byName.orders?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    expect(byName.defaults?.partitions).toHaveLength(2); // num.partitions=2
    for (const p of byName.orders!.partitions) {
      expect(p).toMatchObject({ partitionErrorCode: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] });
    }
    // kafkajs returns false (no exception) for an existing topic.
    expect(await admin.createTopics({ topics: [{ topic: 'orders' }] })).toBe(false);
  });

  it('validate-only creates nothing; invalid requests fail with the right error', async () => {
    expect(
      await admin.createTopics({
        validateOnly: true,
        waitForLeaders: false,
        topics: [{ topic: 'dry-run', numPartitions: 4 }],
      }),
    ).toBe(true);
    expect(await admin.listTopics()).not.toContain('dry-run');
    expect(await errorType(admin.createTopics({ topics: [{ topic: 'bad name!' }] }))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await errorType(admin.createTopics({ topics: [{ topic: 'rf3', replicationFactor: 3 }] }))).toBe(
      'INVALID_REPLICATION_FACTOR',
    );
    expect(await errorType(admin.createTopics({ topics: [{ topic: 'zero', numPartitions: 0 }] }))).toBe(
      'INVALID_PARTITIONS',
    );
    expect(
      await errorType(
        admin.createTopics({
          topics: [{ topic: 'badcfg', configEntries: [{ name: 'retention.ms', value: 'never' }] }],
        }),
      ),
    ).toBe('INVALID_CONFIG');
    expect(
      await errorType(
        admin.createTopics({ topics: [{ topic: 'assigned', replicaAssignment: [{ partition: 0, replicas: [7] }] }] }),
      ),
    ).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(
      await admin.createTopics({
        topics: [
          {
            topic: 'assigned',
            replicaAssignment: [
              { partition: 0, replicas: [1] },
              { partition: 1, replicas: [1] },
            ],
          },
        ],
      }),
    ).toBe(true);
    const md = await admin.fetchTopicMetadata({ topics: ['assigned'] });
    expect(md.topics[0]?.partitions).toHaveLength(2);
    expect((await admin.listTopics()).filter((t) => ['bad name!', 'rf3', 'zero', 'badcfg'].includes(t))).toEqual([]);
  });

  it('lists, grows and deletes topics', async () => {
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }, { topic: 'doomed' }] });
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['orders', 'defaults', 'grow', 'doomed']));

    await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'grow', count: 5 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['grow'] })).topics[0]?.partitions).toHaveLength(1);
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['grow'] })).topics[0]?.partitions).toHaveLength(4);
    expect(await errorType(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] }))).toBe(
      'INVALID_PARTITIONS',
    );
    expect(await errorType(admin.createPartitions({ topicPartitions: [{ topic: 'nope', count: 2 }] }))).toBe(
      'UNKNOWN_TOPIC_OR_PARTITION',
    );

    await admin.deleteTopics({ topics: ['doomed'] });
    expect(await admin.listTopics()).not.toContain('doomed');
    expect(await errorType(admin.deleteTopics({ topics: ['doomed'] }))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    // Re-created under the same name it is a new, empty topic.
    expect(await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 1 }] })).toBe(true);
  });

  it('describes topic configs with sources and synonyms', async () => {
    const res = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders' }],
    });
    const r = res.resources[0]!;
    expect(r.errorCode).toBe(0);
    const entries = Object.fromEntries(r.configEntries.map((e) => [e.configName, e]));
    expect(entries['cleanup.policy']).toMatchObject({
      configValue: 'compact',
      configSource: ConfigSource.TOPIC_CONFIG,
      isDefault: false,
      readOnly: false,
    });
    expect(entries['cleanup.policy']!.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource])).toEqual(
      [
        ['cleanup.policy', 'compact', ConfigSource.TOPIC_CONFIG],
        ['log.cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG],
      ],
    );
    // retention.ms inherits log.retention.hours=24 set at startup.
    expect(entries['retention.ms']).toMatchObject({
      configValue: String(24 * 3600 * 1000),
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
    });
    expect(entries['retention.ms']!.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource])).toEqual([
      ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
      ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
    ]);
    expect(entries['max.message.bytes']).toMatchObject({
      configValue: '1048588',
      configSource: ConfigSource.DEFAULT_CONFIG,
    });
    expect(entries['segment.bytes']?.configValue).toBe('1073741824');

    const only = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configNames: ['retention.bytes'] }],
    });
    expect(only.resources[0]!.configEntries.map((e) => [e.configName, e.configValue])).toEqual([
      ['retention.bytes', '-1'],
    ]);
    const missing = await errorType(
      admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'nope' }] }),
    );
    expect(missing).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('describes broker configs', async () => {
    const res = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
    });
    const entries = Object.fromEntries(res.resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries['num.partitions']).toMatchObject({
      configValue: '2',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      readOnly: true,
    });
    expect(entries['auto.create.topics.enable']).toMatchObject({
      configValue: 'true',
      configSource: ConfigSource.DEFAULT_CONFIG,
      isDefault: true,
    });
    expect(entries['log.retention.bytes']).toMatchObject({ configValue: '-1', readOnly: false });
    expect(entries['log.retention.ms']).toMatchObject({ configValue: null });
    expect(entries['log.retention.ms']!.configSynonyms.map((s) => s.configName)).toEqual([
      'log.retention.hours',
      'log.retention.hours',
    ]);
    expect(entries['message.max.bytes']?.configValue).toBe('1048588');
  });

  it('alters topic configs (validate-only, apply, errors) and applies them to storage', async () => {
    const topicRes = { type: ConfigResourceTypes.TOPIC, name: 'orders' };
    await admin.alterConfigs({
      validateOnly: true,
      resources: [{ ...topicRes, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    });
    let d = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ ...topicRes, configNames: ['retention.ms', 'cleanup.policy'] }],
    });
    expect(configMap(d.resources[0]!.configEntries)).toEqual({
      'retention.ms': '86400000',
      'cleanup.policy': 'compact',
    });

    // AlterConfigs replaces all overrides: cleanup.policy goes back to the default.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          ...topicRes,
          configEntries: [
            { name: 'retention.ms', value: '1000' },
            { name: 'segment.bytes', value: '1048576' },
          ],
        },
      ],
    });
    d = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ ...topicRes, configNames: ['retention.ms', 'cleanup.policy', 'segment.bytes'] }],
    });
    expect(configMap(d.resources[0]!.configEntries)).toEqual({
      'retention.ms': '1000',
      'cleanup.policy': 'delete',
      'segment.bytes': '1048576',
    });
    const log = broker.state.logs.get('orders', 2)!;
    expect(log.config).toMatchObject({ retentionMs: 1000, segmentBytes: 1048576, cleanupPolicy: 'delete' });

    expect(
      await errorType(
        admin.alterConfigs({
          validateOnly: false,
          resources: [{ ...topicRes, configEntries: [{ name: 'retention.ms', value: 'x' }] }],
        }),
      ),
    ).toBe('INVALID_CONFIG');
    expect(
      await errorType(
        admin.alterConfigs({
          validateOnly: false,
          resources: [{ ...topicRes, configEntries: [{ name: 'no.such.config', value: '1' }] }],
        }),
      ),
    ).toBe('INVALID_CONFIG');
  });

  it('alters dynamic broker configs and rejects static ones', async () => {
    const brokerRes = { type: ConfigResourceTypes.BROKER, name: '1' };
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ ...brokerRes, configEntries: [{ name: 'log.retention.bytes', value: '123456' }] }],
    });
    const d = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ ...brokerRes, configNames: ['log.retention.bytes'] }],
    });
    expect(d.resources[0]!.configEntries[0]).toMatchObject({
      configValue: '123456',
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
    });
    // Topics without an override inherit it, live.
    expect(broker.state.logs.get('defaults', 0)!.config.retentionBytes).toBe(123456);
    const t = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'defaults', configNames: ['retention.bytes'] }],
    });
    expect(t.resources[0]!.configEntries[0]).toMatchObject({
      configValue: '123456',
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
    });
    expect(
      await errorType(
        admin.alterConfigs({
          validateOnly: false,
          resources: [{ ...brokerRes, configEntries: [{ name: 'socket.request.max.bytes', value: '1000' }] }],
        }),
      ),
    ).toBe('INVALID_REQUEST');
    await admin.alterConfigs({ validateOnly: false, resources: [{ ...brokerRes, configEntries: [] }] });
    expect(broker.state.logs.get('defaults', 0)!.config.retentionBytes).toBe(-1);
  });

  it('describes the cluster and auto-creates topics on metadata', async () => {
    const c = await admin.describeCluster();
    expect(c).toEqual({
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: broker.port }],
      controller: 1,
      clusterId: broker.state.clusterId,
    });
    expect(c.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // kafkajs' admin asks for metadata with allowAutoTopicCreation=false: no topic appears.
    expect(await errorType(admin.fetchTopicMetadata({ topics: ['not-auto-created'] }))).toBe(
      'UNKNOWN_TOPIC_OR_PARTITION',
    );
    expect(await admin.listTopics()).not.toContain('not-auto-created');
  });
});

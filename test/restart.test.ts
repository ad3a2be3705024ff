// Restart on the same data dir: topics (names, ids, partition counts, internal flag) and configs
// (topic overrides, dynamic broker configs, cluster id) come back, and storage gets the same configs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '@brook/broker';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';

describe('restart: topics and configs', () => {
  it('brings back topics, ids, partition counts and configs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'brook-restart-'));
    const b1 = await startBroker({ port: 0, dataDir });
    const admin1 = new Kafka({ brokers: [b1.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin1.connect();
    await admin1.createTopics({
      topics: [
        {
          topic: 'keep-a',
          numPartitions: 3,
          configEntries: [
            { name: 'retention.ms', value: '123000' },
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
        { topic: 'keep-b', numPartitions: 1 },
        { topic: 'drop-c', numPartitions: 2 },
      ],
    });
    await admin1.createPartitions({ topicPartitions: [{ topic: 'keep-b', count: 4 }] });
    await admin1.deleteTopics({ topics: ['drop-c'] });
    await admin1.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'keep-b',
          configEntries: [{ name: 'segment.bytes', value: '2097152' }],
        },
        {
          type: ConfigResourceTypes.BROKER,
          name: '1',
          configEntries: [{ name: 'log.retention.bytes', value: '999999' }],
        },
      ],
    });
    const before = b1.state.topics.list().map((t) => ({ ...t, configs: { ...t.configs } }));
    const clusterId = b1.state.clusterId;
    await admin1.disconnect();
    await b1.close();

    const b2 = await startBroker({ port: 0, dataDir });
    try {
      expect(b2.state.clusterId).toBe(clusterId);
      expect(b2.state.topics.list().sort((x, y) => x.name.localeCompare(y.name))).toEqual(
        before.sort((x, y) => x.name.localeCompare(y.name)),
      );
      expect(b2.state.topics.get('drop-c')).toBeUndefined();
      expect(b2.state.logs.get('drop-c', 0)).toBeUndefined();
      expect(b2.state.logs.get('keep-a', 2)!.config).toMatchObject({
        retentionMs: 123000,
        cleanupPolicy: 'compact',
        retentionBytes: 999999,
      });
      expect(b2.state.logs.get('keep-b', 3)!.config).toMatchObject({ segmentBytes: 2097152, retentionBytes: 999999 });

      const admin2 = new Kafka({ brokers: [b2.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin2.connect();
      const md = await admin2.fetchTopicMetadata({ topics: ['keep-a', 'keep-b'] });
      expect(md.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        ['keep-a', 3],
        ['keep-b', 4],
      ]);
      const d = await admin2.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: 'keep-a', configNames: ['retention.ms', 'cleanup.policy'] },
          { type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.retention.bytes'] },
        ],
      });
      const values = d.resources.flatMap((r) =>
        r.configEntries.map((e) => [e.configName, e.configValue, e.configSource]),
      );
      expect(values).toEqual([
        ['cleanup.policy', 'compact', 1],
        ['retention.ms', '123000', 1],
        ['log.retention.bytes', '999999', 2],
      ]);
      // A deleted topic's name can be reused and starts with a new id.
      await admin2.createTopics({ topics: [{ topic: 'drop-c', numPartitions: 1 }] });
      expect(before.map((t) => t.topicId)).not.toContain(b2.state.topics.get('drop-c')!.topicId);
      await admin2.disconnect();
    } finally {
      await b2.close();
    }
  });

  it('refuses a data dir written by another node id', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'brook-restart-id-'));
    await (await startBroker({ port: 0, dataDir })).close();
    await expect(startBroker({ port: 0, dataDir, config: { 'node.id': 2 } })).rejects.toThrow(/node.id/);
  });
});

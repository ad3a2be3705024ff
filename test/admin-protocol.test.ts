// Admin APIs at every version they advertise, through Brook's own codec (fields kafkajs never sends:
// topic ids, validate-only, synonyms/documentation, incremental ops, log dirs, elections).
import { type Broker, startBroker } from '@brook/broker';
import {
  AlterConfigsRequest,
  AlterConfigsResponse,
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  type CreateTopicsRequestCreatableReplicaAssignment,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DescribeClusterRequest,
  DescribeClusterResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  ElectLeadersRequest,
  ElectLeadersResponse,
  ErrorCode,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  MetadataRequest,
  MetadataResponse,
  ZERO_UUID,
} from '@brook/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecClient } from './helpers/codec-client.js';

let broker: Broker;
let c: CodecClient;

beforeAll(async () => {
  broker = await startBroker({ port: 0, advertisedHost: 'brook.example', config: { 'num.partitions': 2 } });
  c = await CodecClient.open(broker.port);
});
afterAll(async () => {
  c?.close();
  await broker?.close();
});

const topic = (name: string, numPartitions = 1, configs: { name: string; value: string }[] = []) => ({
  name,
  numPartitions,
  replicationFactor: 1,
  assignments: [] as CreateTopicsRequestCreatableReplicaAssignment[],
  configs,
});
const createTopics = (v: number, topics: ReturnType<typeof topic>[], validateOnly = false) =>
  c.request(CreateTopicsRequest, CreateTopicsResponse, v, { topics, timeoutMs: 5000, validateOnly });
const metadata = (
  v: number,
  topics: { name: string | null; topicId?: string }[] | null,
  allowAutoTopicCreation = true,
) =>
  c.request(MetadataRequest, MetadataResponse, v, {
    topics,
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: v >= 8,
  });

describe('CreateTopics', () => {
  it('works at every version 0-7; v5+ return configs and counts, v7 the topic id', async () => {
    for (let v = 0; v <= 7; v++) {
      const res = await createTopics(v, [topic(`ct-v${v}`, 3, [{ name: 'retention.ms', value: '60000' }])]);
      const r = res.topics[0]!;
      expect(r.errorCode, `v${v}`).toBe(0);
      if (v >= 5) {
        expect(r.numPartitions).toBe(3);
        expect(r.replicationFactor).toBe(1);
        const cfg = Object.fromEntries(r.configs!.map((x) => [x.name, x]));
        expect(cfg['retention.ms']).toMatchObject({ value: '60000', configSource: 1 });
        expect(cfg['cleanup.policy']).toMatchObject({ value: 'delete', configSource: 5 });
      }
      const t = broker.state.topics.get(`ct-v${v}`)!;
      expect(t.partitions).toBe(3);
      expect(r.topicId).toBe(v >= 7 ? t.topicId : ZERO_UUID);
    }
  });

  it('uses broker defaults for -1 (v4+) and reports per-topic errors', async () => {
    const res = await createTopics(7, [
      { ...topic('ct-defaults'), numPartitions: -1, replicationFactor: -1 },
      topic('ct-v7'),
      topic('dup'),
      topic('dup'),
      { ...topic('rf'), replicationFactor: 2 },
      topic('bad/name'),
      topic('cfg', 1, [{ name: 'cleanup.policy', value: 'shred' }]),
      {
        ...topic('assign'),
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
      },
      { ...topic('both'), assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
      {
        ...topic('gap'),
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [{ partitionIndex: 1, brokerIds: [1] }],
      },
    ]);
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['ct-defaults', 0],
      ['ct-v7', ErrorCode.TOPIC_ALREADY_EXISTS],
      ['dup', ErrorCode.INVALID_REQUEST],
      ['dup', ErrorCode.INVALID_REQUEST],
      ['rf', ErrorCode.INVALID_REPLICATION_FACTOR],
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['cfg', ErrorCode.INVALID_CONFIG],
      ['assign', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
      ['both', ErrorCode.INVALID_REQUEST],
      ['gap', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ]);
    expect(res.topics[0]).toMatchObject({ numPartitions: 2, replicationFactor: 1 });
    expect(res.topics[1]).toMatchObject({ numPartitions: -1, replicationFactor: -1 });
    expect(res.topics[6]!.errorMessage).toContain('cleanup.policy');
    const dry = await createTopics(7, [topic('ct-dry', 5)], true);
    expect(dry.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 5, topicId: ZERO_UUID });
    expect(broker.state.topics.get('ct-dry')).toBeUndefined();
  });
});

describe('Metadata', () => {
  it('answers every version 0-12 with this broker, the controller and the topic', async () => {
    for (let v = 0; v <= 12; v++) {
      const res = await metadata(v, [{ name: 'ct-v7' }]);
      expect(res.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: 'brook.example', port: broker.port })]);
      if (v >= 1) expect(res.controllerId).toBe(1);
      if (v >= 2) expect(res.clusterId).toBe(broker.state.clusterId);
      const t = res.topics[0]!;
      expect(t).toMatchObject({ errorCode: 0, name: 'ct-v7' });
      expect(t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes])).toEqual([
        [0, 1, [1], [1]],
        [1, 1, [1], [1]],
        [2, 1, [1], [1]],
      ]);
      if (v >= 7) expect(t.partitions[0]!.leaderEpoch).toBe(0);
      if (v >= 8) expect(t.topicAuthorizedOperations).toBeGreaterThan(0);
      if (v >= 10) expect(t.topicId).toBe(broker.state.topics.get('ct-v7')!.topicId);
    }
  });

  it('null = all topics, empty = none (v0: empty = all)', async () => {
    const n = broker.state.topics.size;
    expect((await metadata(0, [])).topics).toHaveLength(n);
    expect((await metadata(1, [])).topics).toHaveLength(0);
    expect((await metadata(1, null)).topics).toHaveLength(n);
    expect((await metadata(12, null)).topics).toHaveLength(n);
  });

  it('auto-creates unless the request (v4+) or the broker says no', async () => {
    expect((await metadata(4, [{ name: 'no-auto' }], false)).topics[0]!.errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect(broker.state.topics.get('no-auto')).toBeUndefined();
    const auto = (await metadata(9, [{ name: 'auto-md' }])).topics[0]!;
    expect(auto.errorCode).toBe(0);
    expect(auto.partitions).toHaveLength(2);
    expect((await metadata(1, [{ name: 'auto-md-v1' }])).topics[0]!.errorCode).toBe(0);
    expect((await metadata(9, [{ name: 'bad name' }])).topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('flags internal topics (created on first use with their own spec)', async () => {
    const t = (await metadata(1, [{ name: '__consumer_offsets' }])).topics[0]!;
    expect(t).toMatchObject({ errorCode: 0, isInternal: true });
    expect(t.partitions).toHaveLength(50); // offsets.topic.num.partitions
    expect((await metadata(1, [{ name: 'ct-v1' }])).topics[0]!.isInternal).toBe(false);
  });

  it('looks topics up by id (v10+)', async () => {
    const id = broker.state.topics.get('ct-v7')!.topicId;
    const res = await metadata(12, [
      { name: null, topicId: id },
      { name: null, topicId: '6b9b0b36-7d5a-4b8a-9d0e-111111111111' },
    ]);
    expect(res.topics[0]).toMatchObject({ errorCode: 0, name: 'ct-v7', topicId: id });
    expect(res.topics[1]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null });
  });
});

describe('DeleteTopics', () => {
  it('deletes by name (v0-6) and by id (v6)', async () => {
    for (let v = 0; v <= 6; v++) {
      await createTopics(4, [topic(`del-${v}`)]);
      const id = broker.state.topics.get(`del-${v}`)!.topicId;
      const body =
        v >= 6
          ? { topics: [{ name: null, topicId: id }], timeoutMs: 1000 }
          : { topicNames: [`del-${v}`], timeoutMs: 1000 };
      const res = await c.request(DeleteTopicsRequest, DeleteTopicsResponse, v, body as never);
      expect(res.responses[0]).toMatchObject({ name: `del-${v}`, errorCode: 0 });
      expect(broker.state.topics.get(`del-${v}`)).toBeUndefined();
    }
    const res = await c.request(DeleteTopicsRequest, DeleteTopicsResponse, 6, {
      topics: [
        { name: 'never-there', topicId: ZERO_UUID },
        { name: null, topicId: '6b9b0b36-7d5a-4b8a-9d0e-222222222222' },
        { name: 'ct-v7', topicId: broker.state.topics.get('ct-v7')!.topicId },
      ],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => r.errorCode)).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_ID,
      ErrorCode.INVALID_REQUEST,
    ]);
  });
});

describe('CreatePartitions', () => {
  it('grows topics at every version, validates assignments', async () => {
    await createTopics(4, [topic('cp', 1)]);
    for (let v = 0; v <= 3; v++) {
      const res = await c.request(CreatePartitionsRequest, CreatePartitionsResponse, v, {
        topics: [{ name: 'cp', count: v + 2, assignments: [{ brokerIds: [1] }] }],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(res.results[0]).toMatchObject({ name: 'cp', errorCode: 0 });
      expect(broker.state.topics.get('cp')!.partitions).toBe(v + 2);
    }
    const bad = await c.request(CreatePartitionsRequest, CreatePartitionsResponse, 3, {
      topics: [
        { name: 'cp', count: 9, assignments: [{ brokerIds: [2] }] },
        { name: 'ct-v7', count: 5, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }, { brokerIds: [1] }] },
        { name: 'ct-v6', count: 1, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: true,
    });
    expect(bad.results.map((r) => r.errorCode)).toEqual([
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_PARTITIONS,
    ]);
  });
});

describe('DescribeConfigs / AlterConfigs / IncrementalAlterConfigs', () => {
  const describeTopic = (v: number, name: string, keys: string[] | null, synonyms = false, docs = false) =>
    c.request(DescribeConfigsRequest, DescribeConfigsResponse, v, {
      resources: [{ resourceType: 2, resourceName: name, configurationKeys: keys }],
      includeSynonyms: v >= 1 && synonyms,
      includeDocumentation: v >= 3 && docs,
    });

  it('describes at every version 0-4 (isDefault v0, source/synonyms v1+, type/doc v3+)', async () => {
    for (let v = 0; v <= 4; v++) {
      const r = (await describeTopic(v, 'ct-v6', ['retention.ms', 'cleanup.policy'], true, true)).results[0]!;
      expect(r.errorCode).toBe(0);
      const [pol, ret] = r.configs; // config definition order
      expect(ret).toMatchObject({ name: 'retention.ms', value: '60000', readOnly: false, isSensitive: false });
      if (v === 0) expect([ret!.isDefault, pol!.isDefault]).toEqual([false, true]);
      if (v >= 1) {
        expect(ret!.configSource).toBe(1);
        expect(ret!.synonyms!.map((s) => s.name)).toEqual(['retention.ms', 'log.retention.hours']);
      }
      if (v >= 3) {
        expect(ret!.configType).toBe(5); // LONG
        expect(pol!.configType).toBe(7); // LIST
        expect(ret!.documentation).toMatch(/forever/);
      }
    }
  });

  it('describes broker, broker defaults and the broker logger; rejects other brokers', async () => {
    const res = await c.request(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
      resources: [
        { resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions', 'listeners'] },
        { resourceType: 4, resourceName: '42', configurationKeys: null },
        { resourceType: 8, resourceName: '1', configurationKeys: null },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
        { resourceType: 3, resourceName: 'group', configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(res.results[0]!.configs.map((x) => [x.name, x.value, x.configSource, x.readOnly])).toEqual([
      ['listeners', 'PLAINTEXT://127.0.0.1:9092', 5, true],
      ['num.partitions', '2', 4, true],
    ]);
    expect(res.results.slice(1).map((r) => r.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      0,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_REQUEST,
    ]);
    expect(res.results[2]!.configs[0]).toMatchObject({ name: 'root', value: 'OFF' });
  });

  it('AlterConfigs works at v0-2', async () => {
    for (let v = 0; v <= 2; v++) {
      const res = await c.request(AlterConfigsRequest, AlterConfigsResponse, v, {
        resources: [
          { resourceType: 2, resourceName: 'ct-v5', configs: [{ name: 'retention.bytes', value: String(1000 + v) }] },
        ],
        validateOnly: false,
      });
      expect(res.responses[0]).toMatchObject({ errorCode: 0, resourceName: 'ct-v5' });
      expect(broker.state.logs.get('ct-v5', 0)!.config.retentionBytes).toBe(1000 + v);
    }
  });

  it('IncrementalAlterConfigs: SET/DELETE/APPEND/SUBTRACT, validate-only, errors', async () => {
    const alter = (
      resourceType: number,
      resourceName: string,
      configs: { name: string; configOperation: number; value: string | null }[],
      validateOnly = false,
      v = 1,
    ) =>
      c.request(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, v, {
        resources: [{ resourceType, resourceName, configs }],
        validateOnly,
      });
    const value = async (name: string) => (await describeTopic(4, 'ct-v4', [name])).results[0]!.configs[0]!.value;

    expect(
      (await alter(2, 'ct-v4', [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).responses[0]!
        .errorCode,
    ).toBe(0);
    expect(await value('cleanup.policy')).toBe('delete,compact');
    expect(broker.state.logs.get('ct-v4', 0)!.config.cleanupPolicy).toBe('compact,delete');
    await alter(2, 'ct-v4', [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }], false, 0);
    expect(await value('cleanup.policy')).toBe('compact');
    await alter(2, 'ct-v4', [{ name: 'retention.ms', configOperation: 0, value: '5000' }], true);
    expect(await value('retention.ms')).toBe('60000');
    await alter(2, 'ct-v4', [{ name: 'retention.ms', configOperation: 1, value: null }]);
    expect(await value('retention.ms')).toBe('604800000');
    // Other overrides are untouched by incremental ops.
    expect(await value('cleanup.policy')).toBe('compact');

    const errs = await Promise.all([
      alter(2, 'ct-v4', [{ name: 'retention.ms', configOperation: 2, value: '1' }]),
      alter(2, 'ct-v4', [{ name: 'retention.ms', configOperation: 0, value: 'abc' }]),
      alter(2, 'nope', [{ name: 'retention.ms', configOperation: 0, value: '1' }]),
      alter(4, '1', [{ name: 'log.dirs', configOperation: 0, value: '/x' }]),
      alter(4, '1', [
        { name: 'log.retention.ms', configOperation: 0, value: '1' },
        { name: 'log.retention.ms', configOperation: 1, value: null },
      ]),
    ]);
    expect(errs.map((e) => e.responses[0]!.errorCode)).toEqual([
      ErrorCode.INVALID_CONFIG,
      ErrorCode.INVALID_CONFIG,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);

    // Cluster-wide dynamic default ("" resource), visible through describe of "".
    expect(
      (await alter(4, '', [{ name: 'log.retention.bytes', configOperation: 0, value: '777' }])).responses[0]!.errorCode,
    ).toBe(0);
    const d = await c.request(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
      resources: [{ resourceType: 4, resourceName: '', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(d.results[0]!.configs.map((x) => [x.name, x.value, x.configSource])).toEqual([
      ['log.retention.bytes', '777', 3],
    ]);
    expect(broker.state.logs.get('ct-v6', 0)!.config.retentionBytes).toBe(777);
    await alter(4, '', [{ name: 'log.retention.bytes', configOperation: 1, value: null }]);
  });
});

describe('DescribeCluster, DescribeLogDirs, ElectLeaders', () => {
  it('DescribeCluster v0-1', async () => {
    for (let v = 0; v <= 1; v++) {
      const res = await c.request(DescribeClusterRequest, DescribeClusterResponse, v, {
        includeClusterAuthorizedOperations: true,
        endpointType: 1,
      });
      expect(res).toMatchObject({ errorCode: 0, clusterId: broker.state.clusterId, controllerId: 1 });
      expect(res.brokers).toEqual([
        expect.objectContaining({ brokerId: 1, host: 'brook.example', port: broker.port, rack: null }),
      ]);
      expect(res.clusterAuthorizedOperations).toBeGreaterThan(0);
    }
    const ctl = await c.request(DescribeClusterRequest, DescribeClusterResponse, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 2,
    });
    expect(ctl.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });

  it('DescribeLogDirs v0-4 reports the data dir and partition sizes', async () => {
    for (let v = 0; v <= 4; v++) {
      const res = await c.request(DescribeLogDirsRequest, DescribeLogDirsResponse, v, {
        topics: [
          { topic: 'ct-v6', partitions: [0, 1, 2, 99] },
          { topic: 'nope', partitions: [0] },
        ],
      });
      const dir = res.results[0]!;
      expect(dir).toMatchObject({ errorCode: 0, logDir: broker.state.dataDir });
      expect(dir.topics).toEqual([
        expect.objectContaining({
          name: 'ct-v6',
          partitions: [0, 1, 2].map((p) =>
            expect.objectContaining({ partitionIndex: p, partitionSize: 0n, isFutureKey: false }),
          ),
        }),
      ]);
      if (v >= 4) {
        expect(dir.totalBytes!).toBeGreaterThan(0n);
        expect(dir.usableBytes!).toBeGreaterThan(0n);
      }
    }
    const all = await c.request(DescribeLogDirsRequest, DescribeLogDirsResponse, 4, { topics: null });
    expect(all.results[0]!.topics.length).toBe(broker.state.topics.size);
  });

  it('ElectLeaders v0-2 is a no-op', async () => {
    for (let v = 0; v <= 2; v++) {
      const res = await c.request(ElectLeadersRequest, ElectLeadersResponse, v, {
        electionType: 0,
        topicPartitions: [
          { topic: 'ct-v6', partitions: [0, 7] },
          { topic: 'nope', partitions: [0] },
        ],
        timeoutMs: 1000,
      });
      expect(
        res.replicaElectionResults.map((t) => [t.topic, t.partitionResult.map((p) => [p.partitionId, p.errorCode])]),
      ).toEqual([
        [
          'ct-v6',
          [
            [0, ErrorCode.ELECTION_NOT_NEEDED],
            [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
          ],
        ],
        ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ]);
    }
    const all = await c.request(ElectLeadersRequest, ElectLeadersResponse, 2, {
      electionType: 0,
      topicPartitions: null,
      timeoutMs: 1000,
    });
    expect(all).toMatchObject({ errorCode: 0, replicaElectionResults: [] });
  });
});

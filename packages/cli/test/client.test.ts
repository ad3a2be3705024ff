// The CLI's Kafka client against a real in-process broker: version negotiation, pipelining,
// produce/fetch (with compression), offsets, admin calls and the group consumer (range assignor).
import { type Broker, startBroker } from '@brook/broker';
import { ApiKey, CompressionType, MetadataRequest, MetadataResponse } from '@brook/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlterConfigOp,
  CLIENT_MAX_VERSIONS,
  ConfigResourceType,
  ConnectionError,
  decodeAssignment,
  decodeSubscription,
  EARLIEST,
  encodeAssignment,
  encodeSubscription,
  GroupConsumer,
  KafkaClient,
  KafkaError,
  keyPartition,
  LATEST,
  parseBroker,
  rangeAssign,
} from '../src/client/index.js';
import { compileFormat } from '../src/commands/consume.js';

let broker: Broker;
let client: KafkaClient;

beforeAll(async () => {
  broker = await startBroker({ port: 0, host: '127.0.0.1', dataDir: null });
  client = await KafkaClient.connect({ brokers: [broker.bootstrap] });
});
afterAll(async () => {
  await client?.close();
  await broker?.close();
});

describe('connection and negotiation', () => {
  it('picks the highest version both sides support, per API', () => {
    for (const r of client.apiVersionRanges()) {
      const mine = CLIENT_MAX_VERSIONS[r.apiKey];
      if (mine === undefined) continue;
      expect(client.version(r.apiKey)).toBe(Math.min(mine, r.maxVersion));
    }
    expect(client.version(ApiKey.Metadata)).toBe(12);
  });

  it('pipelines: many requests in flight on one connection resolve by correlation id', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `pipe-${i}`);
    await Promise.all(names.map((n) => client.createTopic(n, { partitions: 1 })));
    const results = await Promise.all(
      names.map((n) =>
        client.call(MetadataRequest, MetadataResponse, (v) => ({
          topics: [{ name: n }],
          ...(v >= 4 ? { allowAutoTopicCreation: false } : {}),
        })),
      ),
    );
    expect(results.map((r) => r.topics[0]!.name)).toEqual(names);
  });

  it('a refused connection is a ConnectionError with the address', async () => {
    const e = await KafkaClient.connect({ brokers: ['127.0.0.1:1'] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as ConnectionError).message).toBe('cannot reach 127.0.0.1:1 (connection refused)');
  });

  it('parses broker addresses', () => {
    expect(parseBroker('localhost')).toEqual({ host: 'localhost', port: 9092 });
    expect(parseBroker('h:1234')).toEqual({ host: 'h', port: 1234 });
    expect(parseBroker('[::1]:9093')).toEqual({ host: '::1', port: 9093 });
    expect(() => parseBroker('h:0')).toThrow(/invalid port/);
  });
});

describe('data path', () => {
  it('produce then fetch returns the same records, compressed or not, across batches', async () => {
    await client.createTopic('data', { partitions: 2 });
    const records = Array.from({ length: 2000 }, (_, i) => ({
      key: i % 3 === 0 ? null : `k${i}`,
      value: `value-${i}-${'z'.repeat(i % 50)}`,
      headers: i % 7 === 0 ? [{ key: 'h', value: `${i}` }] : [],
    }));
    const base0 = await client.produce('data', 0, records.slice(0, 1000), { maxBatchBytes: 8 * 1024 });
    const base1 = await client.produce('data', 1, records.slice(1000), { compression: CompressionType.Zstd });
    expect(base0).toBe(0n);
    expect(base1).toBe(0n);

    const got: { value: string | null; key: string | null }[][] = [[], []];
    const pos = [0n, 0n];
    while (got[0]!.length < 1000 || got[1]!.length < 1000) {
      const res = await client.fetch(
        [0, 1].map((p) => ({ topic: 'data', partition: p, offset: pos[p]! })),
        { maxWaitMs: 10, partitionMaxBytes: 16 * 1024 },
      );
      for (const r of res) {
        expect(r.errorCode).toBe(0);
        for (const rec of r.records) {
          got[r.partition]!.push({ key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null });
        }
        pos[r.partition] = r.nextOffset;
      }
    }
    expect(got[0]).toEqual(records.slice(0, 1000).map((r) => ({ key: r.key, value: r.value })));
    expect(got[1]).toEqual(records.slice(1000).map((r) => ({ key: r.key, value: r.value })));

    expect(await client.listOffsets('data', [0, 1], EARLIEST)).toEqual(
      new Map([
        [0, 0n],
        [1, 0n],
      ]),
    );
    expect(await client.listOffsets('data', [0, 1], LATEST)).toEqual(
      new Map([
        [0, 1000n],
        [1, 1000n],
      ]),
    );
  });

  it('keyPartition matches the Java default partitioner', () => {
    // Values from Kafka's Utils.murmur2 (toPositive(murmur2("a")) % 10 etc.).
    expect(keyPartition(Buffer.from(''), 1000)).toBe(275646681 % 1000);
    expect(keyPartition(Buffer.from('same'), 4)).toBe(keyPartition(Buffer.from('same'), 4));
  });
});

describe('admin', () => {
  it('create, describe and alter configs, delete; errors carry the Kafka error name', async () => {
    await client.createTopic('adm', { partitions: 3, configs: { 'retention.ms': '1000' } });
    const t = await client.topic('adm');
    expect(t.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    const before = await client.describeConfigs(ConfigResourceType.Topic, 'adm', ['retention.ms']);
    expect(before).toEqual([
      expect.objectContaining({ name: 'retention.ms', value: '1000', isDefault: false, source: 1 }),
    ]);
    await client.alterConfigs(ConfigResourceType.Topic, 'adm', [
      { name: 'retention.ms', op: AlterConfigOp.Delete, value: null },
    ]);
    const after = await client.describeConfigs(ConfigResourceType.Topic, 'adm', ['retention.ms']);
    expect(after[0]!.source).not.toBe(1);
    expect(after[0]!.value).not.toBe('1000');
    const dup = await client.createTopic('adm').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(KafkaError);
    expect((dup as KafkaError).errorName).toBe('TOPIC_ALREADY_EXISTS');
    await client.deleteTopic('adm');
    await expect(client.topic('adm')).rejects.toThrow(/UNKNOWN_TOPIC_OR_PARTITION/);
    const c = await client.describeCluster();
    expect(c.brokers).toEqual([expect.objectContaining({ nodeId: 1, port: broker.port })]);
  });
});

describe('group consumer', () => {
  it('range assignor and consumer-protocol codecs', () => {
    const plan = rangeAssign(
      [
        { memberId: 'b', topics: ['t', 'u'] },
        { memberId: 'a', topics: ['t'] },
      ],
      new Map([
        ['t', 5],
        ['u', 2],
      ]),
    );
    expect(plan.get('a')).toEqual([0, 1, 2].map((partition) => ({ topic: 't', partition })));
    expect(plan.get('b')).toEqual([
      { topic: 't', partition: 3 },
      { topic: 't', partition: 4 },
      { topic: 'u', partition: 0 },
      { topic: 'u', partition: 1 },
    ]);
    expect(decodeSubscription(encodeSubscription(['x', 'y']))).toEqual(['x', 'y']);
    const parts = [
      { topic: 'x', partition: 0 },
      { topic: 'x', partition: 2 },
    ];
    expect(decodeAssignment(encodeAssignment(parts))).toEqual(parts);
    expect(decodeAssignment(Buffer.alloc(0))).toEqual([]);
  });

  it('two members split the partitions, consume everything once, and commit', async () => {
    await client.createTopic('grp', { partitions: 4 });
    for (let p = 0; p < 4; p++) {
      await client.produce(
        'grp',
        p,
        Array.from({ length: 5 }, (_, i) => ({ value: `${p}-${i}` })),
      );
    }
    const c2 = await KafkaClient.connect({ brokers: [broker.bootstrap] });
    const a = new GroupConsumer(client, { groupId: 'g', topics: ['grp'], heartbeatIntervalMs: 100 });
    const b = new GroupConsumer(c2, { groupId: 'g', topics: ['grp'], heartbeatIntervalMs: 100 });
    try {
      const started = performance.now();
      const [pa, pb] = await Promise.all([a.join(), b.join()]);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(a.generationId).toBe(b.generationId);
      expect([...pa, ...pb].map((x) => x.partition).sort()).toEqual([0, 1, 2, 3]);
      expect(pa).toHaveLength(2);

      const seen: string[] = [];
      for (let i = 0; i < 20 && seen.length < 20; i++) {
        for (const c of [a, b]) {
          for (const r of await c.poll(20)) for (const rec of r.records) seen.push(rec.value!.toString());
        }
      }
      expect(seen.sort()).toEqual(
        Array.from({ length: 4 }, (_, p) => Array.from({ length: 5 }, (_, i) => `${p}-${i}`))
          .flat()
          .sort(),
      );
      await Promise.all([a.commit(), b.commit()]);
      const committed = await client.fetchOffsets('g', null);
      expect([...committed.get('grp')!.values()]).toEqual([5n, 5n, 5n, 5n]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await c2.close();
    }
  });
});

describe('format strings', () => {
  it('compiles kcat-like directives and escapes', () => {
    const f = compileFormat('%t %p %o %k=%s %K %S [%h] %T 100%%\\t|\\n');
    const line = f('t', 3, {
      offset: 42n,
      timestamp: 7n,
      key: Buffer.from('k'),
      value: null,
      headers: [{ key: 'a', value: Buffer.from('b') }],
      attributes: 0,
    });
    expect(line).toBe('t 3 42 k= 1 -1 [a=b] 7 100%\t|\n');
    expect(() => compileFormat('%q')).toThrow(/unknown directive/);
  });
});

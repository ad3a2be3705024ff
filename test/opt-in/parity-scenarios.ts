// kafkajs scenarios for the Kafka parity suite. Each one runs against a broker given by host and port and
// returns a plain, deterministic result (no node ids, member ids, wall-clock times or error messages), so
// the result from Brook can be compared with `toEqual` to the result from a real Kafka.
import { type ConfigResourceTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { WireConnection } from '../helpers/kafkajs-wire.js';

export interface Target {
  name: string;
  host: string;
  port: number;
}

export interface Clients {
  target: Target;
  /** kafkajs with its usual retries. */
  kafka: Kafka;
  /** kafkajs that gives up at once, for requests that are meant to fail. */
  noRetry: Kafka;
}

export function clientsFor(target: Target): Clients {
  const brokers = [`${target.host}:${target.port}`];
  return {
    target,
    kafka: new Kafka({ clientId: 'brook-parity', brokers, logLevel: logLevel.NOTHING }),
    noRetry: new Kafka({ clientId: 'brook-parity', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } }),
  };
}

/** Record timestamps: fixed per run, the same for both brokers, recent enough for the default retention. */
export const BASE_TS = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const RECORDS = 30;
/** ConfigResourceTypes.TOPIC (the enum is not a named export Node's ESM loader sees in kafkajs's CommonJS). */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;
const KEYS = 7;

/** kafkajs's error type names (KafkaJSProtocolError.type), of an error or of each error it aggregates. */
function errorTypes(e: unknown): string[] {
  const err = e as { type?: string; name?: string; errors?: unknown[]; groups?: Array<{ error?: unknown }> };
  if (Array.isArray(err.errors) && err.errors.length > 0) return err.errors.flatMap(errorTypes).sort();
  const groupErrors = (err.groups ?? []).flatMap((g) => (g.error ? errorTypes(g.error) : []));
  if (groupErrors.length > 0) return groupErrors.sort();
  return [err.type ?? err.name ?? String(e)];
}

async function outcome<T>(f: () => Promise<T>): Promise<{ ok: T } | { error: string[] }> {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: errorTypes(e) };
  }
}

async function withAdmin<T>(kafka: Kafka, f: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await f(admin);
  } finally {
    await admin.disconnect();
  }
}

async function createTopic(kafka: Kafka, topic: string, numPartitions = 3, configs: Record<string, string> = {}) {
  return withAdmin(kafka, (admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions,
          replicationFactor: 1,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
    }),
  );
}

/** Produces RECORDS keyed records with headers and fixed timestamps, in three sends; returns the acks. */
async function seed(kafka: Kafka, topic: string) {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const acks = [];
  try {
    for (let s = 0; s < 3; s++) {
      const messages = [];
      for (let i = s * 10; i < (s + 1) * 10; i++) {
        messages.push({
          key: `key-${i % KEYS}`,
          value: `value-${i}`,
          headers: { h: `h-${i}`, n: String(i) },
          timestamp: String(BASE_TS + i * 1000),
        });
      }
      const meta = await producer.send({ topic, acks: -1, messages });
      acks.push(
        meta
          .map((m) => ({
            partition: m.partition,
            errorCode: m.errorCode,
            baseOffset: m.baseOffset,
            logAppendTime: m.logAppendTime,
          }))
          .sort((a, b) => a.partition - b.partition),
      );
    }
  } finally {
    await producer.disconnect();
  }
  return acks;
}

interface Consumed {
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Consumes `expected` records of `topic` from the beginning in consumer group `groupId`, without committing. */
async function consumeAll(kafka: Kafka, groupId: string, topic: string, expected: number): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  const out: Consumed[] = [];
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${groupId}: ${out.length}/${expected} records in 60 s`)),
        60_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            out.push({
              partition,
              offset: message.offset,
              timestamp: message.timestamp,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              headers,
            });
            if (out.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}

export async function createTopicScenario({ kafka }: Clients) {
  const topic = 'parity-create';
  const created = await createTopic(kafka, topic, 3, { 'retention.ms': '3600000' });
  const again = await createTopic(kafka, topic, 3);
  const metadata = await withAdmin(kafka, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
  const partitions = (metadata.topics[0]?.partitions ?? [])
    .map((p) => ({
      partition: p.partitionId,
      errorCode: p.partitionErrorCode,
      replicas: p.replicas.length,
      isr: p.isr.length,
      leaderIsFirstReplica: p.leader === p.replicas[0],
    }))
    .sort((a, b) => a.partition - b.partition);
  const listed = await withAdmin(kafka, (admin) => admin.listTopics());
  return { created, createdAgain: again, partitions, listed: listed.includes(topic) };
}

export async function produceConsumeScenario({ kafka }: Clients) {
  const topic = 'parity-produce';
  await createTopic(kafka, topic);
  const acks = await seed(kafka, topic);
  const records = await consumeAll(kafka, 'parity-consume', topic, RECORDS);
  // Partitions chosen for each key (kafkajs's murmur2 partitioner): the same key always on one partition.
  const partitionOfKey: Record<string, number[]> = {};
  for (const r of records) {
    const key = r.key ?? '';
    partitionOfKey[key] = [...new Set([...(partitionOfKey[key] ?? []), r.partition])];
  }
  return { acks, records, partitionOfKey };
}

export async function listOffsetsScenario({ kafka }: Clients) {
  const topic = 'parity-offsets';
  await createTopic(kafka, topic);
  await seed(kafka, topic);
  return withAdmin(kafka, async (admin) => {
    const sorted = <T extends { partition: number }>(xs: T[]) => [...xs].sort((a, b) => a.partition - b.partition);
    const byTimestamp: Record<string, unknown> = {};
    for (const [label, ts] of [
      ['before-first', BASE_TS - 1],
      ['first', BASE_TS],
      ['middle', BASE_TS + 15_500],
      ['last', BASE_TS + (RECORDS - 1) * 1000],
      ['after-last', BASE_TS + RECORDS * 1000 + 1],
    ] as const) {
      byTimestamp[label] = sorted(await admin.fetchTopicOffsetsByTimestamp(topic, ts));
    }
    const latest = sorted(await admin.fetchTopicOffsets(topic));
    return { latest, byTimestamp };
  });
}

export async function consumerGroupScenario({ kafka, noRetry }: Clients) {
  const topic = 'parity-group';
  const groupId = 'parity-group-g1';
  await createTopic(kafka, topic);
  await seed(kafka, topic);
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  let consumed = 0;
  const lastOffset = new Map<number, string>();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${groupId}: ${consumed}/${RECORDS} records in 60 s`)), 60_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            lastOffset.set(partition, message.offset);
            if (++consumed >= RECORDS) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    // Commit partitions 0 and 1 (with metadata on 0), leave partition 2 uncommitted.
    await consumer.commitOffsets(
      [0, 1].map((partition) => ({
        topic,
        partition,
        offset: String(Number(lastOffset.get(partition) ?? -1) + 1),
        ...(partition === 0 ? { metadata: 'parity-meta' } : {}),
      })),
    );
  } finally {
    await consumer.disconnect();
  }
  return withAdmin(kafka, async (admin) => {
    const fetch = async (g: string) =>
      (await admin.fetchOffsets({ groupId: g, topics: [topic] })).map((t) => ({
        topic: t.topic,
        partitions: [...t.partitions].sort((a, b) => a.partition - b.partition),
      }));
    const committed = await fetch(groupId);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 2, offset: '5' }] });
    const afterSetOffsets = await fetch(groupId);
    const unknownGroup = await fetch('parity-no-such-group');
    const described = (await admin.describeGroups([groupId])).groups.map((g) => ({
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      members: g.members.length,
    }));
    const listed = (await admin.listGroups()).groups.filter((g) => g.groupId === groupId);
    // Deleting a group with committed offsets works once it is empty; a second delete finds no group.
    const deleted = await outcome(() =>
      withAdmin(noRetry, async (a) => (await a.deleteGroups([groupId])).map((r) => r.errorCode)),
    );
    const deletedAgain = await outcome(() =>
      withAdmin(noRetry, async (a) => (await a.deleteGroups([groupId])).map((r) => r.errorCode)),
    );
    return { committed, afterSetOffsets, unknownGroup, described, listed, deleted, deletedAgain };
  });
}

/** Topic configs compared entry by entry (the full name list is compared too). */
const CONFIG_KEYS = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'segment.bytes',
  'max.message.bytes',
  'min.insync.replicas',
  'compression.type',
  'message.timestamp.type',
];

export async function describeConfigsScenario({ kafka, noRetry }: Clients) {
  const topic = 'parity-configs';
  await createTopic(kafka, topic, 1, { 'cleanup.policy': 'compact', 'retention.ms': '3600000' });
  const described = await withAdmin(kafka, (admin) =>
    admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: topic }] }),
  );
  const resource = described.resources[0];
  const entries = resource?.configEntries ?? [];
  const selected = CONFIG_KEYS.map((name) => {
    const e = entries.find((x) => x.configName === name);
    return e
      ? {
          name,
          value: e.configValue,
          isDefault: e.isDefault,
          readOnly: e.readOnly,
          source: e.configSource,
          sensitive: e.isSensitive,
        }
      : { name, missing: true };
  });
  const unknownTopic = await outcome(() =>
    withAdmin(noRetry, async (admin) => {
      const r = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: TOPIC_RESOURCE, name: 'parity-no-such-topic' }],
      });
      return r.resources.map((x) => x.errorCode);
    }),
  );
  return {
    errorCode: resource?.errorCode,
    names: entries.map((e) => e.configName).sort(),
    selected,
    unknownTopic,
  };
}

/** Error codes of requests that must fail, sent with kafkajs's own encoders and read without its parsing. */
export async function badRequestsScenario({ kafka, target }: Clients) {
  await createTopic(kafka, 'parity-exists');
  const conn = await WireConnection.open(target.port, target.host);
  try {
    type TopicErrors = { topicErrors: Array<{ topic: string; errorCode: number }> };
    const codes = (r: TopicErrors) => Object.fromEntries(r.topicErrors.map((t) => [t.topic, t.errorCode]));
    const createTopics = codes(
      await conn.send<TopicErrors>('createTopics', 3, {
        validateOnly: false,
        timeout: 5000,
        topics: [
          { topic: 'parity-exists', numPartitions: 3, replicationFactor: 1 },
          { topic: 'bad name!', numPartitions: 1, replicationFactor: 1 },
          { topic: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 },
          { topic: '..', numPartitions: 1, replicationFactor: 1 },
          { topic: 'parity-rf3', numPartitions: 1, replicationFactor: 3 },
          { topic: 'parity-zero-partitions', numPartitions: 0, replicationFactor: 1 },
          {
            topic: 'parity-bad-config-value',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'bogus' }],
          },
          {
            topic: 'parity-unknown-config',
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'no.such.config', value: '1' }],
          },
        ],
      }),
    );
    const deleteTopics = codes(
      await conn.send<TopicErrors>('deleteTopics', 1, { topics: ['parity-no-such-topic'], timeout: 5000 }),
    );
    const createPartitions = codes(
      await conn.send<TopicErrors>('createPartitions', 1, {
        validateOnly: false,
        timeout: 5000,
        topicPartitions: [
          { topic: 'parity-exists', count: 2 },
          { topic: 'parity-no-such-topic', count: 5 },
        ],
      }),
    );
    return { createTopics, deleteTopics, createPartitions };
  } finally {
    conn.close();
  }
}

export const scenarios = {
  'create topic': createTopicScenario,
  'produce with keys and headers, consume from the beginning': produceConsumeScenario,
  'list offsets by timestamp': listOffsetsScenario,
  'consumer group commit and fetchOffsets': consumerGroupScenario,
  'describeConfigs of a topic': describeConfigsScenario,
  'error codes of bad requests': badRequestsScenario,
} as const;

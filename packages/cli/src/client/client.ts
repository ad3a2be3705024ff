// A small Kafka client on Brook's own codec: ApiVersions negotiation, metadata, produce, fetch,
// list offsets and the admin calls the CLI needs. Requests go to the partition leader / group
// coordinator; connections are pipelined and shared.
import {
  ApiKey,
  ApiVersionsRequest,
  ApiVersionsResponse,
  type BuildRecordBatchOptions,
  buildRecordBatch,
  CreateTopicsRequest,
  CreateTopicsResponse,
  type DecodedRecord,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DescribeClusterRequest,
  DescribeClusterResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  decodeRecords,
  ErrorCode,
  FetchRequest,
  FetchResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  iterateBatches,
  ListGroupsRequest,
  ListGroupsResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  type MessageCodec,
  MetadataRequest,
  MetadataResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  ProduceRequest,
  ProduceResponse,
  type RecordInput,
} from '@brook/protocol';
import { BrokerConnection } from './connection.js';
import { ConnectionError, check, KafkaError } from './errors.js';

/** Highest version of each API this client implements (it negotiates down to the broker's). */
export const CLIENT_MAX_VERSIONS: Readonly<Record<number, number>> = {
  [ApiKey.Produce]: 11,
  [ApiKey.Fetch]: 12,
  [ApiKey.ListOffsets]: 8,
  [ApiKey.Metadata]: 12,
  [ApiKey.OffsetCommit]: 8,
  [ApiKey.OffsetFetch]: 7,
  [ApiKey.FindCoordinator]: 3,
  [ApiKey.JoinGroup]: 7,
  [ApiKey.Heartbeat]: 4,
  [ApiKey.LeaveGroup]: 4,
  [ApiKey.SyncGroup]: 5,
  [ApiKey.DescribeGroups]: 5,
  [ApiKey.ListGroups]: 4,
  [ApiKey.ApiVersions]: 3,
  [ApiKey.CreateTopics]: 7,
  [ApiKey.DeleteTopics]: 6,
  [ApiKey.DescribeConfigs]: 4,
  [ApiKey.DeleteGroups]: 2,
  [ApiKey.IncrementalAlterConfigs]: 1,
  [ApiKey.DescribeCluster]: 1,
};
/** Lowest versions this client implements (older ones have different shapes we do not handle). */
const CLIENT_MIN_VERSIONS: Readonly<Record<number, number>> = {
  [ApiKey.ListOffsets]: 1,
  [ApiKey.OffsetCommit]: 2,
  [ApiKey.OffsetFetch]: 1,
  [ApiKey.Fetch]: 4,
  [ApiKey.Produce]: 3,
  [ApiKey.Metadata]: 1,
};

export const EARLIEST = -2n;
export const LATEST = -1n;

export interface ClientOptions {
  /** "host:port" strings; the first reachable one is used to bootstrap. */
  brokers: string[];
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface PartitionMeta {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}
export interface TopicMeta {
  name: string;
  topicId: string;
  isInternal: boolean;
  errorCode: number;
  partitions: PartitionMeta[];
}
export interface ClusterMeta {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: TopicMeta[];
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  logStartOffset: bigint;
  /** Records at or after the fetch offset (control records skipped). */
  records: DecodedRecord[];
  /** Offset to fetch next. */
  nextOffset: bigint;
  bytes: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  isSensitive: boolean;
  source: number;
}

export const ConfigResourceType = { Topic: 2, Broker: 4 } as const;
export const AlterConfigOp = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const;

export function parseBroker(s: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) throw new Error(`invalid broker address "${s}" (expected host:port)`);
  const port = m[2] === undefined ? 9092 : Number(m[2]);
  if (!(port > 0 && port < 65536)) throw new Error(`invalid port in broker address "${s}"`);
  return { host: m[1]!, port };
}

export class KafkaClient {
  private readonly versions = new Map<number, { min: number; max: number }>();
  private readonly nodeConns = new Map<number, Promise<BrokerConnection>>();
  private readonly extraConns: BrokerConnection[] = [];
  private brokersById = new Map<number, BrokerInfo>();

  private constructor(
    readonly bootstrap: BrokerConnection,
    private readonly opts: ClientOptions,
  ) {}

  static async connect(opts: ClientOptions): Promise<KafkaClient> {
    let lastErr: Error | null = null;
    for (const b of opts.brokers) {
      const { host, port } = parseBroker(b);
      try {
        const conn = await BrokerConnection.open({
          host,
          port,
          clientId: opts.clientId ?? 'brook-cli',
          connectTimeoutMs: opts.connectTimeoutMs,
          requestTimeoutMs: opts.requestTimeoutMs,
        });
        const client = new KafkaClient(conn, opts);
        await client.negotiate();
        return client;
      } catch (e) {
        lastErr = e as Error;
      }
    }
    throw lastErr ?? new Error('no brokers given');
  }

  /** ApiVersions: v3 first, falling back to the version the broker says it supports (KIP-511). */
  private async negotiate(): Promise<void> {
    let version = CLIENT_MAX_VERSIONS[ApiKey.ApiVersions]!;
    for (let attempt = 0; attempt < 3; attempt++) {
      const body: ApiVersionsRequest =
        version >= 3 ? { clientSoftwareName: 'brook-cli', clientSoftwareVersion: '0.1.0' } : {};
      const res = await this.bootstrap.send(ApiVersionsRequest, ApiVersionsResponse, version, body);
      if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const own = res.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions);
        const next = own ? Math.min(own.maxVersion, version - 1) : 0;
        if (next < 0 || next >= version) break;
        version = next;
        continue;
      }
      check(res.errorCode, 'ApiVersions');
      for (const k of res.apiKeys) this.versions.set(k.apiKey, { min: k.minVersion, max: k.maxVersion });
      return;
    }
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, 'ApiVersions');
  }

  /** The version to use for `apiKey`: the highest both sides support. */
  version(apiKey: number): number {
    const b = this.versions.get(apiKey);
    const cmax = CLIENT_MAX_VERSIONS[apiKey];
    const name = apiName(apiKey);
    if (!b || cmax === undefined) throw new Error(`the broker does not support ${name}`);
    const v = Math.min(cmax, b.max);
    if (v < Math.max(b.min, CLIENT_MIN_VERSIONS[apiKey] ?? 0)) {
      throw new Error(`no common version of ${name} (broker ${b.min}-${b.max}, client up to ${cmax})`);
    }
    return v;
  }

  /** What the broker advertised in ApiVersions. */
  apiVersionRanges(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.versions]
      .map(([apiKey, v]) => ({ apiKey, minVersion: v.min, maxVersion: v.max }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  supports(apiKey: number): boolean {
    try {
      this.version(apiKey);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends a request built for the negotiated version. */
  async call<Req, Res>(
    req: MessageCodec<Req>,
    res: MessageCodec<Res>,
    body: (version: number) => Req,
    opts: { conn?: BrokerConnection; timeoutMs?: number } = {},
  ): Promise<Res> {
    const v = this.version(req.apiKey);
    return (opts.conn ?? this.bootstrap).send(req, res, v, body(v), opts.timeoutMs);
  }

  // ---- metadata & connections ------------------------------------------------------------

  async metadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<ClusterMeta> {
    const res = await this.call(MetadataRequest, MetadataResponse, (v) => {
      const r: MetadataRequest = { topics: topics === null ? null : topics.map((name) => ({ name })) };
      if (v >= 4) r.allowAutoTopicCreation = allowAutoTopicCreation;
      return r;
    });
    const brokers = res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null }));
    this.brokersById = new Map(brokers.map((b) => [b.nodeId, b]));
    return {
      clusterId: res.clusterId ?? null,
      controllerId: res.controllerId ?? -1,
      brokers,
      topics: res.topics.map((t) => ({
        name: t.name ?? '',
        topicId: t.topicId ?? '',
        isInternal: t.isInternal ?? false,
        errorCode: t.errorCode,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            errorCode: p.errorCode,
          }))
          .sort((a, b) => a.partition - b.partition),
      })),
    };
  }

  /** Metadata for one topic; throws UNKNOWN_TOPIC_OR_PARTITION etc. */
  async topic(name: string): Promise<TopicMeta> {
    const md = await this.metadata([name]);
    const t = md.topics.find((x) => x.name === name);
    if (!t) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}"`);
    check(t.errorCode, `topic "${name}"`);
    return t;
  }

  /** Connection to a broker by node id (the bootstrap connection when it is that broker or the only one). */
  async node(nodeId: number): Promise<BrokerConnection> {
    const existing = this.nodeConns.get(nodeId);
    if (existing) {
      const c = await existing;
      if (!c.isClosed) return c;
    }
    const b = this.brokersById.get(nodeId);
    const p = (async () => {
      if (!b || this.brokersById.size <= 1 || sameAddress(b, this.bootstrap.address)) {
        if (this.bootstrap.isClosed) throw new ConnectionError(this.bootstrap.address, 'closed', 'connection lost');
        return this.bootstrap;
      }
      const c = await BrokerConnection.open({
        host: b.host,
        port: b.port,
        clientId: this.opts.clientId ?? 'brook-cli',
        connectTimeoutMs: this.opts.connectTimeoutMs,
        requestTimeoutMs: this.opts.requestTimeoutMs,
      });
      this.extraConns.push(c);
      return c;
    })();
    this.nodeConns.set(nodeId, p);
    p.catch(() => this.nodeConns.delete(nodeId));
    return p;
  }

  /** A separate connection to the bootstrap broker (for long polls that must not block other calls). */
  async newConnection(): Promise<BrokerConnection> {
    const { host, port } = parseBroker(this.bootstrap.address);
    const c = await BrokerConnection.open({
      host,
      port,
      clientId: this.opts.clientId ?? 'brook-cli',
      connectTimeoutMs: this.opts.connectTimeoutMs,
      requestTimeoutMs: this.opts.requestTimeoutMs,
    });
    this.extraConns.push(c);
    return c;
  }

  async close(): Promise<void> {
    await Promise.all([this.bootstrap.close(), ...this.extraConns.map((c) => c.close())]);
  }

  // ---- produce ------------------------------------------------------------------------------

  /**
   * Appends records to one partition as one or more batches (split at ~`maxBatchBytes` of payload).
   * Returns the base offset of the first batch (-1 with acks=0).
   */
  async produce(
    topic: string,
    partition: number,
    records: readonly RecordInput[],
    opts: {
      acks?: number;
      compression?: BuildRecordBatchOptions['compression'];
      timeoutMs?: number;
      leader?: number;
      maxBatchBytes?: number;
    } = {},
  ): Promise<bigint> {
    const acks = opts.acks ?? -1;
    const batches: Buffer[] = [];
    const maxBytes = opts.maxBatchBytes ?? 512 * 1024;
    let chunk: RecordInput[] = [];
    let size = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      batches.push(buildRecordBatch({ records: chunk, compression: opts.compression }));
      chunk = [];
      size = 0;
    };
    for (const r of records) {
      const n = approxSize(r);
      if (chunk.length > 0 && size + n > maxBytes) flush();
      chunk.push(r);
      size += n;
    }
    flush();
    const conn = opts.leader === undefined ? this.bootstrap : await this.node(opts.leader);
    let first = -1n;
    for (const batch of batches) {
      const v = this.version(ApiKey.Produce);
      const body: ProduceRequest = {
        acks,
        timeoutMs: opts.timeoutMs ?? 30_000,
        topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
      };
      if (v >= 3) body.transactionalId = null;
      if (acks === 0) {
        conn.sendNoResponse(ProduceRequest, v, body);
        continue;
      }
      const res = await conn.send(ProduceRequest, ProduceResponse, v, body);
      const p = res.responses[0]?.partitionResponses[0];
      if (!p) throw new Error('empty produce response');
      check(p.errorCode, `produce to ${topic}/${partition}`, p.errorMessage);
      if (first < 0n) first = p.baseOffset;
    }
    return first;
  }

  // ---- fetch ------------------------------------------------------------------------------

  async fetch(
    parts: readonly { topic: string; partition: number; offset: bigint }[],
    opts: {
      maxWaitMs?: number;
      minBytes?: number;
      maxBytes?: number;
      partitionMaxBytes?: number;
      isolationLevel?: number;
      conn?: BrokerConnection;
    } = {},
  ): Promise<FetchPartitionResult[]> {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const p of parts) {
      let l = byTopic.get(p.topic);
      if (!l) {
        l = [];
        byTopic.set(p.topic, l);
      }
      l.push({ partition: p.partition, offset: p.offset });
    }
    const wanted = new Map(parts.map((p) => [`${p.topic}\0${p.partition}`, p.offset]));
    const maxWaitMs = opts.maxWaitMs ?? 500;
    const res = await this.call(
      FetchRequest,
      FetchResponse,
      (v) => {
        const r: FetchRequest = {
          maxWaitMs,
          minBytes: opts.minBytes ?? 1,
          topics: [...byTopic].map(([topic, ps]) => ({
            topic,
            partitions: ps.map((p) => {
              const fp: FetchRequestPartitionInput = {
                partition: p.partition,
                fetchOffset: p.offset,
                partitionMaxBytes: opts.partitionMaxBytes ?? 1024 * 1024,
              };
              if (v >= 5) fp.logStartOffset = -1n;
              return fp;
            }),
          })),
        };
        if (v >= 3) r.maxBytes = opts.maxBytes ?? 50 * 1024 * 1024;
        if (v >= 4) r.isolationLevel = opts.isolationLevel ?? 0;
        return r;
      },
      { conn: opts.conn, timeoutMs: maxWaitMs + 30_000 },
    );
    check(res.errorCode, 'fetch');
    const out: FetchPartitionResult[] = [];
    for (const t of res.responses) {
      const topic = t.topic ?? '';
      for (const p of t.partitions) {
        const from = wanted.get(`${topic}\0${p.partitionIndex}`) ?? 0n;
        const records: DecodedRecord[] = [];
        let next = from;
        const buf = p.records;
        if (p.errorCode === 0 && buf && buf.length > 0) {
          for (const batch of iterateBatches(buf)) {
            if (batch.nextOffset <= from) continue;
            next = batch.nextOffset;
            if (batch.isControl) continue;
            for (const r of decodeRecords(batch)) if (r.offset >= from) records.push(r);
          }
        }
        out.push({
          topic,
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          highWatermark: p.highWatermark,
          logStartOffset: p.logStartOffset ?? -1n,
          records,
          nextOffset: next,
          bytes: buf?.length ?? 0,
        });
      }
    }
    return out;
  }

  // ---- offsets ------------------------------------------------------------------------------

  /** ListOffsets: timestamp ms, or EARLIEST (-2) / LATEST (-1). Returns partition → offset (-1 if none). */
  async listOffsets(topic: string, partitions: readonly number[], timestamp: bigint): Promise<Map<number, bigint>> {
    const res = await this.call(ListOffsetsRequest, ListOffsetsResponse, (v) => {
      const r: ListOffsetsRequest = {
        replicaId: -1,
        topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, timestamp })) }],
      };
      if (v >= 2) r.isolationLevel = 0;
      return r;
    });
    const out = new Map<number, bigint>();
    for (const t of res.topics) {
      for (const p of t.partitions) {
        check(p.errorCode, `list offsets of ${topic}/${p.partitionIndex}`);
        out.set(p.partitionIndex, p.offset ?? -1n);
      }
    }
    return out;
  }

  // ---- topics -------------------------------------------------------------------------------

  async createTopic(
    name: string,
    opts: { partitions?: number; replicationFactor?: number; configs?: Record<string, string> } = {},
  ): Promise<void> {
    const res = await this.call(CreateTopicsRequest, CreateTopicsResponse, (v) => {
      const r: CreateTopicsRequest = {
        topics: [
          {
            name,
            numPartitions: opts.partitions ?? -1,
            replicationFactor: opts.replicationFactor ?? -1,
            assignments: [],
            configs: Object.entries(opts.configs ?? {}).map(([k, val]) => ({ name: k, value: val })),
          },
        ],
        timeoutMs: 30_000,
      };
      if (v >= 1) r.validateOnly = false;
      return r;
    });
    const t = res.topics[0];
    if (t) check(t.errorCode, `create topic "${name}"`, t.errorMessage);
  }

  async deleteTopic(name: string): Promise<void> {
    const res = await this.call(DeleteTopicsRequest, DeleteTopicsResponse, (v) =>
      v >= 6
        ? { topics: [{ name, topicId: '00000000-0000-0000-0000-000000000000' }], timeoutMs: 30_000 }
        : { topicNames: [name], timeoutMs: 30_000 },
    );
    const t = res.responses[0];
    if (t) check(t.errorCode, `delete topic "${name}"`, t.errorMessage);
  }

  async describeConfigs(resourceType: number, name: string, keys: string[] | null = null): Promise<ConfigEntry[]> {
    const res = await this.call(DescribeConfigsRequest, DescribeConfigsResponse, (v) => {
      const r: DescribeConfigsRequest = {
        resources: [{ resourceType, resourceName: name, configurationKeys: keys }],
      };
      if (v >= 1) r.includeSynonyms = false;
      if (v >= 3) r.includeDocumentation = false;
      return r;
    });
    const r = res.results[0];
    if (!r) return [];
    check(r.errorCode, `describe configs of "${name}"`, r.errorMessage);
    const v = this.version(ApiKey.DescribeConfigs);
    return r.configs.map((c) => {
      // v0 has isDefault; v1+ has configSource (5 = DEFAULT_CONFIG, 1 = DYNAMIC_TOPIC_CONFIG, ...).
      const source = v >= 1 ? (c.configSource ?? -1) : c.isDefault ? 5 : 1;
      return {
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        isDefault: source === 5,
        isSensitive: c.isSensitive,
        source,
      };
    });
  }

  async alterConfigs(
    resourceType: number,
    name: string,
    ops: { name: string; op: number; value: string | null }[],
  ): Promise<void> {
    const res = await this.call(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, () => ({
      resources: [
        {
          resourceType,
          resourceName: name,
          configs: ops.map((o) => ({ name: o.name, configOperation: o.op, value: o.value })),
        },
      ],
      validateOnly: false,
    }));
    const r = res.responses[0];
    if (r) check(r.errorCode, `alter configs of "${name}"`, r.errorMessage);
  }

  async describeCluster(): Promise<{ clusterId: string; controllerId: number; brokers: BrokerInfo[] }> {
    if (!this.supports(ApiKey.DescribeCluster)) {
      const md = await this.metadata([]);
      return { clusterId: md.clusterId ?? '', controllerId: md.controllerId, brokers: md.brokers };
    }
    const res = await this.call(DescribeClusterRequest, DescribeClusterResponse, () => ({
      includeClusterAuthorizedOperations: false,
    }));
    check(res.errorCode, 'describe cluster', res.errorMessage);
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
    };
  }

  // ---- groups -------------------------------------------------------------------------------

  /** The group coordinator's connection. */
  async coordinator(groupId: string): Promise<BrokerConnection> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.call(FindCoordinatorRequest, FindCoordinatorResponse, (v) =>
        v >= 1 ? { key: groupId, keyType: 0 } : { key: groupId },
      );
      if (res.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE && attempt < 50) {
        await sleep(50);
        continue;
      }
      check(res.errorCode, `find coordinator for group "${groupId}"`, res.errorMessage);
      const nodeId = res.nodeId ?? -1;
      if (!this.brokersById.has(nodeId)) {
        this.brokersById.set(nodeId, { nodeId, host: res.host ?? '', port: res.port ?? 0, rack: null });
      }
      return this.node(nodeId);
    }
  }

  async listGroups(): Promise<{ groupId: string; protocolType: string; state: string }[]> {
    const res = await this.call(ListGroupsRequest, ListGroupsResponse, (v) => (v >= 4 ? { statesFilter: [] } : {}));
    check(res.errorCode, 'list groups');
    return res.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState ?? '' }));
  }

  async describeGroup(groupId: string) {
    const conn = await this.coordinator(groupId);
    const res = await this.call(
      DescribeGroupsRequest,
      DescribeGroupsResponse,
      (v) => (v >= 3 ? { groups: [groupId], includeAuthorizedOperations: false } : { groups: [groupId] }),
      { conn },
    );
    const g = res.groups[0];
    if (!g) throw new Error(`no description for group "${groupId}"`);
    check(g.errorCode, `describe group "${groupId}"`);
    return g;
  }

  async deleteGroup(groupId: string): Promise<void> {
    const conn = await this.coordinator(groupId);
    const res = await this.call(DeleteGroupsRequest, DeleteGroupsResponse, () => ({ groupsNames: [groupId] }), {
      conn,
    });
    const r = res.results[0];
    if (r) check(r.errorCode, `delete group "${groupId}"`);
  }

  /** Committed offsets of a group: topic → partition → offset (-1 = none). null topics = all. */
  async fetchOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[] | null,
    conn?: BrokerConnection,
  ): Promise<Map<string, Map<number, bigint>>> {
    const c = conn ?? (await this.coordinator(groupId));
    const res = await this.call(
      OffsetFetchRequest,
      OffsetFetchResponse,
      (v) => {
        const r: OffsetFetchRequest = {
          groupId,
          topics: topics === null ? null : topics.map((t) => ({ name: t.name, partitionIndexes: t.partitions })),
        };
        if (v >= 7) r.requireStable = false;
        return r;
      },
      { conn: c },
    );
    check(res.errorCode, `fetch offsets of group "${groupId}"`);
    const out = new Map<string, Map<number, bigint>>();
    for (const t of res.topics ?? []) {
      const m = new Map<number, bigint>();
      for (const p of t.partitions) {
        check(p.errorCode, `fetch offsets of group "${groupId}" for ${t.name}/${p.partitionIndex}`);
        m.set(p.partitionIndex, p.committedOffset);
      }
      out.set(t.name, m);
    }
    return out;
  }

  /** Commits offsets; generation -1 and memberId "" commit for an empty group (admin reset). */
  async commitOffsets(
    groupId: string,
    offsets: { topic: string; partition: number; offset: bigint }[],
    member: { generationId: number; memberId: string } = { generationId: -1, memberId: '' },
    conn?: BrokerConnection,
  ): Promise<void> {
    const c = conn ?? (await this.coordinator(groupId));
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedMetadata: null }[]>();
    for (const o of offsets) {
      let l = byTopic.get(o.topic);
      if (!l) {
        l = [];
        byTopic.set(o.topic, l);
      }
      l.push({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: null });
    }
    const res = await this.call(
      OffsetCommitRequest,
      OffsetCommitResponse,
      (v) => {
        const r: OffsetCommitRequest = {
          groupId,
          generationIdOrMemberEpoch: member.generationId,
          memberId: member.memberId,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        };
        if (v >= 2 && v <= 4) r.retentionTimeMs = -1n;
        if (v >= 7) r.groupInstanceId = null;
        return r;
      },
      { conn: c },
    );
    for (const t of res.topics) {
      for (const p of t.partitions)
        check(p.errorCode, `commit offsets of group "${groupId}" for ${t.name}/${p.partitionIndex}`);
    }
  }
}

type FetchRequestPartitionInput = FetchRequest['topics'][number]['partitions'][number];

function approxSize(r: RecordInput): number {
  const len = (b: RecordInput['key']) => (b == null ? 0 : typeof b === 'string' ? b.length * 3 : b.length);
  let n = 16 + len(r.key) + len(r.value);
  for (const h of r.headers ?? []) n += h.key.length * 3 + len(h.value) + 4;
  return n;
}

function sameAddress(b: BrokerInfo, address: string): boolean {
  return `${b.host}:${b.port}` === address;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function apiName(apiKey: number): string {
  for (const [k, v] of Object.entries(ApiKey)) if (v === apiKey) return k;
  return `API ${apiKey}`;
}

// Record keys and values of the internal compacted topic __consumer_offsets,
// in Kafka's own schemas so the data reads the same way Kafka's tools read it:
//   key version 0/1 = OffsetCommitKey   (group, topic, partition)
//   key version 2   = GroupMetadataKey  (group)
//   OffsetCommitValue v3  (offset, leaderEpoch, metadata, commitTimestamp), or v1 (offset, metadata,
//                         commitTimestamp, expireTimestamp) for a commit with an explicit retention, as Kafka does
//   GroupMetadataValue v3 (protocolType, generation, protocol, leader, currentStateTimestamp, members[])
// None of these versions is flexible: big-endian ints, int16-length strings
// (-1 = null), int32-length bytes, int32-counted arrays. A null value is a
// tombstone. Decoders accept the older value versions too (0-3).

import { buildRecordBatch, decodeRecords, iterateBatches } from '@brook/protocol';

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

export interface OffsetCommitKey {
  type: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  type: 'group';
  group: string;
}

export type OffsetsTopicKey = OffsetCommitKey | GroupMetadataKey;

export interface OffsetCommitValue {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** Set by OffsetCommit v2-4 retentionTimeMs: the offset expires then instead of by offsets.retention. */
  expireTimestamp?: bigint;
}

export interface GroupMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: bigint;
  members: GroupMemberValue[];
}

/** Small growable big-endian writer (these records are tiny and rare). */
class Out {
  private parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const s = Buffer.from(v, 'utf8');
    this.int16(s.length);
    this.parts.push(s);
    return this;
  }
  bytes(v: Buffer): this {
    this.int32(v.length);
    this.parts.push(v);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class OffsetsTopicDecodeError extends Error {}

class In {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new OffsetsTopicDecodeError('truncated __consumer_offsets record');
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  string(): string {
    return this.nullableString() ?? '';
  }
  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) return Buffer.alloc(0);
    this.need(len);
    // Copy: the source may be a slice of a large read buffer we must not pin.
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return b;
  }
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new Out().int16(1).string(group).string(topic).int32(partition).done();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new Out().int16(2).string(group).done();
}

/** Returns null for key versions this broker does not use (e.g. transaction or share-group records). */
export function decodeKey(buf: Buffer): OffsetsTopicKey | null {
  const r = new In(buf);
  const version = r.int16();
  if (version === 0 || version === 1) {
    return { type: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
  }
  if (version === 2) return { type: 'group', group: r.string() };
  return null;
}

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  // Kafka writes v1 (no leader epoch) when it must keep an expire timestamp.
  if (v.expireTimestamp !== undefined) {
    return new Out()
      .int16(1)
      .int64(v.offset)
      .string(v.metadata)
      .int64(v.commitTimestamp)
      .int64(v.expireTimestamp)
      .done();
  }
  return new Out().int16(3).int64(v.offset).int32(v.leaderEpoch).string(v.metadata).int64(v.commitTimestamp).done();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new In(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new OffsetsTopicDecodeError(`OffsetCommitValue v${version} not supported`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64();
  // v1 carries an explicit expiry (OffsetCommit v2-4 retentionTimeMs); v2+ have none.
  if (version === 1) return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: r.int64() };
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const out = new Out()
    .int16(3)
    .string(v.protocolType)
    .int32(v.generation)
    .string(v.protocol)
    .string(v.leader)
    .int64(v.currentStateTimestamp)
    .int32(v.members.length);
  for (const m of v.members) {
    out
      .string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeout)
      .int32(m.sessionTimeout)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return out.done();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new In(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new OffsetsTopicDecodeError(`GroupMetadataValue v${version} not supported`);
  const protocolType = r.string();
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestamp = version >= 2 ? r.int64() : -1n;
  const n = r.int32();
  const members: GroupMemberValue[] = [];
  for (let i = 0; i < n; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeout = version >= 1 ? r.int32() : -1;
    const sessionTimeout = r.int32();
    const effectiveRebalance = rebalanceTimeout < 0 ? sessionTimeout : rebalanceTimeout;
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeout: effectiveRebalance,
      sessionTimeout,
      subscription: r.bytes(),
      assignment: r.bytes(),
    });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit int. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's partitionFor: Utils.abs(hashCode) % partitions, where abs(MIN_VALUE) is 0. */
export function offsetsPartitionFor(groupId: string, numPartitions: number): number {
  const h = javaStringHashCode(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % numPartitions;
}

/** One key/value pair of __consumer_offsets (value null = tombstone). */
export interface OffsetsRecord {
  key: Buffer;
  value: Buffer | null;
}

/**
 * Where the coordinator keeps its records. The storage-backed implementation
 * appends record batches to the partitions of __consumer_offsets; tests use an
 * in-memory one.
 */
export interface OffsetsLog {
  readonly numPartitions: number;
  /** Appends records to one partition; throws on a storage failure. */
  append(partition: number, records: OffsetsRecord[]): void;
  /** Every record of one partition in log order (for loading on start). */
  readAll(partition: number): AsyncIterable<OffsetsRecord> | Iterable<OffsetsRecord>;
  /** Creates the backing topic if it does not exist yet. */
  ensure?(): Promise<void>;
}

export class MemoryOffsetsLog implements OffsetsLog {
  readonly partitions: OffsetsRecord[][];
  constructor(readonly numPartitions: number) {
    this.partitions = Array.from({ length: numPartitions }, () => []);
  }
  append(partition: number, records: OffsetsRecord[]): void {
    this.partitions[partition]!.push(...records);
  }
  readAll(partition: number): Iterable<OffsetsRecord> {
    return [...(this.partitions[partition] ?? [])];
  }
}

/** The slice of @brook/storage's PartitionLog this file uses. */
export interface OffsetsPartitionLog {
  append(records: Buffer, opts?: { now?: number; leaderEpoch?: number }): unknown;
  read(
    fromOffset: bigint,
    maxBytes: number,
    opts?: { minOneBatch?: boolean },
  ): { chunks: Buffer[]; logEndOffset: bigint; logStartOffset: bigint };
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
}

export interface TopicOffsetsLogDeps {
  numPartitions: number;
  /** The partition's log, or undefined while the topic does not exist yet. */
  partition(p: number): OffsetsPartitionLog | undefined;
  /** Creates the topic (idempotent); resolves when every partition exists. */
  ensureTopic(): Promise<void>;
  onError(err: unknown): void;
}

/**
 * __consumer_offsets on top of storage. The topic is created lazily (as Kafka
 * does, on the first FindCoordinator or group write): records written before
 * it exists wait in memory and are appended, in order, once it does.
 */
export class TopicOffsetsLog implements OffsetsLog {
  readonly numPartitions: number;
  private pending: { partition: number; records: OffsetsRecord[] }[] = [];
  private creating: Promise<void> | null = null;

  constructor(private readonly deps: TopicOffsetsLogDeps) {
    this.numPartitions = deps.numPartitions;
  }

  get exists(): boolean {
    return this.deps.partition(0) !== undefined;
  }

  ensure(): Promise<void> {
    if (this.exists && this.pending.length === 0) return Promise.resolve();
    this.creating ??= this.deps
      .ensureTopic()
      .then(() => this.flushPending())
      .finally(() => {
        this.creating = null;
      });
    return this.creating;
  }

  append(partition: number, records: OffsetsRecord[]): void {
    if (records.length === 0) return;
    const log = this.deps.partition(partition);
    if (!log || this.pending.length > 0) {
      this.pending.push({ partition, records });
      this.ensure().catch((e) => this.deps.onError(e));
      return;
    }
    log.append(buildBatch(records));
  }

  private flushPending(): void {
    const queued = this.pending;
    this.pending = [];
    for (const q of queued) {
      const log = this.deps.partition(q.partition);
      if (!log) throw new Error(`__consumer_offsets partition ${q.partition} missing after creation`);
      log.append(buildBatch(q.records));
    }
  }

  *readAll(partition: number): Iterable<OffsetsRecord> {
    const log = this.deps.partition(partition);
    if (!log) return;
    let from = log.logStartOffset;
    const end = log.logEndOffset;
    while (from < end) {
      const res = log.read(from, 1 << 20, { minOneBatch: true });
      if (res.chunks.length === 0) break;
      let next = from;
      for (const chunk of res.chunks) {
        for (const view of iterateBatches(chunk)) {
          next = view.nextOffset;
          if (view.isControl) continue;
          for (const r of decodeRecords(view)) {
            if (r.offset < from || r.key === null) continue;
            yield { key: r.key, value: r.value };
          }
        }
      }
      if (next <= from) break;
      from = next;
    }
  }
}

function buildBatch(records: OffsetsRecord[]): Buffer {
  return buildRecordBatch({ records: records.map((r) => ({ key: r.key, value: r.value })) });
}

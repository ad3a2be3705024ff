// A simple group consumer: FindCoordinator → JoinGroup/SyncGroup (range assignor, consumer
// protocol) → heartbeats → fetch → commit. Heartbeats use the coordinator connection; fetches
// use their own connection, so a long poll never delays a heartbeat.
import {
  ConsumerProtocolAssignment,
  ConsumerProtocolSubscription,
  ErrorCode,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  Reader,
  SyncGroupRequest,
  SyncGroupResponse,
  Writer,
} from '@brook/protocol';
import { EARLIEST, type FetchPartitionResult, type KafkaClient, LATEST } from './client.js';
import type { BrokerConnection } from './connection.js';
import { check, KafkaError } from './errors.js';

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where to start a partition without a committed offset. */
  reset?: 'earliest' | 'latest';
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Encodes a consumer-protocol subscription (int16 version + struct). */
export function encodeSubscription(topics: string[], version = 0): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  ConsumerProtocolSubscription.encode(w, { topics, userData: null }, version);
  return w.toBuffer();
}

export function decodeSubscription(buf: Buffer): string[] {
  if (buf.length < 2) return [];
  const r = new Reader(buf);
  const v = r.readInt16();
  return ConsumerProtocolSubscription.decode(r, Math.min(v, ConsumerProtocolSubscription.maxVersion)).topics;
}

export function encodeAssignment(parts: TopicPartition[], version = 0): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const p of parts) {
    let l = byTopic.get(p.topic);
    if (!l) {
      l = [];
      byTopic.set(p.topic, l);
    }
    l.push(p.partition);
  }
  const w = new Writer();
  w.writeInt16(version);
  ConsumerProtocolAssignment.encode(
    w,
    { assignedPartitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })), userData: null },
    version,
  );
  return w.toBuffer();
}

export function decodeAssignment(buf: Buffer): TopicPartition[] {
  if (buf.length < 2) return [];
  const r = new Reader(buf);
  const v = r.readInt16();
  const a = ConsumerProtocolAssignment.decode(r, Math.min(v, ConsumerProtocolAssignment.maxVersion));
  return a.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

/** The `range` assignor: per topic, consecutive partition ranges to members sorted by id. */
export function rangeAssign(
  members: { memberId: string; topics: string[] }[],
  partitionsPerTopic: Map<string, number>,
): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  for (const [topic, count] of partitionsPerTopic) {
    const subs = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    if (subs.length === 0) continue;
    const per = Math.floor(count / subs.length);
    const extra = count % subs.length;
    subs.forEach((id, i) => {
      const start = per * i + Math.min(i, extra);
      const n = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + n; p++) out.get(id)!.push({ topic, partition: p });
    });
  }
  return out;
}

export class GroupConsumer {
  memberId = '';
  generationId = -1;
  assignment: TopicPartition[] = [];
  /** Next offset to fetch per "topic\0partition". */
  readonly positions = new Map<string, bigint>();
  private coordinator!: BrokerConnection;
  private fetchConn: BrokerConnection | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private needsRejoin = true;
  private closed = false;
  private heartbeatError: Error | null = null;

  constructor(
    private readonly client: KafkaClient,
    private readonly opts: GroupConsumerOptions,
  ) {}

  /** Joins (or rejoins) the group; resolves with this member's assignment. */
  async join(): Promise<TopicPartition[]> {
    this.stopHeartbeats();
    this.coordinator = await this.client.coordinator(this.opts.groupId);
    const subscription = encodeSubscription(this.opts.topics);
    let join: JoinGroupResponse;
    for (let attempt = 0; ; attempt++) {
      join = await this.client.call(
        JoinGroupRequest,
        JoinGroupResponse,
        (v) => {
          const r: JoinGroupRequest = {
            groupId: this.opts.groupId,
            sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 10_000,
            memberId: this.memberId,
            protocolType: 'consumer',
            protocols: [{ name: 'range', metadata: subscription }],
          };
          if (v >= 1) r.rebalanceTimeoutMs = this.opts.rebalanceTimeoutMs ?? 10_000;
          if (v >= 5) r.groupInstanceId = null;
          return r;
        },
        { conn: this.coordinator, timeoutMs: (this.opts.rebalanceTimeoutMs ?? 10_000) + 30_000 },
      );
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = join.memberId;
        continue;
      }
      if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID && attempt < 5) {
        this.memberId = '';
        continue;
      }
      if (
        (join.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ||
          join.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) &&
        attempt < 50
      ) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      check(join.errorCode, `join group "${this.opts.groupId}"`);
      break;
    }
    this.memberId = join.memberId;
    this.generationId = join.generationId;

    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (join.leader === join.memberId) {
      const members = join.members.map((m) => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata) }));
      const topics = [...new Set(members.flatMap((m) => m.topics))];
      const md = await this.client.metadata(topics);
      const counts = new Map<string, number>();
      for (const t of md.topics) if (t.errorCode === 0) counts.set(t.name, t.partitions.length);
      const plan = rangeAssign(members, counts);
      assignments = [...plan].map(([memberId, parts]) => ({ memberId, assignment: encodeAssignment(parts) }));
    }
    const sync = await this.client.call(
      SyncGroupRequest,
      SyncGroupResponse,
      (v) => {
        const r: SyncGroupRequest = {
          groupId: this.opts.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          assignments,
        };
        if (v >= 3) r.groupInstanceId = null;
        if (v >= 5) {
          r.protocolType = 'consumer';
          r.protocolName = join.protocolName;
        }
        return r;
      },
      { conn: this.coordinator, timeoutMs: (this.opts.rebalanceTimeoutMs ?? 10_000) + 30_000 },
    );
    if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return this.join();
    check(sync.errorCode, `sync group "${this.opts.groupId}"`);
    this.assignment = decodeAssignment(sync.assignment);
    this.needsRejoin = false;
    await this.initPositions();
    this.startHeartbeats();
    return this.assignment;
  }

  private async initPositions(): Promise<void> {
    this.positions.clear();
    if (this.assignment.length === 0) return;
    const byTopic = new Map<string, number[]>();
    for (const p of this.assignment) {
      let l = byTopic.get(p.topic);
      if (!l) {
        l = [];
        byTopic.set(p.topic, l);
      }
      l.push(p.partition);
    }
    const committed = await this.client.fetchOffsets(
      this.opts.groupId,
      [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      this.coordinator,
    );
    for (const [topic, parts] of byTopic) {
      const missing: number[] = [];
      for (const p of parts) {
        const c = committed.get(topic)?.get(p) ?? -1n;
        if (c >= 0n) this.positions.set(`${topic}\0${p}`, c);
        else missing.push(p);
      }
      if (missing.length > 0) {
        const offs = await this.client.listOffsets(topic, missing, this.opts.reset === 'latest' ? LATEST : EARLIEST);
        for (const p of missing) this.positions.set(`${topic}\0${p}`, offs.get(p) ?? 0n);
      }
    }
  }

  private startHeartbeats(): void {
    const interval = this.opts.heartbeatIntervalMs ?? 1000;
    const beat = async () => {
      this.heartbeatTimer = null;
      if (this.closed) return;
      try {
        const res = await this.client.call(
          HeartbeatRequest,
          HeartbeatResponse,
          (v) => {
            const r: HeartbeatRequest = {
              groupId: this.opts.groupId,
              generationId: this.generationId,
              memberId: this.memberId,
            };
            if (v >= 3) r.groupInstanceId = null;
            return r;
          },
          { conn: this.coordinator },
        );
        if (res.errorCode !== 0) {
          this.needsRejoin = true;
          if (res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
          return;
        }
      } catch (e) {
        if (!this.closed) this.heartbeatError = e as Error;
        return;
      }
      if (!this.closed && !this.needsRejoin) this.heartbeatTimer = setTimeout(beat, interval);
    };
    this.heartbeatTimer = setTimeout(beat, interval);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Fetches once from the current positions (rejoining first if the group rebalanced). */
  async poll(maxWaitMs = 500): Promise<FetchPartitionResult[]> {
    if (this.heartbeatError) throw this.heartbeatError;
    if (this.needsRejoin) await this.join();
    if (this.assignment.length === 0) {
      await new Promise((r) => setTimeout(r, Math.min(maxWaitMs, 200)));
      return [];
    }
    this.fetchConn ??= await this.client.newConnection();
    const results = await this.client.fetch(
      this.assignment.map((p) => ({ ...p, offset: this.positions.get(`${p.topic}\0${p.partition}`) ?? 0n })),
      { maxWaitMs, conn: this.fetchConn },
    );
    for (const r of results) {
      if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        const offs = await this.client.listOffsets(
          r.topic,
          [r.partition],
          this.opts.reset === 'latest' ? LATEST : EARLIEST,
        );
        this.positions.set(`${r.topic}\0${r.partition}`, offs.get(r.partition) ?? 0n);
        continue;
      }
      if (r.errorCode !== 0) throw new KafkaError(r.errorCode, `fetch ${r.topic}/${r.partition}`);
      this.positions.set(`${r.topic}\0${r.partition}`, r.nextOffset);
    }
    return results;
  }

  /** Moves a partition's position (e.g. after printing only part of a fetch). */
  seek(topic: string, partition: number, offset: bigint): void {
    this.positions.set(`${topic}\0${partition}`, offset);
  }

  /** Commits the current positions (or the given ones). */
  async commit(offsets?: { topic: string; partition: number; offset: bigint }[]): Promise<void> {
    const list =
      offsets ?? this.assignment.map((p) => ({ ...p, offset: this.positions.get(`${p.topic}\0${p.partition}`) ?? 0n }));
    if (list.length === 0) return;
    await this.client.commitOffsets(
      this.opts.groupId,
      list,
      { generationId: this.generationId, memberId: this.memberId },
      this.coordinator,
    );
  }

  /** Leaves the group (so the next member does not wait for the session timeout). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopHeartbeats();
    await this.fetchConn?.close();
    if (this.memberId && this.coordinator && !this.coordinator.isClosed) {
      await this.client
        .call(
          LeaveGroupRequest,
          LeaveGroupResponse,
          (v) =>
            v >= 3
              ? { groupId: this.opts.groupId, members: [{ memberId: this.memberId, groupInstanceId: null }] }
              : { groupId: this.opts.groupId, memberId: this.memberId },
          { conn: this.coordinator, timeoutMs: 5000 },
        )
        .catch(() => {});
    }
  }
}

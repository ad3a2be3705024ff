// The group coordinator of a single broker: every consumer group, their
// committed offsets, persistence to __consumer_offsets and reload on start,
// offset expiry for empty groups, and the admin views (list/describe/delete).
// On one broker this node coordinates every group, so NOT_COORDINATOR never
// appears; while the groups load, every group API answers COORDINATOR_LOAD_IN_PROGRESS.
import { GroupError } from './errors.js';
import {
  type CommittedOffset,
  Group,
  type GroupClock,
  type GroupConfig,
  type GroupLogger,
  type GroupState,
  type JoinRequest,
  type JoinResult,
  joinError,
  type LeaveMember,
  type LeaveResult,
  type SyncRequest,
  type SyncResult,
  silentLogger,
  syncError,
  systemClock,
} from './group.js';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  type OffsetCommitValue,
  type OffsetsLog,
  type OffsetsRecord,
  offsetsPartitionFor,
} from './offsets-topic.js';

export interface GroupCoordinatorConfig extends GroupConfig {
  /** offsets.retention.minutes in ms: how long an empty group's offsets outlive it. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  initialRebalanceDelayMs: 100,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMs: 10080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
};

export interface GroupCoordinatorOptions {
  config?: Partial<GroupCoordinatorConfig>;
  /** Where records go; null keeps everything in memory only. */
  log?: OffsetsLog | null;
  /** Opens the log at start() instead (when it depends on storage that opens later). */
  openLog?: () => Promise<OffsetsLog | null>;
  clock?: GroupClock;
  logger?: GroupLogger;
}

export interface CommitPartition {
  partitionIndex: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  /** OffsetCommit v1's explicit commit time; now when absent. */
  commitTimestamp?: number;
}

export interface CommitTopic {
  name: string;
  partitions: CommitPartition[];
}

export interface CommitResultTopic {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

export interface FetchedPartition {
  partitionIndex: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface FetchResult {
  errorCode: number;
  topics: { name: string; partitions: FetchedPartition[] }[];
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolData: string;
  members: DescribedMember[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  state: GroupState;
  groupType: string;
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator {
  /** BrokerState component name. */
  readonly name = 'groups';
  readonly config: GroupCoordinatorConfig;
  private readonly groups = new Map<string, Group>();
  private readonly clock: GroupClock;
  private readonly logger: GroupLogger;
  private log: OffsetsLog | null;
  private readonly openLog: (() => Promise<OffsetsLog | null>) | undefined;
  private loading = true;
  private closed = false;
  private cancelExpiry: (() => void) | null = null;

  constructor(opts: GroupCoordinatorOptions) {
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...opts.config };
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.log = opts.log ?? null;
    this.openLog = opts.openLog;
  }

  get isLoading(): boolean {
    return this.loading;
  }

  /** Loads every group and offset from __consumer_offsets, then starts the expiry sweep. */
  async start(): Promise<void> {
    const started = this.clock.now();
    if (this.openLog) this.log = await this.openLog();
    if (this.log) {
      for (let p = 0; p < this.log.numPartitions; p++) await this.loadPartition(p);
    }
    this.loading = false;
    this.scheduleExpiry();
    this.logger.info({ groups: this.groups.size, ms: this.clock.now() - started }, 'group coordinator loaded');
  }

  /** Makes sure __consumer_offsets exists (FindCoordinator creates it, as in Kafka). */
  async ensureOffsetsTopic(): Promise<void> {
    await this.log?.ensure?.();
  }

  close(): void {
    this.closed = true;
    this.cancelExpiry?.();
    this.cancelExpiry = null;
    for (const g of this.groups.values()) g.markDead(GroupError.COORDINATOR_NOT_AVAILABLE);
    this.groups.clear();
  }

  private async loadPartition(partition: number): Promise<void> {
    const offsets = new Map<string, Map<string, OffsetCommitValue | null>>();
    const metas = new Map<string, GroupMetadataValue | null>();
    for await (const rec of this.log!.readAll(partition)) {
      try {
        const key = decodeKey(rec.key);
        if (key === null) continue;
        if (key.type === 'offset') {
          let m = offsets.get(key.group);
          if (!m) {
            m = new Map();
            offsets.set(key.group, m);
          }
          m.set(`${key.partition}:${key.topic}`, rec.value === null ? null : decodeOffsetCommitValue(rec.value));
        } else {
          metas.set(key.group, rec.value === null ? null : decodeGroupMetadataValue(rec.value));
        }
      } catch (err) {
        this.logger.warn({ partition, err: String(err) }, 'skipping unreadable __consumer_offsets record');
      }
    }
    for (const [groupId, meta] of metas) {
      if (meta === null) continue;
      const g = this.newGroup(groupId);
      g.restore({
        protocolType: meta.protocolType,
        generationId: meta.generation,
        protocolName: meta.protocol,
        leaderId: meta.leader,
        currentStateTimestamp: Number(meta.currentStateTimestamp),
        members: meta.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeout,
          sessionTimeoutMs: m.sessionTimeout,
          subscription: m.subscription,
          assignment: m.assignment,
        })),
      });
    }
    for (const [groupId, entries] of offsets) {
      let g = this.groups.get(groupId);
      for (const [k, v] of entries) {
        if (v === null) continue;
        if (!g) g = this.newGroup(groupId);
        const sep = k.indexOf(':');
        const o: CommittedOffset = {
          offset: v.offset,
          leaderEpoch: v.leaderEpoch,
          metadata: v.metadata,
          commitTimestamp: Number(v.commitTimestamp),
        };
        if (v.expireTimestamp !== undefined) o.expireTimestamp = Number(v.expireTimestamp);
        setOffset(g, k.slice(sep + 1), Number(k.slice(0, sep)), o);
      }
    }
  }

  private newGroup(groupId: string): Group {
    const g = new Group(groupId, {
      clock: this.clock,
      config: this.config,
      log: this.logger,
      storeGroup: (group) => this.storeGroup(group),
    });
    this.groups.set(groupId, g);
    return g;
  }

  private partitionFor(groupId: string): number {
    return this.log ? offsetsPartitionFor(groupId, this.log.numPartitions) : 0;
  }

  private write(groupId: string, records: OffsetsRecord[]): void {
    if (!this.log || records.length === 0) return;
    this.log.append(this.partitionFor(groupId), records);
  }

  private storeGroup(group: Group): void {
    const value = encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: BigInt(group.currentStateTimestamp),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadataFor(group.protocolName),
        assignment: m.assignment,
      })),
    });
    this.write(group.groupId, [{ key: encodeGroupMetadataKey(group.groupId), value }]);
  }

  /** The group-level error every group API checks first. */
  private precheck(groupId: string, allowEmptyId = false): number {
    if (this.loading) return GroupError.COORDINATOR_LOAD_IN_PROGRESS;
    if (this.closed) return GroupError.COORDINATOR_NOT_AVAILABLE;
    if (groupId === '' && !allowEmptyId) return GroupError.INVALID_GROUP_ID;
    return GroupError.NONE;
  }

  // ---- membership ----

  join(groupId: string, req: JoinRequest): Promise<JoinResult> {
    const err = this.precheck(groupId);
    if (err !== GroupError.NONE) return Promise.resolve(joinError(err, req.memberId));
    let group = this.groups.get(groupId);
    if (!group) {
      // A member id for a group that does not exist is stale (the group expired or was deleted).
      if (req.memberId !== '') return Promise.resolve(joinError(GroupError.UNKNOWN_MEMBER_ID, req.memberId));
      group = this.newGroup(groupId);
    }
    return group.join(req);
  }

  sync(groupId: string, req: SyncRequest): Promise<SyncResult> {
    const err = this.precheck(groupId);
    if (err !== GroupError.NONE) return Promise.resolve(syncError(err));
    const group = this.groups.get(groupId);
    if (!group) return Promise.resolve(syncError(GroupError.UNKNOWN_MEMBER_ID));
    return group.sync(req);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const err = this.precheck(groupId);
    if (err !== GroupError.NONE) return err;
    const group = this.groups.get(groupId);
    if (!group) return GroupError.UNKNOWN_MEMBER_ID;
    return group.heartbeat(memberId, groupInstanceId, generationId);
  }

  leave(groupId: string, members: LeaveMember[]): LeaveResult {
    const err = this.precheck(groupId);
    const group = this.groups.get(groupId);
    if (err === GroupError.NONE && group) return group.leave(members);
    // An unknown group is not a group-level error (as in Kafka): every member is unknown.
    return {
      errorCode: err,
      members: members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        errorCode: err !== GroupError.NONE ? err : GroupError.UNKNOWN_MEMBER_ID,
      })),
    };
  }

  // ---- offsets ----

  commitOffsets(
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    topics: CommitTopic[],
    /**
     * transactional: offsets of a committed transaction (TxnOffsetCommit), applied without the member check.
     * retentionMs: OffsetCommit v2-4's explicit retention (Kafka: expire at commit time + retention).
     */
    opts: { transactional?: boolean; retentionMs?: number } = {},
  ): CommitResultTopic[] {
    const all = (errorCode: number): CommitResultTopic[] =>
      topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      }));
    const err = this.precheck(groupId, true);
    if (err !== GroupError.NONE) return all(err);
    let group = this.groups.get(groupId);
    if (!group) {
      // Standalone consumers (generation -1) use the coordinator only to store offsets.
      if (generationId >= 0 && !opts.transactional) return all(GroupError.ILLEGAL_GENERATION);
      group = this.newGroup(groupId);
    }
    const groupErr = opts.transactional
      ? GroupError.NONE
      : group.validateCommit(memberId, groupInstanceId, generationId);
    if (groupErr !== GroupError.NONE) return all(groupErr);

    const now = this.clock.now();
    const records: OffsetsRecord[] = [];
    const accepted: { topic: string; partition: number; value: CommittedOffset }[] = [];
    const result = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const metadata = p.metadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > this.config.offsetMetadataMaxBytes) {
          return { partitionIndex: p.partitionIndex, errorCode: GroupError.OFFSET_METADATA_TOO_LARGE as number };
        }
        const commitTimestamp = p.commitTimestamp ?? now;
        const value: CommittedOffset = { offset: p.offset, leaderEpoch: p.leaderEpoch, metadata, commitTimestamp };
        if (opts.retentionMs !== undefined) value.expireTimestamp = now + opts.retentionMs;
        records.push({
          key: encodeOffsetCommitKey(groupId, t.name, p.partitionIndex),
          value: encodeOffsetCommitValue({
            ...value,
            commitTimestamp: BigInt(commitTimestamp),
            expireTimestamp: value.expireTimestamp === undefined ? undefined : BigInt(value.expireTimestamp),
          }),
        });
        accepted.push({ topic: t.name, partition: p.partitionIndex, value });
        return { partitionIndex: p.partitionIndex, errorCode: GroupError.NONE as number };
      }),
    }));
    try {
      this.write(groupId, records);
    } catch (e) {
      this.logger.warn({ groupId, err: String(e) }, 'writing offset commit failed');
      return result.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: p.errorCode === GroupError.NONE ? GroupError.COORDINATOR_NOT_AVAILABLE : p.errorCode,
        })),
      }));
    }
    for (const a of accepted) setOffset(group, a.topic, a.partition, a.value);
    return result;
  }

  /** topics null = every committed offset of the group. */
  fetchOffsets(groupId: string, topics: { name: string; partitions: number[] }[] | null): FetchResult {
    const err = this.precheck(groupId, true);
    if (err !== GroupError.NONE) {
      return {
        errorCode: err,
        topics: (topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ ...noOffset(p), errorCode: err })),
        })),
      };
    }
    const group = this.groups.get(groupId);
    if (topics === null) {
      const out: FetchResult['topics'] = [];
      for (const [name, parts] of group?.offsets ?? []) {
        if (parts.size === 0) continue;
        out.push({
          name,
          partitions: [...parts].map(([p, o]) => ({
            partitionIndex: p,
            offset: o.offset,
            leaderEpoch: o.leaderEpoch,
            metadata: o.metadata,
            errorCode: GroupError.NONE,
          })),
        });
      }
      return { errorCode: GroupError.NONE, topics: out };
    }
    return {
      errorCode: GroupError.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const o = group?.offsets.get(t.name)?.get(p);
          if (!o) return noOffset(p);
          return {
            partitionIndex: p,
            offset: o.offset,
            leaderEpoch: o.leaderEpoch,
            metadata: o.metadata,
            errorCode: GroupError.NONE,
          };
        }),
      })),
    };
  }

  /** OffsetDelete: only for empty groups or topics the group does not subscribe to. */
  deleteOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[],
  ): { errorCode: number; topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] } {
    const fail = (errorCode: number) => ({ errorCode, topics: [] });
    const err = this.precheck(groupId);
    if (err !== GroupError.NONE) return fail(err);
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return fail(GroupError.GROUP_ID_NOT_FOUND);
    let subscribed = new Set<string>();
    if (!group.isEmpty) {
      const s = group.subscribedTopics();
      if (s === null) return fail(GroupError.NON_EMPTY_GROUP);
      subscribed = s;
    }
    const records: OffsetsRecord[] = [];
    const removals: [string, number][] = [];
    const result = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (subscribed.has(t.name)) {
          return { partitionIndex: p, errorCode: GroupError.GROUP_SUBSCRIBED_TO_TOPIC as number };
        }
        if (group.offsets.get(t.name)?.has(p)) {
          records.push({ key: encodeOffsetCommitKey(groupId, t.name, p), value: null });
          removals.push([t.name, p]);
        }
        return { partitionIndex: p, errorCode: GroupError.NONE as number };
      }),
    }));
    try {
      this.write(groupId, records);
    } catch (e) {
      this.logger.warn({ groupId, err: String(e) }, 'writing offset tombstones failed');
      return fail(GroupError.COORDINATOR_NOT_AVAILABLE);
    }
    for (const [t, p] of removals) deleteOffset(group, t, p);
    return { errorCode: GroupError.NONE, topics: result };
  }

  /**
   * A topic was deleted: every group forgets its committed offsets (tombstones in __consumer_offsets, so
   * a re-created topic of that name starts from its reset policy, also after a restart). An empty group
   * left without offsets is removed, as Kafka's cleanupGroupMetadata does. Returns how many were removed.
   */
  deleteTopicOffsets(topic: string): number {
    let removed = 0;
    for (const g of [...this.groups.values()]) {
      const parts = g.offsets.get(topic);
      if (!parts || parts.size === 0) continue;
      const records: OffsetsRecord[] = [...parts.keys()].map((p) => ({
        key: encodeOffsetCommitKey(g.groupId, topic, p),
        value: null,
      }));
      const removeGroup = g.state === 'Empty' && countOffsets(g) === parts.size;
      if (removeGroup) records.push({ key: encodeGroupMetadataKey(g.groupId), value: null });
      try {
        this.write(g.groupId, records);
      } catch (e) {
        this.logger.warn({ groupId: g.groupId, topic, err: String(e) }, 'writing offset tombstones failed');
        continue;
      }
      removed += parts.size;
      g.offsets.delete(topic);
      if (removeGroup) {
        g.markDead();
        this.groups.delete(g.groupId);
      }
    }
    if (removed > 0) this.logger.info({ topic, removed }, 'removed committed offsets of a deleted topic');
    return removed;
  }

  // ---- admin ----

  listGroups(statesFilter: string[], typesFilter: string[]): { errorCode: number; groups: ListedGroup[] } {
    if (this.loading) return { errorCode: GroupError.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.toLowerCase()));
    const groups: ListedGroup[] = [];
    for (const g of this.groups.values()) {
      if (g.state === 'Dead') continue;
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('classic')) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, groupType: 'classic' });
    }
    return { errorCode: GroupError.NONE, groups };
  }

  describeGroup(groupId: string): DescribedGroup {
    const base = { groupId, protocolType: '', protocolData: '', members: [] };
    const err = this.precheck(groupId, true);
    if (err !== GroupError.NONE) return { ...base, errorCode: err, state: 'Dead' };
    const g = this.groups.get(groupId);
    // Kafka answers an unknown group (up to v5) with state Dead and no error.
    if (!g) return { ...base, errorCode: GroupError.NONE, state: 'Dead' };
    const stable = g.state === 'Stable';
    return {
      errorCode: GroupError.NONE,
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        // Metadata and assignment are only meaningful once the generation is settled.
        metadata: stable ? m.metadataFor(g.protocolName) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  deleteGroups(groupIds: string[]): { groupId: string; errorCode: number }[] {
    return groupIds.map((groupId) => ({ groupId, errorCode: this.deleteGroup(groupId) }));
  }

  private deleteGroup(groupId: string): number {
    const err = this.precheck(groupId);
    if (err !== GroupError.NONE) return err;
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return GroupError.GROUP_ID_NOT_FOUND;
    if (g.state !== 'Empty') return GroupError.NON_EMPTY_GROUP;
    try {
      this.write(groupId, this.tombstones(g, true));
    } catch (e) {
      this.logger.warn({ groupId, err: String(e) }, 'writing group tombstones failed');
      return GroupError.COORDINATOR_NOT_AVAILABLE;
    }
    g.markDead();
    this.groups.delete(groupId);
    this.logger.info({ groupId }, 'group deleted');
    return GroupError.NONE;
  }

  /**
   * Drops every group and its committed offsets, active or not (embedded test mode: broker.reset()).
   * Waiting joins/syncs fail with UNKNOWN_MEMBER_ID; live members learn it on their next heartbeat.
   */
  reset(): void {
    for (const g of this.groups.values()) {
      try {
        this.write(g.groupId, this.tombstones(g, true));
      } catch (e) {
        this.logger.warn({ groupId: g.groupId, err: String(e) }, 'writing group tombstones failed');
      }
      g.markDead(GroupError.UNKNOWN_MEMBER_ID);
    }
    this.groups.clear();
  }

  private tombstones(g: Group, withGroup: boolean): OffsetsRecord[] {
    const records: OffsetsRecord[] = [];
    for (const [topic, parts] of g.offsets) {
      for (const p of parts.keys()) records.push({ key: encodeOffsetCommitKey(g.groupId, topic, p), value: null });
    }
    if (withGroup) records.push({ key: encodeGroupMetadataKey(g.groupId), value: null });
    return records;
  }

  // ---- expiry ----

  private scheduleExpiry(): void {
    if (this.closed) return;
    this.cancelExpiry = this.clock.setTimer(() => {
      this.cancelExpiry = null;
      this.expireOffsets();
      this.scheduleExpiry();
    }, this.config.offsetsRetentionCheckIntervalMs);
  }

  /**
   * Kafka 2.1+ retention: an empty consumer group's offsets expire together,
   * retention after it became empty; a standalone group's (no protocol) expire
   * one by one, retention after their commit. An empty group left without
   * offsets is removed. Returns how many offsets expired.
   */
  expireOffsets(): number {
    if (this.loading) return 0;
    const now = this.clock.now();
    const retention = this.config.offsetsRetentionMs;
    let expired = 0;
    for (const g of [...this.groups.values()]) {
      if (g.state !== 'Empty') continue;
      const records: OffsetsRecord[] = [];
      const removals: [string, number][] = [];
      for (const [topic, parts] of g.offsets) {
        for (const [p, o] of parts) {
          // An explicit expiry (OffsetCommit v2-4 retention) wins over offsets.retention.minutes, as in Kafka.
          const since = g.protocolType !== null ? g.currentStateTimestamp : o.commitTimestamp;
          if ((o.expireTimestamp ?? since + retention) <= now) {
            records.push({ key: encodeOffsetCommitKey(g.groupId, topic, p), value: null });
            removals.push([topic, p]);
          }
        }
      }
      const removeGroup = removals.length === countOffsets(g);
      if (removeGroup) records.push({ key: encodeGroupMetadataKey(g.groupId), value: null });
      try {
        this.write(g.groupId, records);
      } catch (e) {
        this.logger.warn({ groupId: g.groupId, err: String(e) }, 'writing expiry tombstones failed');
        continue;
      }
      for (const [t, p] of removals) deleteOffset(g, t, p);
      expired += removals.length;
      if (removeGroup) {
        g.markDead();
        this.groups.delete(g.groupId);
      }
    }
    if (expired > 0) this.logger.info({ expired }, 'expired committed offsets');
    return expired;
  }

  /** For tests and the CLI. */
  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }
}

function countOffsets(g: Group): number {
  let n = 0;
  for (const parts of g.offsets.values()) n += parts.size;
  return n;
}

function setOffset(g: Group, topic: string, partition: number, value: CommittedOffset): void {
  let parts = g.offsets.get(topic);
  if (!parts) {
    parts = new Map();
    g.offsets.set(topic, parts);
  }
  parts.set(partition, value);
}

function deleteOffset(g: Group, topic: string, partition: number): void {
  const parts = g.offsets.get(topic);
  if (!parts) return;
  parts.delete(partition);
  if (parts.size === 0) g.offsets.delete(topic);
}

function noOffset(partitionIndex: number): FetchedPartition {
  return { partitionIndex, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: GroupError.NONE };
}

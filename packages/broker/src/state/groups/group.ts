// One consumer group under the classic protocol: Kafka's group state machine
// (Empty → PreparingRebalance → CompletingRebalance → Stable, and Dead), its
// members, generation, protocol vote and committed offsets.
//
// Long-running calls (join, sync) return promises that the state machine
// resolves when the rebalance moves on. Time comes from an injectable clock so
// every transition can be driven by unit tests; the group keeps one timer, set
// to its earliest deadline (session expiry, rebalance/join deadline, pending
// sync deadline, pending member expiry).
import { randomUUID } from 'node:crypto';
import { GroupError } from './errors.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';
export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

const EMPTY = Buffer.alloc(0);

export interface GroupClock {
  now(): number;
  /** Runs fn after delayMs; returns a cancel function. Real timers are unref'd. */
  setTimer(fn: () => void, delayMs: number): () => void;
}

export const systemClock: GroupClock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, delayMs);
    t.unref();
    return () => clearTimeout(t);
  },
};

export interface GroupLogger {
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLogger: GroupLogger = { info() {}, debug() {}, warn() {} };

export interface GroupConfig {
  initialRebalanceDelayMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** group.max.size; unlimited when absent. */
  maxSize?: number;
}

export interface GroupHooks {
  /** Persists group metadata (GroupMetadataValue). Throwing fails the operation that asked. */
  storeGroup(group: Group): void;
  clock: GroupClock;
  config: GroupConfig;
  log: GroupLogger;
}

export interface ProtocolMetadata {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: ProtocolMetadata[];
  /** v4+: a first join without a member id gets MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
  reason?: string | null;
}

export interface JoinResultMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinResultMember[];
}

export interface SyncRequest {
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface LeaveMember {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Explicit expiry (OffsetCommit v2-4 retentionTimeMs); otherwise offsets.retention.minutes applies. */
  expireTimestamp?: number;
}

export class Member {
  assignment: Buffer = EMPTY;
  joinWaiter: ((r: JoinResult) => void) | null = null;
  syncWaiter: ((r: SyncResult) => void) | null = null;
  sessionDeadline = 0;

  constructor(
    public memberId: string,
    public groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocolType: string,
    public protocols: ProtocolMetadata[],
  ) {}

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Same protocol names and metadata in the same order. */
  matches(protocols: ProtocolMetadata[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.protocols[i];
      return mine !== undefined && mine.name === p.name && mine.metadata.equals(p.metadata);
    });
  }
}

/** A failed JoinGroup: the error code, no generation, no members. */
export function joinError(errorCode: number, memberId = ''): JoinResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

/** A failed SyncGroup: the error code and an empty assignment. */
export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** group.instance.id → current member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined → expiry deadline. */
  readonly pendingMembers = new Map<string, number>();
  /** Members of the current generation whose SyncGroup has not arrived yet. */
  readonly pendingSync = new Set<string>();
  /** topic → partition → committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  currentStateTimestamp: number;

  private joinDeadline = Number.POSITIVE_INFINITY;
  private syncDeadline = Number.POSITIVE_INFINITY;
  /** Set while the first rebalance of an Empty group waits group.initial.rebalance.delay.ms. */
  private initialDelay: { remainingMs: number } | null = null;
  private newMemberAdded = false;
  private cancelTimer: (() => void) | null = null;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly groupId: string,
    private readonly hooks: GroupHooks,
  ) {
    this.currentStateTimestamp = hooks.clock.now();
  }

  // ---- queries ----

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  hasOffsets(): boolean {
    for (const parts of this.offsets.values()) if (parts.size > 0) return true;
    return false;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (!m.joinWaiter) return false;
    return true;
  }

  /** Largest rebalance timeout of the members: how long a rebalance may wait for rejoins. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Protocols every member supports. */
  candidateProtocols(): string[] {
    let candidates: string[] | null = null;
    for (const m of this.members.values()) {
      const names = m.protocols.map((p) => p.name);
      candidates = candidates === null ? names : candidates.filter((n) => names.includes(n));
    }
    return candidates ?? [];
  }

  /** Kafka's vote: each member votes for its most preferred candidate; most votes wins. */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.includes(p.name))?.name;
      if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    // Ties go to the earlier candidate in the first member's preference order.
    for (const c of candidates) {
      const v = votes.get(c) ?? 0;
      if (v > bestVotes) {
        best = c;
        bestVotes = v;
      }
    }
    return best;
  }

  supportsProtocols(protocolType: string, names: string[]): boolean {
    if (this.isEmpty) return protocolType !== '' && names.length > 0;
    if (this.protocolType !== protocolType) return false;
    for (const n of names) {
      let all = true;
      for (const m of this.members.values()) {
        if (!m.protocols.some((p) => p.name === n)) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  }

  /** Topics named in the members' consumer-protocol subscriptions (for OffsetDelete). */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      for (const t of parseSubscriptionTopics(m.metadataFor(this.protocolName))) topics.add(t);
    }
    return topics;
  }

  /** FENCED_INSTANCE_ID / UNKNOWN_MEMBER_ID checks shared by all member operations. */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current !== undefined && current !== memberId) return GroupError.FENCED_INSTANCE_ID;
    }
    const member = this.members.get(memberId);
    if (!member) return GroupError.UNKNOWN_MEMBER_ID;
    // A static member must keep presenting its instance id.
    if (member.groupInstanceId !== null && member.groupInstanceId !== groupInstanceId) {
      return GroupError.FENCED_INSTANCE_ID;
    }
    return GroupError.NONE;
  }

  // ---- JoinGroup ----

  join(req: JoinRequest): Promise<JoinResult> {
    const { config } = this.hooks;
    if (req.sessionTimeoutMs < config.minSessionTimeoutMs || req.sessionTimeoutMs > config.maxSessionTimeoutMs) {
      return Promise.resolve(joinError(GroupError.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    if (this.state === 'Dead') return Promise.resolve(joinError(GroupError.COORDINATOR_NOT_AVAILABLE, req.memberId));
    if (
      !this.supportsProtocols(
        req.protocolType,
        req.protocols.map((p) => p.name),
      )
    ) {
      return Promise.resolve(joinError(GroupError.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    }
    try {
      if (req.memberId === '') return this.joinUnknownMember(req);
      return this.joinKnownMember(req);
    } finally {
      this.armTimer();
    }
  }

  private joinUnknownMember(req: JoinRequest): Promise<JoinResult> {
    if (req.groupInstanceId !== null) {
      const memberId = `${req.groupInstanceId}-${randomUUID()}`;
      const oldId = this.staticMembers.get(req.groupInstanceId);
      if (oldId !== undefined && this.members.has(oldId)) return this.replaceStaticMember(oldId, memberId, req);
      return this.addMemberAndRebalance(memberId, req);
    }
    const memberId = `${req.clientId}-${randomUUID()}`;
    if (req.requireKnownMemberId) {
      // KIP-394: hand out the id first so a client that loses this response leaves no ghost member.
      this.pendingMembers.set(memberId, this.hooks.clock.now() + req.sessionTimeoutMs);
      return Promise.resolve(joinError(GroupError.MEMBER_ID_REQUIRED, memberId));
    }
    return this.addMemberAndRebalance(memberId, req);
  }

  private joinKnownMember(req: JoinRequest): Promise<JoinResult> {
    if (this.pendingMembers.has(req.memberId)) {
      this.pendingMembers.delete(req.memberId);
      return this.addMemberAndRebalance(req.memberId, req);
    }
    const err = this.validateMember(req.memberId, req.groupInstanceId);
    if (err !== GroupError.NONE) return Promise.resolve(joinError(err, req.memberId));
    const member = this.members.get(req.memberId)!;
    switch (this.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(member, req);
      case 'CompletingRebalance':
        if (member.matches(req.protocols)) {
          // The member lost its JoinGroup response: send the current generation again.
          return Promise.resolve(this.currentJoinResult(member, this.leaderId === member.memberId));
        }
        return this.updateMemberAndRebalance(member, req);
      case 'Stable':
        if (this.leaderId === member.memberId || !member.matches(req.protocols)) {
          // The leader rejoining (metadata changed, e.g. new topics) or changed metadata forces a rebalance.
          return this.updateMemberAndRebalance(member, req);
        }
        return Promise.resolve(this.currentJoinResult(member, false));
      default:
        return Promise.resolve(joinError(GroupError.UNKNOWN_MEMBER_ID, req.memberId));
    }
  }

  private currentJoinResult(member: Member, withMembers: boolean): JoinResult {
    return this.joinResult(member.memberId, withMembers ? this.memberMetadata() : []);
  }

  /** A successful JoinGroup answer for the current generation. */
  private joinResult(memberId: string, members: JoinResultMember[]): JoinResult {
    return {
      errorCode: GroupError.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      skipAssignment: false,
      memberId,
      members,
    };
  }

  private memberMetadata(): JoinResultMember[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(this.protocolName),
    }));
  }

  private addMemberAndRebalance(memberId: string, req: JoinRequest): Promise<JoinResult> {
    if (this.members.size >= (this.hooks.config.maxSize ?? Number.POSITIVE_INFINITY)) {
      return Promise.resolve(joinError(GroupError.GROUP_MAX_SIZE_REACHED, memberId));
    }
    const member = new Member(
      memberId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.sessionTimeoutMs,
      req.rebalanceTimeoutMs,
      req.protocolType,
      req.protocols,
    );
    const result = new Promise<JoinResult>((resolve) => {
      member.joinWaiter = resolve;
    });
    if (this.isEmpty) this.protocolType = req.protocolType;
    if (this.leaderId === null || !this.members.has(this.leaderId)) this.leaderId = memberId;
    this.members.set(memberId, member);
    if (req.groupInstanceId !== null) this.staticMembers.set(req.groupInstanceId, memberId);
    this.newMemberAdded = true;
    this.hooks.log.info(
      { groupId: this.groupId, memberId, groupInstanceId: req.groupInstanceId, clientId: req.clientId },
      'member joined',
    );
    this.maybePrepareRebalance('new member joined');
    this.tryCompleteJoin();
    return result;
  }

  private updateMemberAndRebalance(member: Member, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    // A duplicate pending JoinGroup for the same member is superseded by the newest one.
    member.joinWaiter?.(joinError(GroupError.REBALANCE_IN_PROGRESS, member.memberId));
    const result = new Promise<JoinResult>((resolve) => {
      member.joinWaiter = resolve;
    });
    this.maybePrepareRebalance(`member ${member.memberId} rejoined`);
    this.tryCompleteJoin();
    return result;
  }

  /** A static member restarted: the new member id replaces the old one, which is fenced. */
  private replaceStaticMember(oldId: string, newId: string, req: JoinRequest): Promise<JoinResult> {
    const member = this.members.get(oldId)!;
    const previousLeader = this.leaderId;
    member.joinWaiter?.(joinError(GroupError.FENCED_INSTANCE_ID, oldId));
    member.joinWaiter = null;
    member.syncWaiter?.(syncError(GroupError.FENCED_INSTANCE_ID));
    member.syncWaiter = null;
    this.members.delete(oldId);
    member.memberId = newId;
    this.members.set(newId, member);
    this.staticMembers.set(req.groupInstanceId!, newId);
    if (this.leaderId === oldId) this.leaderId = newId;
    if (this.pendingSync.delete(oldId)) this.pendingSync.add(newId);
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    member.sessionDeadline = this.hooks.clock.now() + member.sessionTimeoutMs;
    this.hooks.log.info(
      { groupId: this.groupId, oldMemberId: oldId, memberId: newId, groupInstanceId: req.groupInstanceId },
      'static member replaced',
    );
    const result = new Promise<JoinResult>((resolve) => {
      member.joinWaiter = resolve;
    });
    switch (this.state) {
      case 'Stable':
        if (this.protocolName === this.selectProtocol()) {
          // Same protocol: the member keeps its assignment and the group keeps its generation.
          const isLeader = this.leaderId === newId;
          try {
            this.hooks.storeGroup(this);
          } catch {
            // Persistence failure only costs durability of the new member id; the group stays usable.
          }
          const waiter = member.joinWaiter as ((r: JoinResult) => void) | null;
          member.joinWaiter = null;
          waiter?.({
            errorCode: GroupError.NONE,
            generationId: this.generationId,
            protocolType: this.protocolType,
            protocolName: this.protocolName,
            // The old leader id tells a pre-v9 client it is a follower, so it will not reassign.
            leader: previousLeader ?? '',
            skipAssignment: isLeader,
            memberId: newId,
            members: isLeader ? this.memberMetadata() : [],
          });
        } else {
          this.maybePrepareRebalance('static member rejoined with a different protocol');
        }
        break;
      case 'CompletingRebalance':
        // The leader may already be assigning to the old member id: start over.
        this.prepareRebalance('static member replaced during CompletingRebalance');
        break;
      default:
        // PreparingRebalance: the member now waits for the join to complete.
        this.tryCompleteJoin();
        break;
    }
    return result;
  }

  // ---- rebalance machinery ----

  private transition(state: GroupState): void {
    if (this.state === state) return;
    this.hooks.log.debug({ groupId: this.groupId, from: this.state, to: state }, 'group state');
    this.state = state;
    this.currentStateTimestamp = this.hooks.clock.now();
  }

  private maybePrepareRebalance(reason: string): void {
    if (this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty') {
      this.prepareRebalance(reason);
    }
  }

  private prepareRebalance(reason: string): void {
    if (this.state === 'CompletingRebalance') this.propagateSyncError(GroupError.REBALANCE_IN_PROGRESS);
    this.pendingSync.clear();
    this.syncDeadline = Number.POSITIVE_INFINITY;
    const now = this.hooks.clock.now();
    const rebalanceTimeout = this.rebalanceTimeoutMs();
    if (this.state === 'Empty') {
      // Let more members of a starting group arrive before the first generation.
      const delay = Math.min(this.hooks.config.initialRebalanceDelayMs, rebalanceTimeout);
      this.initialDelay = { remainingMs: Math.max(rebalanceTimeout - delay, 0) };
      this.newMemberAdded = false;
      this.joinDeadline = now + delay;
    } else {
      this.initialDelay = null;
      this.joinDeadline = now + rebalanceTimeout;
    }
    this.hooks.log.info({ groupId: this.groupId, generationId: this.generationId, reason }, 'preparing rebalance');
    this.transition('PreparingRebalance');
    this.tryCompleteJoin();
  }

  private propagateSyncError(errorCode: number): void {
    for (const m of this.members.values()) {
      m.assignment = EMPTY;
      const w = m.syncWaiter;
      m.syncWaiter = null;
      w?.(syncError(errorCode));
    }
  }

  private tryCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelay !== null) return;
    if (this.allMembersJoined()) this.completeJoin();
  }

  private completeJoin(): void {
    const now = this.hooks.clock.now();
    this.initialDelay = null;
    // Dynamic members that did not rejoin in time are dropped; static ones keep their place.
    for (const m of [...this.members.values()]) {
      if (!m.joinWaiter && m.groupInstanceId === null) this.removeMember(m, 'did not rejoin in time');
    }
    const joined = [...this.members.values()].filter((m) => m.joinWaiter !== null);
    if (joined.length === 0 && !this.isEmpty) {
      // Only silent static members are left: wait for them (or their session expiry).
      this.joinDeadline = now + this.rebalanceTimeoutMs();
      return;
    }
    if (this.leaderId === null || !this.members.get(this.leaderId)?.joinWaiter) {
      this.leaderId = joined[0]?.memberId ?? null;
    }
    this.joinDeadline = Number.POSITIVE_INFINITY;
    this.generationId++;
    if (this.isEmpty) {
      this.protocolName = null;
      this.leaderId = null;
      this.transition('Empty');
      this.storeQuietly();
      this.hooks.log.info({ groupId: this.groupId, generationId: this.generationId }, 'group is empty');
      return;
    }
    this.protocolName = this.selectProtocol();
    this.transition('CompletingRebalance');
    const all = this.memberMetadata();
    for (const m of this.members.values()) {
      m.sessionDeadline = now + m.sessionTimeoutMs;
      this.pendingSync.add(m.memberId);
      const w = m.joinWaiter;
      m.joinWaiter = null;
      const isLeader = m.memberId === this.leaderId;
      w?.(this.joinResult(m.memberId, isLeader ? all : []));
    }
    this.syncDeadline = now + this.rebalanceTimeoutMs();
    this.hooks.log.info(
      {
        groupId: this.groupId,
        generationId: this.generationId,
        protocol: this.protocolName,
        members: this.members.size,
        leader: this.leaderId,
      },
      'join completed',
    );
  }

  private storeQuietly(): void {
    try {
      this.hooks.storeGroup(this);
    } catch (err) {
      this.hooks.log.warn({ groupId: this.groupId, err: String(err) }, 'storing group metadata failed');
    }
  }

  /** Removes a member without touching the state machine. */
  private removeMember(member: Member, reason: string): void {
    const id = member.memberId;
    this.members.delete(id);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === id) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    this.pendingSync.delete(id);
    if (this.leaderId === id) this.leaderId = this.members.keys().next().value ?? null;
    const jw = member.joinWaiter;
    member.joinWaiter = null;
    jw?.(joinError(GroupError.UNKNOWN_MEMBER_ID, id));
    const sw = member.syncWaiter;
    member.syncWaiter = null;
    sw?.(syncError(GroupError.UNKNOWN_MEMBER_ID));
    this.hooks.log.info({ groupId: this.groupId, memberId: id, reason }, 'member removed');
  }

  private removeMemberAndUpdateGroup(member: Member, reason: string): void {
    this.removeMember(member, reason);
    switch (this.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(`member left: ${reason}`);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin();
        break;
      default:
        break;
    }
  }

  // ---- SyncGroup ----

  sync(req: SyncRequest): Promise<SyncResult> {
    if (this.state === 'Dead') return Promise.resolve(syncError(GroupError.COORDINATOR_NOT_AVAILABLE));
    const err = this.validateMember(req.memberId, req.groupInstanceId);
    if (err !== GroupError.NONE) return Promise.resolve(syncError(err));
    if (req.generationId !== this.generationId) return Promise.resolve(syncError(GroupError.ILLEGAL_GENERATION));
    if (
      (req.protocolType !== null && req.protocolType !== this.protocolType) ||
      (req.protocolName !== null && req.protocolName !== this.protocolName)
    ) {
      return Promise.resolve(syncError(GroupError.INCONSISTENT_GROUP_PROTOCOL));
    }
    const member = this.members.get(req.memberId)!;
    try {
      switch (this.state) {
        case 'PreparingRebalance':
          return Promise.resolve(syncError(GroupError.REBALANCE_IN_PROGRESS));
        case 'CompletingRebalance': {
          member.syncWaiter?.(syncError(GroupError.REBALANCE_IN_PROGRESS));
          const result = new Promise<SyncResult>((resolve) => {
            member.syncWaiter = resolve;
          });
          this.pendingSync.delete(member.memberId);
          if (member.memberId === this.leaderId) this.applyLeaderAssignment(req.assignments);
          return result;
        }
        case 'Stable':
          this.pendingSync.delete(member.memberId);
          member.sessionDeadline = this.hooks.clock.now() + member.sessionTimeoutMs;
          return Promise.resolve(this.syncOk(member));
        default:
          return Promise.resolve(syncError(GroupError.UNKNOWN_MEMBER_ID));
      }
    } finally {
      this.armTimer();
    }
  }

  private syncOk(member: Member): SyncResult {
    return {
      errorCode: GroupError.NONE,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      assignment: member.assignment,
    };
  }

  private applyLeaderAssignment(assignments: { memberId: string; assignment: Buffer }[]): void {
    const byId = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of this.members.values()) m.assignment = byId.get(m.memberId) ?? EMPTY;
    try {
      this.hooks.storeGroup(this);
    } catch (err) {
      this.hooks.log.warn({ groupId: this.groupId, err: String(err) }, 'storing group assignment failed');
      this.propagateSyncError(GroupError.UNKNOWN_SERVER_ERROR);
      this.prepareRebalance('storing the assignment failed');
      return;
    }
    this.transition('Stable');
    const now = this.hooks.clock.now();
    for (const m of this.members.values()) {
      const w = m.syncWaiter;
      m.syncWaiter = null;
      if (w) {
        m.sessionDeadline = now + m.sessionTimeoutMs;
        w(this.syncOk(m));
      }
    }
    this.hooks.log.info({ groupId: this.groupId, generationId: this.generationId }, 'group stable');
  }

  // ---- Heartbeat ----

  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.state === 'Dead') return GroupError.COORDINATOR_NOT_AVAILABLE;
    const err = this.validateMember(memberId, groupInstanceId);
    if (err !== GroupError.NONE) return err;
    if (generationId !== this.generationId) return GroupError.ILLEGAL_GENERATION;
    const member = this.members.get(memberId)!;
    member.sessionDeadline = this.hooks.clock.now() + member.sessionTimeoutMs;
    this.armTimer();
    switch (this.state) {
      case 'PreparingRebalance':
        return GroupError.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        return GroupError.NONE;
      default:
        return GroupError.UNKNOWN_MEMBER_ID;
    }
  }

  // ---- LeaveGroup ----

  leave(leaving: LeaveMember[]): LeaveResult {
    if (this.state === 'Dead') {
      return {
        errorCode: GroupError.COORDINATOR_NOT_AVAILABLE,
        members: leaving.map((l) => ({ ...l, errorCode: GroupError.COORDINATOR_NOT_AVAILABLE })),
      };
    }
    const members = leaving.map((l) => {
      const errorCode = this.leaveOne(l);
      return { memberId: l.memberId, groupInstanceId: l.groupInstanceId, errorCode };
    });
    this.armTimer();
    return { errorCode: GroupError.NONE, members };
  }

  private leaveOne(l: LeaveMember): number {
    let memberId = l.memberId;
    if (memberId === '' && l.groupInstanceId !== null) {
      // Admin removal of a static member by instance id (KIP-345).
      const id = this.staticMembers.get(l.groupInstanceId);
      if (id === undefined) return GroupError.UNKNOWN_MEMBER_ID;
      memberId = id;
    } else if (this.pendingMembers.has(memberId)) {
      this.pendingMembers.delete(memberId);
      this.tryCompleteJoin();
      return GroupError.NONE;
    } else {
      const err = this.validateMember(memberId, l.groupInstanceId);
      if (err !== GroupError.NONE) return err;
    }
    const member = this.members.get(memberId);
    if (!member) return GroupError.UNKNOWN_MEMBER_ID;
    this.removeMemberAndUpdateGroup(member, l.reason ? `left: ${l.reason}` : 'left the group');
    return GroupError.NONE;
  }

  // ---- OffsetCommit checks ----

  /** The group-level checks for OffsetCommit; NONE means the commit may be written. */
  validateCommit(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.state === 'Dead') return GroupError.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && this.isEmpty) return GroupError.NONE; // standalone consumer: offsets only
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current !== undefined && current !== memberId) return GroupError.FENCED_INSTANCE_ID;
    }
    const member = this.members.get(memberId);
    if (!member) return GroupError.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return GroupError.ILLEGAL_GENERATION;
    if (this.state === 'CompletingRebalance') return GroupError.REBALANCE_IN_PROGRESS;
    // A commit is as good as a heartbeat.
    member.sessionDeadline = this.hooks.clock.now() + member.sessionTimeoutMs;
    this.armTimer();
    return GroupError.NONE;
  }

  // ---- lifecycle ----

  /** Marks the group dead (deleted or coordinator closing); waiters get the error. */
  markDead(errorCode: number = GroupError.COORDINATOR_NOT_AVAILABLE): void {
    for (const m of this.members.values()) {
      const jw = m.joinWaiter;
      m.joinWaiter = null;
      jw?.(joinError(errorCode, m.memberId));
      const sw = m.syncWaiter;
      m.syncWaiter = null;
      sw?.(syncError(errorCode));
    }
    this.transition('Dead');
    this.stopTimer();
  }

  /** Restores a group read back from __consumer_offsets: members come back Stable with fresh sessions. */
  restore(snapshot: {
    protocolType: string;
    generationId: number;
    protocolName: string | null;
    leaderId: string | null;
    currentStateTimestamp: number;
    members: {
      memberId: string;
      groupInstanceId: string | null;
      clientId: string;
      clientHost: string;
      rebalanceTimeoutMs: number;
      sessionTimeoutMs: number;
      subscription: Buffer;
      assignment: Buffer;
    }[];
  }): void {
    const now = this.hooks.clock.now();
    this.protocolType = snapshot.protocolType === '' ? null : snapshot.protocolType;
    this.generationId = snapshot.generationId;
    this.protocolName = snapshot.protocolName;
    this.leaderId = snapshot.leaderId;
    this.members.clear();
    this.staticMembers.clear();
    for (const s of snapshot.members) {
      const m = new Member(
        s.memberId,
        s.groupInstanceId,
        s.clientId,
        s.clientHost,
        s.sessionTimeoutMs,
        s.rebalanceTimeoutMs,
        snapshot.protocolType,
        [{ name: snapshot.protocolName ?? '', metadata: s.subscription }],
      );
      m.assignment = s.assignment;
      m.sessionDeadline = now + s.sessionTimeoutMs;
      this.members.set(m.memberId, m);
      if (m.groupInstanceId !== null) this.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    this.state = this.isEmpty ? 'Empty' : 'Stable';
    this.currentStateTimestamp = snapshot.currentStateTimestamp >= 0 ? snapshot.currentStateTimestamp : now;
    this.armTimer();
  }

  // ---- timers ----

  nextDeadline(): number {
    let next = Number.POSITIVE_INFINITY;
    if (this.state === 'Dead') return next;
    if (this.state === 'PreparingRebalance') next = Math.min(next, this.joinDeadline);
    if (this.pendingSync.size > 0) next = Math.min(next, this.syncDeadline);
    for (const d of this.pendingMembers.values()) next = Math.min(next, d);
    for (const m of this.members.values()) {
      if (!m.joinWaiter && !m.syncWaiter) next = Math.min(next, m.sessionDeadline);
    }
    return next;
  }

  /** Fires every deadline that has passed. Called by the group's timer (or tests). */
  tick(): void {
    const now = this.hooks.clock.now();
    if (this.state === 'Dead') return;
    for (const [id, deadline] of [...this.pendingMembers]) {
      if (deadline <= now) this.pendingMembers.delete(id);
    }
    for (const m of [...this.members.values()]) {
      if (!m.joinWaiter && !m.syncWaiter && m.sessionDeadline <= now && this.members.get(m.memberId) === m) {
        this.removeMemberAndUpdateGroup(m, 'session timeout');
      }
    }
    if (
      this.pendingSync.size > 0 &&
      this.syncDeadline <= now &&
      (this.state === 'CompletingRebalance' || this.state === 'Stable')
    ) {
      // Members that never sent SyncGroup for this generation hold partitions nobody consumes.
      for (const id of [...this.pendingSync]) {
        const m = this.members.get(id);
        if (m) this.removeMember(m, 'no SyncGroup within the rebalance timeout');
      }
      this.pendingSync.clear();
      this.prepareRebalance('members failed to sync');
    }
    if (this.state === 'PreparingRebalance' && this.joinDeadline <= now) {
      const delay = this.initialDelay;
      if (delay !== null && this.newMemberAdded && delay.remainingMs > 0) {
        // New members keep arriving: wait one more delay, bounded by the rebalance timeout.
        const step = Math.min(this.hooks.config.initialRebalanceDelayMs, delay.remainingMs);
        delay.remainingMs = Math.max(delay.remainingMs - step, 0);
        this.newMemberAdded = false;
        this.joinDeadline = now + step;
      } else {
        this.completeJoin();
      }
    } else {
      this.tryCompleteJoin();
    }
    this.armTimer();
  }

  private armTimer(): void {
    const next = this.nextDeadline();
    if (next === this.timerAt) return;
    this.stopTimer();
    if (!Number.isFinite(next)) return;
    this.timerAt = next;
    const delay = Math.max(0, next - this.hooks.clock.now());
    this.cancelTimer = this.hooks.clock.setTimer(() => {
      this.cancelTimer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.tick();
    }, delay);
  }

  stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}

/**
 * Topic names from ConsumerProtocolSubscription (v0-3, never flexible):
 * int16 version, then an int32-counted array of int16-length strings.
 */
export function parseSubscriptionTopics(buf: Buffer): string[] {
  try {
    if (buf.length < 6) return [];
    let pos = 2;
    const n = buf.readInt32BE(pos);
    pos += 4;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = buf.readInt16BE(pos);
      pos += 2;
      if (len < 0 || pos + len > buf.length) return topics;
      topics.push(buf.toString('utf8', pos, pos + len));
      pos += len;
    }
    return topics;
  } catch {
    return [];
  }
}

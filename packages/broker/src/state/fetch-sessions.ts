// Incremental fetch sessions (KIP-227), modelled on Kafka's FetchSession/FetchSessionCache.
// A session remembers the partitions a consumer fetches and what it last told the consumer
// (high watermark, log start offset), so later requests and responses carry only what changed.
// Pure state: no protocol types, no I/O. The Fetch handler maps SessionError to error codes.

/** Session epoch values from the protocol (FetchMetadata.java). */
export const INVALID_SESSION_ID = 0;
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

export type SessionError = 'session-id-not-found' | 'invalid-session-epoch' | 'topic-id-mismatch';

/** One partition as the client asked for it. `key` identifies it within a session (topic id or name + index). */
export interface SessionPartitionRequest {
  key: string;
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
  currentLeaderEpoch: number;
}

/** A partition the session tracks, with the values last sent for it. */
export interface SessionPartition extends SessionPartitionRequest {
  highWatermark: bigint;
  logStartOffset: bigint;
  lastStableOffset: bigint;
}

/** What a read produced for a partition; compared with the cached values to decide if it must be sent. */
export interface PartitionOutcome {
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  recordBytes: number;
}

export interface FetchSessionRequest {
  sessionId: number;
  sessionEpoch: number;
  usesTopicIds: boolean;
  partitions: SessionPartitionRequest[];
  /** Keys (same scheme as SessionPartitionRequest.key) to drop from the session. */
  forgotten: string[];
}

export type FetchContext =
  | { kind: 'error'; error: SessionError }
  | SessionlessContext
  | FullContext
  | IncrementalContext;

interface ContextBase {
  /** Partitions to read, in response order. */
  readonly partitions: readonly SessionPartitionRequest[];
}

/** Legacy (pre-v7) or FINAL_EPOCH full fetch: no session is kept. */
export interface SessionlessContext extends ContextBase {
  kind: 'sessionless';
}

/** Full fetch at INITIAL_EPOCH: answers every partition and may open a session. */
export interface FullContext extends ContextBase {
  kind: 'full';
  /** Opens a session (if the cache has room) and returns its id, or INVALID_SESSION_ID. */
  finish(outcomes: readonly PartitionOutcome[]): { sessionId: number; respond: boolean[] };
}

/** Fetch within an existing session: answers only partitions whose state changed. */
export interface IncrementalContext extends ContextBase {
  kind: 'incremental';
  sessionId: number;
  finish(outcomes: readonly PartitionOutcome[]): { sessionId: number; respond: boolean[] };
}

interface Session {
  id: number;
  epoch: number;
  usesTopicIds: boolean;
  /** Insertion order is response order; partitions that returned data rotate to the end for fairness. */
  partitions: Map<string, SessionPartition>;
  lastUsedMs: number;
}

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots */
  maxSessions?: number;
  /** min.incremental.fetch.session.eviction.ms: a session unused this long may be evicted for a new one. */
  evictionMs?: number;
  now?: () => number;
  /** Session id source (tests); must return a positive int32. */
  randomId?: () => number;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, Session>();
  private readonly maxSessions: number;
  private readonly evictionMs: number;
  private readonly now: () => number;
  private readonly randomId: () => number;

  constructor(options: FetchSessionCacheOptions = {}) {
    this.maxSessions = options.maxSessions ?? 1000;
    this.evictionMs = options.evictionMs ?? 120_000;
    this.now = options.now ?? Date.now;
    this.randomId = options.randomId ?? (() => 1 + Math.floor(Math.random() * 0x7ffffffe));
  }

  get size(): number {
    return this.sessions.size;
  }

  has(sessionId: number): boolean {
    return this.sessions.has(sessionId);
  }

  /** Decides how a fetch request relates to sessions (FetchManager.newContext). */
  newContext(req: FetchSessionRequest): FetchContext {
    const isFull = req.sessionEpoch === INITIAL_EPOCH || req.sessionEpoch === FINAL_EPOCH;
    if (isFull) {
      // A full request ends whatever session it names, then starts afresh.
      if (req.sessionId !== INVALID_SESSION_ID) this.sessions.delete(req.sessionId);
      const partitions = dedupe(req.partitions);
      if (req.sessionEpoch === FINAL_EPOCH) return { kind: 'sessionless', partitions };
      return {
        kind: 'full',
        partitions,
        finish: (outcomes) => {
          const id = this.maybeCreate(req.usesTopicIds, partitions, outcomes);
          return { sessionId: id, respond: partitions.map(() => true) };
        },
      };
    }

    const session = this.sessions.get(req.sessionId);
    if (!session) return { kind: 'error', error: 'session-id-not-found' };
    if (session.epoch !== req.sessionEpoch) return { kind: 'error', error: 'invalid-session-epoch' };
    if (session.usesTopicIds !== req.usesTopicIds) return { kind: 'error', error: 'topic-id-mismatch' };

    for (const p of req.partitions) {
      const cached = session.partitions.get(p.key);
      if (cached) {
        cached.fetchOffset = p.fetchOffset;
        cached.maxBytes = p.maxBytes;
        cached.currentLeaderEpoch = p.currentLeaderEpoch;
        // The name can appear once an unknown topic id becomes known.
        cached.topic = p.topic;
      } else {
        session.partitions.set(p.key, { ...p, highWatermark: -1n, logStartOffset: -1n, lastStableOffset: -1n });
      }
    }
    for (const key of req.forgotten) session.partitions.delete(key);

    if (session.partitions.size === 0) {
      // Kafka closes an emptied session and answers sessionless.
      this.sessions.delete(session.id);
      return { kind: 'sessionless', partitions: [] };
    }
    session.lastUsedMs = this.now();
    session.epoch = nextEpoch(session.epoch);
    const entries = [...session.partitions.values()];
    return {
      kind: 'incremental',
      sessionId: session.id,
      partitions: entries,
      finish: (outcomes) => {
        const respond = entries.map((cached, i) => {
          const out = outcomes[i];
          if (!out) return false;
          const must = mustRespond(cached, out);
          if (out.recordBytes > 0 && session.partitions.get(cached.key) === cached) {
            // Rotate partitions that returned data behind the others, so a busy one can't starve the rest.
            session.partitions.delete(cached.key);
            session.partitions.set(cached.key, cached);
          }
          return must;
        });
        return { sessionId: session.id, respond };
      },
    };
  }

  /** Removes every session (broker shutdown). */
  clear(): void {
    this.sessions.clear();
  }

  private maybeCreate(
    usesTopicIds: boolean,
    partitions: readonly SessionPartitionRequest[],
    outcomes: readonly PartitionOutcome[],
  ): number {
    if (this.maxSessions <= 0) return INVALID_SESSION_ID;
    const now = this.now();
    if (this.sessions.size >= this.maxSessions && !this.evictOne(partitions.length, now)) return INVALID_SESSION_ID;
    let id = this.randomId();
    while (id === INVALID_SESSION_ID || this.sessions.has(id)) id = this.randomId();
    const map = new Map<string, SessionPartition>();
    partitions.forEach((p, i) => {
      const out = outcomes[i];
      map.set(p.key, {
        ...p,
        // After an error, -1 guarantees the partition is re-sent once it recovers.
        highWatermark: out?.errorCode === 0 ? out.highWatermark : -1n,
        logStartOffset: out?.logStartOffset ?? -1n,
        lastStableOffset: out?.lastStableOffset ?? -1n,
      });
    });
    this.sessions.set(id, { id, epoch: nextEpoch(INITIAL_EPOCH), usesTopicIds, partitions: map, lastUsedMs: now });
    return id;
  }

  /** Frees a slot: the least recently used stale session, else the smallest session if the newcomer is bigger. */
  private evictOne(newSize: number, now: number): boolean {
    let stalest: Session | undefined;
    let smallest: Session | undefined;
    for (const s of this.sessions.values()) {
      if (now - s.lastUsedMs >= this.evictionMs && (!stalest || s.lastUsedMs < stalest.lastUsedMs)) stalest = s;
      if (!smallest || s.partitions.size < smallest.partitions.size) smallest = s;
    }
    const victim = stalest ?? (smallest && smallest.partitions.size < newSize ? smallest : undefined);
    if (!victim) return false;
    this.sessions.delete(victim.id);
    return true;
  }
}

function nextEpoch(epoch: number): number {
  // Epochs wrap to 1 (0 means "new session"), as FetchMetadata.nextEpoch does.
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}

function mustRespond(cached: SessionPartition, out: PartitionOutcome): boolean {
  let must = out.recordBytes > 0;
  if (cached.highWatermark !== out.highWatermark) {
    cached.highWatermark = out.highWatermark;
    must = true;
  }
  if (cached.logStartOffset !== out.logStartOffset) {
    cached.logStartOffset = out.logStartOffset;
    must = true;
  }
  if (cached.lastStableOffset !== out.lastStableOffset) {
    cached.lastStableOffset = out.lastStableOffset;
    must = true;
  }
  if (out.errorCode !== 0) {
    cached.highWatermark = -1n;
    must = true;
  }
  return must;
}

/** A request naming a partition twice keeps the last entry, as Kafka's map-based request does. */
function dedupe(partitions: readonly SessionPartitionRequest[]): SessionPartitionRequest[] {
  const byKey = new Map<string, SessionPartitionRequest>();
  for (const p of partitions) byKey.set(p.key, p);
  return [...byKey.values()];
}

// Serves stored batches as stored (chunks by reference), long-polling on maxWaitMs/minBytes, with KIP-227
// incremental sessions, KIP-74 byte limits, and read_committed up to the last stable offset.
// Versions 0-17 (flexible from 12; v0-3 get down-converted message sets: magic 0 for v0-1, magic 1 for v2-3).
// Errors: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, OFFSET_OUT_OF_RANGE, FENCED/UNKNOWN_LEADER_EPOCH,
// UNSUPPORTED_COMPRESSION_TYPE (zstd batches for v0-3, a compression.type=zstd topic for v0-9),
// UNSUPPORTED_VERSION (v0-3 on a topic with message.downconversion.enable=false), FETCH_SESSION_ID_NOT_FOUND,
// INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR.
import {
  convertBatchesToLegacy,
  ErrorCode,
  FetchRequest,
  FetchResponse,
  type FetchResponseAbortedTransaction,
  type FetchResponseFetchableTopicResponse,
  type FetchResponsePartitionData,
  RECORD_BATCH_HEADER_SIZE,
  RecordBatchView,
  UnsupportedDownConversionError,
} from '@brook/protocol';
import type { PartitionLog } from '@brook/storage';
import { defineHandler, type RequestContext } from '../handler.js';
import { lastReadableOffset, leaderEpochError } from '../state/data-path.js';
import type { PartitionOutcome, SessionError, SessionPartitionRequest } from '../state/fetch-sessions.js';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const EMPTY: Buffer = Buffer.alloc(0);
const INT32_MAX = 0x7fffffff;
/**
 * A partition's read ends at the next stored-chunk boundary past this many bytes, so large reads are
 * sent by reference instead of being concatenated (1 MiB joins cost a copy and, as ArrayBuffer
 * allocations, frequent full GCs). A request's minBytes raises it, so a long poll is still satisfied.
 */
const FETCH_SPLIT_AT = 256 * 1024;

const SESSION_ERRORS: Record<SessionError, number> = {
  'session-id-not-found': ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
  'invalid-session-epoch': ErrorCode.INVALID_FETCH_SESSION_EPOCH,
  'topic-id-mismatch': ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR,
};

interface PartitionRead {
  data: FetchResponsePartitionData;
  outcome: PartitionOutcome;
  log: PartitionLog | null;
}

export const fetch = defineHandler(
  FetchRequest,
  FetchResponse,
  { min: 0, max: 17 },
  async (req, ctx) => {
    const version = ctx.apiVersion;
    const { topics } = ctx.broker;
    const dataPath = ctx.broker.dataPath;
    const usesTopicIds = version >= 13;

    const requested: SessionPartitionRequest[] = [];
    for (const t of req.topics) {
      const topicId = usesTopicIds ? (t.topicId ?? ZERO_UUID) : (topics.get(t.topic ?? '')?.topicId ?? ZERO_UUID);
      const name = usesTopicIds ? (topics.getById(topicId)?.name ?? '') : (t.topic ?? '');
      for (const p of t.partitions) {
        requested.push({
          key: `${usesTopicIds ? topicId : name}:${p.partition}`,
          topic: name,
          topicId,
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          maxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
        });
      }
    }

    const context =
      version < 7
        ? { kind: 'sessionless' as const, partitions: requested }
        : dataPath.fetchSessions.newContext({
            sessionId: req.sessionId ?? 0,
            sessionEpoch: req.sessionEpoch ?? -1,
            usesTopicIds,
            partitions: requested,
            forgotten: (req.forgottenTopicsData ?? []).flatMap((f) =>
              f.partitions.map((p) => `${usesTopicIds ? (f.topicId ?? ZERO_UUID) : (f.topic ?? '')}:${p}`),
            ),
          });
    if (context.kind === 'error') {
      return { throttleTimeMs: 0, errorCode: SESSION_ERRORS[context.error], sessionId: 0, responses: [] };
    }

    const isolationLevel = version >= 4 ? (req.isolationLevel ?? 0) : 0;
    const maxBytes = Math.min(
      version >= 3 ? (req.maxBytes ?? INT32_MAX) : INT32_MAX,
      ctx.broker.config.getNumber('fetch.max.bytes'),
    );
    const readAll = () => readPartitions(ctx, context.partitions, maxBytes, isolationLevel, req.minBytes);

    // Long poll: answer once minBytes are there, on any error, or at the deadline (Kafka's DelayedFetch).
    const deadline = Date.now() + req.maxWaitMs;
    let reads = readAll();
    while (req.maxWaitMs > 0 && req.minBytes > 0 && !reads.error && reads.bytes < req.minBytes) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const logs = reads.parts.flatMap((r) => (r.log ? [r.log] : []));
      const appended = await dataPath.appendWaiters.wait(logs, remaining);
      reads = readAll();
      if (!appended) break;
    }

    const outcomes = reads.parts.map((r) => r.outcome);
    const finished = context.kind === 'sessionless' ? null : context.finish(outcomes);
    const responses: FetchResponseFetchableTopicResponse[] = [];
    let current: FetchResponseFetchableTopicResponse | null = null;
    let currentKey = '';
    context.partitions.forEach((sp, i) => {
      if (finished && !finished.respond[i]) return;
      const read = reads.parts[i]!;
      const key = usesTopicIds ? sp.topicId : sp.topic;
      // Consecutive partitions of one topic share an entry, as Kafka's FetchResponse.of builds them.
      if (!current || key !== currentKey) {
        current = usesTopicIds ? { topicId: sp.topicId, partitions: [] } : { topic: sp.topic, partitions: [] };
        currentKey = key;
        responses.push(current);
      }
      current.partitions.push(read.data);
    });
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: finished?.sessionId ?? 0,
      responses,
    };
  },
  {
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, sessionId: 0, responses: [] }),
  },
);

/**
 * One pass over the partitions in response order. The response limit shrinks as data is found; the
 * first batch of the first partition with data is sent whole even when larger (KIP-74). v0-2 get this
 * too: Kafka would send a truncated message there, which old clients can only report as too large.
 */
function readPartitions(
  ctx: RequestContext,
  partitions: readonly SessionPartitionRequest[],
  maxBytes: number,
  isolationLevel: number,
  minBytes: number,
): { parts: PartitionRead[]; bytes: number; error: boolean } {
  let remaining = maxBytes;
  let minOneBatch = true;
  let bytes = 0;
  let error = false;
  const parts = partitions.map((sp) => {
    const read = readPartition(ctx, sp, Math.min(sp.maxBytes, remaining), minOneBatch, isolationLevel, minBytes);
    const n = read.outcome.recordBytes;
    if (n > 0) minOneBatch = false;
    remaining = Math.max(0, remaining - n);
    bytes += n;
    if (read.data.errorCode !== ErrorCode.NONE) error = true;
    return read;
  });
  return { parts, bytes, error };
}

function readPartition(
  ctx: RequestContext,
  sp: SessionPartitionRequest,
  maxBytes: number,
  minOneBatch: boolean,
  isolationLevel: number,
  minBytes: number,
): PartitionRead {
  const version = ctx.apiVersion;
  const fail = (errorCode: number, log: PartitionLog | null = null): PartitionRead => {
    const offsets = {
      highWatermark: log ? log.highWatermark : -1n,
      lastStableOffset: log ? log.lastStableOffset : -1n,
      logStartOffset: log ? log.logStartOffset : -1n,
    };
    return {
      data: partitionData(version, sp.partition, errorCode, offsets, isolationLevel === 1 ? [] : null, EMPTY),
      outcome: { errorCode, ...offsets, recordBytes: 0 },
      log: null,
    };
  };

  const topic = sp.topic === '' ? undefined : ctx.broker.topics.get(sp.topic);
  if (!topic || (version >= 13 && topic.topicId !== sp.topicId)) {
    return fail(version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  const log =
    sp.partition >= 0 && sp.partition < topic.partitions ? ctx.broker.logs.get(sp.topic, sp.partition) : undefined;
  if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (version < 10) {
    // Kafka's maybeConvertFetchedData: a zstd topic needs fetch v10+, and v0-3 (always down-converted)
    // are refused where the topic disables down-conversion. Both answer without offsets, as Kafka does.
    const policy = ctx.broker.topics.policy(topic);
    if (policy.compressionType === 'zstd') return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    if (version <= 3 && !policy.downconversionEnable) return fail(ErrorCode.UNSUPPORTED_VERSION);
  }
  const epochError = leaderEpochError(version >= 9 ? sp.currentLeaderEpoch : -1);
  if (epochError !== ErrorCode.NONE) return fail(epochError, log);
  if (sp.fetchOffset < log.logStartOffset || sp.fetchOffset > log.logEndOffset) {
    return fail(ErrorCode.OFFSET_OUT_OF_RANGE, log);
  }

  const maxOffset = lastReadableOffset(log, isolationLevel);
  let records: Buffer = EMPTY;
  let recordBytes = 0;
  let aborted: FetchResponseAbortedTransaction[] | null = isolationLevel === 1 ? [] : null;
  if (sp.fetchOffset < maxOffset && (maxBytes > 0 || minOneBatch)) {
    // Whole stored chunks up to FETCH_SPLIT_AT (or minBytes) go out by reference; only a read made of
    // several smaller chunks is joined below.
    const splitAt = Math.max(FETCH_SPLIT_AT, minBytes);
    const r = log.read(sp.fetchOffset, maxBytes, { maxOffset, minOneBatch, splitAt });
    recordBytes = r.bytes;
    // One chunk (the common case) goes out by reference; several are joined once.
    records = r.chunks.length === 0 ? EMPTY : r.chunks.length === 1 ? r.chunks[0]! : Buffer.concat(r.chunks, r.bytes);
    if (isolationLevel === 1 && records.length > 0) {
      // read_committed: the aborted transactions overlapping the returned batches, so the client can drop them.
      aborted = log
        .abortedTransactions(sp.fetchOffset, nextOffsetAfter(r.chunks[r.chunks.length - 1]!))
        .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
    }
    if (version < 4 && records.length > 0) {
      try {
        records = convertBatchesToLegacy(records, version < 2 ? 0 : 1);
      } catch (err) {
        if (err instanceof UnsupportedDownConversionError) return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, log);
        throw err;
      }
    }
  }
  // Watermarks after the read: an append may have landed since the checks above.
  const offsets = {
    highWatermark: log.highWatermark,
    lastStableOffset: log.lastStableOffset,
    logStartOffset: log.logStartOffset,
  };
  return {
    data: partitionData(version, sp.partition, ErrorCode.NONE, offsets, aborted, records),
    outcome: { errorCode: ErrorCode.NONE, ...offsets, recordBytes },
    log,
  };
}

/** Offset after the last batch of a chunk of whole batches (a walk over batch headers only). */
function nextOffsetAfter(chunk: Buffer): bigint {
  let pos = 0;
  let next = -1n;
  while (pos + RECORD_BATCH_HEADER_SIZE <= chunk.length) {
    const view = new RecordBatchView(chunk, pos);
    next = view.nextOffset;
    pos += view.sizeInBytes;
  }
  return next;
}

function partitionData(
  version: number,
  partitionIndex: number,
  errorCode: number,
  offsets: { highWatermark: bigint; lastStableOffset: bigint; logStartOffset: bigint },
  abortedTransactions: FetchResponseAbortedTransaction[] | null,
  records: Buffer,
): FetchResponsePartitionData {
  const data: FetchResponsePartitionData = { partitionIndex, errorCode, highWatermark: offsets.highWatermark, records };
  if (version >= 4) {
    data.lastStableOffset = offsets.lastStableOffset;
    // null for read_uncommitted, as Kafka sends it.
    data.abortedTransactions = abortedTransactions;
  }
  if (version >= 5) data.logStartOffset = offsets.logStartOffset;
  if (version >= 11) data.preferredReadReplica = -1;
  return data;
}

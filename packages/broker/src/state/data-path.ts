// State and lookups shared by the data-path handlers (Produce, Fetch, ListOffsets, OffsetForLeaderEpoch,
// DeleteRecords, InitProducerId, DescribeProducers): producer ids, fetch sessions, long-poll waiters,
// and partition resolution with the error code Kafka gives when a partition cannot be served.
import { ErrorCode } from '@brook/protocol';
import type { PartitionLog } from '@brook/storage';
import type { BrokerConfig } from '../config.js';
import { AppendWaiters } from './append-waiters.js';
import type { Component } from './broker-state.js';
import { FetchSessionCache } from './fetch-sessions.js';
import { ProducerIdManager } from './producer-ids.js';
import type { TopicInfo, TopicRegistry } from './topics.js';

/**
 * The leader epoch of every partition. One broker is always the leader and never changes, so the epoch
 * stays 0 (Kafka's first epoch); replication will track real epochs per partition.
 */
export const LEADER_EPOCH = 0;

export class DataPathState implements Component {
  readonly name = 'data-path';
  readonly producerIds: ProducerIdManager;
  readonly fetchSessions: FetchSessionCache;
  readonly appendWaiters = new AppendWaiters();

  constructor(config: BrokerConfig, dataDir: string | null) {
    this.producerIds = ProducerIdManager.open(dataDir);
    this.fetchSessions = new FetchSessionCache({
      maxSessions: config.getNumber('max.incremental.fetch.session.cache.slots'),
    });
  }

  close(): void {
    // Parked fetches answer with what they have; sessions die with the process, as in Kafka.
    this.appendWaiters.close();
    this.fetchSessions.clear();
  }
}

export type ResolvedPartition = { topic: TopicInfo; log: PartitionLog; errorCode: 0 } | { errorCode: number };

/** The log of topic/partition, or the per-partition error Kafka answers with. */
export function resolvePartition(
  topics: TopicRegistry,
  logs: { get(topic: string, partition: number): PartitionLog | undefined },
  name: string,
  partition: number,
): ResolvedPartition {
  const topic = topics.get(name);
  if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  if (partition < 0 || partition >= topic.partitions) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  const log = logs.get(name, partition);
  if (!log) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  return { topic, log, errorCode: 0 };
}

/** KIP-320 fencing: -1 skips the check; an older epoch is fenced, a newer one is not known yet. */
export function leaderEpochError(currentLeaderEpoch: number | undefined): number {
  if (currentLeaderEpoch === undefined || currentLeaderEpoch === -1) return ErrorCode.NONE;
  if (currentLeaderEpoch < LEADER_EPOCH) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > LEADER_EPOCH) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}

/** Offsets a consumer may see: the high watermark, or the last stable offset for read_committed (1). */
export function lastReadableOffset(log: PartitionLog, isolationLevel: number | undefined): bigint {
  return isolationLevel === 1 ? log.lastStableOffset : log.highWatermark;
}

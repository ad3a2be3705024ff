// Wires the transaction coordinator into the broker: config keys, producer ids, partition logs, the
// group coordinator (TxnOffsetCommit), and __transaction_state as an internal compacted topic.
import { ErrorCode } from '@brook/protocol';
import type { BrokerState } from '../broker-state.js';
import { LEADER_EPOCH } from '../data-path.js';
import { openInternalTopicLog } from '../groups/broker-groups.js';
import { CONSUMER_OFFSETS_TOPIC } from '../groups/offsets-topic.js';
import { TransactionCoordinator } from './coordinator.js';
import { TRANSACTION_STATE_TOPIC } from './txn-log.js';

export function createBrokerTransactionCoordinator(state: BrokerState): TransactionCoordinator {
  const cfg = state.config;
  const log = state.log.child({ component: 'transactions' });
  return new TransactionCoordinator({
    config: {
      maxTimeoutMs: cfg.getNumber('transaction.max.timeout.ms'),
      abortCheckIntervalMs: cfg.getNumber('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
      idExpirationMs: cfg.getNumber('transactional.id.expiration.ms'),
      expireCheckIntervalMs: cfg.getNumber('transaction.remove.expired.transaction.cleanup.interval.ms'),
      leaderEpoch: LEADER_EPOCH,
    },
    logger: log,
    // Storage and topics are open before components start. The topic is created when first needed
    // (the first transactional InitProducerId), as Kafka does.
    openLog: async () =>
      openInternalTopicLog(state, log, TRANSACTION_STATE_TOPIC, {
        partitions: cfg.getNumber('transaction.state.log.num.partitions'),
        compressionType: 'uncompressed',
        segmentBytes: cfg.getNumber('transaction.state.log.segment.bytes'),
      }),
    nextProducerId: () => state.dataPath.producerIds.nextId(),
    partitionLog: (topic, partition) => (state.topics.get(topic) ? state.logs.get(topic, partition) : undefined),
    partitionExists: (topic, partition) => {
      const t = state.topics.get(topic);
      return t !== undefined && partition >= 0 && partition < t.partitions;
    },
    groups: {
      offsetsPartitions: () =>
        state.topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions ?? cfg.getNumber('offsets.topic.num.partitions'),
      validate: (groupId, memberId, groupInstanceId, generationId) => {
        const g = state.groups.group(groupId);
        if (!g) return generationId >= 0 ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.NONE;
        return g.validateCommit(memberId, groupInstanceId, generationId);
      },
      commit: (groupId, topics) => {
        const res = state.groups.commitOffsets(
          groupId,
          '',
          null,
          -1,
          topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              offset: p.offset,
              leaderEpoch: p.leaderEpoch,
              metadata: p.metadata,
            })),
          })),
          { transactional: true },
        );
        const failed = res.flatMap((t) => t.partitions.filter((p) => p.errorCode !== 0));
        if (failed.length > 0) log.warn({ groupId, failed }, 'committing transactional offsets failed');
      },
      metadataMaxBytes: () => cfg.getNumber('offset.metadata.max.bytes'),
    },
  });
}

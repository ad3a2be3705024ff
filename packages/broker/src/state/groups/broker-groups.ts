// Wires the group coordinator into the broker: config keys, logger, and
// __consumer_offsets as an internal compacted topic created on first use.
import type { Logger } from '../../logger.js';
import type { BrokerState } from '../broker-state.js';
import { GroupCoordinator } from './group-coordinator.js';
import { CONSUMER_OFFSETS_TOPIC, TopicOffsetsLog } from './offsets-topic.js';

/**
 * Registers an internal compacted topic (__consumer_offsets, __transaction_state) and opens a log over it;
 * the topic itself is created on first use. An existing topic keeps its partition count: keys hash onto it.
 */
export function openInternalTopicLog(
  state: BrokerState,
  log: Logger,
  name: string,
  spec: { partitions: number; compressionType: string; segmentBytes: number },
): TopicOffsetsLog {
  const topics = state.topics;
  topics.registerInternalTopic(name, () => ({
    partitions: spec.partitions,
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': spec.compressionType,
      'segment.bytes': String(spec.segmentBytes),
    },
  }));
  const existing = topics.get(name);
  return new TopicOffsetsLog({
    numPartitions: existing?.partitions ?? spec.partitions,
    partition: (p) => state.logs.get(name, p),
    ensureTopic: async () => {
      const r = await topics.getOrAutoCreate(name);
      if (typeof r === 'number') throw new Error(`creating ${name} failed with error ${r}`);
    },
    onError: (err) => log.error({ err }, `writing ${name} failed`),
  });
}

export function createBrokerGroupCoordinator(state: BrokerState): GroupCoordinator {
  const cfg = state.config;
  const log = state.log.child({ component: 'groups' });
  return new GroupCoordinator({
    config: {
      initialRebalanceDelayMs: cfg.getNumber('group.initial.rebalance.delay.ms'),
      minSessionTimeoutMs: cfg.getNumber('group.min.session.timeout.ms'),
      maxSessionTimeoutMs: cfg.getNumber('group.max.session.timeout.ms'),
      maxSize: cfg.getNumber('group.max.size'),
      offsetsRetentionMs: cfg.getNumber('offsets.retention.minutes') * 60_000,
      offsetsRetentionCheckIntervalMs: cfg.getNumber('offsets.retention.check.interval.ms'),
      offsetMetadataMaxBytes: cfg.getNumber('offset.metadata.max.bytes'),
    },
    logger: log,
    // Storage and topics open in BrokerState.start(), before components start.
    openLog: async () =>
      openInternalTopicLog(state, log, CONSUMER_OFFSETS_TOPIC, {
        partitions: cfg.getNumber('offsets.topic.num.partitions'),
        compressionType: 'producer',
        segmentBytes: cfg.getNumber('offsets.topic.segment.bytes'),
      }),
  });
}

// Wires the group coordinator into the broker: config keys, logger, and
// __consumer_offsets as an internal compacted topic created on first use.
import type { BrokerState } from '../broker-state.js';
import { GroupCoordinator } from './group-coordinator.js';
import { CONSUMER_OFFSETS_TOPIC, TopicOffsetsLog } from './offsets-topic.js';

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
    openLog: async () => {
      const topics = state.topics;
      const configured = cfg.getNumber('offsets.topic.num.partitions');
      topics.registerInternalTopic(CONSUMER_OFFSETS_TOPIC, () => ({
        partitions: configured,
        configs: {
          'cleanup.policy': 'compact',
          'compression.type': 'producer',
          'segment.bytes': String(cfg.getNumber('offsets.topic.segment.bytes')),
        },
      }));
      // An existing topic keeps its partition count: groups hash onto it.
      const existing = topics.get(CONSUMER_OFFSETS_TOPIC);
      return new TopicOffsetsLog({
        numPartitions: existing?.partitions ?? configured,
        partition: (p) => state.logs.get(CONSUMER_OFFSETS_TOPIC, p),
        ensureTopic: async () => {
          const r = await topics.getOrAutoCreate(CONSUMER_OFFSETS_TOPIC);
          if (typeof r === 'number') throw new Error(`creating ${CONSUMER_OFFSETS_TOPIC} failed with error ${r}`);
        },
        onError: (err) => log.error({ err }, 'writing __consumer_offsets failed'),
      });
    },
  });
}

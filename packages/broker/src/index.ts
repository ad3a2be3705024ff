export type { ConfigDef, TopicConfigDef } from './config.js';
export {
  BROKER_CONFIG_DEFS,
  BrokerConfig,
  ConfigError,
  ConfigSource,
  TOPIC_CONFIG_DEFS,
} from './config.js';
export { BrokerError } from './errors.js';
export type { Handler, RequestContext } from './handler.js';
export { defineHandler, NO_RESPONSE } from './handler.js';
export type { Logger, LogLevel } from './logger.js';
export { createLogger, isLogLevel, silentLogger } from './logger.js';
export {
  heapGrowingPercentFor,
  MALLOC_PRIME_BYTES,
  MIN_HEAP_HEADROOM_BYTES,
  primeMallocReuse,
  SERVER_HEAP_GROWING_PERCENT,
  tuneHeapGrowth,
} from './process-tuning.js';
export type { Broker, StartBrokerOptions } from './server.js';
export { startBroker } from './server.js';
export type { Component } from './state/broker-state.js';
export { BrokerState } from './state/broker-state.js';
export type { TopicInfo } from './state/topics.js';
export { TopicRegistry, topicNameError } from './state/topics.js';

export * from './compression/index.js';
export * from './legacy-message-set.js';
export * from './record-batch.js';
export * from './records.js';

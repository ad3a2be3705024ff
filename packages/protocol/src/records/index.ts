export * from './compression/index.js';
export * from './record-batch.js';
export * from './records.js';

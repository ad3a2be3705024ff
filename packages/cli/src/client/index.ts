export * from './client.js';
export * from './connection.js';
export * from './consumer.js';
export * from './errors.js';
export * from './partitioner.js';

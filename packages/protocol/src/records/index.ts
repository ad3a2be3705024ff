export * from './record-batch.js';

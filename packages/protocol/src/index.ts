// records, frame, crc (owned by records work)
export * from './crc.js';
export * from './frame.js';
export * from './generated/index.js';
export * from './headers.js';
export * from './messages.js';
export * from './primitives/codec.js';
export * from './primitives/errors.js';
export * from './primitives/reader.js';
export * from './primitives/varint.js';
export * from './primitives/writer.js';
export * from './records/index.js';
// end records, frame, crc

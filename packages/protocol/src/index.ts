// --- records / frame / crc (owned by the records engineer) ---
export * from './crc.js';
export * from './frame.js';
export * from './records/index.js';
// --- end records / frame / crc ---

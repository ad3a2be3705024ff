export * from './crc.js';
// --- records / frame / crc (owned by the records engineer) ---
export * from './records/index.js';
// --- end records / frame / crc ---

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRecordBatch, decodeRecords, iterateBatches, type RecordInput } from '@brook/protocol';
import type { ReadResult } from '../src/index.js';

export async function tempDir(prefix = 'brook-storage-'): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function rmDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
}

export interface BatchSpec {
  count?: number;
  valueSize?: number;
  /** Value text; record i gets `${value}-${i}`. */
  value?: string;
  keys?: Array<string | null>;
  values?: Array<string | null>;
  timestamp?: number;
  timestamps?: number[];
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

/** A v2 batch as a producer would send it (base offset 0). */
export function batch(spec: BatchSpec = {}): Buffer {
  const n = spec.keys?.length ?? spec.values?.length ?? spec.count ?? 1;
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const value =
      spec.values !== undefined
        ? spec.values[i]!
        : spec.valueSize !== undefined
          ? Buffer.alloc(spec.valueSize, i & 0xff)
          : `${spec.value ?? 'v'}-${i}`;
    records.push({
      key: spec.keys?.[i] ?? null,
      value,
      ...(spec.timestamps ? { timestamp: spec.timestamps[i]! } : {}),
    });
  }
  return buildRecordBatch({
    records,
    timestamp: spec.timestamp ?? 1_000,
    ...(spec.producerId !== undefined
      ? { producerId: spec.producerId, producerEpoch: spec.producerEpoch ?? 0, baseSequence: spec.baseSequence ?? 0 }
      : {}),
  });
}

export interface ReadRecord {
  offset: bigint;
  timestamp: bigint;
  key: string | null;
  value: string | null;
}

/** Decodes every record of a read (tests only). */
export function records(r: ReadResult | Buffer): ReadRecord[] {
  const buf = Buffer.isBuffer(r) ? r : Buffer.concat(r.chunks);
  const out: ReadRecord[] = [];
  for (const view of iterateBatches(buf)) {
    for (const rec of decodeRecords(view)) {
      out.push({
        offset: rec.offset,
        timestamp: rec.timestamp,
        key: rec.key ? rec.key.toString() : null,
        value: rec.value ? rec.value.toString() : null,
      });
    }
  }
  return out;
}

/** Batch base offsets of a read. */
export function batchBases(r: ReadResult | Buffer): bigint[] {
  const buf = Buffer.isBuffer(r) ? r : Buffer.concat(r.chunks);
  return [...iterateBatches(buf)].map((v) => v.baseOffset);
}

export const silentLogger = { info() {}, warn() {}, error() {} };

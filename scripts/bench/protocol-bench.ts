// Protocol-level micro benchmarks: CRC-32C candidates, record batch build/iterate, frame
// splitting and (when the generated codec is present) Produce/Fetch encode/decode.
// Standalone: `tsx scripts/bench/protocol-bench.ts` prints a table.
import { pathToFileURL } from 'node:url';
import { crc32, crc32cJs, crc32cNative, crc32IeeeJs } from '../../packages/protocol/src/crc.js';
import { FrameSplitter } from '../../packages/protocol/src/frame.js';
import {
  CompressionType,
  iterateBatches,
  RecordBatchView,
  scanBatches,
} from '../../packages/protocol/src/records/record-batch.js';
import {
  buildRecordBatch,
  decodeRecords,
  type RecordInput,
  summarizeRecords,
} from '../../packages/protocol/src/records/records.js';

/** Same shape as scripts/bench/harness.ts's Row (numeric value; the table formats it). */
export interface Row {
  name: string;
  value: number;
  unit: string;
}

const MiB = 1024 * 1024;

/** Runs `fn` repeatedly for ~`ms` (after a warm-up) and returns calls per second (best of `rounds`). */
function rate(fn: () => void, ms = 150, rounds = 3): number {
  const warmEnd = performance.now() + Math.min(100, ms / 2);
  while (performance.now() < warmEnd) fn();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      fn();
      n++;
      t = performance.now();
    }
    best = Math.max(best, n / ((t - t0) / 1000));
  }
  return best;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function gbps(bytes: number, perSec: number): number {
  return round((bytes * perSec) / 1e9);
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

function randomBuffer(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = 0x12345678;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Records resembling a typical produce: 16-byte keys, 200-byte semi-compressible values. */
function sampleRecords(n: number, valueSize = 200): RecordInput[] {
  const text = Buffer.from('{"user":1234,"event":"click","page":"/products/42","ts":1700000000000} ');
  return Array.from({ length: n }, (_, i) => {
    const value = Buffer.allocUnsafe(valueSize);
    for (let j = 0; j < valueSize; j++) value[j] = text[(i + j) % text.length]!;
    return { key: Buffer.from(`key-${String(i).padStart(12, '0')}`), value, timestamp: 1_700_000_000_000 + i };
  });
}

export function crcRows(): Row[] {
  const rows: Row[] = [];
  for (const size of [MiB, 16 * 1024]) {
    const buf = randomBuffer(size);
    const label = size === MiB ? '1 MiB' : '16 KiB';
    // Interleave candidates so both see the same machine state.
    const native: number[] = [];
    const js: number[] = [];
    for (let i = 0; i < 3; i++) {
      native.push(rate(() => crc32cNative(buf), 200, 1));
      js.push(rate(() => crc32cJs(buf), 200, 1));
    }
    rows.push({ name: `crc32c @node-rs/crc32 (${label})`, value: gbps(size, Math.max(...native)), unit: 'GB/s' });
    rows.push({ name: `crc32c crc-32/crc32c buf (${label})`, value: gbps(size, Math.max(...js)), unit: 'GB/s' });
    if (size === MiB) {
      rows.push({
        name: `crc32 (IEEE) @node-rs/crc32 (${label})`,
        value: gbps(
          size,
          rate(() => crc32(buf)),
        ),
        unit: 'GB/s',
      });
      rows.push({
        name: `crc32 (IEEE) crc-32 buf (${label})`,
        value: gbps(
          size,
          rate(() => crc32IeeeJs(buf)),
        ),
        unit: 'GB/s',
      });
    }
  }
  // Small inputs: the per-call overhead of crossing into native code dominates here, which is why
  // crc32c() uses the JS table below CRC32C_NATIVE_THRESHOLD bytes.
  for (const size of [64, 256]) {
    const small = randomBuffer(size);
    const loop = (fn: (b: Buffer) => number) => () => {
      for (let i = 0; i < 100; i++) fn(small);
    };
    const native = (rate(loop(crc32cNative)) * 100) / 1e6;
    const js = (rate(loop(crc32cJs)) * 100) / 1e6;
    rows.push({ name: `crc32c @node-rs/crc32 (${size} B)`, value: round(native), unit: 'M ops/s' });
    rows.push({ name: `crc32c crc-32/crc32c buf (${size} B)`, value: round(js), unit: 'M ops/s' });
  }
  return rows;
}

export function recordRows(): Row[] {
  const rows: Row[] = [];
  const n = 1000;
  const records = sampleRecords(n);
  const rawBytes = records.reduce((s, r) => s + (r.key as Buffer).length + (r.value as Buffer).length, 0);
  const codecs: [string, CompressionType][] = [
    ['none', CompressionType.None],
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ];
  for (const [name, codec] of codecs) {
    const build = () => buildRecordBatch({ baseOffset: 0n, records, compression: codec, timestamp: 0 });
    const batch = build();
    const view = new RecordBatchView(batch);
    const builds = rate(build, codec === CompressionType.Gzip ? 400 : 250);
    const decodes = rate(() => decodeRecords(view));
    rows.push({ name: `build batch (${n} x 216 B, ${name})`, value: round((builds * n) / 1e6), unit: 'M records/s' });
    rows.push({
      name: `decodeRecords (${n} x 216 B, ${name})`,
      value: round((decodes * n) / 1e6),
      unit: 'M records/s',
    });
    if (codec === CompressionType.None) {
      rows.push({ name: `build batch (${name}) payload`, value: round((builds * rawBytes) / MiB), unit: 'MiB/s' });
      rows.push({
        name: `summarizeRecords (${name})`,
        value: round((rate(() => summarizeRecords(view)) * n) / 1e6),
        unit: 'M records/s',
      });
    } else {
      rows.push({
        name: `batch size (${name})`,
        value: round(batch.length / 1024),
        unit: `KiB of ${fmt(rawBytes / 1024)}`,
      });
    }
  }

  // A log-segment-like blob of 1000 small batches (10 records each).
  const small = sampleRecords(10);
  const parts: Buffer[] = [];
  for (let i = 0; i < 1000; i++)
    parts.push(buildRecordBatch({ baseOffset: BigInt(i * 10), records: small, timestamp: 0 }));
  const blob = Buffer.concat(parts);
  const iterate = () => {
    let c = 0;
    for (const v of iterateBatches(blob)) c += v.recordCount;
    return c;
  };
  rows.push({ name: 'iterateBatches (1000 batches)', value: round((rate(iterate) * 1000) / 1e6), unit: 'M batches/s' });
  rows.push({
    name: `scanBatches with CRC (${fmt(blob.length / MiB)} MiB blob)`,
    value: gbps(
      blob.length,
      rate(() => scanBatches(blob)),
    ),
    unit: 'GB/s',
  });
  return rows;
}

export function frameRows(): Row[] {
  // 1 KiB frames arriving in 64 KiB socket reads (frames straddle chunk boundaries).
  const frame = Buffer.alloc(1028, 1);
  frame.writeInt32BE(1024, 0);
  const stream = Buffer.concat(Array.from({ length: 1024 }, () => frame));
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536));
  const run = () => {
    const s = new FrameSplitter(MiB);
    for (const c of chunks) s.push(c);
  };
  // One 1 MiB frame in 64 KiB reads (the copy path).
  const big = Buffer.alloc(MiB + 4, 2);
  big.writeInt32BE(MiB, 0);
  const bigChunks: Buffer[] = [];
  for (let i = 0; i < big.length; i += 65536) bigChunks.push(big.subarray(i, i + 65536));
  const runBig = () => {
    const s = new FrameSplitter(2 * MiB);
    for (const c of bigChunks) s.push(c);
  };
  return [
    { name: 'FrameSplitter 1 KiB frames / 64 KiB reads', value: gbps(stream.length, rate(run)), unit: 'GB/s' },
    { name: 'FrameSplitter 1 MiB frame / 64 KiB reads', value: gbps(big.length, rate(runBig)), unit: 'GB/s' },
  ];
}

/** Produce/Fetch codec throughput; skipped (rows say why) if the generated codec is not loadable. */
export async function codecRows(): Promise<Row[]> {
  try {
    const { ProduceRequest } = await import('../../packages/protocol/src/generated/produce-request.js');
    const { FetchResponse } = await import('../../packages/protocol/src/generated/fetch-response.js');
    const { Reader } = await import('../../packages/protocol/src/primitives/reader.js');
    const { Writer } = await import('../../packages/protocol/src/primitives/writer.js');
    const batch = buildRecordBatch({ records: sampleRecords(Math.floor(MiB / 230)), timestamp: 0 });
    const produce = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topicData: [{ name: 'bench-topic', partitionData: [{ index: 0, records: batch }] }],
    };
    const rows: Row[] = [];
    for (const version of [9]) {
      const encode = () => {
        const w = new Writer();
        ProduceRequest.encode(w, produce, version);
        return w.toBuffer();
      };
      const encoded = encode();
      rows.push({
        name: `ProduceRequest v${version} encode (1 MiB batch, toBuffer)`,
        value: round(rate(encode)),
        unit: 'req/s',
      });
      rows.push({
        name: `ProduceRequest v${version} decode (1 MiB batch)`,
        value: round(rate(() => ProduceRequest.decode(new Reader(encoded), version))),
        unit: 'req/s',
      });
      rows.push({
        name: `ProduceRequest v${version} decode + validate batch CRC`,
        value: round(
          rate(() => {
            const req = ProduceRequest.decode(new Reader(encoded), version);
            for (const b of iterateBatches(req.topicData[0]!.partitionData[0]!.records!)) b.verifyCrc();
          }),
        ),
        unit: 'req/s',
      });
    }
    const fetch = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'bench-topic',
          partitions: Array.from({ length: 4 }, (_, i) => ({
            partitionIndex: i,
            errorCode: 0,
            highWatermark: 1000n,
            lastStableOffset: 1000n,
            logStartOffset: 0n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: batch,
          })),
        },
      ],
    };
    for (const version of [11, 12]) {
      const encode = () => {
        const w = new Writer();
        FetchResponse.encode(w, fetch, version);
        return w.toBuffers();
      };
      const encoded = Buffer.concat(encode());
      rows.push({
        name: `FetchResponse v${version} encode (4 x 1 MiB, toBuffers)`,
        value: round(rate(encode)),
        unit: 'resp/s',
      });
      rows.push({
        name: `FetchResponse v${version} decode (4 x 1 MiB)`,
        value: round(rate(() => FetchResponse.decode(new Reader(encoded), version))),
        unit: 'resp/s',
      });
    }
    return rows;
  } catch (err) {
    return [
      { name: 'Produce/Fetch codec', value: Number.NaN, unit: `skipped: ${(err as Error).message.slice(0, 80)}` },
    ];
  }
}

export async function runProtocolBench(): Promise<Row[]> {
  return [...crcRows(), ...recordRows(), ...frameRows(), ...(await codecRows())];
}

function printTable(rows: Row[]): void {
  const values = rows.map((r) => fmt(r.value));
  const w0 = Math.max(4, ...rows.map((r) => r.name.length));
  const w1 = Math.max(5, ...values.map((v) => v.length));
  console.log(`${'name'.padEnd(w0)}  ${'value'.padStart(w1)}  unit`);
  console.log(`${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ----`);
  rows.forEach((r, i) => {
    console.log(`${r.name.padEnd(w0)}  ${values[i]!.padStart(w1)}  ${r.unit}`);
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`node ${process.version}, ${process.arch}`);
  printTable(await runProtocolBench());
}

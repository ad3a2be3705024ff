// Storage micro benchmarks: PartitionLog append/read next to raw `fs` doing the same writes,
// append cost on a small vs a large log, and the time to open 10,000 partitions.
// Standalone: `npx tsx scripts/bench/storage-bench.ts` prints a table.
//
// Environment:
//   BROOK_STORAGE_BENCH_DIR       where to write (default: os.tmpdir())
//   BROOK_STORAGE_BENCH_LARGE_MB  size of the "large" log (default 5120 = 5 GiB; really appended)
//   BROOK_STORAGE_BENCH_PARTITIONS partitions for the open test (default 10000)
//   BROOK_STORAGE_BENCH_QUICK=1   smaller everything (CI smoke run)
//   BROOK_STORAGE_BENCH_ONLY      comma list of: append,fsync,memory,read,large,open
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRecordBatch } from '../../packages/protocol/src/records/records.js';
import { LogManager, type PartitionLog } from '../../packages/storage/src/index.js';
import { median, pairedRatio } from './harness.js';

export interface Row {
  name: string;
  value: number;
  unit: string;
}

const MiB = 1024 * 1024;
const quick = process.env.BROOK_STORAGE_BENCH_QUICK === '1';
const LARGE_MB = Number(process.env.BROOK_STORAGE_BENCH_LARGE_MB ?? (quick ? 256 : 5120));
const PARTITIONS = Number(process.env.BROOK_STORAGE_BENCH_PARTITIONS ?? (quick ? 1000 : 10_000));
const PASS_MB = quick ? 64 : 512;

/** A batch of 1 KiB records totalling about `batchBytes`. */
function makeBatch(batchBytes: number, seed = 0): Buffer {
  const n = Math.max(1, Math.floor(batchBytes / 1024));
  const value = Buffer.alloc(1024 - 16, 97 + (seed % 26));
  return buildRecordBatch({
    records: Array.from({ length: n }, () => ({ key: null, value })),
    timestamp: Date.now(),
  });
}

/** A few distinct buffers to rotate: append takes ownership of its input (the tail cache keeps it). */
function pool(batchBytes: number, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => makeBatch(batchBytes, i));
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const root = process.env.BROOK_STORAGE_BENCH_DIR ?? os.tmpdir();
  const dir = await fs.promises.mkdtemp(path.join(root, 'brook-storage-bench-'));
  try {
    return await fn(dir);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** MB/s of appending `totalBytes` in batches from `bufs` (no fsync). */
function appendRate(log: PartitionLog, bufs: Buffer[], totalBytes: number): number {
  const size = bufs[0]!.length;
  const n = Math.ceil(totalBytes / size);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) log.append(bufs[i % bufs.length]!);
  return (n * size) / MiB / ((performance.now() - t0) / 1000);
}

/**
 * MB/s of appending `totalBytes` at the end of an open raw file with plain fs.writeSync (fdatasync after
 * each write when `syncEach`), then an untimed fdatasync so the next run starts with no dirty pages.
 */
function rawAppendAt(file: { fd: number; size: number }, bufs: Buffer[], totalBytes: number, syncEach = false): number {
  const size = bufs[0]!.length;
  const n = Math.ceil(totalBytes / size);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const b = bufs[i % bufs.length]!;
    fs.writeSync(file.fd, b, 0, b.length, file.size);
    file.size += b.length;
    if (syncEach) fs.fdatasyncSync(file.fd);
  }
  const secs = (performance.now() - t0) / 1000;
  fs.fdatasyncSync(file.fd);
  return (n * size) / MiB / secs;
}

/** MB/s of the same writes with plain fs.writeSync (and fdatasync after each when `sync`). */
function rawRate(file: string, bufs: Buffer[], totalBytes: number, sync: boolean): number {
  const raw = { fd: fs.openSync(file, 'w'), size: 0 };
  const rate = rawAppendAt(raw, bufs, totalBytes, sync);
  fs.closeSync(raw.fd);
  fs.rmSync(file);
  return rate;
}

async function appendVsRaw(rows: Row[], batchBytes: number, label: string): Promise<void> {
  await withDir(async (dir) => {
    const bufs = pool(batchBytes, 64);
    const total = PASS_MB * MiB;
    // Alternate raw and Brook runs, best of 3 each, so cache and disk state are comparable.
    let raw = 0;
    let brook = 0;
    for (let r = 0; r < 3; r++) {
      raw = Math.max(raw, rawRate(path.join(dir, 'raw.bin'), bufs, total, false));
      const mgr = await LogManager.open({ dataDir: path.join(dir, `d${r}`), retentionCheckIntervalMs: 0 });
      const log = await mgr.create('bench', 0);
      brook = Math.max(brook, appendRate(log, bufs, total));
      await log.flush();
      await mgr.close();
      await fs.promises.rm(path.join(dir, `d${r}`), { recursive: true });
    }
    rows.push({ name: `append ${label} batches (1 KiB records), Brook`, value: brook, unit: 'MB/s' });
    rows.push({ name: `append ${label} batches, raw fs.writeSync`, value: raw, unit: 'MB/s' });
    rows.push({ name: `append ${label} batches, Brook / raw`, value: brook / raw, unit: 'ratio' });
  });
}

async function appendFsync(rows: Row[], batchBytes: number, label: string): Promise<void> {
  await withDir(async (dir) => {
    const bufs = pool(batchBytes, 16);
    const total = (quick ? 8 : 32) * MiB;
    const n = Math.ceil(total / bufs[0]!.length);
    // fsync latency on shared disks is noisy: alternate the two, best of 3 each.
    let raw = 0;
    let brook = 0;
    for (let r = 0; r < 3; r++) {
      raw = Math.max(raw, rawRate(path.join(dir, 'raw.bin'), bufs, total, true));
      const mgr = await LogManager.open({ dataDir: path.join(dir, `d${r}`), retentionCheckIntervalMs: 0 });
      const log = await mgr.create('bench', 0, { fsyncOnAppend: true });
      const t0 = performance.now();
      // One producer waiting for each ack: one fdatasync per append, like the raw loop.
      for (let i = 0; i < n; i++) await log.append(bufs[i % bufs.length]!).durable;
      brook = Math.max(brook, (n * bufs[0]!.length) / MiB / ((performance.now() - t0) / 1000));
      await mgr.close();
    }
    rows.push({ name: `append ${label} + fsync each, Brook`, value: brook, unit: 'MB/s' });
    rows.push({ name: `append ${label} + fsync each, raw write+fdatasync`, value: raw, unit: 'MB/s' });
    rows.push({ name: `append ${label} + fsync each, Brook / raw`, value: brook / raw, unit: 'ratio' });
  });
}

async function inMemoryAppend(rows: Row[]): Promise<void> {
  const mgr = await LogManager.open({ dataDir: null, retentionCheckIntervalMs: 0, compactionCheckIntervalMs: 0 });
  // Retention by size keeps memory bounded while appending.
  const log = await mgr.create('bench', 0, { segmentBytes: 64 * MiB, retentionBytes: 128 * MiB });
  const bufs = pool(16 * 1024, 64);
  let best = 0;
  for (let r = 0; r < 3; r++) {
    best = Math.max(best, appendRate(log, bufs, 256 * MiB));
    await log.runRetention();
  }
  rows.push({ name: 'append 16 KiB batches, in-memory log', value: best, unit: 'MB/s' });
  await mgr.close();
}

async function reads(rows: Row[]): Promise<void> {
  await withDir(async (dir) => {
    const mgr = await LogManager.open({ dataDir: dir, retentionCheckIntervalMs: 0 });
    const log = await mgr.create('bench', 0, { segmentBytes: 256 * MiB });
    const total = PASS_MB * MiB;
    // Fresh buffers: the tail cache must hold real data for the caught-up read below.
    const batch = makeBatch(16 * 1024);
    const n = Math.ceil(total / batch.length);
    for (let i = 0; i < n; i++) log.append(Buffer.from(batch));
    await mgr.close();
    const mgr2 = await LogManager.open({ dataDir: dir, retentionCheckIntervalMs: 0 });
    const log2 = mgr2.get('bench', 0)!;
    const files = fs
      .readdirSync(path.join(dir, 'bench-0'))
      .filter((f) => f.endsWith('.log'))
      .map((f) => path.join(dir, 'bench-0', f));
    const brookRound = () => {
      let off = 0n;
      let bytes = 0;
      const t0 = performance.now();
      while (off < log2.logEndOffset) {
        const res = log2.read(off, MiB);
        bytes += res.bytes;
        const last = res.chunks[res.chunks.length - 1]!;
        // Next offset: after the last batch of the read (walk only its headers).
        let p = 0;
        let lastBatchStart = 0;
        while (p < last.length) {
          lastBatchStart = p;
          p += 12 + last.readInt32BE(p + 8);
        }
        off = last.readBigInt64BE(lastBatchStart) + BigInt(last.readInt32BE(lastBatchStart + 23)) + 1n;
      }
      return bytes / MiB / ((performance.now() - t0) / 1000);
    };
    // Reference: plain positioned 1 MiB reads of the same segment files.
    const rawRound = () => {
      let bytes = 0;
      const t0 = performance.now();
      for (const f of files) {
        const fd = fs.openSync(f, 'r');
        for (let pos = 0; ; ) {
          const buf = Buffer.allocUnsafe(MiB);
          const n = fs.readSync(fd, buf, 0, MiB, pos);
          if (n === 0) break;
          pos += n;
          bytes += n;
        }
        fs.closeSync(fd);
      }
      return bytes / MiB / ((performance.now() - t0) / 1000);
    };
    // Alternate, best of 5 each: the shared machine's noise hits both alike.
    let best = 0;
    let raw = 0;
    for (let r = 0; r < 5; r++) {
      best = Math.max(best, brookRound());
      raw = Math.max(raw, rawRound());
    }
    rows.push({ name: 'read 1 MiB fetches from disk (page cache), whole log', value: best, unit: 'MB/s' });
    rows.push({ name: 'read 1 MiB, raw fs.readSync of the same files', value: raw, unit: 'MB/s' });
    rows.push({ name: 'read, Brook / raw', value: best / raw, unit: 'ratio' });
    // Caught-up consumer: each read is served from the tail cache.
    const hot = await mgr2.create('hot', 0);
    const bufs = pool(16 * 1024, 1);
    let reads = 0;
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(bufs[0]!);
      const res = hot.append(b);
      const r = hot.read(res.baseOffset, MiB);
      reads += r.bytes > 0 ? 1 : 0;
    }
    const secs = (performance.now() - t0) / 1000;
    rows.push({
      name: 'caught-up consumer: append + read of the same 16 KiB batch',
      value: reads / secs,
      unit: 'ops/s',
    });
    await mgr2.close();
  });
}

async function smallVsLarge(rows: Row[]): Promise<void> {
  await withDir(async (dir) => {
    const bufs = pool(16 * 1024, 64);
    const measureMB = quick ? 32 : 384;
    const rounds = quick ? 3 : 9;
    const mgr = await LogManager.open({ dataDir: dir, retentionCheckIntervalMs: 0 });
    const large = await mgr.create('large', 0);
    const rawLarge = { fd: fs.openSync(path.join(dir, 'raw-large'), 'w'), size: 0 };
    // Fill in 1 GiB steps, writing back as we go so the page cache never throttles the fill.
    for (let done = 0; done < LARGE_MB; done += 1024) {
      const mb = Math.min(1024, LARGE_MB - done);
      appendRate(large, bufs, mb * MiB);
      await large.flush();
      rawAppendAt(rawLarge, bufs, mb * MiB);
    }
    const smalls: PartitionLog[] = [];
    const rawSmalls: { fd: number; size: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const log = await mgr.create('small', r);
      appendRate(log, bufs, 10 * MiB);
      await log.flush();
      smalls.push(log);
      const raw = { fd: fs.openSync(path.join(dir, `raw-small-${r}`), 'w'), size: 0 };
      rawAppendAt(raw, bufs, 10 * MiB);
      rawSmalls.push(raw);
    }
    // Paired rounds, a 10 MB log against the large one in alternating order, reported as the
    // median of the per-round ratios: single runs on these VMs vary up to 2x with the cost of
    // touching new memory, so a best-of comparison mostly measures which side drew the lucky run.
    // The same pairs of raw fs appends (a 10 MB file, a large file) show that noise floor.
    // Each run starts with no dirty pages (writeback throttling would otherwise dominate), and
    // nothing is deleted, so every run writes into newly allocated page cache.
    const rates = { small: [] as number[], large: [] as number[], rawSmall: [] as number[], rawLarge: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const runs: [keyof typeof rates, () => Promise<number> | number][] = [
        ['small', () => rateThenFlush(smalls[r]!)],
        ['large', () => rateThenFlush(large)],
        ['rawSmall', () => rawAppendAt(rawSmalls[r]!, bufs, measureMB * MiB)],
        ['rawLarge', () => rawAppendAt(rawLarge, bufs, measureMB * MiB)],
      ];
      if (r % 2 === 1) runs.reverse();
      for (const [name, run] of runs) rates[name].push(await run());
    }
    for (const f of [rawLarge, ...rawSmalls]) fs.closeSync(f.fd);
    process.stderr.write(`[storage-bench] large log ${large.sizeInBytes} bytes in ${large.segmentCount} segments\n`);
    await mgr.close();

    async function rateThenFlush(log: PartitionLog): Promise<number> {
      const rate = appendRate(log, bufs, measureMB * MiB);
      await log.flush();
      return rate;
    }
    const brook = pairedRatio(rates.large, rates.small);
    const raw = pairedRatio(rates.rawLarge, rates.rawSmall);
    const span = (x: { min: number; max: number }) => `[${x.min.toFixed(2)}-${x.max.toFixed(2)}]`;
    rows.push({ name: 'append 16 KiB batches on a 10 MB log (median)', value: median(rates.small), unit: 'MB/s' });
    rows.push({
      name: `append 16 KiB batches on a ${LARGE_MB} MB log (median, really appended)`,
      value: median(rates.large),
      unit: 'MB/s',
    });
    rows.push({
      name: `append on ${LARGE_MB} MB / on 10 MB log, ${rounds} pairs ${span(brook)}`,
      value: brook.median,
      unit: 'ratio',
    });
    rows.push({
      name: `raw fs append on ${LARGE_MB} MB / on 10 MB file, same rounds ${span(raw)}`,
      value: raw.median,
      unit: 'ratio',
    });
  });
}

async function openMany(rows: Row[]): Promise<void> {
  await withDir(async (dir) => {
    const mgr = await LogManager.open({ dataDir: dir, retentionCheckIntervalMs: 0 });
    const b = makeBatch(1024);
    for (let i = 0; i < PARTITIONS; i++) {
      const log = await mgr.create(`topic-${i % 100}`, Math.floor(i / 100));
      log.append(Buffer.from(b));
    }
    await mgr.close();
    let t0 = performance.now();
    const clean = await LogManager.open({ dataDir: dir, retentionCheckIntervalMs: 0 });
    const cleanMs = performance.now() - t0;
    if ([...clean.logs()].length !== PARTITIONS) throw new Error('not all partitions opened');
    clean.abandon();
    t0 = performance.now();
    const crashed = await LogManager.open({ dataDir: dir, retentionCheckIntervalMs: 0 });
    const crashMs = performance.now() - t0;
    await crashed.close();
    rows.push({ name: `open ${PARTITIONS} partitions after a clean shutdown`, value: cleanMs, unit: 'ms' });
    rows.push({ name: `open ${PARTITIONS} partitions after a crash (tail scan)`, value: crashMs, unit: 'ms' });
  });
}

export async function runStorageBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const only = process.env.BROOK_STORAGE_BENCH_ONLY?.split(',');
  const step = async (key: string, label: string, fn: () => Promise<void>) => {
    if (only && !only.includes(key)) return;
    process.stderr.write(`[storage-bench] ${label}\n`);
    await fn();
  };
  await step('append', 'append vs raw fs', async () => {
    await appendVsRaw(rows, 16 * 1024, '16 KiB');
    await appendVsRaw(rows, MiB, '1 MiB');
  });
  await step('fsync', 'append with fsync', async () => {
    await appendFsync(rows, 16 * 1024, '16 KiB');
    await appendFsync(rows, MiB, '1 MiB');
  });
  await step('memory', 'in-memory append', () => inMemoryAppend(rows));
  await step('read', 'reads', () => reads(rows));
  await step('large', `small vs large log (${LARGE_MB} MB)`, () => smallVsLarge(rows));
  await step('open', `open ${PARTITIONS} partitions`, () => openMany(rows));
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runStorageBench();
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const v = r.unit === 'ratio' ? r.value.toFixed(3) : r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
    console.log(`${r.name.padEnd(w)}  ${v.padStart(10)} ${r.unit}`);
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { buildRecordBatch } from '@brook/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { appendTxnMarker, LogManager, TXN_INDEX_FILE } from '../src/index.js';
import { batch, rmDir, silentLogger, tempDir } from './helpers.js';

function txnBatch(pid: bigint, epoch: number, seq: number, count = 1): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: `t-${seq + i}` }));
  return buildRecordBatch({
    records,
    timestamp: 1_000,
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    isTransactional: true,
  });
}

describe('transactions in a partition (LSO, aborted index)', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rmDir(d);
  });

  it('LSO stops at the first open transaction and moves on its marker', async () => {
    const mgr = await LogManager.open({ dataDir: null, logger: silentLogger });
    const log = await mgr.create('t', 0);
    log.append(batch({ count: 2 })); // 0-1 plain
    log.append(txnBatch(7n, 0, 0, 3)); // 2-4 txn of 7
    log.append(batch({ count: 1 })); // 5 plain
    expect(log.highWatermark).toBe(6n);
    expect(log.lastStableOffset).toBe(2n);
    log.append(txnBatch(8n, 0, 0, 1)); // 6 txn of 8
    appendTxnMarker(log, 'commit', 7n, 0, 0); // 7
    expect(log.lastStableOffset).toBe(6n);
    appendTxnMarker(log, 'abort', 8n, 0, 0); // 8
    expect(log.lastStableOffset).toBe(9n);
    expect(log.abortedTransactions(0n, 9n)).toEqual([
      { producerId: 8n, firstOffset: 6n, lastOffset: 8n, lastStableOffset: 9n },
    ]);
    expect(log.abortedTransactions(9n, 9n)).toEqual([]);
    expect(log.abortedTransactions(0n, 6n)).toEqual([]);
    expect(log.producerState(8n)?.currentTxnFirstOffset).toBe(-1n);
    await mgr.close();
  });

  it('a stale epoch is refused after the marker bumped the epoch', async () => {
    const mgr = await LogManager.open({ dataDir: null, logger: silentLogger });
    const log = await mgr.create('t', 0);
    log.append(txnBatch(1n, 0, 0));
    appendTxnMarker(log, 'abort', 1n, 1, 0);
    expect(() => log.append(txnBatch(1n, 0, 1))).toThrow(/epoch/);
    log.append(txnBatch(1n, 1, 0));
    expect(log.lastStableOffset).toBe(2n);
    await mgr.close();
  });

  it('ongoing and aborted transactions survive a clean restart and a crash', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    let mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    let log = await mgr.create('t', 0);
    log.append(txnBatch(1n, 0, 0, 2)); // 0-1
    appendTxnMarker(log, 'abort', 1n, 0, 0); // 2
    log.append(txnBatch(2n, 0, 0, 1)); // 3 (left open)
    await mgr.close();
    expect(fs.statSync(path.join(dir, 't-0', TXN_INDEX_FILE)).size).toBe(34);

    mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    log = mgr.get('t', 0)!;
    expect(log.lastStableOffset).toBe(3n);
    expect(log.abortedTransactions(0n, 3n)).toHaveLength(1);
    log.append(txnBatch(1n, 0, 2, 1)); // 4
    appendTxnMarker(log, 'abort', 1n, 0, 0); // 5
    mgr.abandon(); // crash: no snapshot at the end, recovery replays

    fs.rmSync(path.join(dir, 't-0', TXN_INDEX_FILE)); // even without the index file
    mgr = await LogManager.open({ dataDir: dir, logger: silentLogger });
    log = mgr.get('t', 0)!;
    expect(log.lastStableOffset).toBe(3n);
    expect(log.abortedTransactions(0n, 10n).map((t) => [t.firstOffset, t.lastOffset])).toEqual([[4n, 5n]]);
    appendTxnMarker(log, 'commit', 2n, 0, 0);
    expect(log.lastStableOffset).toBe(log.highWatermark);
    await mgr.close();
  });
});

describe('aborted index and retention', () => {
  it('DeleteRecords drops aborted entries wholly below the new log start', async () => {
    const mgr = await LogManager.open({ dataDir: null, logger: silentLogger });
    const log = await mgr.create('t', 0);
    log.append(txnBatch(1n, 0, 0)); // 0
    appendTxnMarker(log, 'abort', 1n, 0, 0); // 1
    log.append(txnBatch(2n, 0, 0)); // 2
    appendTxnMarker(log, 'abort', 2n, 0, 0); // 3
    expect(log.txns.allAborted()).toHaveLength(2);
    await log.deleteRecordsBefore(2n);
    expect(log.txns.allAborted().map((t) => t.producerId)).toEqual([2n]);
    await mgr.close();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateSequenceError,
  InvalidProducerEpochError,
  LogManager,
  OutOfOrderSequenceError,
  type PartitionLog,
} from '../src/index.js';
import { batch, silentLogger } from './helpers.js';

describe('idempotent producer checks', () => {
  let mgr: LogManager;
  let log: PartitionLog;
  beforeEach(async () => {
    mgr = await LogManager.open({ dataDir: null, logger: silentLogger });
    log = await mgr.create('t', 0);
  });
  afterEach(async () => {
    await mgr.close();
  });

  const send = (seq: number, epoch = 0, count = 1, pid = 1n) =>
    log.append(batch({ producerId: pid, producerEpoch: epoch, baseSequence: seq, count }));
  const errorOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('accepts in-order sequences and tracks the last one', () => {
    send(0, 0, 3);
    send(3, 0, 2);
    expect(log.producerState(1n)).toMatchObject({ epoch: 0, lastSequence: 4 });
    expect(log.producerState(2n)).toBeUndefined();
  });

  it('answers a retry of any of the last 5 batches with its original offsets, writing nothing', () => {
    for (let i = 0; i < 7; i++) send(i * 2, 0, 2);
    const leo = log.logEndOffset;
    for (let i = 2; i < 7; i++) {
      const e = errorOf(() => send(i * 2, 0, 2));
      expect(e).toBeInstanceOf(DuplicateSequenceError);
      expect((e as DuplicateSequenceError).baseOffset).toBe(BigInt(i * 2));
      expect((e as DuplicateSequenceError).lastOffset).toBe(BigInt(i * 2 + 1));
    }
    // Older than the last 5: no longer known, so it is out of order.
    expect(errorOf(() => send(2, 0, 2))).toBeInstanceOf(OutOfOrderSequenceError);
    expect(log.logEndOffset).toBe(leo);
  });

  it('reports the original LogAppendTime for a duplicate', async () => {
    const lat = await mgr.create('lat', 0, { messageTimestampType: 'LogAppendTime' });
    const b = () => batch({ producerId: 9n, producerEpoch: 0, baseSequence: 0 });
    expect(lat.append(b(), { now: 1000 }).logAppendTime).toBe(1000n);
    const e = errorOf(() => lat.append(b(), { now: 2000 }));
    expect(e).toBeInstanceOf(DuplicateSequenceError);
    expect((e as DuplicateSequenceError).logAppendTime).toBe(1000n);
  });

  it('refuses gaps, old epochs, and new epochs not starting at 0', () => {
    send(0);
    expect(errorOf(() => send(2))).toBeInstanceOf(OutOfOrderSequenceError);
    send(0, 1); // new epoch starting at 0
    expect(errorOf(() => send(1, 0))).toBeInstanceOf(InvalidProducerEpochError);
    expect(errorOf(() => send(5, 2))).toBeInstanceOf(OutOfOrderSequenceError);
    send(1, 1);
    expect(log.producerState(1n)).toMatchObject({ epoch: 1, lastSequence: 1 });
  });

  it('accepts any sequence from an unknown producer (Kafka after KIP-360)', () => {
    send(42, 3);
    send(43, 3);
    expect(log.producerState(1n)?.lastSequence).toBe(43);
  });

  it('wraps sequences past INT32_MAX', () => {
    send(0x7ffffffe, 0, 2);
    send(0, 0, 1);
    expect(log.producerState(1n)?.lastSequence).toBe(0);
  });

  it('validates several batches of one append in order, all or nothing', () => {
    const blob = Buffer.concat([
      batch({ producerId: 1n, producerEpoch: 0, baseSequence: 0, count: 2 }),
      batch({ producerId: 1n, producerEpoch: 0, baseSequence: 2, count: 2 }),
    ]);
    expect(log.append(blob).lastOffset).toBe(3n);
    const bad = Buffer.concat([
      batch({ producerId: 1n, producerEpoch: 0, baseSequence: 4, count: 1 }),
      batch({ producerId: 1n, producerEpoch: 0, baseSequence: 9, count: 1 }),
    ]);
    expect(errorOf(() => log.append(bad))).toBeInstanceOf(OutOfOrderSequenceError);
    expect(log.logEndOffset).toBe(4n);
    expect(log.producerState(1n)?.lastSequence).toBe(3);
  });

  it('skips checks for replicated appends but still records the state', () => {
    const b = batch({ producerId: 1n, producerEpoch: 0, baseSequence: 10, count: 1 });
    b.writeBigInt64BE(0n, 0);
    log.append(b, { assignOffsets: false });
    expect(log.producerState(1n)?.lastSequence).toBe(10);
  });

  it('forgets producers whose batches fell below the log start', async () => {
    send(0, 0, 2);
    send(0, 0, 2, 2n);
    await log.deleteRecordsBefore(2n);
    expect(log.producerState(1n)).toBeUndefined();
    expect(log.producerState(2n)).toBeDefined();
  });
});

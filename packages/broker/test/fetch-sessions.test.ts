import { describe, expect, it } from 'vitest';
import {
  FetchSessionCache,
  type FetchSessionRequest,
  type PartitionOutcome,
  type SessionPartitionRequest,
} from '../src/state/fetch-sessions.js';

const part = (partition: number, fetchOffset = 0n): SessionPartitionRequest => ({
  key: `t:${partition}`,
  topic: 't',
  topicId: '00000000-0000-0000-0000-000000000000',
  partition,
  fetchOffset,
  maxBytes: 1024,
  currentLeaderEpoch: -1,
});
const ok = (hw: bigint, recordBytes = 0): PartitionOutcome => ({
  errorCode: 0,
  highWatermark: hw,
  lastStableOffset: hw,
  logStartOffset: 0n,
  recordBytes,
});
const req = (r: Partial<FetchSessionRequest>): FetchSessionRequest => ({
  sessionId: 0,
  sessionEpoch: -1,
  usesTopicIds: false,
  partitions: [],
  forgotten: [],
  ...r,
});

function openSession(cache: FetchSessionCache, partitions = [part(0), part(1)]): number {
  const ctx = cache.newContext(req({ sessionEpoch: 0, partitions }));
  if (ctx.kind !== 'full') throw new Error(ctx.kind);
  return ctx.finish(partitions.map(() => ok(5n))).sessionId;
}

describe('FetchSessionCache', () => {
  it('treats FINAL_EPOCH with no id as sessionless', () => {
    const cache = new FetchSessionCache();
    const ctx = cache.newContext(req({ partitions: [part(0)] }));
    expect(ctx.kind).toBe('sessionless');
    expect(cache.size).toBe(0);
  });

  it('opens a session on a full fetch and answers only changed partitions afterwards', () => {
    const cache = new FetchSessionCache();
    const id = openSession(cache);
    expect(id).toBeGreaterThan(0);

    const inc = cache.newContext(req({ sessionId: id, sessionEpoch: 1 }));
    if (inc.kind !== 'incremental') throw new Error(inc.kind);
    expect(inc.partitions.map((p) => p.partition)).toEqual([0, 1]);
    // Partition 1's high watermark moved; partition 0 is unchanged.
    expect(inc.finish([ok(5n), ok(6n)]).respond).toEqual([false, true]);

    const inc2 = cache.newContext(req({ sessionId: id, sessionEpoch: 2, partitions: [part(0, 5n)] }));
    if (inc2.kind !== 'incremental') throw new Error(inc2.kind);
    expect(inc2.partitions.find((p) => p.partition === 0)?.fetchOffset).toBe(5n);
    expect(inc2.finish([ok(5n), ok(6n)]).respond).toEqual([false, false]);
  });

  it('rejects unknown ids and wrong epochs', () => {
    const cache = new FetchSessionCache();
    expect(cache.newContext(req({ sessionId: 42, sessionEpoch: 1 }))).toEqual({
      kind: 'error',
      error: 'session-id-not-found',
    });
    const id = openSession(cache);
    expect(cache.newContext(req({ sessionId: id, sessionEpoch: 7 }))).toEqual({
      kind: 'error',
      error: 'invalid-session-epoch',
    });
    expect(cache.newContext(req({ sessionId: id, sessionEpoch: 1, usesTopicIds: true }))).toEqual({
      kind: 'error',
      error: 'topic-id-mismatch',
    });
  });

  it('forgets partitions, closes emptied sessions and closes on FINAL_EPOCH', () => {
    const cache = new FetchSessionCache();
    const id = openSession(cache);
    const inc = cache.newContext(req({ sessionId: id, sessionEpoch: 1, forgotten: ['t:0'] }));
    if (inc.kind !== 'incremental') throw new Error(inc.kind);
    expect(inc.partitions.map((p) => p.partition)).toEqual([1]);
    expect(cache.newContext(req({ sessionId: id, sessionEpoch: 2, forgotten: ['t:1'] })).kind).toBe('sessionless');
    expect(cache.has(id)).toBe(false);

    const id2 = openSession(cache);
    expect(cache.newContext(req({ sessionId: id2, sessionEpoch: -1 })).kind).toBe('sessionless');
    expect(cache.has(id2)).toBe(false);
  });

  it('always re-sends partitions with errors or records, and rotates partitions that returned data', () => {
    const cache = new FetchSessionCache();
    const id = openSession(cache);
    const inc = cache.newContext(req({ sessionId: id, sessionEpoch: 1 }));
    if (inc.kind !== 'incremental') throw new Error(inc.kind);
    expect(inc.finish([ok(5n, 100), { ...ok(5n), errorCode: 1 }]).respond).toEqual([true, true]);
    const inc2 = cache.newContext(req({ sessionId: id, sessionEpoch: 2 }));
    if (inc2.kind !== 'incremental') throw new Error(inc2.kind);
    expect(inc2.partitions.map((p) => p.partition)).toEqual([1, 0]);
    // Partition 1 recovered: its cached high watermark was reset, so it is sent again.
    expect(inc2.finish([ok(5n), ok(5n)]).respond).toEqual([true, false]);
  });

  it('evicts stale sessions first and refuses when nothing can go', () => {
    let now = 0;
    const cache = new FetchSessionCache({ maxSessions: 1, evictionMs: 1000, now: () => now });
    const a = openSession(cache, [part(0), part(1)]);
    // A smaller newcomer cannot evict a fresh, bigger session.
    expect(openSession(cache, [part(0)])).toBe(0);
    // A bigger one can.
    const b = openSession(cache, [part(0), part(1), part(2)]);
    expect(b).toBeGreaterThan(0);
    expect(cache.has(a)).toBe(false);
    now = 5000;
    const c = openSession(cache, [part(0)]);
    expect(c).toBeGreaterThan(0);
    expect(cache.has(b)).toBe(false);
  });
});

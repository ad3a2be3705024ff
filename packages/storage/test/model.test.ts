// Model-based test: random sequences of append, read, roll, retention, DeleteRecords,
// truncation and reopen (clean or crashed) against an in-memory model of the log.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogManager, type PartitionLog } from '../src/index.js';
import { batch, records, rmDir, silentLogger, tempDir } from './helpers.js';

type Op =
  | { t: 'append'; count: number; size: number; ts: number }
  | { t: 'read'; at: number; maxBytes: number }
  | { t: 'roll' }
  | { t: 'retentionBytes'; bytes: number; edge: Edge | null }
  | { t: 'retentionMs'; ms: number; edge: Edge | null }
  | { t: 'deleteRecords'; at: number }
  | { t: 'truncate'; at: number }
  | { t: 'reopen'; clean: boolean };

/** Puts a retention limit right at a segment boundary (±1), where off-by-one bugs live. */
interface Edge {
  /** Index among the non-empty segments (clamped to the last one). */
  seg: number;
  delta: number;
}
const edgeArb = fc.option(fc.record({ seg: fc.integer({ min: 0, max: 6 }), delta: fc.integer({ min: -1, max: 1 }) }), {
  freq: 2,
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      t: fc.constant('append' as const),
      count: fc.integer({ min: 1, max: 5 }),
      size: fc.integer({ min: 0, max: 100 }),
      ts: fc.integer({ min: 0, max: 100 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('read' as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      maxBytes: fc.integer({ min: 1, max: 2000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'roll' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('retentionBytes' as const),
      bytes: fc.integer({ min: 0, max: 3000 }),
      edge: edgeArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('retentionMs' as const),
      ms: fc.integer({ min: 0, max: 200 }),
      edge: edgeArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('deleteRecords' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reopen' as const), clean: fc.boolean() }) },
);

interface ModelBatch {
  base: bigint;
  last: bigint;
  values: string[];
  ts: number;
  size: number;
}

interface ModelSegment {
  base: bigint;
  /** Every batch still in the segment's file, below the log start or not. */
  batches: ModelBatch[];
}

const SEGMENT_BYTES = 1000;
const segSize = (s: ModelSegment) => s.batches.reduce((n, b) => n + b.size, 0);

/**
 * The log as Kafka lays it out: segments rolled by size (and by hand), retention deleting whole
 * segments from the front, the active one included after a roll.
 */
class Model {
  segments: ModelSegment[] = [{ base: 0n, batches: [] }];
  start = 0n;
  end = 0n;
  /** Batches at or above the log start. */
  get batches(): ModelBatch[] {
    return this.segments.flatMap((s) => s.batches).filter((b) => b.last >= this.start);
  }
  get active(): ModelSegment {
    return this.segments[this.segments.length - 1]!;
  }
  get size(): number {
    return this.segments.reduce((n, s) => n + segSize(s), 0);
  }
  append(b: ModelBatch): void {
    if (this.active.batches.length > 0 && segSize(this.active) + b.size > SEGMENT_BYTES) this.roll();
    this.active.batches.push(b);
    this.end = b.last + 1n;
  }
  roll(): void {
    if (this.active.batches.length > 0) this.segments.push({ base: this.end, batches: [] });
  }
  private deleteFirst(): void {
    this.segments.shift();
    if (this.segments[0]!.base > this.start) this.start = this.segments[0]!.base;
  }
  /** Segments wholly below the log start go (DeleteRecords). */
  deleteBelowStart(): void {
    while (this.segments.length > 1 && this.segments[1]!.base <= this.start) this.deleteFirst();
    if (this.segments.length === 1 && this.end <= this.start && this.active.batches.length > 0) {
      this.roll();
      this.deleteFirst();
    }
  }
  /** Deletes segments from the front while `expired` holds; returns how many went. */
  retain(expired: (s: ModelSegment) => boolean): number {
    let n = 0;
    for (;;) {
      const i = this.segments.findIndex((s) => s.batches.length > 0);
      if (i < 0 || !expired(this.segments[i]!)) return n;
      if (i === this.segments.length - 1) this.roll();
      for (let j = 0; j <= i; j++) this.deleteFirst();
      n += i + 1;
    }
  }
  truncate(o: bigint): void {
    if (o >= this.end) return;
    const b = this.batchOf(o)!;
    if (o <= this.start || b.base <= this.start) {
      this.segments = [{ base: o, batches: [] }];
      this.start = o;
      this.end = o;
      return;
    }
    while (this.segments.length > 1 && this.active.base >= o) this.segments.pop();
    this.active.batches = this.active.batches.filter((x) => x.base < b.base);
    this.end = b.base;
  }
  valueAt(o: bigint): string | undefined {
    const b = this.batches.find((x) => x.base <= o && o <= x.last);
    return b?.values[Number(o - b.base)];
  }
  batchOf(o: bigint): ModelBatch | undefined {
    return this.batches.find((x) => x.base <= o && o <= x.last);
  }
}

const pick = (m: Model, at: number) => m.start + BigInt(Math.floor(Number(m.end - m.start) * at));

function checkAll(log: PartitionLog, m: Model): void {
  expect(log.logEndOffset).toBe(m.end);
  expect(log.logStartOffset).toBe(m.start);
  expect(log.segmentCount).toBe(m.segments.length);
  expect(log.sizeInBytes).toBe(m.size);
  if (m.end === m.start) return;
  const recs = records(log.read(m.start, 1 << 30));
  const visible = recs.filter((r) => r.offset >= m.start);
  expect(visible.map((r) => r.offset)).toEqual(
    Array.from({ length: Number(m.end - m.start) }, (_, i) => m.start + BigInt(i)),
  );
  for (const r of visible) expect(r.value).toBe(m.valueAt(r.offset));
}

describe('PartitionLog against a model', () => {
  it('agrees with the model over random operation sequences', async () => {
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 100, size: 'max' }), async (ops) => {
        const dir = await tempDir('brook-model-');
        const cfg = { segmentBytes: SEGMENT_BYTES, indexIntervalBytes: 128, retentionMs: -1, retentionBytes: -1 };
        let mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, retentionCheckIntervalMs: 0 });
        let log = await mgr.create('m', 0, cfg);
        const m = new Model();
        try {
          for (const op of ops) {
            switch (op.t) {
              case 'append': {
                const tag = `s${seq++}`;
                const values = Array.from({ length: op.count }, (_, i) => `${tag}-${i}${'x'.repeat(op.size)}`);
                const bytes = batch({ values, timestamp: op.ts });
                const res = log.append(bytes);
                expect(res.baseOffset).toBe(m.end);
                m.append({ base: m.end, last: res.lastOffset, values, ts: op.ts, size: bytes.length });
                break;
              }
              case 'read': {
                if (m.end === m.start) {
                  expect(log.read(m.start, op.maxBytes).bytes).toBe(0);
                  break;
                }
                let from = pick(m, op.at);
                if (from >= m.end) from = m.end - 1n;
                const r = log.read(from, op.maxBytes);
                const recs = records(r);
                expect(recs.length).toBeGreaterThan(0); // minOneBatch
                expect(recs[0]!.offset).toBe(m.batchOf(from)!.base);
                if (r.chunks.length > 0 && recs.length > m.batchOf(from)!.values.length) {
                  expect(r.bytes).toBeLessThanOrEqual(op.maxBytes);
                }
                for (const x of recs) expect(x.value).toBe(m.valueAt(x.offset));
                break;
              }
              case 'roll':
                log.roll();
                m.roll();
                break;
              case 'retentionBytes':
              case 'retentionMs': {
                const now = 200;
                const full = m.segments.filter((seg) => seg.batches.length > 0);
                const maxTs = (seg: ModelSegment) => Math.max(...seg.batches.map((b) => b.ts));
                let limit = op.t === 'retentionBytes' ? op.bytes : op.ms;
                if (op.edge && full.length > 0) {
                  const k = Math.min(full.length - 1, op.edge.seg);
                  limit =
                    op.t === 'retentionBytes'
                      ? m.size - full.slice(0, k + 1).reduce((n, seg) => n + segSize(seg), 0)
                      : now - maxTs(full[k]!);
                  limit = Math.max(0, limit + op.edge.delta);
                }
                log.updateConfig(
                  op.t === 'retentionBytes'
                    ? { retentionBytes: limit, retentionMs: -1 }
                    : { retentionMs: limit, retentionBytes: -1 },
                );
                // The model decides what goes: by size, the oldest segments while the rest still
                // exceeds retention.bytes; by time, those whose newest record is older than retention.ms.
                let excess = m.size - (op.t === 'retentionBytes' ? limit : 0);
                const expected = m.retain((seg) => {
                  if (op.t === 'retentionMs') return now - maxTs(seg) > limit;
                  if (excess - segSize(seg) < 0) return false;
                  excess -= segSize(seg);
                  return true;
                });
                expect(await log.runRetention(now)).toBe(expected);
                log.updateConfig({ retentionMs: -1, retentionBytes: -1 });
                break;
              }
              case 'deleteRecords': {
                const o = pick(m, op.at);
                let expected = m.start;
                if (o > expected) expected = o;
                expect(await log.deleteRecordsBefore(o)).toBe(expected);
                if (o > m.start) {
                  m.start = o;
                  m.deleteBelowStart();
                }
                break;
              }
              case 'truncate': {
                const o = pick(m, op.at);
                await log.truncateTo(o);
                m.truncate(o);
                break;
              }
              case 'reopen': {
                if (op.clean) await mgr.close();
                else {
                  await log.settle();
                  mgr.abandon();
                }
                mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, retentionCheckIntervalMs: 0 });
                expect(mgr.recoveredCleanly).toBe(op.clean);
                log = mgr.get('m', 0)!;
                break;
              }
            }
            checkAll(log, m);
          }
        } finally {
          await mgr.close();
          await rmDir(dir);
        }
      }),
      { numRuns: Number(process.env.BROOK_MODEL_RUNS ?? 40) },
    );
  }, 600_000);
});

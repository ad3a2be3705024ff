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
  | { t: 'retentionBytes'; bytes: number }
  | { t: 'retentionMs'; ms: number }
  | { t: 'deleteRecords'; at: number }
  | { t: 'truncate'; at: number }
  | { t: 'reopen'; clean: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
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
    arbitrary: fc.record({ t: fc.constant('retentionBytes' as const), bytes: fc.integer({ min: 0, max: 3000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('retentionMs' as const), ms: fc.integer({ min: 0, max: 200 }) }) },
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
}

class Model {
  batches: ModelBatch[] = [];
  start = 0n;
  end = 0n;
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
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 60 }), async (ops) => {
        const dir = await tempDir('brook-model-');
        const cfg = { segmentBytes: 1000, indexIntervalBytes: 128, retentionMs: -1, retentionBytes: -1 };
        let mgr = await LogManager.open({ dataDir: dir, logger: silentLogger, retentionCheckIntervalMs: 0 });
        let log = await mgr.create('m', 0, cfg);
        const m = new Model();
        try {
          for (const op of ops) {
            switch (op.t) {
              case 'append': {
                const tag = `s${seq++}`;
                const values = Array.from({ length: op.count }, (_, i) => `${tag}-${i}${'x'.repeat(op.size)}`);
                const res = log.append(batch({ values, timestamp: op.ts }));
                expect(res.baseOffset).toBe(m.end);
                m.batches.push({ base: m.end, last: res.lastOffset, values, ts: op.ts });
                m.end = res.lastOffset + 1n;
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
                break;
              case 'retentionBytes':
              case 'retentionMs': {
                log.updateConfig(
                  op.t === 'retentionBytes'
                    ? { retentionBytes: op.bytes, retentionMs: -1 }
                    : { retentionMs: op.ms, retentionBytes: -1 },
                );
                const before = log.sizeInBytes;
                await log.runRetention(200);
                // Whole segments from the front: the new start is a batch boundary (or the end).
                expect(log.logStartOffset).toBeGreaterThanOrEqual(m.start);
                if (log.logStartOffset > m.start && log.logStartOffset < m.end)
                  expect(m.batchOf(log.logStartOffset)?.base).toBe(log.logStartOffset);
                if (op.t === 'retentionBytes' && log.logStartOffset > m.start) expect(before).toBeGreaterThan(op.bytes);
                if (op.t === 'retentionMs') {
                  // Everything deleted was older than the cutoff.
                  for (const b of m.batches) if (b.last < log.logStartOffset) expect(b.ts).toBeLessThan(200 - op.ms);
                }
                m.start = log.logStartOffset;
                m.batches = m.batches.filter((b) => b.last >= m.start);
                log.updateConfig({ retentionMs: -1, retentionBytes: -1 });
                break;
              }
              case 'deleteRecords': {
                const o = pick(m, op.at);
                let expected = m.start;
                if (o > expected) expected = o;
                expect(await log.deleteRecordsBefore(o)).toBe(expected);
                if (o > m.start) m.start = o;
                m.batches = m.batches.filter((b) => b.last >= m.start);
                break;
              }
              case 'truncate': {
                const o = pick(m, op.at);
                await log.truncateTo(o);
                if (o < m.end) {
                  const b = m.batchOf(o)!;
                  if (o <= m.start || b.base <= m.start) {
                    m.start = o;
                    m.end = o;
                    m.batches = [];
                  } else {
                    m.end = b.base;
                    m.batches = m.batches.filter((x) => x.base < b.base);
                  }
                }
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

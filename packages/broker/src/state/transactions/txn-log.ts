// Records of __transaction_state, the transaction coordinator's durable log (compacted, keyed by
// transactional id; the last record of an id is its state).
//   key:   version int16 (0) | transactionalId string                       (Kafka's TransactionLogKey)
//   value: version int16 (0) | producerId int64 | producerEpoch int16 | transactionTimeoutMs int32 |
//          status int8 | partitions [topic string, [partition int32]] | lastUpdateMs int64 | startMs int64
//          (Kafka's TransactionLogValue v0), then Brook's tail: int32 length | JSON of the fields Kafka
//          keeps elsewhere (last epoch for KIP-360 retries, AddOffsetsToTxn groups, and the offsets staged by
//          TxnOffsetCommit, which Kafka writes to __consumer_offsets as transactional records).
// A null value is a tombstone (expired transactional id).

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnState = (typeof TxnState)[keyof typeof TxnState];

/** Kafka's state names (DescribeTransactions, ListTransactions filters). */
export const TXN_STATE_NAMES: readonly string[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
];

export interface StagedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
}

export interface TxnRecord {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  /** topic → partitions */
  partitions: Map<string, Set<number>>;
  lastUpdateMs: number;
  startMs: number;
  /** Groups added with AddOffsetsToTxn. */
  groups: Set<string>;
  /** group → "partition:topic" → offset staged by TxnOffsetCommit. */
  pendingOffsets: Map<string, Map<string, StagedOffset>>;
}

export function encodeTxnKey(transactionalId: string): Buffer {
  const id = Buffer.from(transactionalId, 'utf8');
  const b = Buffer.allocUnsafe(4 + id.length);
  b.writeInt16BE(0, 0);
  b.writeInt16BE(id.length, 2);
  id.copy(b, 4);
  return b;
}

export function decodeTxnKey(b: Buffer): string | null {
  if (b.length < 4 || b.readInt16BE(0) !== 0) return null;
  const n = b.readInt16BE(2);
  return b.toString('utf8', 4, 4 + n);
}

export function encodeTxnValue(t: TxnRecord): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(2 + 8 + 2 + 4 + 1 + 4);
  head.writeInt16BE(0, 0);
  head.writeBigInt64BE(t.producerId, 2);
  head.writeInt16BE(t.producerEpoch, 10);
  head.writeInt32BE(t.txnTimeoutMs, 12);
  head.writeInt8(t.state, 16);
  head.writeInt32BE(t.partitions.size, 17);
  parts.push(head);
  for (const [topic, ps] of t.partitions) {
    const name = Buffer.from(topic, 'utf8');
    const b = Buffer.allocUnsafe(2 + name.length + 4 + 4 * ps.size);
    b.writeInt16BE(name.length, 0);
    name.copy(b, 2);
    b.writeInt32BE(ps.size, 2 + name.length);
    let p = 6 + name.length;
    for (const x of ps) {
      b.writeInt32BE(x, p);
      p += 4;
    }
    parts.push(b);
  }
  const times = Buffer.allocUnsafe(16);
  times.writeBigInt64BE(BigInt(t.lastUpdateMs), 0);
  times.writeBigInt64BE(BigInt(t.startMs), 8);
  parts.push(times);
  const extra = Buffer.from(
    JSON.stringify({
      lastProducerEpoch: t.lastProducerEpoch,
      groups: [...t.groups],
      offsets: [...t.pendingOffsets].map(([g, m]) => [
        g,
        [...m].map(([k, o]) => [k, o.offset.toString(), o.leaderEpoch, o.metadata]),
      ]),
    }),
    'utf8',
  );
  const len = Buffer.allocUnsafe(4);
  len.writeInt32BE(extra.length, 0);
  parts.push(len, extra);
  return Buffer.concat(parts);
}

export function decodeTxnValue(transactionalId: string, b: Buffer): TxnRecord {
  if (b.readInt16BE(0) !== 0) throw new Error(`TransactionLogValue v${b.readInt16BE(0)} not supported`);
  const producerId = b.readBigInt64BE(2);
  const producerEpoch = b.readInt16BE(10);
  const txnTimeoutMs = b.readInt32BE(12);
  const state = b.readInt8(16) as TxnState;
  const n = b.readInt32BE(17);
  let p = 21;
  const partitions = new Map<string, Set<number>>();
  for (let i = 0; i < n; i++) {
    const len = b.readInt16BE(p);
    const topic = b.toString('utf8', p + 2, p + 2 + len);
    p += 2 + len;
    const m = b.readInt32BE(p);
    p += 4;
    const set = new Set<number>();
    for (let j = 0; j < m; j++, p += 4) set.add(b.readInt32BE(p));
    partitions.set(topic, set);
  }
  const lastUpdateMs = Number(b.readBigInt64BE(p));
  const startMs = Number(b.readBigInt64BE(p + 8));
  p += 16;
  const rec: TxnRecord = {
    transactionalId,
    producerId,
    producerEpoch,
    lastProducerEpoch: -1,
    txnTimeoutMs,
    state,
    partitions,
    lastUpdateMs,
    startMs,
    groups: new Set(),
    pendingOffsets: new Map(),
  };
  if (p + 4 <= b.length) {
    const len = b.readInt32BE(p);
    const extra = JSON.parse(b.toString('utf8', p + 4, p + 4 + len)) as {
      lastProducerEpoch: number;
      groups: string[];
      offsets: [string, [string, string, number, string][]][];
    };
    rec.lastProducerEpoch = extra.lastProducerEpoch;
    rec.groups = new Set(extra.groups);
    for (const [g, entries] of extra.offsets) {
      rec.pendingOffsets.set(
        g,
        new Map(entries.map(([k, o, e, m]) => [k, { offset: BigInt(o), leaderEpoch: e, metadata: m }])),
      );
    }
  }
  return rec;
}

// Producer ids for idempotent producers. Ids are reserved in blocks, and a block's end is made durable
// in the data dir before any id from it is handed out, so no id is reused after a restart or a crash.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PRODUCER_ID_FILE = 'producer-ids.json';
/** Epochs are int16; Kafka starts a new producer id instead of passing Short.MAX_VALUE - 1. */
const MAX_EPOCH = 0x7fff - 1;

export type InitProducerIdOutcome =
  | { producerId: bigint; producerEpoch: number }
  | { error: 'invalid-request' | 'producer-fenced' };

export class ProducerIdManager {
  private next: bigint;
  private blockEnd: bigint;
  /** Latest epoch handed out per bumped producer id, to fence older instances of that producer. */
  private readonly epochs = new Map<bigint, number>();

  private constructor(
    private readonly dataDir: string | null,
    start: bigint,
    private readonly blockSize: bigint,
  ) {
    this.next = start;
    this.blockEnd = start;
  }

  static open(dataDir: string | null, blockSize = 1000): ProducerIdManager {
    let start = 0n;
    if (dataDir !== null) {
      try {
        const saved = JSON.parse(readFileSync(join(dataDir, PRODUCER_ID_FILE), 'utf8')) as { nextBlockStart?: string };
        if (typeof saved.nextBlockStart === 'string') start = BigInt(saved.nextBlockStart);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return new ProducerIdManager(dataDir, start, BigInt(blockSize));
  }

  /** A fresh producer id, never handed out before by this data dir. */
  nextId(): bigint {
    if (this.next >= this.blockEnd) this.reserve(this.next + this.blockSize);
    const id = this.next;
    this.next += 1n;
    return id;
  }

  /**
   * InitProducerId without a transactional id. With a producer id and epoch (v3+, KIP-360) the same id
   * comes back with the next epoch, so the old epoch is fenced; ids we never issued or exhausted epochs
   * get a new id, as Kafka does.
   */
  initProducerId(producerId: bigint, producerEpoch: number): InitProducerIdOutcome {
    const noId = producerId === -1n;
    const noEpoch = producerEpoch === -1;
    if (noId && noEpoch) return { producerId: this.nextId(), producerEpoch: 0 };
    if (noId !== noEpoch) return { error: 'invalid-request' };
    if (producerId < 0n || producerId >= this.next) return { producerId: this.nextId(), producerEpoch: 0 };
    const latest = this.epochs.get(producerId);
    if (latest !== undefined && producerEpoch < latest) return { error: 'producer-fenced' };
    if (producerEpoch >= MAX_EPOCH) {
      this.epochs.delete(producerId);
      return { producerId: this.nextId(), producerEpoch: 0 };
    }
    const epoch = producerEpoch + 1;
    this.epochs.set(producerId, epoch);
    return { producerId, producerEpoch: epoch };
  }

  private reserve(end: bigint): void {
    if (this.dataDir !== null) {
      mkdirSync(this.dataDir, { recursive: true });
      const file = join(this.dataDir, PRODUCER_ID_FILE);
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ nextBlockStart: end.toString() })}\n`);
      const fd = openSync(tmp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      syncDir(this.dataDir);
    }
    this.blockEnd = end;
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

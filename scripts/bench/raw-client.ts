// Raw pipelined load generator on @brook/protocol: pre-encoded Produce requests (the same record
// batch re-sent; the broker assigns offsets) and Fetch requests over several connections with
// several requests in flight on each. No metadata: the bootstrap broker must lead every partition
// (true for a single Brook and for a one-broker mock cluster).
//
//   node --import tsx scripts/bench/raw-client.ts produce|fetch --bootstrap H:P --topic T
//        [--size 1024] [--batch-records 1000] [--partitions 1] [--connections 4] [--inflight 8]
//        [--acks 1] [--seconds 3] [--max-bytes 1048576]
// Prints one JSON line: {"records","bytes","seconds","requests","errors","cpu"} (cpu: client CPU seconds).
import { connect, type Socket } from 'node:net';
import {
  buildRecordBatch,
  encodeRequestHeader,
  encodeToBuffer,
  FetchRequest,
  FetchResponse,
  FrameSplitter,
  ProduceRequest,
  ProduceResponse,
  Reader,
  responseHeaderVersion,
  Writer,
} from '@brook/protocol';

const PRODUCE_VERSION = 7;
const FETCH_VERSION = 11;

export interface RawOptions {
  bootstrap: string;
  topic: string;
  size: number;
  batchRecords: number;
  partitions: number;
  connections: number;
  inflight: number;
  acks: number;
  seconds: number;
  maxBytes: number;
}

export interface RawClientResult {
  records: number;
  bytes: number;
  seconds: number;
  requests: number;
  errors: number;
  firstError?: string;
  /** CPU seconds this process used during the measured window. */
  cpu?: number;
}

/** The 4-byte size prefix + request header with a placeholder correlation id, and the body. */
function encodeRequest(apiKey: number, apiVersion: number, body: Buffer): { head: Buffer; body: Buffer } {
  const w = new Writer();
  encodeRequestHeader(w, { apiKey, apiVersion, correlationId: 0, clientId: 'brook-raw' });
  const header = w.toBuffer();
  const head = Buffer.alloc(4 + header.length);
  head.writeInt32BE(header.length + body.length, 0);
  header.copy(head, 4);
  return { head, body };
}

/** A connection that matches responses to requests by correlation id (responses arrive in order). */
class Conn {
  private readonly splitter = new FrameSplitter(256 * 1024 * 1024);
  private nextId = 1;
  private readonly waiting = new Map<number, (body: Buffer) => void>();
  readonly ready: Promise<void>;

  readonly sock: Socket;

  constructor(host: string, port: number) {
    // Large reads into one reusable buffer: far fewer callbacks than 64 KiB 'data' chunks.
    const sock = connect({
      host,
      port,
      onread: {
        buffer: Buffer.allocUnsafe(4 << 20),
        callback: (n, buf) => {
          this.onData(Buffer.from(buf.subarray(0, n)));
          return true; // keep reading
        },
      },
    });
    this.sock = sock;
    sock.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.splitter.push(chunk)) {
      const id = frame.readInt32BE(0);
      const cb = this.waiting.get(id);
      if (!cb) throw new Error(`unexpected correlation id ${id}`);
      this.waiting.delete(id);
      cb(frame);
    }
  }

  /** Sends a pre-encoded request; `head` is copied so the correlation id can differ per request. */
  send(req: { head: Buffer; body: Buffer }, onResponse: (frame: Buffer) => void): void {
    const id = this.nextId++;
    const head = Buffer.from(req.head);
    head.writeInt32BE(id, 8);
    this.waiting.set(id, onResponse);
    this.sock.cork();
    this.sock.write(head);
    this.sock.write(req.body);
    this.sock.uncork();
  }

  close() {
    this.sock.destroy();
  }
}

function bodyReader(frame: Buffer, apiKey: number, version: number): Reader {
  const r = new Reader(frame, 4);
  if (responseHeaderVersion(apiKey, version) >= 1) r.readUnknownTaggedFields();
  return r;
}

async function openConnections(o: RawOptions): Promise<Conn[]> {
  const [host, port] = [o.bootstrap.slice(0, o.bootstrap.lastIndexOf(':')), Number(o.bootstrap.split(':').pop())];
  const conns = Array.from({ length: o.connections }, () => new Conn(host, port));
  await Promise.all(conns.map((c) => c.ready));
  return conns;
}

export async function rawProduce(o: RawOptions): Promise<RawClientResult> {
  const value = Buffer.alloc(o.size, 'r');
  const batch = buildRecordBatch({ records: Array.from({ length: o.batchRecords }, () => ({ value })) });
  // One pre-encoded request per partition, each carrying one batch.
  const requests = Array.from({ length: o.partitions }, (_, p) =>
    encodeRequest(
      0,
      PRODUCE_VERSION,
      encodeToBuffer(
        ProduceRequest,
        {
          acks: o.acks,
          timeoutMs: 30_000,
          topicData: [{ name: o.topic, partitionData: [{ index: p, records: batch }] }],
        },
        PRODUCE_VERSION,
      ),
    ),
  );
  const conns = await openConnections(o);
  const res: RawClientResult = { records: 0, bytes: 0, seconds: 0, requests: 0, errors: 0 };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  let next = 0;
  let outstanding = 0;
  await new Promise<void>((done) => {
    const issue = (c: Conn) => {
      const p = next++ % o.partitions;
      outstanding++;
      c.send(requests[p]!, (frame) => {
        outstanding--;
        res.requests++;
        const r = ProduceResponse.decode(bodyReader(frame, 0, PRODUCE_VERSION), PRODUCE_VERSION);
        const err = r.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
        if (err !== 0) {
          res.errors++;
          res.firstError ??= `produce error code ${err}`;
        } else {
          res.records += o.batchRecords;
          res.bytes += o.batchRecords * o.size;
        }
        if (performance.now() < end && res.errors === 0) issue(c);
        else if (outstanding === 0) done();
      });
    };
    for (const c of conns) for (let i = 0; i < o.inflight; i++) issue(c);
  });
  res.seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  res.cpu = (cpu.user + cpu.system) / 1e6;
  for (const c of conns) c.close();
  return res;
}

/** Counts records in complete v2 batches; returns the offset after the last complete one. */
function scan(records: Buffer | null): { records: number; next: bigint | null } {
  let pos = 0;
  let n = 0;
  let next: bigint | null = null;
  if (!records) return { records: 0, next };
  while (pos + 61 <= records.length) {
    const len = records.readInt32BE(pos + 8);
    if (pos + 12 + len > records.length) break;
    next = records.readBigInt64BE(pos) + BigInt(records.readInt32BE(pos + 23)) + 1n;
    n += records.readInt32BE(pos + 57);
    pos += 12 + len;
  }
  return { records: n, next };
}

/**
 * Fetches from each partition's log start to its high watermark, then wraps around, for `seconds`.
 * `connections x inflight` cursors, spread over partitions and over the offset range of each.
 */
export async function rawFetch(o: RawOptions): Promise<RawClientResult> {
  const conns = await openConnections(o);
  const fetchReq = (p: number, offset: bigint) =>
    encodeRequest(
      1,
      FETCH_VERSION,
      encodeToBuffer(
        FetchRequest,
        {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: o.maxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            { topic: o.topic, partitions: [{ partition: p, fetchOffset: offset, partitionMaxBytes: o.maxBytes }] },
          ],
        },
        FETCH_VERSION,
      ),
    );
  const decode = (frame: Buffer) => FetchResponse.decode(bodyReader(frame, 1, FETCH_VERSION), FETCH_VERSION);
  // Learn each partition's range with one fetch at offset 0 (an out-of-range reply carries logStartOffset).
  const ranges: { lo: bigint; hi: bigint }[] = [];
  for (let p = 0; p < o.partitions; p++) {
    const frame = await new Promise<Buffer>((resolve) => conns[0]!.send(fetchReq(p, 0n), resolve));
    const part = decode(frame).responses[0]?.partitions[0];
    if (!part) throw new Error('empty fetch response');
    ranges.push({ lo: part.logStartOffset ?? 0n, hi: part.highWatermark });
    if (part.highWatermark <= (part.logStartOffset ?? 0n)) throw new Error(`partition ${p} is empty`);
  }
  const res: RawClientResult = { records: 0, bytes: 0, seconds: 0, requests: 0, errors: 0 };
  const cursors = o.connections * o.inflight;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  let outstanding = 0;
  await new Promise<void>((done) => {
    const issue = (c: Conn, p: number, offset: bigint) => {
      outstanding++;
      c.send(fetchReq(p, offset), (frame) => {
        outstanding--;
        res.requests++;
        const part = decode(frame).responses[0]?.partitions[0];
        const { lo, hi } = ranges[p]!;
        let nextOffset = lo;
        if (part?.errorCode !== 0) {
          res.errors++;
          res.firstError ??= `fetch error code ${part?.errorCode}`;
        } else {
          const s = scan(part.records);
          res.records += s.records;
          res.bytes += s.records * o.size;
          if (s.next !== null && s.next < hi) nextOffset = s.next;
        }
        if (performance.now() < end && res.errors < 100) issue(c, p, nextOffset);
        else if (outstanding === 0) done();
      });
    };
    for (let j = 0; j < cursors; j++) {
      const p = j % o.partitions;
      const { lo, hi } = ranges[p]!;
      const share = Math.floor(j / o.partitions) / Math.ceil(cursors / o.partitions);
      issue(conns[j % conns.length]!, p, lo + BigInt(Math.floor(Number(hi - lo) * share)));
    }
  });
  res.seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  res.cpu = (cpu.user + cpu.system) / 1e6;
  for (const c of conns) c.close();
  return res;
}

if (process.argv[1]?.endsWith('raw-client.ts')) {
  const argv = process.argv.slice(2);
  const mode = argv[0];
  const get = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : def;
  };
  const o: RawOptions = {
    bootstrap: get('bootstrap', '127.0.0.1:9092'),
    topic: get('topic', 'bench'),
    size: Number(get('size', '1024')),
    batchRecords: Number(get('batch-records', '1000')),
    partitions: Number(get('partitions', '1')),
    connections: Number(get('connections', '4')),
    inflight: Number(get('inflight', '8')),
    acks: Number(get('acks', '1')),
    seconds: Number(get('seconds', '3')),
    maxBytes: Number(get('max-bytes', String(1 << 20))),
  };
  if (mode !== 'produce' && mode !== 'fetch') {
    console.error('usage: raw-client.ts produce|fetch --bootstrap H:P --topic T [...]');
    process.exit(2);
  }
  const r = await (mode === 'produce' ? rawProduce(o) : rawFetch(o));
  console.log(JSON.stringify(r));
  process.exit(r.errors && !r.records ? 3 : 0);
}

// A minimal Kafka client over one socket using Brook's own codec: for requests no real client will
// send (corrupt batches, odd versions, re-sent sequences) and for reading responses field by field.
import { connect, type Socket } from 'node:net';
import { decodeResponseHeader, encodeRequestHeader, type MessageCodec, Reader, Writer } from '@brook/protocol';

export class CodecClient {
  private buf: Buffer = Buffer.alloc(0);
  private nextCorrelation = 1;
  private readonly pending = new Map<number, (frame: Buffer | Error) => void>();
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (e: Error) => {
      this.closed = true;
      for (const p of this.pending.values()) p(e);
      this.pending.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by broker')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<CodecClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new CodecClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends `body` as request `codec` at `version`; resolves with the decoded response. */
  async request<Req, Res>(
    codec: MessageCodec<Req>,
    responseCodec: MessageCodec<Res>,
    version: number,
    body: Req,
  ): Promise<Res> {
    const frame = await this.requestRaw(codec.apiKey, version, (w) => codec.encode(w, body, version));
    if (!frame) throw new Error('no response');
    const r = new Reader(frame);
    decodeResponseHeader(r, codec.apiKey, version);
    return responseCodec.decode(r, version);
  }

  /** Sends a request whose body `writeBody` writes; resolves with the response frame (header included), or null if `expectResponse` is false. */
  requestRaw(
    apiKey: number,
    version: number,
    writeBody: (w: Writer) => void,
    expectResponse = true,
  ): Promise<Buffer | null> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const correlationId = this.nextCorrelation++;
    const w = new Writer();
    const size = w.reserveInt32();
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: 'brook-codec-test' });
    writeBody(w);
    w.patchInt32(size, w.length - 4);
    const done = expectResponse
      ? new Promise<Buffer>((resolve, reject) =>
          this.pending.set(correlationId, (f) => (f instanceof Error ? reject(f) : resolve(f))),
        )
      : Promise.resolve(null);
    this.socket.write(w.toBuffer());
    return done;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 4) {
      const size = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + size) return;
      const frame = this.buf.subarray(4, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      const cb = this.pending.get(frame.readInt32BE(0));
      if (cb) {
        this.pending.delete(frame.readInt32BE(0));
        cb(frame);
      }
    }
  }
}

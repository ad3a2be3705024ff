// Tiny request/response client over one socket with Brook's codec, for versions and fields that
// kafkajs does not use (CreateTopics v7 ids, Metadata v12 by id, DeleteTopics v6, ...) and raw bytes.
import { connect, type Socket } from 'node:net';
import { decodeResponseHeader, encodeRequestHeader, type MessageCodec, Reader, Writer } from '@brook/protocol';

export class RawClient {
  private buf = Buffer.alloc(0);
  private corr = 0;
  private readonly waiting = new Map<number, { resolve: (f: Buffer) => void; reject: (e: Error) => void }>();
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const f = this.buf.subarray(4, 4 + this.buf.readInt32BE(0));
        this.buf = this.buf.subarray(4 + f.length);
        const w = this.waiting.get(f.readInt32BE(0));
        this.waiting.delete(f.readInt32BE(0));
        w?.resolve(f);
      }
    });
    const fail = () => {
      this.closed = true;
      for (const w of this.waiting.values()) w.reject(new Error('connection closed'));
      this.waiting.clear();
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  async send<Req, Res>(req: MessageCodec<Req>, res: MessageCodec<Res>, version: number, body: Req): Promise<Res> {
    const correlationId = ++this.corr;
    const w = new Writer();
    const size = w.reserveInt32();
    encodeRequestHeader(w, { apiKey: req.apiKey, apiVersion: version, correlationId, clientId: 'raw-admin' });
    req.encode(w, body, version);
    w.patchInt32(size, w.length - 4);
    const frame = new Promise<Buffer>((resolve, reject) => this.waiting.set(correlationId, { resolve, reject }));
    this.socket.write(w.toBuffer());
    const r = new Reader(await frame);
    decodeResponseHeader(r, req.apiKey, version);
    return res.decode(r, version);
  }

  /** Resolves when the broker closes the connection (or after `ms`, with false). */
  waitClosed(ms = 3000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

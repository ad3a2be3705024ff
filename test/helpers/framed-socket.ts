// The socket side of the test clients (CodecClient, WireConnection): writes size-prefixed request
// frames and hands each response frame to the request with its correlation id. Once the socket fails
// or closes, pending and later requests reject with that error.
import { connect, type Socket } from 'node:net';

export class FramedSocket {
  private buf: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (frame: Buffer) => void; reject: (e: Error) => void }>();
  private closedError: Error | null = null;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (e: Error) => {
      this.closedError = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<FramedSocket> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new FramedSocket(s)));
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /**
   * Writes `frame` (size prefix included); resolves with the response frame for `correlationId` (from the
   * correlation id on, without the size prefix), or with null at once when no response is expected.
   */
  exchange(frame: Buffer, correlationId: number, expectResponse = true): Promise<Buffer | null> {
    if (this.closedError) return Promise.reject(this.closedError);
    const done = expectResponse
      ? new Promise<Buffer>((resolve, reject) => this.pending.set(correlationId, { resolve, reject }))
      : Promise.resolve(null);
    this.socket.write(frame);
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
      const correlationId = frame.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (p) {
        this.pending.delete(correlationId);
        p.resolve(frame);
      }
    }
  }
}

// One TCP connection to a broker: requests are pipelined (any number in flight), answered by
// correlation id; frames are cut with the protocol's FrameSplitter.
import { connect, type Socket } from 'node:net';
import {
  decodeResponseHeader,
  encodeRequestHeader,
  FrameSplitter,
  type MessageCodec,
  Reader,
  Writer,
} from '@brook/protocol';
import { ConnectionError, RequestTimeoutError } from './errors.js';

const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

interface Pending {
  apiKey: number;
  version: number;
  resolve(frame: Buffer): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout | null;
}

export interface ConnectOptions {
  host: string;
  port: number;
  clientId: string;
  connectTimeoutMs?: number;
  /** Default per-request timeout (a long-poll fetch adds its wait time). */
  requestTimeoutMs?: number;
}

export class BrokerConnection {
  private readonly splitter = new FrameSplitter(MAX_RESPONSE_BYTES);
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closedError: Error | null = null;
  readonly address: string;

  private constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectOptions,
  ) {
    this.address = `${opts.host}:${opts.port}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      this.fail(
        new ConnectionError(this.address, e.code ?? 'error', `connection to ${this.address} failed: ${e.message}`),
      ),
    );
    socket.on('close', () =>
      this.fail(new ConnectionError(this.address, 'closed', `connection to ${this.address} closed by the broker`)),
    );
  }

  static open(opts: ConnectOptions): Promise<BrokerConnection> {
    const address = `${opts.host}:${opts.port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(address, 'ETIMEDOUT', `cannot reach ${address} (timed out)`));
      }, opts.connectTimeoutMs ?? 5000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new BrokerConnection(socket, opts));
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why =
          e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ENOTFOUND' ? 'unknown host' : e.message;
        reject(new ConnectionError(address, e.code ?? 'error', `cannot reach ${address} (${why})`));
      });
    });
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  /** Sends one request; resolves with the decoded response. */
  async send<Req, Res>(
    request: MessageCodec<Req>,
    response: MessageCodec<Res>,
    version: number,
    body: Req,
    timeoutMs?: number,
  ): Promise<Res> {
    const frame = await this.sendRaw(request.apiKey, version, (w) => request.encode(w, body, version), timeoutMs);
    const r = new Reader(frame);
    decodeResponseHeader(r, request.apiKey, version);
    return response.decode(r, version);
  }

  /** Sends a request and expects no response (Produce acks=0). */
  sendNoResponse<Req>(request: MessageCodec<Req>, version: number, body: Req): void {
    if (this.closedError) throw this.closedError;
    const w = this.frame(request.apiKey, version, this.nextCorrelationId++, (wr) => request.encode(wr, body, version));
    for (const b of w.toBuffers()) this.socket.write(b);
  }

  private frame(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Writer {
    const w = new Writer();
    const size = w.reserveInt32();
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: this.opts.clientId });
    body(w);
    w.patchInt32(size, w.length - 4);
    return w;
  }

  sendRaw(apiKey: number, version: number, body: (w: Writer) => void, timeoutMs?: number): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    const w = this.frame(apiKey, version, correlationId, body);
    return new Promise<Buffer>((resolve, reject) => {
      const ms = timeoutMs ?? this.opts.requestTimeoutMs ?? 30_000;
      const p: Pending = { apiKey, version, resolve, reject, timer: null };
      p.timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new RequestTimeoutError(`request to ${this.address} timed out after ${ms} ms (API key ${apiKey})`));
      }, ms);
      this.pending.set(correlationId, p);
      this.socket.cork();
      for (const b of w.toBuffers()) this.socket.write(b);
      this.socket.uncork();
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (e) {
      this.fail(
        new ConnectionError(this.address, 'framing', `bad response from ${this.address}: ${(e as Error).message}`),
      );
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      if (f.length < 4) continue;
      const id = f.readInt32BE(0);
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      if (p.timer) clearTimeout(p.timer);
      p.resolve(f);
    }
  }

  private fail(e: Error): void {
    if (this.closedError) return;
    this.closedError = e;
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.fail(new ConnectionError(this.address, 'closed', `connection to ${this.address} closed`));
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 200).unref();
    });
  }
}

// One client connection: frames in, responses out strictly in request order (a queue of slots),
// acks=0 requests leave an empty slot that never blocks later responses. Reading pauses while too
// many requests are in flight or too many response bytes are unsent. Only framing/protocol errors
// close the connection; they never affect other connections.
import type { Socket } from 'node:net';
import { FrameSplitter, FrameTooLargeError } from '@brook/protocol';
import type { ConnectionInfo, Dispatcher, DispatchResult } from './dispatch.js';
import type { Logger } from './logger.js';

export interface ConnectionOptions {
  id: string;
  /** socket.request.max.bytes: frames above this close the connection before any allocation. */
  maxFrameBytes: number;
  /** connections.max.idle.ms; < 0 disables. */
  idleMs: number;
  maxInflight: number;
  maxPendingBytes: number;
  log: Logger;
}

interface Slot {
  result: DispatchResult | null;
}

export class Connection implements ConnectionInfo {
  readonly id: string;
  readonly log: Logger;
  private readonly splitter: FrameSplitter;
  /** Responses not yet written, in request order. */
  private readonly slots: Slot[] = [];
  private paused = false;
  private closed = false;
  private draining = false;
  private readonly closeWaiters: (() => void)[] = [];
  private clientLog: { clientId: string | null; log: Logger } | null = null;
  requests = 0;

  constructor(
    readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    private readonly opts: ConnectionOptions,
  ) {
    this.id = opts.id;
    this.log = opts.log;
    this.splitter = new FrameSplitter(opts.maxFrameBytes);
    socket.setNoDelay(true);
    if (opts.idleMs >= 0) socket.setTimeout(opts.idleMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('timeout', () => {
      // Only idle when nothing is in flight (a long-poll fetch is activity, not idleness).
      if (this.slots.length === 0) this.close(`idle for more than ${opts.idleMs} ms`, 'debug');
    });
    socket.on('error', (e) => this.close(`socket error: ${e.message}`, 'debug'));
    socket.on('close', () => this.onClosed());
    socket.on('end', () => {
      // Half-close from the client: finish what is queued, then close our side.
      this.draining = true;
      this.endIfDrained();
    });
  }

  /** Logger with the client id bound, cached while the client id stays the same. */
  logFor(clientId: string | null): Logger {
    if (this.clientLog === null || this.clientLog.clientId !== clientId) {
      this.clientLog = { clientId, log: this.log.child({ clientId }) };
    }
    return this.clientLog.log;
  }

  get inflight(): number {
    return this.slots.length;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.draining) return;
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (e) {
      if (e instanceof FrameTooLargeError) this.close(e.message, 'warn');
      else this.close(`framing error: ${(e as Error).message}`, 'warn');
      return;
    }
    // Responses finished while these frames are dispatched go out in one write (cork nests in flush).
    this.socket.cork();
    try {
      this.dispatchFrames(frames);
    } finally {
      this.socket.uncork();
    }
    this.maybePause();
  }

  private dispatchFrames(frames: Buffer[]): void {
    for (const frame of frames) {
      if (this.closed) return;
      this.requests++;
      const slot: Slot = { result: null };
      this.slots.push(slot);
      let r: DispatchResult | Promise<DispatchResult>;
      try {
        r = this.dispatcher.dispatch(frame, this);
      } catch (e) {
        r = { kind: 'close', reason: `dispatch failed: ${(e as Error).message}` };
      }
      if (!(r instanceof Promise) && r.kind === 'close') {
        // Undecodable request: Kafka drops the connection at once; later frames are not run.
        this.close(r.reason, 'warn');
        return;
      }
      if (r instanceof Promise) {
        r.then(
          (res) => this.complete(slot, res),
          (e: unknown) => this.complete(slot, { kind: 'close', reason: `dispatch failed: ${(e as Error).message}` }),
        );
      } else {
        this.complete(slot, r);
      }
    }
  }

  private complete(slot: Slot, res: DispatchResult): void {
    slot.result = res;
    this.flush();
  }

  /** Writes every finished response at the head of the queue; stops at the first unfinished one. */
  private flush(): void {
    if (this.closed) return;
    let corked = false;
    while (this.slots.length > 0) {
      const head = this.slots[0]!;
      const res = head.result;
      if (res === null) break;
      this.slots.shift();
      if (res.kind === 'close') {
        if (corked) this.socket.uncork();
        this.close(res.reason, 'warn');
        return;
      }
      if (res.kind === 'response') {
        if (!corked) {
          this.socket.cork();
          corked = true;
        }
        // Chunks are written by reference (record payloads are not copied); cork turns them into one writev.
        for (const b of res.buffers) this.socket.write(b);
      }
    }
    if (corked) this.socket.uncork();
    this.maybePause();
    this.maybeResume();
    this.endIfDrained();
  }

  private maybePause(): void {
    if (this.paused || this.closed) return;
    if (this.slots.length >= this.opts.maxInflight || this.socket.writableLength > this.opts.maxPendingBytes) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (!this.paused || this.closed) return;
    if (this.slots.length < this.opts.maxInflight && this.socket.writableLength <= this.opts.maxPendingBytes) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private endIfDrained(): void {
    if (this.draining && this.slots.length === 0 && !this.closed) {
      this.socket.end();
    }
  }

  /**
   * Graceful close: stop reading, let queued responses go out (bounded by `timeoutMs`), then close.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.draining = true;
    this.socket.pause();
    if (this.slots.length > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        const check = setInterval(() => {
          if (this.slots.length === 0 || this.closed) {
            clearTimeout(t);
            clearInterval(check);
            resolve();
          }
        }, 5);
      });
    }
    if (!this.closed) {
      this.socket.end();
      // Do not wait for a client that never reads the FIN.
      const t = setTimeout(() => this.socket.destroy(), Math.min(timeoutMs, 1000));
      await this.waitClosed();
      clearTimeout(t);
    }
  }

  waitClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Closes now and logs why. */
  close(reason: string, level: 'debug' | 'info' | 'warn' = 'info'): void {
    if (this.closed) return;
    this.log[level]({ reason }, 'closing connection');
    this.socket.destroy();
    this.onClosed();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.slots.length = 0;
    this.splitter.reset();
    for (const w of this.closeWaiters.splice(0)) w();
  }
}

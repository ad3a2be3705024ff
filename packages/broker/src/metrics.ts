// Prometheus metrics (prom-client), loaded only when a metrics port is set so the default start
// stays fast. Hooks, all outside the hot code itself:
// - requests and latency per API key: the dispatcher's dispatch() is wrapped (decode + handle + encode);
// - connections: the listener's 'connection' events;
// - bytes/records in and out per topic: the Produce and Fetch handlers are wrapped; records are
//   counted from each batch header's recordCount (no record decoding);
// - partition sizes and consumer lag: computed at scrape time from storage and the group coordinator.
import { createServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { ApiKey, apiMessage } from '@brook/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Dispatcher, DispatchResult } from './dispatch.js';
import type { Handler } from './handler.js';
import type { BrokerState } from './state/broker-state.js';

const MAGIC_OFFSET = 16;
const BATCH_LENGTH_OFFSET = 8;
const RECORDS_COUNT_OFFSET = 57;
const LOG_OVERHEAD = 12;

/** Records in a records blob, from batch headers only (v2: recordCount; v0/v1: one per entry). */
export function countRecords(buf: Buffer | null | undefined): number {
  if (!buf) return 0;
  let n = 0;
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const len = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (len <= 0 || buf.length - pos < LOG_OVERHEAD + len) break;
    if (buf.length - pos > MAGIC_OFFSET && buf.readInt8(pos + MAGIC_OFFSET) === 2) {
      if (buf.length - pos >= RECORDS_COUNT_OFFSET + 4) n += buf.readInt32BE(pos + RECORDS_COUNT_OFFSET);
    } else {
      n += 1;
    }
    pos += LOG_OVERHEAD + len;
  }
  return n;
}

function apiLabel(apiKey: number): string {
  return apiMessage(apiKey)?.name ?? `Api${apiKey}`;
}

export class BrokerMetrics {
  readonly registry = new Registry();
  private readonly bytesIn: Counter<'topic'>;
  private readonly recordsIn: Counter<'topic'>;
  private readonly bytesOut: Counter<'topic'>;
  private readonly recordsOut: Counter<'topic'>;
  private readonly requests: Counter<'api'>;
  private readonly latency: Histogram<'api'>;
  private readonly connectionsOpen: Gauge;
  private readonly connectionsTotal: Counter;
  private http: HttpServer | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly state: BrokerState) {
    const registers = [this.registry];
    this.bytesIn = new Counter({
      name: 'brook_topic_bytes_in_total',
      help: 'Record batch bytes appended by Produce requests, per topic.',
      labelNames: ['topic'],
      registers,
    });
    this.recordsIn = new Counter({
      name: 'brook_topic_records_in_total',
      help: 'Records appended by Produce requests (from batch headers), per topic.',
      labelNames: ['topic'],
      registers,
    });
    this.bytesOut = new Counter({
      name: 'brook_topic_bytes_out_total',
      help: 'Record batch bytes returned by Fetch responses, per topic.',
      labelNames: ['topic'],
      registers,
    });
    this.recordsOut = new Counter({
      name: 'brook_topic_records_out_total',
      help: 'Records returned by Fetch responses (from batch headers), per topic.',
      labelNames: ['topic'],
      registers,
    });
    this.requests = new Counter({
      name: 'brook_requests_total',
      help: 'Requests handled, per API.',
      labelNames: ['api'],
      registers,
    });
    this.latency = new Histogram({
      name: 'brook_request_duration_seconds',
      help: 'Time from a decoded request frame to its encoded response (long-poll waits included), per API.',
      labelNames: ['api'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.connectionsOpen = new Gauge({ name: 'brook_connections', help: 'Open client connections.', registers });
    this.connectionsTotal = new Counter({
      name: 'brook_connections_accepted_total',
      help: 'Client connections accepted.',
      registers,
    });

    const st = this.state;
    new Gauge({
      name: 'brook_partition_size_bytes',
      help: 'Bytes of log segments of a partition.',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const t of st.topics.list()) {
          for (let p = 0; p < t.partitions; p++) {
            const log = st.logs.get(t.name, p);
            if (log) this.set({ topic: t.name, partition: String(p) }, log.sizeInBytes);
          }
        }
      },
    });
    new Gauge({
      name: 'brook_partition_log_end_offset',
      help: 'Log end offset of a partition.',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const t of st.topics.list()) {
          for (let p = 0; p < t.partitions; p++) {
            const log = st.logs.get(t.name, p);
            if (log) this.set({ topic: t.name, partition: String(p) }, Number(log.logEndOffset));
          }
        }
      },
    });
    new Gauge({
      name: 'brook_consumer_group_lag',
      help: 'High watermark minus committed offset, per group and partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const { group, topic, partition, lag } of consumerLag(st)) {
          this.set({ group, topic, partition: String(partition) }, lag);
        }
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'brook_' });
  }

  /** Wraps the Produce and Fetch handlers to count bytes and records per topic. */
  wrapHandlers(handlers: readonly Handler[]): Handler[] {
    return handlers.map((h) => {
      if (h.apiKey === ApiKey.Produce) return this.wrap(h, (req, res) => this.onProduce(req, res));
      if (h.apiKey === ApiKey.Fetch) return this.wrap(h, (_req, res) => this.onFetch(res));
      return h;
    });
  }

  private wrap(h: Handler, after: (req: unknown, res: unknown) => void): Handler {
    const handle = h.handle;
    const safe = (req: unknown, res: unknown) => {
      try {
        after(req, res);
      } catch {
        // metrics never fail a request
      }
      return res;
    };
    return {
      ...h,
      handle: (req, ctx) => {
        const out = handle(req, ctx);
        return out instanceof Promise ? out.then((res) => safe(req, res)) : safe(req, out);
      },
    };
  }

  private onProduce(reqIn: unknown, resIn: unknown): void {
    const req = reqIn as { topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[] };
    const res = resIn as {
      responses?: { name: string; partitionResponses: { index: number; errorCode: number }[] }[];
    } | null;
    // Failed partitions (errorCode != 0) appended nothing; acks=0 has no response: count what was sent.
    const failed = new Set<string>();
    if (res && typeof res === 'object' && Array.isArray(res.responses)) {
      for (const t of res.responses) {
        for (const p of t.partitionResponses) if (p.errorCode !== 0) failed.add(`${t.name}\0${p.index}`);
      }
    }
    for (const t of req.topicData) {
      let bytes = 0;
      let records = 0;
      for (const p of t.partitionData) {
        if (!p.records || failed.has(`${t.name}\0${p.index}`)) continue;
        bytes += p.records.length;
        records += countRecords(p.records);
      }
      if (bytes > 0) {
        this.bytesIn.inc({ topic: t.name }, bytes);
        this.recordsIn.inc({ topic: t.name }, records);
      }
    }
  }

  private onFetch(resIn: unknown): void {
    const res = resIn as {
      responses?: { topic?: string; topicId?: string; partitions: { records: Buffer | null }[] }[];
    } | null;
    if (!res || typeof res !== 'object' || !Array.isArray(res.responses)) return;
    for (const t of res.responses) {
      let bytes = 0;
      let records = 0;
      for (const p of t.partitions) {
        if (!p.records || p.records.length === 0) continue;
        bytes += p.records.length;
        records += countRecords(p.records);
      }
      if (bytes === 0) continue;
      const topic = t.topic || (t.topicId ? this.state.topics.getById(t.topicId)?.name : undefined) || 'unknown';
      this.bytesOut.inc({ topic }, bytes);
      this.recordsOut.inc({ topic }, records);
    }
  }

  /** Counts requests and times them (decode, handler, encode; long polls included). */
  instrumentDispatcher(dispatcher: Dispatcher): void {
    const dispatch = dispatcher.dispatch.bind(dispatcher);
    const requests = this.requests;
    const latency = this.latency;
    const labels: string[] = [];
    const label = (k: number) => (labels[k] ??= apiLabel(k));
    dispatcher.dispatch = (frame, conn) => {
      const started = process.hrtime.bigint();
      const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
      const done = (r: DispatchResult): DispatchResult => {
        if (apiKey >= 0) {
          const api = label(apiKey);
          requests.inc({ api });
          latency.observe({ api }, Number(process.hrtime.bigint() - started) / 1e9);
        }
        return r;
      };
      const r = dispatch(frame, conn);
      return r instanceof Promise ? r.then(done) : done(r);
    };
  }

  /** Counts connections of the broker's listener. */
  instrumentServer(server: NetServer): void {
    server.on('connection', (socket: Socket) => {
      this.connectionsTotal.inc();
      this.connectionsOpen.inc();
      socket.once('close', () => this.connectionsOpen.dec());
    });
  }

  /** Serves GET /metrics (Prometheus text format). */
  async listen(port: number, host: string): Promise<number> {
    const http = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
      );
    });
    http.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen({ port, host }, () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.http = http;
    const addr = http.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    return this.port;
  }

  async close(): Promise<void> {
    const http = this.http;
    this.http = null;
    this.registry.clear();
    if (!http) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}

/** Lag per group and partition with a committed offset: high watermark − committed (≥ 0). */
export function consumerLag(state: BrokerState): { group: string; topic: string; partition: number; lag: number }[] {
  const out: { group: string; topic: string; partition: number; lag: number }[] = [];
  const groups = state.groups;
  if (!groups || groups.isLoading) return out;
  for (const g of groups.listGroups([], []).groups) {
    const fetched = groups.fetchOffsets(g.groupId, null);
    if (fetched.errorCode !== 0) continue;
    for (const t of fetched.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0 || p.offset < 0n) continue;
        const log = state.logs.get(t.name, p.partitionIndex);
        if (!log) continue;
        const lag = log.highWatermark - p.offset;
        out.push({ group: g.groupId, topic: t.name, partition: p.partitionIndex, lag: lag > 0n ? Number(lag) : 0 });
      }
    }
  }
  return out;
}

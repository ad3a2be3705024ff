import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import {
  ApiKey,
  ApiVersionsRequest,
  ApiVersionsResponse,
  DescribeClusterRequest,
  DescribeClusterResponse,
  ErrorCode,
  encodeRequestHeader,
  HeartbeatRequest,
  HeartbeatResponse,
  Reader,
  Writer,
} from '@brook/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../src/authz.js';
import { Connection } from '../src/connection.js';
import { Dispatcher } from '../src/dispatch.js';
import { defineHandler, type Handler, NO_RESPONSE } from '../src/handler.js';
import { apiVersions } from '../src/handlers/18-api-versions.js';
import { handlers as registry } from '../src/handlers/index.js';
import { silentLogger } from '../src/logger.js';
import type { BrokerState } from '../src/state/broker-state.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** DescribeCluster whose latency falls with the correlation id, so later requests finish first. */
const slowCluster = defineHandler(
  DescribeClusterRequest,
  DescribeClusterResponse,
  { min: 0, max: 1 },
  async (_req, ctx) => {
    await sleep((6 - ctx.correlationId) * 15);
    if (ctx.correlationId === 3) return NO_RESPONSE;
    if (ctx.correlationId === 99) throw new Error('boom');
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: `c${ctx.correlationId}`,
      controllerId: 1,
      brokers: [],
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
);

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(handlers: Handler[], maxFrameBytes = 1 << 20): Promise<number> {
  const state = { apiVersions: [] } as unknown as BrokerState;
  const d = new Dispatcher(handlers, state);
  state.apiVersions = d.apiVersions;
  let n = 0;
  server = createServer((s) => {
    new Connection(s, d, {
      id: `t${++n}`,
      maxFrameBytes,
      idleMs: -1,
      maxInflight: 100,
      maxPendingBytes: 1 << 20,
      log: silentLogger(),
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function frame(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: 'unit' });
  body(w);
  w.patchInt32(size, w.length - 4);
  return w.toBuffer();
}

/** Collects response frames (without size prefix) and whether the peer closed. */
function collector(s: Socket) {
  let buf = Buffer.alloc(0);
  const frames: Buffer[] = [];
  let closed = false;
  s.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      frames.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
      buf = buf.subarray(4 + buf.readInt32BE(0));
    }
  });
  s.on('close', () => {
    closed = true;
  });
  s.on('error', () => {});
  return {
    frames,
    get closed() {
      return closed;
    },
    async waitFor(pred: () => boolean, ms = 3000) {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error('timeout');
        await sleep(5);
      }
    },
  };
}

async function open(port: number) {
  const s = connect(port, '127.0.0.1');
  await once(s, 'connect');
  return { s, c: collector(s) };
}

describe('handler registry', () => {
  it('has one handler per key, each within the codec range', () => {
    const keys = registry.map((h) => h.apiKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const h of registry) {
      expect(h.request.apiKey).toBe(h.apiKey);
      expect(h.minVersion).toBeGreaterThanOrEqual(h.request.minVersion);
      expect(h.maxVersion).toBeLessThanOrEqual(h.request.maxVersion);
    }
    expect(registry.find((h) => h.apiKey === ApiKey.ApiVersions)).toMatchObject({ minVersion: 0, maxVersion: 4 });
  });

  it('builds the ApiVersions answer from the handlers', () => {
    const d = new Dispatcher(registry, {} as BrokerState);
    expect(d.apiVersions).toEqual(
      [...registry]
        .sort((a, b) => a.apiKey - b.apiKey)
        .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })),
    );
    expect(() => new Dispatcher([apiVersions, apiVersions], {} as BrokerState)).toThrow(/two handlers/);
  });
});

describe('connection + dispatch', () => {
  it('answers in request order even when later handlers finish first; acks=0-style requests send nothing', async () => {
    const port = await serve([apiVersions, slowCluster]);
    const { s, c } = await open(port);
    const bufs = [1, 2, 3, 4, 5].map((id) =>
      frame(ApiKey.DescribeCluster, 0, id, (w) =>
        DescribeClusterRequest.encode(w, { includeClusterAuthorizedOperations: false }, 0),
      ),
    );
    s.write(Buffer.concat(bufs));
    await c.waitFor(() => c.frames.length === 4);
    const got = c.frames.map((f) => {
      const r = new Reader(f);
      const corr = r.readInt32();
      r.readUnsignedVarint(); // flexible response header tagged fields
      return { corr, clusterId: DescribeClusterResponse.decode(r, 0).clusterId };
    });
    expect(got).toEqual([
      { corr: 1, clusterId: 'c1' },
      { corr: 2, clusterId: 'c2' },
      { corr: 4, clusterId: 'c4' },
      { corr: 5, clusterId: 'c5' },
    ]);
    s.destroy();
  });

  it('turns an unexpected handler error into UNKNOWN_SERVER_ERROR when a generic response exists, else closes', async () => {
    const failing = defineHandler(HeartbeatRequest, HeartbeatResponse, { min: 0, max: 4 }, () => {
      throw new Error('boom');
    });
    const port = await serve([apiVersions, slowCluster, failing]);
    const { s, c } = await open(port);
    const hb = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };
    s.write(frame(ApiKey.Heartbeat, 0, 7, (w) => HeartbeatRequest.encode(w, hb, 0)));
    s.write(frame(ApiKey.Heartbeat, 4, 8, (w) => HeartbeatRequest.encode(w, hb, 4)));
    await c.waitFor(() => c.frames.length === 2);
    const r0 = new Reader(c.frames[0]!);
    expect(r0.readInt32()).toBe(7);
    expect(HeartbeatResponse.decode(r0, 0).errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    const r4 = new Reader(c.frames[1]!);
    expect(r4.readInt32()).toBe(8);
    r4.readUnsignedVarint();
    expect(HeartbeatResponse.decode(r4, 4).errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(c.closed).toBe(false);
    // DescribeCluster has other required fields: no generic body, so the connection closes.
    s.write(
      frame(ApiKey.DescribeCluster, 0, 99, (w) =>
        DescribeClusterRequest.encode(w, { includeClusterAuthorizedOperations: false }, 0),
      ),
    );
    await c.waitFor(() => c.closed);
    expect(c.frames.length).toBe(2);
  });

  it('ApiVersions: serves v0-v4, and answers an unknown version with UNSUPPORTED_VERSION in a v0 body', async () => {
    const port = await serve([apiVersions, slowCluster]);
    const { s, c } = await open(port);
    for (let v = 0; v <= 4; v++) {
      s.write(
        frame(18, v, 10 + v, (w) =>
          ApiVersionsRequest.encode(w, { clientSoftwareName: 'unit-test', clientSoftwareVersion: '1.0' }, v),
        ),
      );
    }
    s.write(frame(18, 9, 20, (w) => w.writeUnsignedVarint(0)));
    await c.waitFor(() => c.frames.length === 6);
    for (let v = 0; v <= 4; v++) {
      const r = new Reader(c.frames[v]!);
      expect(r.readInt32()).toBe(10 + v); // header v0 always
      const res = ApiVersionsResponse.decode(r, v);
      expect(res.errorCode).toBe(0);
      expect(res.apiKeys.map((k) => k.apiKey)).toEqual([18, 60]);
    }
    const r = new Reader(c.frames[5]!);
    expect(r.readInt32()).toBe(20);
    const res = ApiVersionsResponse.decode(r, 0);
    expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    s.destroy();
  });

  it('ApiVersions v3 rejects malformed client software names with INVALID_REQUEST', async () => {
    const port = await serve([apiVersions]);
    const { s, c } = await open(port);
    s.write(
      frame(18, 3, 1, (w) =>
        ApiVersionsRequest.encode(w, { clientSoftwareName: '-bad name', clientSoftwareVersion: '1' }, 3),
      ),
    );
    await c.waitFor(() => c.frames.length === 1);
    const r = new Reader(c.frames[0]!);
    r.readInt32();
    expect(ApiVersionsResponse.decode(r, 3).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    s.destroy();
  });

  it('closes only the offending connection on unknown keys, unsupported versions, bad bodies and oversized frames', async () => {
    const port = await serve([apiVersions, slowCluster], 1024);
    const bystander = await open(port);
    const cases: Buffer[] = [
      frame(1000, 0, 1, () => {}), // unknown API key
      frame(ApiKey.DescribeCluster, 7, 1, () => {}), // unsupported version
      frame(ApiKey.DescribeCluster, 1, 1, (w) => w.writeInt8(1)), // truncated body
      Buffer.from([0, 0, 0x10, 0]), // declares 4096 bytes > 1024 max
      Buffer.from([0xff, 0xff, 0xff, 0xff]), // negative size
      Buffer.from([0, 0, 0, 3, 1, 2, 3]), // frame shorter than a header
    ];
    for (const bytes of cases) {
      const { s, c } = await open(port);
      s.write(bytes);
      await c.waitFor(() => c.closed);
      expect(c.frames).toEqual([]);
    }
    bystander.s.write(frame(18, 0, 7, () => {}));
    await bystander.c.waitFor(() => bystander.c.frames.length === 1);
    expect(bystander.c.closed).toBe(false);
    bystander.s.destroy();
  });

  it('pauses reading at the in-flight bound and resumes as responses go out', async () => {
    const state = { apiVersions: [] } as unknown as BrokerState;
    let running = 0;
    let peak = 0;
    const gate = defineHandler(DescribeClusterRequest, DescribeClusterResponse, { min: 0, max: 1 }, async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(10);
      running--;
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        clusterId: 'x',
        controllerId: 1,
        brokers: [],
        clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    });
    const d = new Dispatcher([gate], state);
    server = createServer((s) => {
      new Connection(s, d, {
        id: 'bp',
        maxFrameBytes: 1 << 20,
        idleMs: -1,
        maxInflight: 4,
        maxPendingBytes: 1 << 20,
        log: silentLogger(),
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { s, c } = await open((server.address() as AddressInfo).port);
    // Written one by one so the server sees separate chunks and can pause between them.
    for (let i = 1; i <= 40; i++) {
      s.write(
        frame(ApiKey.DescribeCluster, 0, i, (w) =>
          DescribeClusterRequest.encode(w, { includeClusterAuthorizedOperations: false }, 0),
        ),
      );
      await sleep(1);
    }
    await c.waitFor(() => c.frames.length === 40, 10_000);
    expect(c.frames.map((f) => f.readInt32BE(0))).toEqual([...Array(40).keys()].map((i) => i + 1));
    // A chunk can carry several frames, so the bound is soft; without it all 40 would run at once.
    expect(peak).toBeLessThan(20);
    s.destroy();
  });
});

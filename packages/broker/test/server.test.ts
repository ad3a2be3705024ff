import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { ApiKey, DescribeClusterRequest, DescribeClusterResponse, encodeRequestHeader, Writer } from '@brook/protocol';
import { describe, expect, it } from 'vitest';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../src/authz.js';
import { defineHandler } from '../src/handler.js';
import { apiVersions } from '../src/handlers/18-api-versions.js';
import { startBroker } from '../src/server.js';

const slow = defineHandler(DescribeClusterRequest, DescribeClusterResponse, { min: 0, max: 1 }, async () => {
  await new Promise((r) => setTimeout(r, 300));
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    clusterId: 'slow',
    controllerId: 1,
    brokers: [],
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
});

function request(correlationId: number): Buffer {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeRequestHeader(w, { apiKey: ApiKey.DescribeCluster, apiVersion: 0, correlationId, clientId: 't' });
  DescribeClusterRequest.encode(w, { includeClusterAuthorizedOperations: false }, 0);
  w.patchInt32(size, w.length - 4);
  return w.toBuffer();
}

describe('startBroker', () => {
  it('starts in-memory with an ephemeral port and reports its address', async () => {
    const b = await startBroker({ port: 0, dataDir: null, handlers: [apiVersions] });
    expect(b.host).toBe('127.0.0.1');
    expect(b.bootstrap).toBe(`127.0.0.1:${b.port}`);
    expect(b.state.dataDir).toBeNull();
    expect(b.state.apiVersions).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    await b.close();
    await b.close(); // idempotent
  });

  it('advertises advertised.listeners, or the bound port when it says 0; the option wins over both', async () => {
    const a = await startBroker({
      port: 0,
      dataDir: null,
      handlers: [apiVersions],
      config: { 'advertised.listeners': 'PLAINTEXT://kafka.example:19092' },
    });
    expect(a.state.advertised).toEqual({ host: 'kafka.example', port: 19092 });
    await a.close();
    const b = await startBroker({
      port: 0,
      dataDir: null,
      handlers: [apiVersions],
      config: { 'advertised.listeners': 'PLAINTEXT://kafka.example:0' },
    });
    expect(b.state.advertised).toEqual({ host: 'kafka.example', port: b.port });
    await b.close();
    const c = await startBroker({
      port: 0,
      dataDir: null,
      handlers: [apiVersions],
      advertisedHost: 'override.example',
      config: { 'advertised.listeners': 'PLAINTEXT://kafka.example:0' },
    });
    expect(c.state.advertised).toEqual({ host: 'override.example', port: c.port });
    await c.close();
  });

  it('removes its own temp dir on close', async () => {
    const b = await startBroker({ port: 0, handlers: [apiVersions] });
    const dir = b.state.dataDir!;
    expect(existsSync(dir)).toBe(true);
    await b.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('close() lets in-flight requests finish, then refuses new connections', async () => {
    const b = await startBroker({ port: 0, dataDir: null, handlers: [apiVersions, slow] });
    const s = connect(b.port, '127.0.0.1');
    await once(s, 'connect');
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    const ended = once(s, 'end');
    s.write(Buffer.concat([request(1), request(2)]));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await b.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    await ended;
    const all = Buffer.concat(got);
    // Two complete responses, in order.
    const first = all.readInt32BE(0);
    expect(all.readInt32BE(4)).toBe(1);
    expect(all.readInt32BE(4 + first + 4)).toBe(2);
    s.destroy();
    const refused = connect(b.port, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('fails fast with the key name on bad config and frees the port on listen errors', async () => {
    await expect(startBroker({ port: 0, dataDir: null, config: { 'num.partitions': -3 } })).rejects.toThrow(
      /num.partitions/,
    );
    const a = await startBroker({ port: 0, dataDir: null, handlers: [apiVersions] });
    await expect(startBroker({ port: a.port, dataDir: null, handlers: [apiVersions] })).rejects.toThrow(/EADDRINUSE/);
    await a.close();
  });
});

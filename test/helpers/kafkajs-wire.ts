// Sends single requests at an explicit API version over a raw socket, encoded and decoded by kafkajs's
// own protocol modules: an independent client implementation for the old wire formats (Produce v0-2
// message sets, Fetch v0-3 down-conversion) and for re-sending an identical idempotent batch.
import { createRequire } from 'node:module';
import { FramedSocket } from './framed-socket.js';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode: () => Promise<{ buffer: Buffer }> | { buffer: Buffer };
}
interface KafkajsVersion {
  request: KafkajsRequest;
  response: { decode: (buf: Buffer) => Promise<unknown>; parse: (data: unknown) => Promise<unknown> };
}
type VersionFactory = (args: Record<string, unknown>) => KafkajsVersion;
interface VersionTable {
  versions: string[];
  protocol: (v: { version: number }) => VersionFactory | undefined;
}

const encodeRequest = require('kafkajs/src/protocol/request.js') as (args: {
  correlationId: number;
  clientId: string;
  request: KafkajsRequest;
}) => Promise<{ buffer: Buffer }>;

/** kafkajs's version table for an API, e.g. `kafkajsApi('produce').protocol({ version: 0 })`. */
export function kafkajsApi(name: string): VersionTable {
  return require(`kafkajs/src/protocol/requests/${name}/index.js`) as VersionTable;
}

/** kafkajs's Long (int64) helper. */
export const KafkajsLong = require('kafkajs/src/utils/long.js') as {
  fromInt(n: number): unknown;
  fromString(s: string): unknown;
  fromNumber(n: number): unknown;
};

export class WireConnection {
  private nextCorrelation = 1;

  private constructor(private readonly conn: FramedSocket) {}

  static async open(port: number, host = '127.0.0.1'): Promise<WireConnection> {
    return new WireConnection(await FramedSocket.open(port, host));
  }

  /** Sends a request; resolves with the raw response body (after the correlation id). */
  async sendRaw(request: KafkajsRequest, expectResponse = true): Promise<Buffer | null> {
    const correlationId = this.nextCorrelation++;
    const frame = await encodeRequest({ correlationId, clientId: 'brook-wire-test', request });
    const response = await this.conn.exchange(frame.buffer, correlationId, expectResponse);
    return response === null ? null : response.subarray(4);
  }

  /** Sends `api` at `version` and returns kafkajs's decoded (not parsed, so errors stay codes) response. */
  async send<T = unknown>(api: string, version: number, args: Record<string, unknown>): Promise<T> {
    const factory = kafkajsApi(api).protocol({ version });
    if (!factory) throw new Error(`kafkajs has no ${api} v${version}`);
    const { request, response } = factory(args);
    const body = await this.sendRaw(request);
    return (await response.decode(body!)) as T;
  }

  close(): void {
    this.conn.close();
  }
}

/** A record as kafkajs decodes it (v2 batches and v0/v1 message sets alike). */
export interface WireMessage {
  offset: string;
  timestamp?: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[]>;
  magicByte?: number;
  isControlRecord?: boolean;
}

export interface WirePartitionData {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset?: string;
  lastStartOffset?: string;
  messages: WireMessage[];
}

/** One Fetch of one partition at `version` (0-11), decoded by kafkajs. */
export async function fetchOnce(
  conn: WireConnection,
  version: number,
  topic: string,
  partition: number,
  fetchOffset: bigint,
  opts: { maxBytes?: number; partitionMaxBytes?: number; maxWaitTime?: number; minBytes?: number } = {},
): Promise<WirePartitionData & { topLevelErrorCode: number }> {
  const res = await conn.send<{
    errorCode?: number;
    responses: Array<{ topicName: string; partitions: WirePartitionData[] }>;
  }>('fetch', version, {
    replicaId: -1,
    isolationLevel: 0,
    maxWaitTime: opts.maxWaitTime ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            fetchOffset: fetchOffset.toString(),
            maxBytes: opts.partitionMaxBytes ?? 10 * 1024 * 1024,
          },
        ],
      },
    ],
  });
  const p = res.responses[0]?.partitions[0];
  if (!p) throw new Error(`fetch v${version}: empty response (error ${res.errorCode ?? 0})`);
  return { ...p, topLevelErrorCode: res.errorCode ?? 0 };
}

/** Reads a partition from `from` up to its high watermark with repeated fetches (no consumer group). */
export async function readPartition(
  conn: WireConnection,
  topic: string,
  partition: number,
  from = 0n,
  version = 11,
): Promise<WireMessage[]> {
  const out: WireMessage[] = [];
  let offset = from;
  for (let i = 0; i < 10_000; i++) {
    const p = await fetchOnce(conn, version, topic, partition, offset);
    if (p.errorCode !== 0) throw new Error(`fetch ${topic}/${partition}@${offset}: error ${p.errorCode}`);
    const fresh = p.messages.filter((m) => BigInt(m.offset) >= offset && !m.isControlRecord);
    out.push(...fresh);
    const last = p.messages[p.messages.length - 1];
    if (last) offset = BigInt(last.offset) + 1n;
    if (offset >= BigInt(p.highWatermark) || p.messages.length === 0) {
      if (offset >= BigInt(p.highWatermark)) return out;
      throw new Error(`fetch ${topic}/${partition}@${offset}: no progress below high watermark ${p.highWatermark}`);
    }
  }
  throw new Error('readPartition: too many fetches');
}

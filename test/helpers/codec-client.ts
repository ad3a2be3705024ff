// A minimal Kafka client over one socket using Brook's own codec: for requests no real client will
// send (corrupt batches, odd versions, re-sent sequences), for versions and fields kafkajs does not use
// (CreateTopics v7 ids, Metadata v12 by id, DeleteTopics v6, ...) and for reading responses field by field.
import { decodeResponseHeader, encodeRequestHeader, type MessageCodec, Reader, Writer } from '@brook/protocol';
import { FramedSocket } from './framed-socket.js';

export class CodecClient {
  private nextCorrelation = 1;

  private constructor(private readonly conn: FramedSocket) {}

  static async open(port: number, host = '127.0.0.1'): Promise<CodecClient> {
    return new CodecClient(await FramedSocket.open(port, host));
  }

  get closed(): boolean {
    return this.conn.closed;
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
    const correlationId = this.nextCorrelation++;
    const w = new Writer();
    const size = w.reserveInt32();
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: 'brook-codec-test' });
    writeBody(w);
    w.patchInt32(size, w.length - 4);
    return this.conn.exchange(w.toBuffer(), correlationId, expectResponse);
  }

  close(): void {
    this.conn.close();
  }
}

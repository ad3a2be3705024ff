// apiKey → handler table built from the registry; decodes request frames, runs handlers, encodes
// responses. Mirrors Kafka: an unknown API key or an unsupported version closes the connection,
// except ApiVersions, which gets UNSUPPORTED_VERSION in a v0 body (KIP-511) so clients can downgrade.
import {
  ApiKey,
  ApiVersionsResponse,
  decodeRequestHeader,
  ErrorCode,
  encodeResponseHeader,
  type MessageCodec,
  Reader,
  Writer,
} from '@brook/protocol';
import { BrokerError } from './errors.js';
import { type Handler, NO_RESPONSE, type RequestContext } from './handler.js';
import type { Logger } from './logger.js';
import type { BrokerState } from './state/broker-state.js';

/** What the connection should do with one request frame. */
export type DispatchResult =
  /** A whole response frame (size prefix included) as chunks to write by reference. */
  | { kind: 'response'; buffers: Buffer[]; bytes: number }
  /** acks=0 Produce: nothing is sent, the next response is not held back. */
  | { kind: 'none' }
  /** Protocol violation: log `reason` and close the connection. */
  | { kind: 'close'; reason: string };

export interface ConnectionInfo {
  id: string;
  log: Logger;
  /** Logger bound to a client id, cached per connection (clients rarely change it). */
  logFor(clientId: string | null): Logger;
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class Dispatcher {
  private readonly table: (Handler | undefined)[] = [];
  /** ApiVersions content, built once from the registry (never hand-listed). */
  readonly apiVersions: readonly ApiVersionRange[];

  constructor(
    handlers: readonly Handler[],
    readonly broker: BrokerState,
  ) {
    for (const h of handlers) {
      if (this.table[h.apiKey]) throw new Error(`two handlers registered for API key ${h.apiKey}`);
      this.table[h.apiKey] = h;
    }
    this.apiVersions = handlers
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  handler(apiKey: number): Handler | undefined {
    return this.table[apiKey];
  }

  /**
   * Handles one frame (without its size prefix). The handler is invoked synchronously, in frame
   * order, so everything a handler does before its first `await` is ordered per connection.
   */
  dispatch(frame: Buffer, conn: ConnectionInfo): DispatchResult | Promise<DispatchResult> {
    if (frame.length < 8) return { kind: 'close', reason: `request header truncated (${frame.length} bytes)` };
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const h = apiKey >= 0 ? this.table[apiKey] : undefined;
    if (!h) return { kind: 'close', reason: `unknown API key ${apiKey} (version ${apiVersion})` };
    if (apiVersion < h.minVersion || apiVersion > h.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) return this.apiVersionsFallback(correlationId);
      return { kind: 'close', reason: `unsupported version ${apiVersion} of API key ${apiKey}` };
    }

    let req: unknown;
    let clientId: string | null;
    try {
      const r = new Reader(frame);
      clientId = decodeRequestHeader(r).clientId;
      req = h.request.decode(r, apiVersion);
    } catch (e) {
      return { kind: 'close', reason: `cannot decode ${h.request.name} v${apiVersion}: ${(e as Error).message}` };
    }

    const log = conn.logFor(clientId);
    const ctx: RequestContext = {
      apiKey,
      apiVersion,
      correlationId,
      clientId,
      connectionId: conn.id,
      log,
      broker: this.broker,
    };
    if (log.isLevelEnabled('trace')) log.trace({ apiKey, apiVersion, correlationId }, 'request');

    let out: unknown;
    try {
      out = h.handle(req, ctx);
    } catch (e) {
      return this.failed(h, req, ctx, e);
    }
    if (out instanceof Promise) {
      return out.then(
        (res) => this.finish(h, req, ctx, res),
        (e) => this.failed(h, req, ctx, e),
      );
    }
    return this.finish(h, req, ctx, out);
  }

  private finish(h: Handler, req: unknown, ctx: RequestContext, res: unknown): DispatchResult {
    if (res === NO_RESPONSE) return { kind: 'none' };
    try {
      return encodeResponse(h.response, res, ctx.correlationId, ctx.apiKey, ctx.apiVersion);
    } catch (e) {
      return this.failed(h, req, ctx, e);
    }
  }

  /** A handler threw: UNKNOWN_SERVER_ERROR if a generic response can be built, else close. */
  private failed(h: Handler, req: unknown, ctx: RequestContext, e: unknown): DispatchResult {
    const code = e instanceof BrokerError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR;
    if (!(e instanceof BrokerError)) {
      ctx.log.error({ err: e, apiKey: ctx.apiKey, apiVersion: ctx.apiVersion }, 'handler failed');
    }
    const message = e instanceof Error ? e.message : String(e);
    // Generic bodies: encoding fails for a message with other required fields (or no errorCode in
    // this version), and then the connection is closed, as Kafka does when it cannot answer.
    const bodies = h.errorResponse
      ? [h.errorResponse(req, code, ctx)]
      : [
          { throttleTimeMs: 0, errorCode: code, errorMessage: message },
          { throttleTimeMs: 0, errorCode: code },
        ];
    for (const body of bodies) {
      try {
        return encodeResponse(h.response, body, ctx.correlationId, ctx.apiKey, ctx.apiVersion);
      } catch {
        // try the next shape
      }
    }
    return {
      kind: 'close',
      reason: `${h.request.name} v${ctx.apiVersion} failed and has no generic error response: ${message}`,
    };
  }

  /** KIP-511: an ApiVersions version we do not know gets error 35 in a v0 body and header v0. */
  private apiVersionsFallback(correlationId: number): DispatchResult {
    const own = this.table[ApiKey.ApiVersions]!;
    return encodeResponse(
      ApiVersionsResponse,
      {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: own.minVersion, maxVersion: own.maxVersion }],
        throttleTimeMs: 0,
      },
      correlationId,
      ApiKey.ApiVersions,
      0,
    );
  }
}

/** Size prefix + response header + body; record Buffers inside the body stay by reference. */
export function encodeResponse<T>(
  codec: MessageCodec<T>,
  body: T,
  correlationId: number,
  apiKey: number,
  apiVersion: number,
): DispatchResult {
  const w = new Writer();
  const size = w.reserveInt32();
  encodeResponseHeader(w, correlationId, apiKey, apiVersion);
  codec.encode(w, body, apiVersion);
  const bytes = w.length;
  w.patchInt32(size, bytes - 4);
  return { kind: 'response', buffers: w.toBuffers(), bytes };
}

// The contract between the connection/dispatch layer and per-API handlers.
// A handler translates a decoded request into calls on BrokerState and returns a typed response.
import type { MessageCodec } from '@brook/protocol';
import type { Logger } from './logger.js';
import type { BrokerState } from './state/broker-state.js';

/** Returned by a handler that must not answer (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('brook.noResponse');
export type NoResponse = typeof NO_RESPONSE;

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Stable id of the connection, e.g. "c17"; also bound on `log`. */
  connectionId: string;
  /** Child logger bound to connId/clientId/apiKey; never log payloads. */
  log: Logger;
  broker: BrokerState;
}

export type HandleFn<Req, Res> = (req: Req, ctx: RequestContext) => Res | NoResponse | Promise<Res | NoResponse>;

// biome-ignore lint/suspicious/noExplicitAny: the registry holds handlers of every message type (handle is contravariant in Req).
export interface Handler<Req = any, Res = any> {
  apiKey: number;
  /** Versions this broker serves (advertised by ApiVersions). */
  minVersion: number;
  maxVersion: number;
  request: MessageCodec<Req>;
  response: MessageCodec<Res>;
  handle: HandleFn<Req, Res>;
  /**
   * Optional: the response to send when `handle` throws unexpectedly (Kafka's getErrorResponse),
   * e.g. every partition with `errorCode`. Without it, dispatch tries a generic top-level errorCode
   * response and closes the connection if the message has no such field.
   */
  errorResponse?: (req: Req, errorCode: number, ctx: RequestContext) => Res;
}

/**
 * Declares a handler; request/response types are inferred from the generated codecs:
 * `defineHandler(ProduceRequest, ProduceResponse, { min: 0, max: 11 }, (req, ctx) => ...)`.
 */
export function defineHandler<Req, Res>(
  request: MessageCodec<Req>,
  response: MessageCodec<Res>,
  versions: { min: number; max: number },
  handle: HandleFn<Req, Res>,
  extra: { errorResponse?: (req: Req, errorCode: number, ctx: RequestContext) => Res } = {},
): Handler<Req, Res> {
  if (request.apiKey !== response.apiKey) {
    throw new Error(`defineHandler: ${request.name} and ${response.name} have different API keys`);
  }
  if (versions.min < request.minVersion || versions.max > request.maxVersion || versions.min > versions.max) {
    throw new Error(
      `defineHandler: ${request.name} versions ${versions.min}-${versions.max} outside ${request.minVersion}-${request.maxVersion}`,
    );
  }
  const h: Handler<Req, Res> = {
    apiKey: request.apiKey,
    minVersion: versions.min,
    maxVersion: versions.max,
    request,
    response,
    handle,
  };
  if (extra.errorResponse) h.errorResponse = extra.errorResponse;
  return h;
}

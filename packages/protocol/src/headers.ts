// Request/response header versions and (de)serialisation.
//
// Request header: v0 = apiKey, apiVersion, correlationId (only ControlledShutdown v0);
// v1 adds ClientId; v2 (flexible API versions) adds a tagged-field section. ClientId is ALWAYS a classic
// int16-length nullable string, even in v2, so any broker can read it before knowing the API's flexibility.
// Response header: v0 = correlationId; v1 (flexible API versions) adds a tagged-field section.
// ApiVersions responses always use header v0, so a client can parse them whatever version it sent.
import { apiMessage } from './generated/api-keys.js';
import type { TaggedField } from './primitives/codec.js';
import type { Reader } from './primitives/reader.js';
import type { Writer } from './primitives/writer.js';

const CONTROLLED_SHUTDOWN = 7;
const API_VERSIONS = 18;

/**
 * Whether `apiVersion` of `apiKey` is flexible. Flexible ranges are open-ended ("N+"), so versions above
 * the newest known one count as flexible too; unknown API keys are treated as not flexible.
 */
export function isFlexibleVersion(apiKey: number, apiVersion: number): boolean {
  const m = apiMessage(apiKey);
  return m !== undefined && m.flexibleMinVersion !== null && apiVersion >= m.flexibleMinVersion;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 | 2 {
  if (apiKey === CONTROLLED_SHUTDOWN && apiVersion === 0) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === API_VERSIONS) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 1 : 0;
}

export interface RequestHeaderData {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  headerVersion: 0 | 1 | 2;
  unknownTaggedFields?: TaggedField[];
}

/**
 * Reads a request header from the start of a request frame (after the size prefix). The reader is left at
 * the request body. Works for unknown API keys and versions too (header v1 is assumed for unknown keys), so the
 * broker can still answer with an error.
 */
export function decodeRequestHeader(r: Reader): RequestHeaderData {
  const apiKey = r.readInt16();
  const apiVersion = r.readInt16();
  const correlationId = r.readInt32();
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const clientId = headerVersion >= 1 ? r.readNullableString() : null;
  const h: RequestHeaderData = { apiKey, apiVersion, correlationId, clientId, headerVersion };
  if (headerVersion >= 2) {
    const tagged = r.readUnknownTaggedFields();
    if (tagged !== undefined) h.unknownTaggedFields = tagged;
  }
  return h;
}

export interface RequestHeaderInput {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId?: string | null;
  unknownTaggedFields?: TaggedField[];
}

/** Writes a request header in the version the API key/version calls for. Returns that header version. */
export function encodeRequestHeader(w: Writer, h: RequestHeaderInput): 0 | 1 | 2 {
  const headerVersion = requestHeaderVersion(h.apiKey, h.apiVersion);
  w.writeInt16(h.apiKey);
  w.writeInt16(h.apiVersion);
  w.writeInt32(h.correlationId);
  if (headerVersion >= 1) w.writeNullableString(h.clientId ?? null);
  if (headerVersion >= 2) w.writeUnknownTaggedFields(h.unknownTaggedFields);
  return headerVersion;
}

export interface ResponseHeaderData {
  correlationId: number;
  headerVersion: 0 | 1;
  unknownTaggedFields?: TaggedField[];
}

/** Writes the response header for a response to `apiKey` at `apiVersion`. Returns the header version. */
export function encodeResponseHeader(w: Writer, correlationId: number, apiKey: number, apiVersion: number): 0 | 1 {
  const headerVersion = responseHeaderVersion(apiKey, apiVersion);
  w.writeInt32(correlationId);
  if (headerVersion === 1) w.writeUnsignedVarint(0);
  return headerVersion;
}

/** Reads a response header (client side); the caller knows which request it answers. */
export function decodeResponseHeader(r: Reader, apiKey: number, apiVersion: number): ResponseHeaderData {
  const headerVersion = responseHeaderVersion(apiKey, apiVersion);
  const h: ResponseHeaderData = { correlationId: r.readInt32(), headerVersion };
  if (headerVersion === 1) {
    const tagged = r.readUnknownTaggedFields();
    if (tagged !== undefined) h.unknownTaggedFields = tagged;
  }
  return h;
}

// Helpers called by the generated codecs (src/generated); not part of the package's public API.
import { ProtocolDecodeError, ProtocolEncodeError, UnsupportedFieldError } from './errors.js';
import type { Reader } from './reader.js';

export { EMPTY_BUFFER, ZERO_UUID } from './codec.js';

/** Reads a classic or compact array length; returns -1 for null, throws if null is not allowed. */
export function readArrayLength(r: Reader, compact: boolean, nullable: boolean): number {
  const start = r.offset;
  const n = compact ? r.readCompactArrayLength() : r.readArrayLength();
  if (n < 0 && !nullable)
    throw new ProtocolDecodeError('null-not-allowed', 'null array in a non-nullable field', start);
  return n;
}

export function readInt8Array(r: Reader, compact: boolean, nullable: boolean): number[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(r.readInt8());
  return a;
}

export function readInt16Array(r: Reader, compact: boolean, nullable: boolean): number[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(r.readInt16());
  return a;
}

export function readUInt16Array(r: Reader, compact: boolean, nullable: boolean): number[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(r.readUInt16());
  return a;
}

export function readInt32Array(r: Reader, compact: boolean, nullable: boolean): number[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(r.readInt32());
  return a;
}

export function readInt64Array(r: Reader, compact: boolean, nullable: boolean): bigint[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: bigint[] = [];
  for (let i = 0; i < n; i++) a.push(r.readInt64());
  return a;
}

export function readFloat64Array(r: Reader, compact: boolean, nullable: boolean): number[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(r.readFloat64());
  return a;
}

export function readBoolArray(r: Reader, compact: boolean, nullable: boolean): boolean[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: boolean[] = [];
  for (let i = 0; i < n; i++) a.push(r.readBool());
  return a;
}

export function readUuidArray(r: Reader, compact: boolean, nullable: boolean): string[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: string[] = [];
  for (let i = 0; i < n; i++) a.push(r.readUuid());
  return a;
}

export function readStringArray(r: Reader, compact: boolean, nullable: boolean): string[] | null {
  const n = readArrayLength(r, compact, nullable);
  if (n < 0) return null;
  const a: string[] = [];
  for (let i = 0; i < n; i++) a.push(compact ? r.readCompactString() : r.readString());
  return a;
}

export function nullNotAllowed(message: string, field: string, version: number): never {
  throw new ProtocolEncodeError(`${message}.${field} is null, but it is not nullable in version ${version}`);
}

export function unsupportedField(message: string, field: string, version: number): never {
  throw new UnsupportedFieldError(message, field, version);
}

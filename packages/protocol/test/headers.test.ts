import { describe, expect, it } from 'vitest';
import { API_MESSAGES, ApiKey } from '../src/generated/api-keys.js';
import { RequestHeader } from '../src/generated/request-header.js';
import { ResponseHeader } from '../src/generated/response-header.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../src/headers.js';
import { Reader } from '../src/primitives/reader.js';
import { Writer } from '../src/primitives/writer.js';

const hex = (s: string): string => s.replace(/\s+/g, '');

describe('header versions for every API key and version', () => {
  for (const api of API_MESSAGES) {
    it(`${api.name} (${api.apiKey}) v${api.minVersion}-${api.maxVersion}`, () => {
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        const flexible = api.flexibleMinVersion !== null && v >= api.flexibleMinVersion;
        const expectedReq = api.apiKey === ApiKey.ControlledShutdown && v === 0 ? 0 : flexible ? 2 : 1;
        const expectedResp = api.apiKey === ApiKey.ApiVersions ? 0 : flexible ? 1 : 0;
        expect(requestHeaderVersion(api.apiKey, v), `request v${v}`).toBe(expectedReq);
        expect(responseHeaderVersion(api.apiKey, v), `response v${v}`).toBe(expectedResp);
        // Same bytes as the generated RequestHeader codec at that header version.
        const w = new Writer();
        encodeRequestHeader(w, { apiKey: api.apiKey, apiVersion: v, correlationId: 42, clientId: 'c' });
        const g = new Writer();
        RequestHeader.encode(
          g,
          { requestApiKey: api.apiKey, requestApiVersion: v, correlationId: 42, clientId: 'c' },
          expectedReq,
        );
        expect(w.toBuffer().equals(g.toBuffer())).toBe(true);
        const wr = new Writer();
        encodeResponseHeader(wr, 42, api.apiKey, v);
        const gr = new Writer();
        ResponseHeader.encode(gr, { correlationId: 42 }, expectedResp);
        expect(wr.toBuffer().equals(gr.toBuffer())).toBe(true);
      }
    });
  }

  it('spot checks', () => {
    expect(requestHeaderVersion(ApiKey.Produce, 8)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Produce, 9)).toBe(2);
    expect(responseHeaderVersion(ApiKey.Produce, 9)).toBe(1);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 3)).toBe(2);
    expect(responseHeaderVersion(ApiKey.ApiVersions, 3)).toBe(0);
    expect(responseHeaderVersion(ApiKey.ApiVersions, 4)).toBe(0);
    expect(requestHeaderVersion(ApiKey.ControlledShutdown, 0)).toBe(0);
    expect(requestHeaderVersion(ApiKey.ControlledShutdown, 1)).toBe(1);
    expect(requestHeaderVersion(ApiKey.ControlledShutdown, 3)).toBe(2);
    expect(requestHeaderVersion(ApiKey.SaslHandshake, 1)).toBe(1);
    // Versions newer than we know are still flexible (flexible ranges are open-ended).
    expect(requestHeaderVersion(ApiKey.ApiVersions, 99)).toBe(2);
    // Unknown API keys: assume v1 so the broker can still read the correlation id and client id.
    expect(requestHeaderVersion(999, 0)).toBe(1);
  });
});

describe('request header encode/decode', () => {
  it('v2 (ApiVersions v3): ClientId is a classic int16 string, then an empty tagged section', () => {
    const w = new Writer();
    expect(encodeRequestHeader(w, { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'kcat' })).toBe(2);
    const b = w.toBuffer();
    expect(b.toString('hex')).toBe(hex('0012 0003 00000007 0004 6b636174 00'));
    const r = new Reader(Buffer.concat([b, Buffer.from([0xaa])]));
    expect(decodeRequestHeader(r)).toEqual({
      apiKey: 18,
      apiVersion: 3,
      correlationId: 7,
      clientId: 'kcat',
      headerVersion: 2,
    });
    expect(r.remaining).toBe(1);
  });

  it('v1 with a null client id', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: 3, apiVersion: 1, correlationId: -1, clientId: null });
    expect(w.toBuffer().toString('hex')).toBe(hex('0003 0001 ffffffff ffff'));
    expect(decodeRequestHeader(new Reader(w.toBuffer()))).toEqual({
      apiKey: 3,
      apiVersion: 1,
      correlationId: -1,
      clientId: null,
      headerVersion: 1,
    });
  });

  it('v0 (ControlledShutdown v0) has no client id', () => {
    const w = new Writer();
    encodeRequestHeader(w, { apiKey: 7, apiVersion: 0, correlationId: 1, clientId: 'ignored' });
    expect(w.toBuffer().toString('hex')).toBe(hex('0007 0000 00000001'));
    expect(decodeRequestHeader(new Reader(w.toBuffer()))).toEqual({
      apiKey: 7,
      apiVersion: 0,
      correlationId: 1,
      clientId: null,
      headerVersion: 0,
    });
  });

  it('keeps unknown tagged fields of a v2 header', () => {
    const b = Buffer.from(hex('0000 0009 00000005 0001 78 01 03 02 abcd'), 'hex');
    const h = decodeRequestHeader(new Reader(b));
    expect(h.clientId).toBe('x');
    expect(h.unknownTaggedFields?.map((t) => [t.tag, t.data.toString('hex')])).toEqual([[3, 'abcd']]);
    const w = new Writer();
    encodeRequestHeader(w, {
      apiKey: 0,
      apiVersion: 9,
      correlationId: 5,
      clientId: 'x',
      unknownTaggedFields: h.unknownTaggedFields!,
    });
    expect(w.toBuffer().equals(b)).toBe(true);
  });
});

describe('response header', () => {
  it('v0 and v1 bytes', () => {
    const w0 = new Writer();
    expect(encodeResponseHeader(w0, 9, ApiKey.Metadata, 8)).toBe(0);
    expect(w0.toBuffer().toString('hex')).toBe('00000009');
    const w1 = new Writer();
    expect(encodeResponseHeader(w1, 9, ApiKey.Metadata, 9)).toBe(1);
    expect(w1.toBuffer().toString('hex')).toBe('0000000900');
    const wa = new Writer();
    expect(encodeResponseHeader(wa, 9, ApiKey.ApiVersions, 3)).toBe(0);
    expect(wa.toBuffer().toString('hex')).toBe('00000009');
  });

  it('decodes', () => {
    expect(decodeResponseHeader(new Reader(Buffer.from('0000000900', 'hex')), ApiKey.Fetch, 12)).toEqual({
      correlationId: 9,
      headerVersion: 1,
    });
    expect(decodeResponseHeader(new Reader(Buffer.from('00000009', 'hex')), ApiKey.ApiVersions, 3)).toEqual({
      correlationId: 9,
      headerVersion: 0,
    });
  });
});

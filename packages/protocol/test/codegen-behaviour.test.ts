// Hand-checked byte vectors (computed from the spec by hand) and encoder/decoder rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_MESSAGES, ApiKey, apiMessage } from '../src/generated/api-keys.js';
import { ERRORS, ErrorCode, errorName } from '../src/generated/error-codes.js';
import * as generated from '../src/generated/index.js';
import {
  ApiVersionsRequest,
  ApiVersionsResponse,
  DescribeTopicPartitionsRequest,
  FetchRequest,
  FetchResponse,
  MetadataRequest,
  ProduceRequest,
} from '../src/generated/index.js';
import { decodeFromBuffer, encodeToBuffer } from '../src/messages.js';
import type { MessageCodec } from '../src/primitives/codec.js';
import {
  ProtocolDecodeError,
  ProtocolEncodeError,
  UnsupportedFieldError,
  UnsupportedVersionError,
} from '../src/primitives/errors.js';
import { Reader } from '../src/primitives/reader.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ZERO = '00000000-0000-0000-0000-000000000000';

describe('hand-checked vectors', () => {
  it('ApiVersions v3 request (flexible: compact strings + tagged section)', () => {
    const b = encodeToBuffer(ApiVersionsRequest, { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.0' }, 3);
    expect(b).toEqual(hex('05 6b636174  04 312e30  00'));
    expect(decodeFromBuffer(ApiVersionsRequest, b, 3)).toEqual({
      clientSoftwareName: 'kcat',
      clientSoftwareVersion: '1.0',
    });
    // v0-2 have no fields at all.
    expect(encodeToBuffer(ApiVersionsRequest, {}, 2).length).toBe(0);
    expect(decodeFromBuffer(ApiVersionsRequest, Buffer.alloc(0), 0)).toEqual({
      clientSoftwareName: '',
      clientSoftwareVersion: '',
    });
  });

  it('Metadata v12 request', () => {
    const v = {
      topics: [{ topicId: ZERO, name: 'foo' }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    };
    const b = encodeToBuffer(MetadataRequest, v, 12);
    // topics: compact len 1+1, uuid (16 zero bytes), compact nullable "foo", struct tags; then 2 bools; tags
    expect(b).toEqual(hex(`02 ${'00'.repeat(16)} 04 666f6f 00  01 00  00`));
    expect(decodeFromBuffer(MetadataRequest, b, 12)).toEqual({ ...v, includeClusterAuthorizedOperations: false });
    // Null topics = all topics.
    expect(
      encodeToBuffer(
        MetadataRequest,
        { topics: null, allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false },
        12,
      ),
    ).toEqual(hex('00 01 00 00'));
  });

  it('Metadata v0 request (classic)', () => {
    const b = encodeToBuffer(
      MetadataRequest,
      { topics: [{ name: 'ab' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false },
      0,
    );
    expect(b).toEqual(hex('00000001 0002 6162'));
  });

  it('ApiVersions v3 response with a tagged field (FinalizedFeaturesEpoch, tag 1)', () => {
    const v = {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5n,
    };
    const b = encodeToBuffer(ApiVersionsResponse, v, 3);
    expect(b).toEqual(hex('0000  02 0012 0000 0004 00  00000000  01 01 08 0000000000000005'));
    const d = decodeFromBuffer(ApiVersionsResponse, b, 3);
    expect(d.finalizedFeaturesEpoch).toBe(5n);
    expect(d.supportedFeatures).toEqual([]);
    expect(d.zkMigrationReady).toBe(false);
    // Defaults are not written: -1 epoch means no tagged field at all.
    expect(encodeToBuffer(ApiVersionsResponse, { ...v, finalizedFeaturesEpoch: -1n }, 3)).toEqual(
      hex('0000  02 0012 0000 0004 00  00000000  00'),
    );
  });

  it('ApiVersions v0 response', () => {
    const b = encodeToBuffer(
      ApiVersionsResponse,
      { errorCode: 35, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }] },
      0,
    );
    expect(b).toEqual(hex('0023 00000001 0000 0000 000b'));
  });

  it('nullable struct (DescribeTopicPartitions Cursor) uses an int8 -1/1 marker', () => {
    const base = { topics: [{ name: 't' }], responsePartitionLimit: 2000 };
    expect(encodeToBuffer(DescribeTopicPartitionsRequest, { ...base, cursor: null }, 0)).toEqual(
      hex('02 02 74 00  000007d0  ff  00'),
    );
    const b = encodeToBuffer(
      DescribeTopicPartitionsRequest,
      { ...base, cursor: { topicName: 't', partitionIndex: 1 } },
      0,
    );
    expect(b).toEqual(hex('02 02 74 00  000007d0  01 02 74 00000001 00  00'));
    expect(decodeFromBuffer(DescribeTopicPartitionsRequest, b, 0).cursor).toEqual({
      topicName: 't',
      partitionIndex: 1,
    });
  });

  it('tagged nullable string (Fetch v12 ClusterId, tag 0)', () => {
    const v = {
      clusterId: 'c',
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [],
      forgottenTopicsData: [],
      rackId: '',
    };
    const b = encodeToBuffer(FetchRequest, v, 12);
    expect(b).toEqual(hex('ffffffff 000001f4 00000001 00000400 00 00000000 ffffffff 01 01 01  01 00 02 02 63'));
    expect(decodeFromBuffer(FetchRequest, b, 12).clusterId).toBe('c');
  });
});

describe('encoder rules', () => {
  it('throws UnsupportedFieldError for a non-ignorable field the version lacks', () => {
    expect(() =>
      encodeToBuffer(ProduceRequest, { transactionalId: 'tx', acks: 1, timeoutMs: 1, topicData: [] }, 2),
    ).toThrow(UnsupportedFieldError);
    // Default (null) or undefined is fine.
    expect(encodeToBuffer(ProduceRequest, { transactionalId: null, acks: 1, timeoutMs: 1, topicData: [] }, 2)).toEqual(
      hex('0001 00000001 00000000'),
    );
  });

  it('silently drops ignorable fields the version lacks (throttleTimeMs, errorCode...)', () => {
    const b = encodeToBuffer(FetchResponse, { throttleTimeMs: 100, errorCode: 3, responses: [] }, 0);
    expect(b).toEqual(hex('00000000'));
  });

  it('throws when null is written to a field that is not nullable in that version', () => {
    expect(() =>
      encodeToBuffer(
        MetadataRequest,
        { topics: null, allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false },
        0,
      ),
    ).toThrow(ProtocolEncodeError);
  });

  it('rejects versions outside the valid range', () => {
    expect(() => encodeToBuffer(ApiVersionsRequest, {}, 5)).toThrow(UnsupportedVersionError);
    expect(() => decodeFromBuffer(ApiVersionsRequest, Buffer.alloc(0), -1)).toThrow(ProtocolDecodeError);
  });

  it('keeps unknown tagged fields and re-emits them in tag order among known ones', () => {
    // ApiVersions v3 response: unknown tag 0? no: 0 is SupportedFeatures. Use unknown tags 4 and 9 plus known tag 1.
    const b = hex('0000  01  00000000  03  01 08 0000000000000007  04 01 aa  09 00');
    const d = decodeFromBuffer(ApiVersionsResponse, b, 3);
    expect(d.finalizedFeaturesEpoch).toBe(7n);
    expect(d.unknownTaggedFields?.map((t) => [t.tag, t.data.toString('hex')])).toEqual([
      [4, 'aa'],
      [9, ''],
    ]);
    expect(encodeToBuffer(ApiVersionsResponse, d, 3)).toEqual(b);
    // Unknown tag below a known one goes first.
    const e = encodeToBuffer(ApiVersionsResponse, { ...d, unknownTaggedFields: [{ tag: 0, data: hex('bb') }] }, 3);
    expect(e.subarray(-14)).toEqual(hex('02 00 01 bb 01 08 0000000000000007'));
  });

  it('decodes bytes/records zero-copy', () => {
    const records = Buffer.alloc(2000, 3);
    const b = encodeToBuffer(
      ProduceRequest,
      { acks: -1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] },
      9,
    );
    const d = decodeFromBuffer(ProduceRequest, b, 9);
    const got = d.topicData[0]!.partitionData[0]!.records!;
    expect(got.equals(records)).toBe(true);
    expect(got.buffer).toBe(b.buffer);
  });

  it('rejects a known tagged field that overruns its declared size', () => {
    // FinalizedFeaturesEpoch declared as 4 bytes but int64 needs 8.
    const b = hex('0000 01 00000000 01 01 04 0000000000000007');
    expect(() => decodeFromBuffer(ApiVersionsResponse, b, 3)).toThrow(ProtocolDecodeError);
  });
});

describe('malformed input never escapes as anything but ProtocolDecodeError', () => {
  const exported: unknown[] = Object.values(generated);
  const codecs = exported.filter(
    (c): c is MessageCodec<unknown> => typeof c === 'object' && c !== null && 'decode' in c && 'maxVersion' in c,
  );

  it('covers every message', () => {
    expect(codecs.length).toBe(186);
  });

  it('random bytes, every codec, min and max version', () => {
    for (const codec of codecs) {
      for (const version of new Set([codec.minVersion, codec.maxVersion])) {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
            try {
              codec.decode(new Reader(Buffer.from(bytes)), version);
            } catch (e) {
              if (!(e instanceof ProtocolDecodeError)) throw e;
            }
          }),
          { numRuns: 15 },
        );
      }
    }
  });
});

describe('api keys and error codes', () => {
  it('API table', () => {
    expect(ApiKey.Produce).toBe(0);
    expect(ApiKey.ApiVersions).toBe(18);
    expect(API_MESSAGES.length).toBe(88);
    expect(API_MESSAGES.map((m) => m.apiKey)).toEqual([...Array(88).keys()]);
    const produce = apiMessage(0)!;
    expect(produce).toMatchObject({ name: 'Produce', minVersion: 0, maxVersion: 11, flexibleMinVersion: 9 });
    expect(produce.request).toBe(ProduceRequest);
    expect(apiMessage(17)!.flexibleMinVersion).toBeNull();
    expect(apiMessage(76)!.latestVersionUnstable).toBe(true);
    expect(apiMessage(1000)).toBeUndefined();
    for (const m of API_MESSAGES) {
      expect(m.request.maxVersion).toBe(m.response.maxVersion);
      expect(m.request.apiKey).toBe(m.apiKey);
      expect(m.response.apiKey).toBe(m.apiKey);
    }
  });

  it('error codes', () => {
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).toBe(3);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ERRORS.get(3)).toEqual({ code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    expect(ERRORS.get(35)?.retriable).toBe(false);
    expect(errorName(16)).toBe('NOT_COORDINATOR');
    expect(errorName(9999)).toBe('UNKNOWN_9999');
    const codes = [...ERRORS.keys()];
    expect(codes).toEqual([...Array(codes.length).keys()].map((i) => i - 1));
  });
});

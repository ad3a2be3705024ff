// Property test: for every message and every valid version, random values (built from the model: only the
// fields that exist in that version, nulls where nullable, tagged and unknown tagged fields when flexible)
// survive encode → decode (deep-equal, defaults filled in) and re-encode to identical bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSpecs } from '../../../scripts/codegen/load.js';
import {
  buildModel,
  contains,
  type FieldModel,
  type FieldType,
  type MessageModel,
  type StructModel,
} from '../../../scripts/codegen/model.js';
import * as generated from '../src/generated/index.js';
import type { MessageCodec, TaggedField } from '../src/primitives/codec.js';
import { Reader } from '../src/primitives/reader.js';
import { Writer } from '../src/primitives/writer.js';

const model = buildModel(loadSpecs());
const RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 20);

type Obj = Record<string, unknown>;

function present(f: FieldModel, v: number): boolean {
  return f.spec.taggedVersions !== undefined ? contains(f.tagged, v) : contains(f.versions, v);
}

function isFlexible(msg: MessageModel, v: number): boolean {
  return contains(msg.flexible, v);
}

const uuidArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant('00000000-0000-0000-0000-000000000000') },
  {
    weight: 5,
    arbitrary: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
      const h = Buffer.from(b).toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }),
  },
);
const bytesArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)) },
  // Large enough to be appended by reference by the Writer.
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 600, maxLength: 2000 }).map((a) => Buffer.from(a)) },
);

function primArb(prim: string, small: boolean): fc.Arbitrary<unknown> {
  switch (prim) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -2147483648, max: 2147483647 }));
    case 'int64':
      return fc.oneof(fc.bigInt({ min: -5n, max: 5n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    case 'float64':
      return fc.double({ noNaN: true });
    case 'bool':
      return fc.boolean();
    case 'uuid':
      return uuidArb;
    case 'string':
      return small ? fc.string({ maxLength: 8 }) : fc.string({ unit: 'grapheme', maxLength: 30 });
    case 'bytes':
    case 'records':
      return bytesArb;
    default:
      throw new Error(`no arbitrary for ${prim}`);
  }
}

function unknownTaggedArb(known: Set<number>): fc.Arbitrary<TaggedField[] | undefined> {
  const one = fc.record({
    tag: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 100_000 })),
    data: fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
  });
  return fc.option(
    fc.array(one, { maxLength: 3 }).map((list) => {
      const seen = new Set<number>();
      return list.filter((t) => !known.has(t.tag) && !seen.has(t.tag) && seen.add(t.tag)).sort((a, b) => a.tag - b.tag);
    }),
    { nil: undefined },
  );
}

class Arbs {
  private readonly cache = new Map<StructModel, fc.Arbitrary<Obj>>();
  constructor(
    readonly msg: MessageModel,
    readonly version: number,
  ) {}

  typeArb(t: FieldType, depth: number): fc.Arbitrary<unknown> {
    if (t.kind === 'prim') return primArb(t.prim, false);
    if (t.kind === 'struct') return this.structArb(t.struct, depth + 1);
    const e = t.elem;
    if (e.kind === 'prim') {
      return fc.oneof(
        { weight: 9, arbitrary: fc.array(this.typeArb(e, depth), { maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(primArb(e.prim, true), { minLength: 100, maxLength: 300 }) },
      );
    }
    return fc.array(this.typeArb(e, depth), { maxLength: depth > 2 ? 2 : 3 });
  }

  structArb(s: StructModel, depth = 0): fc.Arbitrary<Obj> {
    const hit = this.cache.get(s);
    if (hit) return hit;
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    const known = new Set<number>();
    for (const f of s.fields) {
      if (!present(f, this.version)) continue;
      if (f.tag !== null) known.add(f.tag);
      let a = this.typeArb(f.type, depth);
      if (contains(f.nullable, this.version)) a = fc.option(a, { nil: null, freq: 4 });
      shape[f.jsName] = a;
    }
    if (isFlexible(this.msg, this.version)) shape.unknownTaggedFields = unknownTaggedArb(known);
    const arb = fc.record(shape, {
      requiredKeys: Object.keys(shape).filter((k) => k !== 'unknownTaggedFields'),
    }) as fc.Arbitrary<Obj>;
    this.cache.set(s, arb);
    return arb;
  }
}

function defaultOf(f: FieldModel): unknown {
  const d = f.default;
  switch (d.kind) {
    case 'number':
    case 'bigint':
    case 'bool':
    case 'string':
    case 'uuid':
      return d.value;
    case 'null':
      return null;
    case 'empty':
      return f.type.kind === 'array' ? [] : Buffer.alloc(0);
    case 'struct':
      if (f.type.kind !== 'struct') throw new Error('struct default on a non-struct');
      return Object.fromEntries(f.type.struct.fields.map((g) => [g.jsName, defaultOf(g)]));
  }
}

/** What decode should return for `value`: absent fields at their defaults, nested structs likewise. */
function complete(s: StructModel, version: number, value: Obj): Obj {
  const out: Obj = {};
  for (const f of s.fields) {
    if (!present(f, version)) {
      out[f.jsName] = defaultOf(f);
      continue;
    }
    const x = value[f.jsName];
    if (x === null) out[f.jsName] = null;
    else if (f.type.kind === 'struct') out[f.jsName] = complete(f.type.struct, version, x as Obj);
    else if (f.type.kind === 'array' && f.type.elem.kind === 'struct') {
      const st = f.type.elem.struct;
      out[f.jsName] = (x as Obj[]).map((e) => complete(st, version, e));
    } else out[f.jsName] = x;
  }
  if (value.unknownTaggedFields !== undefined && (value.unknownTaggedFields as unknown[]).length > 0) {
    out.unknownTaggedFields = value.unknownTaggedFields;
  }
  return out;
}

function encode(codec: MessageCodec<unknown>, v: unknown, version: number): Buffer {
  const w = new Writer(64);
  codec.encode(w, v, version);
  return w.toBuffer();
}

const codecs = generated as unknown as Record<string, MessageCodec<unknown>>;

describe('every message × every version round-trips', () => {
  for (const msg of model.messages) {
    it(`${msg.name} v${msg.valid.min}-${msg.valid.max}`, () => {
      const codec = codecs[msg.name];
      expect(codec, msg.name).toBeDefined();
      for (let version = msg.valid.min; version <= msg.valid.max; version++) {
        const arb = new Arbs(msg, version).structArb(msg.root);
        fc.assert(
          fc.property(arb, (value) => {
            const bytes = encode(codec!, value, version);
            const r = new Reader(bytes);
            const decoded = codec!.decode(r, version);
            expect(r.remaining, `${msg.name} v${version}: trailing bytes`).toBe(0);
            expect(decoded).toEqual(complete(msg.root, version, value));
            const again = encode(codec!, decoded, version);
            expect(again.equals(bytes), `${msg.name} v${version}: re-encode differs`).toBe(true);
          }),
          { numRuns: RUNS },
        );
      }
    });
  }
});

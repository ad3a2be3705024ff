// Stage 2: turn SpecFiles into a typed model with resolved version ranges, types, defaults and names.
import { kebabCase, type SpecField, type SpecFile, type SpecKind } from './spec-format.js';

/** Inclusive version range; `max` is Infinity for "N+", and min > max means "none". */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export const EMPTY: Range = { min: 1, max: 0 };

export function parseRange(s: string): Range {
  if (s === 'none') return EMPTY;
  let m = /^(\d+)\+$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number.POSITIVE_INFINITY };
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new Error(`bad version range ${JSON.stringify(s)}`);
}

export const isEmpty = (r: Range): boolean => r.min > r.max;
export const intersect = (a: Range, b: Range): Range =>
  isEmpty(a) || isEmpty(b) ? EMPTY : { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
export const contains = (r: Range, v: number): boolean => v >= r.min && v <= r.max;
/** Smallest range holding both (fine here: every union we take is contiguous in practice). */
export const hull = (a: Range, b: Range): Range =>
  isEmpty(a) ? b : isEmpty(b) ? a : { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
export const covers = (outer: Range, inner: Range): boolean =>
  isEmpty(inner) || (outer.min <= inner.min && outer.max >= inner.max);
export const sameRange = (a: Range, b: Range): boolean =>
  (isEmpty(a) && isEmpty(b)) || (a.min === b.min && a.max === b.max);

export type PrimName =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'float64'
  | 'bool'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';
const PRIMS = new Set<string>([
  'int8',
  'int16',
  'int32',
  'int64',
  'uint16',
  'float64',
  'bool',
  'uuid',
  'string',
  'bytes',
  'records',
]);

export type FieldType =
  | { kind: 'prim'; prim: PrimName }
  | { kind: 'array'; elem: FieldType }
  | { kind: 'struct'; struct: StructModel };

export type DefaultValue =
  | { kind: 'number'; value: number }
  | { kind: 'bigint'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'uuid'; value: string }
  | { kind: 'null' }
  /** Empty array or empty bytes. */
  | { kind: 'empty' }
  /** A struct with all fields at their defaults. */
  | { kind: 'struct' };

export interface FieldModel {
  readonly spec: SpecField;
  readonly name: string;
  readonly jsName: string;
  readonly type: FieldType;
  /** Versions on the wire, already narrowed to the enclosing struct's versions. */
  readonly versions: Range;
  readonly nullable: Range;
  /** Versions in which the field is tagged (empty if never). */
  readonly tagged: Range;
  readonly tag: number | null;
  /** Per-field flexibleVersions override (the header's ClientId is "none"), else null. */
  readonly flexibleOverride: Range | null;
  readonly ignorable: boolean;
  readonly default: DefaultValue;
  /** Present in every version of its struct and not tagged: a required TS property. */
  readonly required: boolean;
  readonly mapKey: boolean;
  readonly entityType: string | null;
}

export interface StructModel {
  readonly name: string;
  readonly tsName: string;
  /** Versions in which this struct can appear on the wire. */
  versions: Range;
  fields: FieldModel[];
  readonly common: boolean;
}

export interface MessageModel {
  readonly spec: SpecFile;
  readonly name: string;
  readonly fileName: string;
  readonly kind: SpecKind;
  readonly apiKey: number | null;
  readonly valid: Range;
  readonly flexible: Range;
  readonly deprecated: Range | null;
  readonly latestVersionUnstable: boolean;
  readonly listeners: readonly string[];
  readonly root: StructModel;
  /** Every struct (root first), each once. */
  readonly structs: readonly StructModel[];
}

export interface ProtocolModel {
  readonly messages: readonly MessageModel[];
}

export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function structTypeName(type: string): string | null {
  const base = type.startsWith('[]') ? type.slice(2) : type;
  return PRIMS.has(base) ? null : base;
}

function parseDefault(f: SpecField, type: FieldType, nullable: Range, where: string): DefaultValue {
  const d = f.default;
  if (type.kind === 'array' || type.kind === 'struct') {
    if (d === 'null') {
      if (isEmpty(nullable)) throw new Error(`${where}: default null on a non-nullable field`);
      return { kind: 'null' };
    }
    if (d !== undefined && d !== '') throw new Error(`${where}: unsupported default ${d}`);
    return type.kind === 'array' ? { kind: 'empty' } : { kind: 'struct' };
  }
  switch (type.prim) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'float64': {
      const v = d === undefined || d === '' ? 0 : Number(d);
      if (Number.isNaN(v)) throw new Error(`${where}: bad numeric default ${d}`);
      return { kind: 'number', value: v };
    }
    case 'int64':
      return { kind: 'bigint', value: d === undefined || d === '' ? 0n : BigInt(d) };
    case 'bool':
      if (d !== undefined && d !== 'true' && d !== 'false') throw new Error(`${where}: bad bool default ${d}`);
      return { kind: 'bool', value: d === 'true' };
    case 'uuid':
      return { kind: 'uuid', value: d ?? '00000000-0000-0000-0000-000000000000' };
    case 'string':
      if (d === 'null') {
        if (isEmpty(nullable)) throw new Error(`${where}: default null on a non-nullable field`);
        return { kind: 'null' };
      }
      return { kind: 'string', value: d ?? '' };
    case 'bytes':
    case 'records':
      if (d === 'null') return { kind: 'null' };
      return { kind: 'empty' };
  }
}

export function buildMessage(spec: SpecFile): MessageModel {
  const valid = parseRange(spec.validVersions);
  const flexible = parseRange(spec.flexibleVersions);
  const prefix = spec.name;
  const commons = new Map((spec.commonStructs ?? []).map((c) => [c.name, c]));

  // Versions each common struct is used in: walk until no range grows (commons can nest).
  const usage = new Map<string, Range>();
  let changed = true;
  const walk = (fields: readonly SpecField[], parent: Range): void => {
    for (const f of fields) {
      const r = intersect(parseRange(f.versions), parent);
      if (isEmpty(r)) continue;
      const st = structTypeName(f.type);
      if (!st) continue;
      if (f.fields) walk(f.fields, r);
      else if (commons.has(st)) {
        const old = usage.get(st) ?? EMPTY;
        const now = hull(old, r);
        if (!sameRange(old, now)) {
          usage.set(st, now);
          changed = true;
        }
      } else throw new Error(`${spec.name}: unknown struct type ${st}`);
    }
  };
  while (changed) {
    changed = false;
    walk(spec.fields, valid);
    for (const c of commons.values()) {
      const u = usage.get(c.name);
      if (u) walk(c.fields, intersect(u, parseRange(c.versions)));
    }
  }

  const structs: StructModel[] = [];
  const byName = new Map<string, StructModel>();
  const register = (s: StructModel): StructModel => {
    if (byName.has(s.tsName)) throw new Error(`${spec.name}: duplicate struct ${s.name}`);
    byName.set(s.tsName, s);
    structs.push(s);
    return s;
  };

  const buildFields = (fields: readonly SpecField[], owner: StructModel, where: string): FieldModel[] =>
    fields.map((f) => {
      const w = `${where}.${f.name}`;
      const versions = intersect(parseRange(f.versions), owner.versions);
      const nullable = f.nullableVersions ? intersect(parseRange(f.nullableVersions), versions) : EMPTY;
      const tagged = f.taggedVersions ? intersect(parseRange(f.taggedVersions), versions) : EMPTY;
      if (f.taggedVersions && f.tag === undefined) throw new Error(`${w}: taggedVersions without tag`);
      const resolve = (t: string): FieldType => {
        if (t.startsWith('[]')) return { kind: 'array', elem: resolve(t.slice(2)) };
        if (PRIMS.has(t)) return { kind: 'prim', prim: t as PrimName };
        if (f.fields) {
          const s = register({ name: t, tsName: prefix + t, versions, fields: [], common: false });
          s.fields = buildFields(f.fields, s, w);
          return { kind: 'struct', struct: s };
        }
        const s = byName.get(prefix + t);
        if (!s) throw new Error(`${w}: unknown struct ${t}`);
        return { kind: 'struct', struct: s };
      };
      const type = resolve(f.type);
      return {
        spec: f,
        name: f.name,
        jsName: camelCase(f.name),
        type,
        versions,
        nullable,
        tagged,
        tag: f.tag ?? null,
        flexibleOverride: f.flexibleVersions ? parseRange(f.flexibleVersions) : null,
        ignorable: f.ignorable === true,
        default: parseDefault(f, type, nullable, w),
        required: isEmpty(tagged) && f.taggedVersions === undefined && covers(versions, owner.versions),
        mapKey: f.mapKey === true,
        entityType: f.entityType ?? null,
      };
    });

  const root = register({ name: spec.name, tsName: spec.name, versions: valid, fields: [], common: false });
  // Common structs are registered first (fields filled after) so inline fields can reference them.
  const commonModels = (spec.commonStructs ?? []).map((c) =>
    register({
      name: c.name,
      tsName: prefix + c.name,
      versions: intersect(usage.get(c.name) ?? valid, parseRange(c.versions)),
      fields: [],
      common: true,
    }),
  );
  (spec.commonStructs ?? []).forEach((c, i) => {
    const m = commonModels[i]!;
    m.fields = buildFields(c.fields, m, `${spec.name}.${c.name}`);
  });
  root.fields = buildFields(spec.fields, root, spec.name);

  return {
    spec,
    name: spec.name,
    fileName: kebabCase(spec.name),
    kind: spec.type,
    apiKey: spec.apiKey ?? null,
    valid,
    flexible,
    deprecated: spec.deprecatedVersions ? parseRange(spec.deprecatedVersions) : null,
    latestVersionUnstable: spec.latestVersionUnstable === true,
    listeners: spec.listeners ?? [],
    root,
    structs,
  };
}

export function buildModel(specs: readonly SpecFile[]): ProtocolModel {
  return { messages: specs.map(buildMessage).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** Is the field in compact (flexible) encoding at `version`? */
export function fieldFlexible(msg: MessageModel, f: FieldModel, version: number): boolean {
  return contains(f.flexibleOverride ?? msg.flexible, version);
}

// One-off converter: Apache Kafka's JSON message specs → protocol-specs/*.txt.
// Keeps only wire facts; drops every `about`, comment and licence header.
// Usage: tsx scripts/codegen/import-reference.ts [referenceDir] [outDir]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSpec, kebabCase, type SpecField, type SpecFile, type SpecKind, type SpecStruct } from './spec-format.js';

/** Removes `//` comments outside of strings. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

type Json = Record<string, unknown>;

const FIELD_KEYS = new Set([
  'name',
  'type',
  'versions',
  'nullableVersions',
  'taggedVersions',
  'tag',
  'ignorable',
  'default',
  'mapKey',
  'entityType',
  'zeroCopy',
  'flexibleVersions',
  'fields',
  'about',
]);
const TOP_KEYS = new Set([
  'apiKey',
  'type',
  'name',
  'validVersions',
  'flexibleVersions',
  'deprecatedVersions',
  'latestVersionUnstable',
  'listeners',
  'fields',
  'commonStructs',
]);

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string`);
  return v;
}

function convertField(j: Json, where: string): SpecField {
  for (const k of Object.keys(j)) if (!FIELD_KEYS.has(k)) throw new Error(`${where}: unknown field key ${k}`);
  const f: SpecField = {
    name: str(j.name, where),
    type: str(j.type, where),
    versions: str(j.versions, where),
  };
  if (j.nullableVersions !== undefined) f.nullableVersions = str(j.nullableVersions, where);
  if (j.taggedVersions !== undefined) f.taggedVersions = str(j.taggedVersions, where);
  if (j.tag !== undefined) f.tag = Number(j.tag);
  if (j.flexibleVersions !== undefined) f.flexibleVersions = str(j.flexibleVersions, where);
  if (j.default !== undefined) f.default = String(j.default);
  if (j.mapKey !== undefined) f.mapKey = Boolean(j.mapKey);
  if (j.ignorable !== undefined) f.ignorable = Boolean(j.ignorable);
  if (j.zeroCopy !== undefined) f.zeroCopy = Boolean(j.zeroCopy);
  if (j.entityType !== undefined) f.entityType = str(j.entityType, where);
  if (Array.isArray(j.fields)) f.fields = (j.fields as Json[]).map((c) => convertField(c, `${where}.${f.name}`));
  return f;
}

export function convertReference(j: Json, file: string): SpecFile {
  for (const k of Object.keys(j)) if (!TOP_KEYS.has(k)) throw new Error(`${file}: unknown top-level key ${k}`);
  const spec: SpecFile = {
    name: str(j.name, file),
    type: str(j.type, file) as SpecKind,
    validVersions: str(j.validVersions, file),
    flexibleVersions: str(j.flexibleVersions, file),
    fields: ((j.fields as Json[] | undefined) ?? []).map((f) => convertField(f, file)),
  };
  if (j.apiKey !== undefined) spec.apiKey = Number(j.apiKey);
  if (j.deprecatedVersions !== undefined) spec.deprecatedVersions = str(j.deprecatedVersions, file);
  if (j.latestVersionUnstable !== undefined) spec.latestVersionUnstable = Boolean(j.latestVersionUnstable);
  if (Array.isArray(j.listeners)) spec.listeners = (j.listeners as unknown[]).map((l) => str(l, file));
  if (Array.isArray(j.commonStructs)) {
    spec.commonStructs = (j.commonStructs as Json[]).map(
      (c): SpecStruct => ({
        name: str(c.name, file),
        versions: str(c.versions, file),
        fields: ((c.fields as Json[] | undefined) ?? []).map((f) => convertField(f, file)),
      }),
    );
  }
  return spec;
}

export function readReference(dir: string): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    out.set(f, JSON.parse(stripJsonComments(readFileSync(join(dir, f), 'utf8'))) as Json);
  }
  return out;
}

function main(): void {
  const refDir = process.argv[2] ?? '/work/shared/kafka-message-specs';
  const outDir = process.argv[3] ?? fileURLToPath(new URL('../../protocol-specs/', import.meta.url));
  let n = 0;
  for (const [file, json] of readReference(refDir)) {
    const spec = convertReference(json, file);
    writeFileSync(join(outDir, `${kebabCase(spec.name)}.txt`), formatSpec(spec));
    n++;
  }
  console.log(`wrote ${n} spec files to ${outDir}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();

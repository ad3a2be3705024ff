// protocol-specs/ must state the same wire facts as Apache Kafka 3.9's JSON specs, field by field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stripJsonComments } from '../../../scripts/codegen/import-reference.js';
import { DEFAULT_SPEC_DIR, loadSpecs } from '../../../scripts/codegen/load.js';
import { buildModel, contains, parseRange } from '../../../scripts/codegen/model.js';
import { kebabCase, type SpecField, type SpecFile } from '../../../scripts/codegen/spec-format.js';

// Where Kafka 3.9's JSON specs may be, in order: ../shared/kafka-message-specs next to the repository
// (the README's promise), $KAFKA_SPEC_DIR, then the absolute path of the machines this suite runs on.
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CANDIDATES = [
  resolve(REPO_ROOT, '../shared/kafka-message-specs'),
  process.env.KAFKA_SPEC_DIR,
  '/work/shared/kafka-message-specs',
].filter((d): d is string => d !== undefined && d !== '');
const REF_DIR = CANDIDATES.find((d) => existsSync(d)) ?? '';
const haveRef = REF_DIR !== '';
if (!haveRef) {
  console.log(
    `specs-reference: skipped, no reference folder found (looked in ${CANDIDATES.join(', ')}; set KAFKA_SPEC_DIR)`,
  );
}

type Json = Record<string, unknown>;
const refFiles = haveRef
  ? readdirSync(REF_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];
const ours = new Map(loadSpecs().map((s) => [s.name, s]));

/** The reference keys we carry over; anything else (except prose) would be a fact we silently lost. */
const FIELD_FACTS = [
  'name',
  'type',
  'versions',
  'nullableVersions',
  'taggedVersions',
  'tag',
  'default',
  'mapKey',
  'entityType',
  'ignorable',
  'zeroCopy',
  'flexibleVersions',
];
const PROSE = new Set(['about']);

function norm(v: unknown): string | undefined {
  return v === undefined ? undefined : String(v);
}

function compareFields(ref: Json[], mine: SpecField[] | undefined, where: string): void {
  const m = mine ?? [];
  expect(
    m.map((f) => f.name),
    `${where}: field list`,
  ).toEqual(ref.map((f) => f.name));
  ref.forEach((rf, i) => {
    const f = m[i]!;
    const w = `${where}.${String(rf.name)}`;
    for (const k of Object.keys(rf)) {
      if (!FIELD_FACTS.includes(k) && !PROSE.has(k) && k !== 'fields')
        throw new Error(`${w}: reference has unhandled key ${k}`);
    }
    for (const k of FIELD_FACTS) {
      expect(norm((f as unknown as Json)[k]), `${w}.${k}`).toEqual(norm(rf[k]));
    }
    if (Array.isArray(rf.fields)) compareFields(rf.fields as Json[], f.fields, w);
    else expect(f.fields, `${w}: unexpected nested fields`).toBeUndefined();
  });
}

function factsOnly(spec: SpecFile): string {
  return JSON.stringify(spec);
}

describe.skipIf(!haveRef)('protocol-specs match the Kafka 3.9 reference', () => {
  it('has one spec per reference file and nothing else', () => {
    const files = readdirSync(DEFAULT_SPEC_DIR).filter((f) => f.endsWith('.txt') && f !== 'error-codes.txt');
    expect(files.sort()).toEqual(refFiles.map((f) => `${kebabCase(f.replace(/\.json$/, ''))}.txt`).sort());
    expect(refFiles.length).toBe(186);
  });

  it.each(refFiles)('%s', (file) => {
    const ref = JSON.parse(stripJsonComments(readFileSync(join(REF_DIR, file), 'utf8'))) as Json;
    const mine = ours.get(String(ref.name));
    expect(mine, `no spec for ${String(ref.name)}`).toBeDefined();
    const s = mine!;
    for (const k of Object.keys(ref)) {
      if (
        ![
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
        ].includes(k)
      ) {
        throw new Error(`${file}: reference has unhandled top-level key ${k}`);
      }
    }
    expect(s.type).toBe(ref.type);
    expect(norm(s.apiKey)).toEqual(norm(ref.apiKey));
    expect(s.validVersions).toBe(ref.validVersions);
    expect(s.flexibleVersions).toBe(ref.flexibleVersions);
    expect(s.deprecatedVersions).toEqual(ref.deprecatedVersions);
    expect(norm(s.latestVersionUnstable)).toEqual(norm(ref.latestVersionUnstable));
    expect(s.listeners).toEqual(ref.listeners);
    compareFields(ref.fields as Json[], s.fields, s.name);
    const refCommon = (ref.commonStructs as Json[] | undefined) ?? [];
    expect((s.commonStructs ?? []).map((c) => [c.name, c.versions])).toEqual(
      refCommon.map((c) => [c.name, c.versions]),
    );
    refCommon.forEach((c, i) => {
      compareFields(c.fields as Json[], s.commonStructs![i]!.fields, `${s.name}.${String(c.name)}`);
    });
    // No prose leaked into our file.
    const text = readFileSync(join(DEFAULT_SPEC_DIR, `${kebabCase(s.name)}.txt`), 'utf8');
    expect(text).not.toMatch(/about|Licensed|License/);
    expect(factsOnly(s)).not.toContain('about');
  });

  it('version by version, the model puts the same fields on the wire as the reference', () => {
    const model = buildModel([...ours.values()]);
    for (const file of refFiles) {
      const ref = JSON.parse(stripJsonComments(readFileSync(join(REF_DIR, file), 'utf8'))) as Json;
      const msg = model.messages.find((m) => m.name === ref.name)!;
      const valid = parseRange(String(ref.validVersions));
      for (let v = valid.min; v <= valid.max; v++) {
        const refNames = (ref.fields as Json[])
          .filter((f) => contains(parseRange(String(f.versions)), v))
          .map((f) => String(f.name));
        const ourNames = msg.root.fields.filter((f) => contains(f.versions, v)).map((f) => f.name);
        expect(ourNames, `${msg.name} v${v}`).toEqual(refNames);
        expect(contains(msg.flexible, v), `${msg.name} v${v} flexible`).toBe(
          contains(parseRange(String(ref.flexibleVersions)), v),
        );
      }
    }
  });
});

// The protocol-specs/*.txt line format, shared by the importer (writer side) and load.ts (reader side).
//
//   request ProduceRequest apiKey=0 valid=0-11 flexible=9+ deprecated=0-6 listeners=zkBroker,broker
//
//   TransactionalId string 3+ nullable=3+ default=null entity=transactionalId
//   TopicData []TopicProduceData 0+
//     Name string 0+ mapKey entity=topicName
//
//   struct LeaderIdAndEpoch 0+
//     LeaderId int32 0+ default=-1
//
// Line 1 describes the message; then one line per field (`Name type versions attrs...`), children
// indented by two spaces; `struct Name versions` starts a common struct. `#` starts a comment line.

export interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  ignorable?: boolean;
  /** Kept as text, exactly as the reference spells it (numbers and booleans stringified). */
  default?: string;
  mapKey?: boolean;
  entityType?: string;
  zeroCopy?: boolean;
  flexibleVersions?: string;
  fields?: SpecField[];
}

export interface SpecStruct {
  name: string;
  versions: string;
  fields: SpecField[];
}

export type SpecKind = 'request' | 'response' | 'header' | 'data';

export interface SpecFile {
  name: string;
  type: SpecKind;
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  latestVersionUnstable?: boolean;
  listeners?: string[];
  fields: SpecField[];
  commonStructs?: SpecStruct[];
}

/** `ProduceRequest` → `produce-request` (KRaft stays one word). */
export function kebabCase(name: string): string {
  return name
    .replace(/KRaft/g, 'Kraft')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

function fmtDefault(d: string): string {
  // Bare tokens cannot hold spaces, quotes or nothing at all; JSON-quote those.
  return d === '' || /[\s"#]/.test(d) ? JSON.stringify(d) : d;
}

function fieldLine(f: SpecField, indent: string): string[] {
  const parts = [f.name, f.type, f.versions];
  if (f.nullableVersions !== undefined) parts.push(`nullable=${f.nullableVersions}`);
  if (f.taggedVersions !== undefined) parts.push(`tagged=${f.taggedVersions}`);
  if (f.tag !== undefined) parts.push(`tag=${f.tag}`);
  if (f.flexibleVersions !== undefined) parts.push(`flexible=${f.flexibleVersions}`);
  if (f.default !== undefined) parts.push(`default=${fmtDefault(f.default)}`);
  if (f.mapKey !== undefined) parts.push(f.mapKey ? 'mapKey' : 'mapKey=false');
  if (f.ignorable !== undefined) parts.push(f.ignorable ? 'ignorable' : 'ignorable=false');
  if (f.zeroCopy !== undefined) parts.push(f.zeroCopy ? 'zeroCopy' : 'zeroCopy=false');
  if (f.entityType !== undefined) parts.push(`entity=${f.entityType}`);
  const out = [indent + parts.join(' ')];
  for (const c of f.fields ?? []) out.push(...fieldLine(c, `${indent}  `));
  return out;
}

export function formatSpec(s: SpecFile): string {
  const head: string[] = [s.type, s.name];
  if (s.apiKey !== undefined) head.push(`apiKey=${s.apiKey}`);
  head.push(`valid=${s.validVersions}`, `flexible=${s.flexibleVersions}`);
  if (s.deprecatedVersions !== undefined) head.push(`deprecated=${s.deprecatedVersions}`);
  if (s.latestVersionUnstable !== undefined) head.push(`unstable=${s.latestVersionUnstable}`);
  if (s.listeners !== undefined) head.push(`listeners=${s.listeners.join(',')}`);
  const lines = [head.join(' '), ''];
  for (const f of s.fields) lines.push(...fieldLine(f, ''));
  for (const cs of s.commonStructs ?? []) {
    lines.push('', `struct ${cs.name} ${cs.versions}`);
    for (const f of cs.fields) lines.push(...fieldLine(f, '  '));
  }
  return `${lines.join('\n')}\n`;
}

function tokenize(line: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let j = i;
    let tok = '';
    while (j < line.length && line[j] !== ' ') {
      if (line[j] === '"') {
        // A JSON string: find its closing quote, honouring escapes.
        let k = j + 1;
        while (k < line.length && line[k] !== '"') k += line[k] === '\\' ? 2 : 1;
        if (k >= line.length) throw new Error(`${where}: unterminated string`);
        tok += JSON.parse(line.slice(j, k + 1)) as string;
        j = k + 1;
      } else {
        tok += line[j];
        j++;
      }
    }
    out.push(tok);
    i = j;
  }
  return out;
}

function attrs(tokens: string[], where: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const t of tokens) {
    const eq = t.indexOf('=');
    const [k, v] = eq < 0 ? [t, 'true'] : [t.slice(0, eq), t.slice(eq + 1)];
    if (m.has(k)) throw new Error(`${where}: duplicate attribute ${k}`);
    m.set(k, v);
  }
  return m;
}

function take(m: Map<string, string>, k: string): string | undefined {
  const v = m.get(k);
  m.delete(k);
  return v;
}

function bool(v: string | undefined, where: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw new Error(`${where}: expected true/false, got ${v}`);
  return v === 'true';
}

function int(v: string | undefined, where: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new Error(`${where}: expected an integer, got ${v}`);
  return Number(v);
}

function noneLeft(m: Map<string, string>, where: string): void {
  if (m.size > 0) throw new Error(`${where}: unknown attribute(s) ${[...m.keys()].join(', ')}`);
}

export function parseSpec(text: string, file: string): SpecFile {
  const lines = text.split('\n').map((l, i) => ({ text: l.replace(/\s+$/, ''), no: i + 1 }));
  const body = lines.filter((l) => l.text.trim() !== '' && !l.text.trimStart().startsWith('#'));
  const first = body.shift();
  if (!first) throw new Error(`${file}: empty spec`);
  const htoks = tokenize(first.text, `${file}:${first.no}`);
  const [type, name, ...rest] = htoks;
  const where0 = `${file}:${first.no}`;
  if (type !== 'request' && type !== 'response' && type !== 'header' && type !== 'data') {
    throw new Error(`${where0}: unknown message type ${type}`);
  }
  if (!name) throw new Error(`${where0}: missing name`);
  const h = attrs(rest, where0);
  const spec: SpecFile = { name, type, validVersions: '', flexibleVersions: '', fields: [] };
  const apiKey = int(take(h, 'apiKey'), where0);
  if (apiKey !== undefined) spec.apiKey = apiKey;
  spec.validVersions = take(h, 'valid') ?? '';
  spec.flexibleVersions = take(h, 'flexible') ?? '';
  if (!spec.validVersions || !spec.flexibleVersions) throw new Error(`${where0}: valid= and flexible= are required`);
  const dep = take(h, 'deprecated');
  if (dep !== undefined) spec.deprecatedVersions = dep;
  const unstable = bool(take(h, 'unstable'), where0);
  if (unstable !== undefined) spec.latestVersionUnstable = unstable;
  const listeners = take(h, 'listeners');
  if (listeners !== undefined) spec.listeners = listeners.split(',');
  noneLeft(h, where0);

  // Stack of open field lists by indentation depth.
  let stack: { indent: number; list: SpecField[] }[] = [{ indent: 0, list: spec.fields }];
  let lastField: SpecField | undefined;
  let lastIndent = -1;
  for (const l of body) {
    const where = `${file}:${l.no}`;
    const indent = l.text.length - l.text.trimStart().length;
    if (indent % 2 !== 0) throw new Error(`${where}: indentation must be a multiple of two spaces`);
    const toks = tokenize(l.text, where);
    if (toks[0] === 'struct') {
      if (indent !== 0 || toks.length !== 3) throw new Error(`${where}: expected "struct Name versions"`);
      const cs: SpecStruct = { name: toks[1]!, versions: toks[2]!, fields: [] };
      if (!spec.commonStructs) spec.commonStructs = [];
      spec.commonStructs.push(cs);
      stack = [{ indent: 2, list: cs.fields }];
      lastField = undefined;
      lastIndent = 0;
      continue;
    }
    if (indent > lastIndent && lastField && indent === lastIndent + 2) {
      lastField.fields = [];
      stack.push({ indent, list: lastField.fields });
    }
    while (stack.length > 0 && stack[stack.length - 1]!.indent > indent) stack.pop();
    const top = stack[stack.length - 1];
    if (!top || top.indent !== indent) throw new Error(`${where}: unexpected indentation`);
    const [fname, ftype, fversions, ...fa] = toks;
    if (!fname || !ftype || !fversions) throw new Error(`${where}: expected "Name type versions ..."`);
    const m = attrs(fa, where);
    const f: SpecField = { name: fname, type: ftype, versions: fversions };
    const nv = take(m, 'nullable');
    if (nv !== undefined) f.nullableVersions = nv;
    const tv = take(m, 'tagged');
    if (tv !== undefined) f.taggedVersions = tv;
    const tag = int(take(m, 'tag'), where);
    if (tag !== undefined) f.tag = tag;
    const fx = take(m, 'flexible');
    if (fx !== undefined) f.flexibleVersions = fx;
    const d = take(m, 'default');
    if (d !== undefined) f.default = d;
    const mk = bool(take(m, 'mapKey'), where);
    if (mk !== undefined) f.mapKey = mk;
    const ig = bool(take(m, 'ignorable'), where);
    if (ig !== undefined) f.ignorable = ig;
    const zc = bool(take(m, 'zeroCopy'), where);
    if (zc !== undefined) f.zeroCopy = zc;
    const et = take(m, 'entity');
    if (et !== undefined) f.entityType = et;
    noneLeft(m, where);
    top.list.push(f);
    lastField = f;
    lastIndent = indent;
  }
  return spec;
}

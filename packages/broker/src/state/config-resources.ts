// Config resources as DescribeConfigs / AlterConfigs / IncrementalAlterConfigs see them:
// TOPIC (overrides over broker synonyms), BROKER (static + dynamic layers), BROKER_LOGGER (log level).
import { ErrorCode } from '@brook/protocol';
import {
  BROKER_CONFIG_DEFS,
  BROKER_CONFIGS,
  CONFIG_TYPE_CODE,
  ConfigSource,
  describeTopicConfig,
  effectiveTopicConfig,
  formatValue,
  type ResolvedEntry,
  TOPIC_CONFIG_DEFS,
  TOPIC_CONFIGS,
  type TopicOverrides,
} from '../config.js';
import { BrokerError, toBrokerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BrokerState } from './broker-state.js';
import { type TopicInfo, topicNameError } from './topics.js';

/** ConfigResource.Type codes. */
export const ResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** IncrementalAlterConfigs operations. */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigEntryOut {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: { name: string; value: string | null; source: number }[];
  configType: number;
  documentation: string | null;
}

export interface DescribeOptions {
  keys: readonly string[] | null;
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

const LOGGER_NAME = 'root';
const LOG4J_LEVELS: Record<string, string> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  OFF: 'silent',
};

/** Describes one resource; throws BrokerError for per-resource failures. */
export function describeResource(b: BrokerState, type: number, name: string, o: DescribeOptions): ConfigEntryOut[] {
  const wanted = (n: string) => o.keys === null || o.keys.includes(n);
  const syn = (s: ResolvedEntry[]) =>
    o.includeSynonyms ? s.map((e) => ({ name: e.name, value: e.value, source: e.source })) : [];
  switch (type) {
    case ResourceType.TOPIC: {
      const t = requireTopic(b, name);
      return TOPIC_CONFIG_DEFS.filter((d) => wanted(d.name)).map((d) => {
        const e = describeTopicConfig(b.config, t.configs, d.name);
        return {
          name: d.name,
          value: d.sensitive ? null : e.value,
          readOnly: false,
          isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
          configSource: e.source,
          isSensitive: d.sensitive === true,
          synonyms: syn(e.synonyms),
          configType: CONFIG_TYPE_CODE[d.type],
          documentation: o.includeDocumentation ? d.doc : null,
        };
      });
    }
    case ResourceType.BROKER: {
      // "" = the cluster-wide dynamic defaults only (as Kafka answers it).
      if (name === '') {
        return [...b.config.dynamicConfigs('default')]
          .filter(([k]) => wanted(k))
          .map(([k, v]) => {
            const d = BROKER_CONFIGS.get(k)!;
            return brokerEntry(d.name, v, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, d, o, []);
          });
      }
      checkBrokerName(b, name);
      return BROKER_CONFIG_DEFS.filter((d) => wanted(d.name)).map((d) => {
        const e = b.config.describe(d.name);
        return brokerEntry(d.name, e.value, e.source, d, o, syn(b.config.synonyms(d.name)));
      });
    }
    case ResourceType.BROKER_LOGGER: {
      checkBrokerName(b, name);
      if (!wanted(LOGGER_NAME)) return [];
      const level = b.log.level === 'silent' ? 'OFF' : b.log.level.toUpperCase();
      return [
        {
          name: LOGGER_NAME,
          value: level,
          readOnly: false,
          isDefault: false,
          configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
          isSensitive: false,
          synonyms: [],
          configType: CONFIG_TYPE_CODE.string,
          documentation: null,
        },
      ];
    }
    default:
      throw new BrokerError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${type}`);
  }
}

function brokerEntry(
  name: string,
  value: string | null,
  source: number,
  d: (typeof BROKER_CONFIG_DEFS)[number],
  o: DescribeOptions,
  synonyms: ConfigEntryOut['synonyms'],
): ConfigEntryOut {
  return {
    name,
    value: d.sensitive ? null : value,
    readOnly: d.dynamic !== true,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    configSource: source,
    isSensitive: d.sensitive === true,
    synonyms,
    configType: CONFIG_TYPE_CODE[d.type],
    documentation: o.includeDocumentation ? d.doc : null,
  };
}

function requireTopic(b: BrokerState, name: string): TopicInfo {
  const err = topicNameError(name);
  if (err) throw new BrokerError(ErrorCode.INVALID_TOPIC_EXCEPTION, err);
  const t = b.topics.get(name);
  if (!t) throw new BrokerError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
  return t;
}

function checkBrokerName(b: BrokerState, name: string): void {
  if (name !== String(b.nodeId)) {
    throw new BrokerError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${b.nodeId} or empty string, but received ${name}`,
    );
  }
}

export interface AlterEntry {
  name: string;
  value: string | null;
  /** IncrementalAlterConfigs operation; undefined = legacy AlterConfigs (full replacement). */
  op?: number;
}

export interface AlterResourceRequest {
  resourceType: number;
  resourceName: string;
  entries: readonly AlterEntry[];
}

export interface AlterResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * AlterConfigs / IncrementalAlterConfigs over every resource of a request, in order: a resource that fails
 * gets its own error code and message, and the others are still applied.
 */
export async function alterResources(
  b: BrokerState,
  log: Logger,
  resources: readonly AlterResourceRequest[],
  incremental: boolean,
  validateOnly: boolean,
): Promise<AlterResourceResult[]> {
  const results: AlterResourceResult[] = [];
  for (const r of resources) {
    const res: AlterResourceResult = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    };
    results.push(res);
    try {
      await alterResource(b, r.resourceType, r.resourceName, r.entries, incremental, validateOnly);
    } catch (caught) {
      const e = toBrokerError(caught, log, 'alter configs');
      res.errorCode = e.code;
      res.errorMessage = e.message;
    }
  }
  return results;
}

/**
 * Applies AlterConfigs (entries replace all dynamic values of the resource) or IncrementalAlterConfigs
 * (entries are operations on the current values). Validates everything before changing anything.
 */
export async function alterResource(
  b: BrokerState,
  type: number,
  name: string,
  entries: readonly AlterEntry[],
  incremental: boolean,
  validateOnly: boolean,
): Promise<void> {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new BrokerError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys`);
    seen.add(e.name);
  }
  switch (type) {
    case ResourceType.TOPIC: {
      const t = requireTopic(b, name);
      const next = incremental
        ? applyOps(t.configs, entries, (k) => effectiveTopicConfig(b.config, t.configs)[k] ?? null, 'topic')
        : replaceAll(entries);
      for (const k of Object.keys(next)) {
        if (!TOPIC_CONFIGS.has(k)) throw new BrokerError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${k}`);
      }
      await b.topics.setConfigs(name, next, validateOnly);
      return;
    }
    case ResourceType.BROKER: {
      const scope = name === '' ? 'default' : 'broker';
      if (scope === 'broker') checkBrokerName(b, name);
      const current = Object.fromEntries(b.config.dynamicConfigs(scope));
      const next = incremental ? applyOps(current, entries, (k) => b.config.get(k), 'broker') : replaceAll(entries);
      const bad: string[] = [];
      for (const [k, v] of Object.entries(next)) {
        const e = b.config.checkDynamic(k, v);
        if (e) {
          if (!BROKER_CONFIGS.has(k) || BROKER_CONFIGS.get(k)!.dynamic !== true) bad.push(k);
          else throw new BrokerError(ErrorCode.INVALID_CONFIG, e.message);
        }
      }
      if (bad.length > 0) {
        throw new BrokerError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${bad.join(', ')}`);
      }
      if (validateOnly) return;
      await b.setDynamicBrokerConfigs(scope, new Map(Object.entries(next)));
      return;
    }
    case ResourceType.BROKER_LOGGER: {
      if (!incremental) {
        throw new BrokerError(ErrorCode.INVALID_REQUEST, 'AlterConfigs does not support the BROKER_LOGGER resource');
      }
      checkBrokerName(b, name);
      let level: string | undefined;
      for (const e of entries) {
        if (e.op === AlterOp.DELETE) level = b.defaultLogLevel;
        else if (e.op === AlterOp.SET) {
          level = LOG4J_LEVELS[(e.value ?? '').toUpperCase()];
          if (level === undefined) throw new BrokerError(ErrorCode.INVALID_CONFIG, `Invalid log level ${e.value}`);
        } else {
          throw new BrokerError(ErrorCode.INVALID_REQUEST, `${opName(e.op)} is not supported for loggers`);
        }
      }
      if (!validateOnly && level !== undefined) b.log.level = level;
      return;
    }
    default:
      throw new BrokerError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${type}`);
  }
}

function replaceAll(entries: readonly AlterEntry[]): TopicOverrides {
  const out: TopicOverrides = {};
  for (const e of entries) out[e.name] = requireValue(e);
  return out;
}

function requireValue(e: AlterEntry): string {
  if (e.value === null) throw new BrokerError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${e.name}`);
  return e.value;
}

function opName(op: number | undefined): string {
  return ['SET', 'DELETE', 'APPEND', 'SUBTRACT'][op ?? -1] ?? `operation ${op}`;
}

function applyOps(
  current: TopicOverrides,
  entries: readonly AlterEntry[],
  effective: (name: string) => unknown,
  kind: 'topic' | 'broker',
): TopicOverrides {
  const next = { ...current };
  for (const e of entries) {
    const def = kind === 'topic' ? TOPIC_CONFIGS.get(e.name) : BROKER_CONFIGS.get(e.name);
    switch (e.op) {
      case AlterOp.SET:
        next[e.name] = requireValue(e);
        break;
      case AlterOp.DELETE:
        delete next[e.name];
        break;
      case AlterOp.APPEND:
      case AlterOp.SUBTRACT: {
        if (!def) throw new BrokerError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${e.name}`);
        if (def.type !== 'list') {
          throw new BrokerError(
            ErrorCode.INVALID_CONFIG,
            `Config value ${opName(e.op).toLowerCase()} is not allowed for config key: ${e.name}`,
          );
        }
        const cur = next[e.name];
        const base = cur !== undefined ? splitList(cur) : toList(effective(e.name));
        const items = splitList(e.value ?? '');
        const out =
          e.op === AlterOp.APPEND
            ? [...base, ...items.filter((x) => !base.includes(x))]
            : base.filter((x) => !items.includes(x));
        next[e.name] = out.join(',');
        break;
      }
      default:
        throw new BrokerError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${e.op}`);
    }
  }
  return next;
}

/** A comma-separated list value's items, trimmed, empty ones dropped. */
function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function toList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  const s = formatValue((v ?? null) as string | null);
  return s === null || s === '' ? [] : s.split(',');
}

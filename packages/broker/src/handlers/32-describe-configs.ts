// Describes TOPIC, BROKER and BROKER_LOGGER configs: value, source, read-only/sensitive flags,
// synonyms (v1+, when asked), type and documentation (v3+, documentation when asked).
// Versions 0-4 (flexible from 4). Errors per resource: UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, INVALID_REQUEST.
import { DescribeConfigsRequest, DescribeConfigsResponse, ErrorCode } from '@brook/protocol';
import { toBrokerError } from '../errors.js';
import { defineHandler } from '../handler.js';
import { describeResource } from '../state/config-resources.js';

type Result = DescribeConfigsResponse['results'][number];

export const describeConfigs = defineHandler(
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  { min: 0, max: 4 },
  (req, ctx) => {
    const results: Result[] = req.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      try {
        const configs = describeResource(ctx.broker, r.resourceType, r.resourceName, {
          keys: r.configurationKeys,
          includeSynonyms: ctx.apiVersion >= 1 && req.includeSynonyms === true,
          includeDocumentation: ctx.apiVersion >= 3 && req.includeDocumentation === true,
        });
        // isDefault exists only in v0 (v1+ report configSource instead).
        if (ctx.apiVersion > 0) for (const c of configs) c.isDefault = false;
        return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
      } catch (caught) {
        const e = toBrokerError(caught, ctx.log, 'describe configs');
        return { ...base, errorCode: e.code, errorMessage: e.message, configs: [] };
      }
    });
    return { throttleTimeMs: 0, results };
  },
);

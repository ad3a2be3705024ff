// Applies SET/DELETE/APPEND/SUBTRACT operations to TOPIC, BROKER and BROKER_LOGGER configs, or validates only.
// Versions 0-1 (flexible from 1). Errors per resource: INVALID_CONFIG (bad value, APPEND/SUBTRACT on a
// non-list key), INVALID_REQUEST (static broker keys, duplicates, null SET values, APPEND/SUBTRACT on
// BROKER_LOGGER), UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION.
import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';
import { alterResources } from '../state/config-resources.js';

export const incrementalAlterConfigs = defineHandler(
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  { min: 0, max: 1 },
  async (req, ctx) => {
    const resources = req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      entries: r.configs.map((c) => ({ name: c.name, value: c.value, op: c.configOperation })),
    }));
    const responses = await alterResources(ctx.broker, ctx.log, resources, true, req.validateOnly);
    return { throttleTimeMs: 0, responses };
  },
);

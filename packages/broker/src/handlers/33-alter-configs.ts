// Replaces the dynamic configs of TOPIC and BROKER resources (legacy, non-incremental), or validates only.
// Versions 0-2 (flexible from 2). Errors per resource: INVALID_CONFIG, INVALID_REQUEST (static broker
// keys, BROKER_LOGGER, null values), UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION.
import { AlterConfigsRequest, AlterConfigsResponse } from '@brook/protocol';
import { defineHandler } from '../handler.js';
import { alterResources } from '../state/config-resources.js';

export const alterConfigs = defineHandler(
  AlterConfigsRequest,
  AlterConfigsResponse,
  { min: 0, max: 2 },
  async (req, ctx) => {
    const resources = req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      entries: r.configs.map((c) => ({ name: c.name, value: c.value })),
    }));
    const responses = await alterResources(ctx.broker, ctx.log, resources, false, req.validateOnly);
    return { throttleTimeMs: 0, responses };
  },
);

// Replaces the dynamic configs of TOPIC and BROKER resources (legacy, non-incremental), or validates only.
// Versions 0-2 (flexible from 2). Errors per resource: INVALID_CONFIG, INVALID_REQUEST (static broker
// keys, BROKER_LOGGER, null values), UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION.
import { AlterConfigsRequest, AlterConfigsResponse, ErrorCode } from '@brook/protocol';
import { toBrokerError } from '../errors.js';
import { defineHandler } from '../handler.js';
import { alterResource } from '../state/config-resources.js';

type Result = AlterConfigsResponse['responses'][number];

export const alterConfigs = defineHandler(
  AlterConfigsRequest,
  AlterConfigsResponse,
  { min: 0, max: 2 },
  async (req, ctx) => {
    const responses: Result[] = [];
    for (const r of req.resources) {
      const res: Result = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      };
      responses.push(res);
      try {
        const entries = r.configs.map((c) => ({ name: c.name, value: c.value }));
        await alterResource(ctx.broker, r.resourceType, r.resourceName, entries, false, req.validateOnly);
      } catch (caught) {
        const e = toBrokerError(caught, ctx.log, 'alter configs');
        res.errorCode = e.code;
        res.errorMessage = e.message;
      }
    }
    return { throttleTimeMs: 0, responses };
  },
);

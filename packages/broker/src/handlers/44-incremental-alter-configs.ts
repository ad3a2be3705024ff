// Applies SET/DELETE/APPEND/SUBTRACT operations to TOPIC, BROKER and BROKER_LOGGER configs, or validates only.
// Versions 0-1 (flexible from 1). Errors per resource: INVALID_CONFIG (bad value, APPEND/SUBTRACT on a
// non-list key), INVALID_REQUEST (static broker keys, duplicates), UNKNOWN_TOPIC_OR_PARTITION.
import { ErrorCode, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '@brook/protocol';
import { toBrokerError } from '../errors.js';
import { defineHandler } from '../handler.js';
import { alterResource } from '../state/config-resources.js';

type Result = IncrementalAlterConfigsResponse['responses'][number];

export const incrementalAlterConfigs = defineHandler(
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  { min: 0, max: 1 },
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
        const entries = r.configs.map((c) => ({ name: c.name, value: c.value, op: c.configOperation }));
        await alterResource(ctx.broker, r.resourceType, r.resourceName, entries, true, req.validateOnly);
      } catch (caught) {
        const e = toBrokerError(caught, ctx.log, 'alter configs');
        res.errorCode = e.code;
        res.errorMessage = e.message;
      }
    }
    return { throttleTimeMs: 0, responses };
  },
);
